"""The guided carry-over in Chromium: a province officer opens it from the menu, sees the preview, assigns the
units of the split old commune for the whole commune at once, previews again and confirms; the page then says
nothing is left to carry."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Succession, Unit
from tests.conftest import browser_sign_in, ensure_official_register

LAST_OLD = dt.date(2025, 6, 30)
REFORM = dt.date(2025, 7, 1)


@pytest.mark.browser
def test_province_officer_assigns_a_split_commune_and_confirms(
    live_server: Any, transactional_db: None, make_user: Any, page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ensure_official_register()
    province = Unit.objects.of_kind(Kind.PROVINCE).with_code("48", REFORM).get()
    split = Unit.objects.of_kind(Kind.COMMUNE).with_code("20296", LAST_OLD).get()  # split between two new wards
    successors = sorted(Succession.objects.filter(predecessor=split).values_list("successor__code", "successor__name"))
    assert len(successors) == 2
    areas = [do_create_unit(Actor.system(), code=f"T-20296-{n}", name=f"Tổ dân phố {n} Hòa Hiệp Bắc",
                            kind=Kind.RESIDENTIAL_AREA, parent_id=split.pk, subtype="to_dan_pho", valid_to=LAST_OLD)
             for n in range(1, 4)]
    make_user("tinh.dn", Role.PROVINCE_OFFICER, province, first_name="Cán bộ tỉnh")

    browser_sign_in(page, live_server.url, "tinh.dn")
    page.get_by_role("button", name="Quản lý").click()
    page.get_by_role("link", name="Chuyển đơn vị sang xã mới").click()
    expect(page.locator("#summary")).to_contain_text("3 đơn vị")
    chosen_code, chosen_name = successors[1]
    page.get_by_label("Cho cả xã cũ").select_option(label=f"{chosen_name} ({chosen_code})")
    page.get_by_role("button", name="Xem trước lại").click()
    expect(page.locator("#summary")).to_contain_text("3 đơn vị theo phân công")
    page.screenshot(path=str(screenshots / "reform-carry-over.png"), full_page=True)
    page.get_by_role("button", name="Xác nhận chuyển").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã chuyển 3 đơn vị")
    expect(page.locator("#nothing")).to_be_visible()
    assert {Succession.objects.get(predecessor=a).successor.parent.code for a in areas} == {chosen_code}
