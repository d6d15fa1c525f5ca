"""A province officer registers a model, replicates it to three residential areas, evaluates it (the
overdue list shrinks) and retires another model, in Chromium."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.models_registry import actions
from phongtrao.models_registry.catalogue import seed_catalogues
from phongtrao.models_registry.models import Field, Initiator, Model, SiteStatus, Status
from phongtrao.units.models import Unit
from tests.conftest import browser_sign_in

DAY = dt.date(2025, 12, 31)


@pytest.mark.browser
def test_officer_registers_replicates_evaluates_and_retires(live_server: Any, example_units: None, make_user: Any,
                                                            page: Any) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_catalogues()  # a flush after an earlier browser test removes the migration's rows
    province = Unit.objects.with_code("T99", DAY).get()
    make_user("canbo.tinh", Role.PROVINCE_OFFICER, unit=province, first_name="Cán bộ tỉnh")
    today = timezone.localdate()
    two_years_ago = today - dt.timedelta(days=730)
    field, initiator = Field.objects.get(code="giao_thong"), Initiator.objects.get(code="ubnd_tinh")
    old = actions.do_create_model(Actor.system(), code="MH-CU", name="Mô hình Đèn đường tự quản", field=field,
                                  initiator=initiator, unit=province, started_on=two_years_ago,
                                  status=Status.OPERATING)

    browser_sign_in(page, live_server.url, "canbo.tinh")
    page.get_by_role("link", name="Mô hình", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mô hình tự phòng")

    # Register a new model, started two years ago: it is overdue for evaluation straight away.
    page.get_by_role("link", name="Thêm mô hình").click()
    page.fill("#id_code", "MH-MOI")
    page.fill("#id_name", "Mô hình Camera an ninh khu phố")
    page.select_option("#id_field", label="An ninh khu dân cư")
    page.select_option("#id_initiator", label="UBND tỉnh")
    page.select_option("#id_unit", value=str(province.pk))
    page.fill("#id_started_on", two_years_ago.isoformat())
    page.select_option("#id_status", value="operating")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mô hình Camera an ninh khu phố")
    model = Model.objects.get(code="MH-MOI")

    page.goto(f"{live_server.url}{reverse('models_registry:overdue')}?unit={province.pk}")
    expect(page.locator("#overdue-count")).to_contain_text("2 mô hình quá hạn đánh giá")

    # Replicate to three residential areas found without diacritics.
    page.goto(f"{live_server.url}{reverse('models_registry:detail', args=[model.pk])}")
    page.get_by_role("link", name="Nhân rộng").click()
    page.wait_for_load_state()  # htmx has processed the search box (a fill before that sends nothing)
    page.fill("#picker-q", "khu pho 4")
    results = page.locator("#picker-results input[type=checkbox]")
    expect(results.first).to_be_visible()
    names = []
    for _ in range(3):
        box = page.locator("#picker-results input[type=checkbox]").first
        names.append(page.locator("#picker-results label").first.inner_text())
        box.check()
    expect(page.locator("#chosen input[type=checkbox]:checked")).to_have_count(3)
    page.fill("#id_teams", "2")
    page.get_by_role("button", name="Thêm các điểm").click()
    expect(page.locator("#sites tbody tr")).to_have_count(3)
    assert model.sites.filter(status=SiteStatus.ACTIVE, teams=2).count() == 3
    assert all("Khu phố 4" in name for name in names)

    # Record an evaluation: the overdue list shrinks by one.
    page.get_by_role("link", name="Ghi kết quả đánh giá").click()
    page.fill("#id_evaluator", "Ban Chỉ đạo phong trào tỉnh")
    page.select_option("#id_result", value="effective")
    page.get_by_role("button", name="Lưu kết quả").click()
    expect(page.locator("#evaluations")).to_contain_text("Hiệu quả")
    page.goto(f"{live_server.url}{reverse('models_registry:overdue')}?unit={province.pk}")
    expect(page.locator("#overdue-count")).to_contain_text("1 mô hình quá hạn đánh giá")
    expect(page.locator("#overdue")).to_contain_text("Mô hình Đèn đường tự quản")

    # Retire the other model, with a confirmation step.
    page.get_by_role("link", name="Mô hình Đèn đường tự quản").click()
    page.locator("#model-actions").get_by_role("link", name="Thanh loại").click()
    page.fill("#id_reason", "Đã thay bằng hệ thống chiếu sáng công cộng")
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.locator("#confirm-retire")).to_be_visible()
    page.get_by_role("button", name="Xác nhận thanh loại").click()
    expect(page.locator("#model-status")).to_have_text("Thanh loại")
    old.refresh_from_db()
    assert old.status == Status.RETIRED and old.retired_on == today
    page.goto(f"{live_server.url}{reverse('models_registry:overdue')}?unit={province.pk}")
    expect(page.locator("#overdue-count")).to_contain_text("0 mô hình quá hạn đánh giá")
