"""The money in Chromium: a commune officer opens the commune's year from the Quản lý menu, records an entry that
takes a model over the 20M VND/model/year cap: the page refuses it, naming the cap, the amount and the circular;
with an override reason it is saved and appears on the over-the-caps list with the reason."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.budget.actions import SpendingData, do_record_spending
from phongtrao.budget.models import Category, Source, Spending
from phongtrao.budget.rules import seed_catalogues
from phongtrao.models_registry import actions as model_actions
from phongtrao.models_registry.catalogue import seed_catalogues as seed_model_catalogues
from phongtrao.models_registry.models import Field, Initiator, Status
from phongtrao.units.models import Unit
from tests.conftest import browser_sign_in


@pytest.mark.browser
def test_an_over_cap_entry_is_refused_without_a_reason_then_saved_and_listed(
    live_server: Any, example_units: None, make_user: Any, page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_catalogues()  # a transactional test's flush removed the migration's rows
    seed_model_catalogues()
    today = timezone.localdate()
    commune = Unit.objects.with_code("T99001", today).get()
    field, initiator = Field.objects.get(code="giao_thong"), Initiator.objects.get(code="cap_xa")
    model = model_actions.do_create_model(Actor.system(), code="MH-CAMERA", name="Mô hình Camera an ninh",
                                          field=field, initiator=initiator, unit=commune, status=Status.OPERATING)
    do_record_spending(Actor.system(), commune, SpendingData(
        spent_on=today.replace(month=1, day=5), category=Category.objects.get(code="models"),
        source=Source.objects.get(code="nsx"), amount=15_000_000, purpose="Lắp camera đợt 1", model=model))
    make_user("canbo.xa", Role.COMMUNE_OFFICER, commune, first_name="Cán bộ xã")

    browser_sign_in(page, live_server.url, "canbo.xa")
    page.get_by_role("button", name="Quản lý").click()
    page.get_by_role("link", name="Kinh phí phong trào").click()
    page.get_by_role("link", name="Kinh phí của đơn vị").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(commune.name)

    form = page.locator("#spending-form")
    form.get_by_label("Ngày chi").fill(today.replace(month=1, day=6).strftime("%d/%m/%Y"))
    form.get_by_label("Nội dung chi").select_option(label="Xây dựng, duy trì mô hình")
    form.get_by_label("Nguồn kinh phí").select_option(label="Ngân sách cấp xã")
    form.get_by_label("Số tiền (đồng)").fill("8000000")
    form.get_by_label("Chi cho việc gì").fill("Lắp camera đợt 2")
    form.get_by_label("Mô hình được hỗ trợ").select_option(label="MH-CAMERA · Mô hình Camera an ninh")
    form.get_by_role("button", name="Ghi khoản chi").click()
    refusal = page.locator("#spending-form")
    expect(refusal).to_contain_text("tối đa 20.000.000 đồng/mô hình/xã/năm")
    expect(refusal).to_contain_text("23.000.000")
    expect(refusal).to_contain_text("40/2023/TT-BTC")
    page.screenshot(path=str(screenshots / "budget-over-cap-refused.png"), full_page=True)
    assert Spending.objects.filter(unit=commune).count() == 1

    page.locator("#spending-form").get_by_label("Lý do chi vượt mức").fill("UBND xã đồng ý bổ sung sau bão")
    page.locator("#spending-form").get_by_role("button", name="Ghi khoản chi").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã ghi khoản chi.")
    assert Spending.objects.filter(unit=commune, over_cap=True).count() == 1

    page.get_by_role("link", name="Vượt mức chi").click()
    rows = page.locator("#entries tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Lắp camera đợt 2")
    expect(rows.first).to_contain_text("UBND xã đồng ý bổ sung sau bão")
    page.screenshot(path=str(screenshots / "budget-over-cap-list.png"), full_page=True)
