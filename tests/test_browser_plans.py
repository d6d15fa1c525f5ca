"""Plans in Chromium: a province officer creates a scheme with three objectives measured from data and one
assessed by hand and sees "đạt 1/4 mục tiêu"; a commune then records review conferences that meet a second
objective, and on reload the page says "đạt 2/4 mục tiêu" with no other step (nothing is recomputed by a job).
The per-commune objective names the communes that fail it."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.datasets.actions import ValueInput, do_save_values
from phongtrao.datasets.catalogue import seed_catalogue
from phongtrao.datasets.models import DataElement, DataSet, OptionCombo
from phongtrao.lib.periods import Period
from phongtrao.plans.catalogue import seed_catalogues
from phongtrao.plans.models import Organisation, Plan, PlanKind
from phongtrao.units.models import Kind, Unit
from tests.conftest import browser_sign_in


def save(commune: Unit, code: str, value: int, year: int) -> None:
    element = DataElement.objects.get(code=code)
    combo = OptionCombo.objects.filter(combo=element.combo).order_by("pk").first()
    assert combo is not None
    do_save_values(Actor.system(), commune, DataSet.objects.get(code="xa_nam"), Period.year_of(year),
                   [ValueInput(element, combo, Decimal(value))])


@pytest.mark.browser
def test_province_officer_sees_the_objectives_met_change_when_the_data_changes(
    live_server: Any, example_units: None, make_user: Any, page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_catalogue()  # a transactional test's flush removed the migrations' rows
    seed_catalogues(PlanKind, Organisation)
    year = timezone.localdate().year
    province = Unit.objects.with_code("T99", timezone.localdate()).get()
    communes = list(Unit.objects.in_subtree(province).of_kind(Kind.COMMUNE).order_by("code"))
    for commune in communes:
        save(commune, "ho_cam_ket", 10, year)  # 60 households in all: objective 1 (≥ 50) is met
    save(communes[0], "tuyen_truyen_buoi", 6, year)  # only one commune held 5 sessions or more
    make_user("canbo.tinh", Role.PROVINCE_OFFICER, province, first_name="Cán bộ tỉnh")

    browser_sign_in(page, live_server.url, "canbo.tinh")
    page.get_by_role("button", name="Quản lý").click()
    page.get_by_role("link", name="Kế hoạch, đề án").click()
    page.get_by_role("link", name="Lập kế hoạch").click()
    page.get_by_label("Loại", exact=True).select_option(label="Đề án")
    page.get_by_label("Số văn bản ban hành").fill("2631/QĐ-UBND")
    page.get_by_label("Ngày ban hành").fill("11/11/2021")
    page.get_by_label("Tên kế hoạch, đề án").fill("Nâng cao chất lượng, hiệu quả Phong trào toàn dân bảo vệ ANTQ")
    page.get_by_label("Từ năm").fill(str(year - 1))
    page.get_by_label("Đến năm").fill(str(year + 1))
    page.get_by_role("button", name="Lưu kế hoạch").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu kế hoạch 2631/QĐ-UBND.")

    def objective(text: str, measure: str | None, target: str = "", scope: str | None = None) -> None:
        page.get_by_role("link", name="Thêm mục tiêu").click()
        page.get_by_label("Nội dung mục tiêu").fill(text)
        if measure is not None:
            page.get_by_label("Đo bằng").select_option(label=measure)
            page.get_by_label("Chỉ tiêu", exact=True).fill(target)
        if scope is not None:
            page.get_by_label("Nơi đo").select_option(label=scope)
        page.get_by_role("button", name="Lưu mục tiêu").click()
        expect(page.locator(".alert-success")).to_contain_text("Đã lưu mục tiêu")

    objective("100% hộ gia đình ký cam kết", "Số hộ gia đình ký cam kết", "50")
    objective("Tổ chức hội nghị sơ kết, tổng kết", "Số hội nghị sơ kết, tổng kết", "2")
    objective("Mỗi xã tổ chức ít nhất 5 buổi tuyên truyền", "Số buổi tuyên truyền về phong trào", "5",
              scope="Từng xã, phường")
    objective("Đẩy mạnh tuyên truyền trên báo chí", None)
    expect(page.locator("#objectives-met")).to_contain_text("đạt 1/4 mục tiêu")
    failing = page.locator("#objective-3 .failing li")
    expect(failing).to_have_count(len(communes) - 1)
    expect(page.locator("#objective-3 .failing")).not_to_contain_text(communes[0].name)
    page.screenshot(path=str(screenshots / "plans-1-of-4.png"), full_page=True)

    # Two communes hold review conferences; nothing else is done: the page reads the data when it is opened.
    save(communes[1], "so_ket_tong_ket", 1, year)
    save(communes[2], "so_ket_tong_ket", 1, year)
    page.reload()
    expect(page.locator("#objectives-met")).to_contain_text("đạt 2/4 mục tiêu")
    expect(page.locator("#objective-2")).to_contain_text("Đạt")
    page.screenshot(path=str(screenshots / "plans-2-of-4.png"), full_page=True)
    assert Plan.objects.get(number="2631/QĐ-UBND").objectives.count() == 4
