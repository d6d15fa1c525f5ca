"""An officer signs in, searches the register without diacritics and opens a unit page, in Chromium."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.units.models import Unit
from tests.conftest import browser_sign_in


@pytest.mark.browser
def test_officer_finds_da_nang_without_diacritics_and_opens_its_page(
    live_server: Any, official_register: None, make_user: Any, page: Any, settings: Any,
    screenshots: Path,
) -> None:
    from django.contrib.staticfiles import finders
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The page must get its styles and scripts from the vendored npm files (no CDN).
    assert finders.find("vendor/bootstrap/bootstrap.min.css") is not None, "run ./test (npm ci + vendor)"
    today = timezone.localdate()
    da_nang = Unit.objects.with_code("48", today).get()
    country = Unit.objects.get(code="VN")
    # A Đà Nẵng officer who may also read the whole register.
    make_user("canbo.danang", Role.PROVINCE_OFFICER, unit=da_nang, view=country, first_name="Cán bộ Đà Nẵng")
    communes = list(Unit.objects.filter(parent=da_nang).valid_on(today).vi_ordered().values_list("name", flat=True))

    browser_sign_in(page, live_server.url, "canbo.danang")
    page.get_by_role("link", name="Đơn vị", exact=True).click()  # home is the to-do list: the register is in the menu
    expect(page.get_by_role("heading", name="Danh mục đơn vị")).to_be_visible()

    search = page.get_by_role("searchbox", name="Tìm đơn vị")
    search.fill("da nang")
    search.press("Enter")
    page.wait_for_url("**/don-vi/tim-kiem/?q=da+nang")
    results = page.locator("#results")
    expect(results).to_contain_text("Toàn quốc")
    results.get_by_role("link", name="Thành phố Đà Nẵng", exact=True).click()

    page.wait_for_url(f"**{reverse('units:detail', args=[da_nang.pk])}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thành phố Đà Nẵng")
    children = page.locator("#children")
    expect(children).to_contain_text(f"Xã/Phường/Thị trấn/Đặc khu ({len(communes)})")
    for name in communes[:5]:  # the first page, in Vietnamese order
        expect(children.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.locator("#versions")).to_contain_text("Mã 48 qua các thời kỳ")
    page.screenshot(path=str(screenshots / "unit-page.png"))

    # The kind filter and paging swap only the children list (htmx) and keep the address in step.
    page.evaluate("window.stillTheSamePage = true")
    children.get_by_role("link", name="Sau").click()
    page.wait_for_url("**page=2")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thành phố Đà Nẵng")
    expect(page.locator("#children")).to_contain_text("Trang 2/2")
    children = page.locator("#children")
    children.get_by_role("link", name="Trang đầu").click()
    page.wait_for_url("**page=1")
    expect(page.locator("#children")).to_contain_text(f"Hiển thị 1–50 trong {len(communes)}")
    assert page.evaluate("window.stillTheSamePage") is True
