"""Forms that guide, in Chromium: a grid row's error shows beside its row and the page scrolls there;
the dd/mm/yyyy date input (a text input with a mask, the same in every browser locale); the unit
form's subtype list follows the chosen kind."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.recognition.criteria import seed_criteria_sets
from phongtrao.recognition.models import Recognition
from phongtrao.units.models import Kind, Unit
from tests.conftest import browser_sign_in


@pytest.mark.browser
def test_grid_row_error_is_shown_beside_its_row_and_scrolled_into_view(
    live_server: Any, example_units: None, make_user: Any, browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_criteria_sets()
    year = timezone.localdate().year
    commune = Unit.objects.with_code("T99000", timezone.localdate()).get()
    make_user("canbo.xa", Role.COMMUNE_OFFICER, commune, first_name="Cán bộ xã")
    # A short window, so that the grid's first rows are out of sight once the save button is reached.
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 420})
    context.set_default_timeout(15_000)
    page = context.new_page()
    browser_sign_in(page, live_server.url, "canbo.xa")
    page.goto(f"{live_server.url}{reverse('recognition:commune', args=['T99000', year])}")

    # Tick "register" for Khu phố 1 without its households (its criterion 2 is computed from them).
    row = page.locator("#row-KDC-T99000-01")
    row.get_by_label("Đăng ký Khu phố 1").check()
    save = page.locator("#save-grid")
    save.scroll_into_view_if_needed()
    expect(row).not_to_be_in_viewport()
    save.click()

    # htmx swaps the grid: the message is in the row, the row is in view and its first input has focus.
    message = "Phải nhập số hộ ký cam kết của Khu phố 1: tiêu chí 2 (ho-ky-cam-ket) được tính từ số hộ này."
    row = page.locator("#row-KDC-T99000-01")
    expect(row.locator(".row-errors")).to_have_text(message)
    expect(row).to_have_attribute("data-row-error", "")
    expect(row).to_be_in_viewport()
    assert page.evaluate("document.activeElement.closest('#row-KDC-T99000-01') !== null")
    # The summary above the grid names the row and links to it.
    expect(page.locator("#grid-errors").get_by_role("link", name="Khu phố 1")).to_have_attribute(
        "href", "#row-KDC-T99000-01")
    assert not Recognition.objects.exists()
    page.screenshot(path=tmp_path / "grid-row-error.png")

    # With the households typed, the same row saves.
    row.get_by_label("Số hộ ký cam kết của Khu phố 1").fill("200")
    page.locator("#save-grid").click()
    expect(page.locator("#grid-saved")).to_have_text("Đã lưu 1 dòng.")
    assert Recognition.objects.get(unit__code="KDC-T99000-01", year=year).households_committed == 200
    context.close()


@pytest.mark.browser
def test_date_input_takes_dd_mm_yyyy_in_vi_vn_and_the_subtype_follows_the_kind(
    live_server: Any, example_units: None, make_user: Any, page: Any, browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    commune = Unit.objects.with_code("T99000", timezone.localdate()).get()
    make_user("canbo.xa", Role.COMMUNE_OFFICER, commune, first_name="Cán bộ xã")
    assert page.evaluate("navigator.language") == "vi-VN"
    browser_sign_in(page, live_server.url, "canbo.xa")
    page.goto(f"{live_server.url}{reverse('units:create')}?parent={commune.pk}")

    # The subtype list offers the chosen kind's subtypes only.
    kind, subtype = page.get_by_label("Loại đơn vị"), page.get_by_label("Loại hình")
    kind.select_option(Kind.RESIDENTIAL_AREA)
    expect(subtype.locator("option:not([hidden])")).to_have_text(
        ["—", "Thôn", "Xóm", "Ấp", "Bản", "Buôn", "Làng", "Phum", "Sóc", "Tổ dân phố", "Khu phố", "Khóm"])
    subtype.select_option("khu_pho")
    kind.select_option(Kind.ENTERPRISE)
    expect(subtype).to_have_value("")  # a residential area's subtype is not kept for an enterprise
    expect(subtype.locator("option:not([hidden])")).to_contain_text(["—", "Doanh nghiệp tư nhân"])
    kind.select_option(Kind.RESIDENTIAL_AREA)
    subtype.select_option("khu_pho")

    # The date is typed as digits; the mask adds the slashes; it is a text input, not the browser's picker.
    valid_from = page.get_by_label("Hiệu lực từ")
    expect(valid_from).to_have_attribute("type", "text")
    expect(valid_from).to_have_attribute("placeholder", "dd/mm/yyyy")
    valid_from.press_sequentially("01072025")
    expect(valid_from).to_have_value("01/07/2025")
    page.locator("#id_code").fill("KDC-T99000-90")
    page.locator("#id_name").fill("Khu phố 90")
    page.locator("#id_households").fill("120")
    page.screenshot(path=tmp_path / "unit-form.png", full_page=True)
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã thêm đơn vị Khu phố 90")).to_be_visible()
    unit = Unit.objects.get(code="KDC-T99000-90")
    assert (unit.valid_from, unit.subtype) == (dt.date(2025, 7, 1), "khu_pho")

    # The edit form shows the date as dd/mm/yyyy, also in an English (en-US) browser.
    edit = f"{live_server.url}{reverse('units:edit', args=[unit.pk])}"
    page.goto(edit)
    expect(page.get_by_label("Hiệu lực từ")).to_have_value("01/07/2025")
    english = browser.new_context(locale="en-US")
    other = english.new_page()
    browser_sign_in(other, live_server.url, "canbo.xa")
    other.goto(edit)
    expect(other.locator("#id_valid_from")).to_have_value("01/07/2025")
    # A pasted ISO date is turned into dd/mm/yyyy too.
    other.locator("#id_valid_from").fill("2025-07-02")
    expect(other.locator("#id_valid_from")).to_have_value("02/07/2025")
    english.close()
