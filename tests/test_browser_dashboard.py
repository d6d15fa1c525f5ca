"""The home page in Chromium: the province officer signs in, lands on the home page, sees what waits with the
right counts and clicks through to a waiting dossier (the CSP header on, no violation). The screenshot goes to
docs/img/home.png with PHONGTRAO_SCREENSHOTS=1."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from phongtrao.recognition.models import Recognition, Status
from tests.conftest import browser_sign_in
from tests.test_browser_pages import csp_context  # noqa: F401  (a fixture)
from tests.test_dashboard import world  # noqa: F401  (a fixture)


@pytest.mark.browser
def test_province_officer_lands_on_the_home_page_and_opens_a_waiting_dossier(
        live_server: Any, screenshots: Path, world: dict[str, Any], csp_context: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    waiting = Recognition.objects.filter(status=Status.SUBMITTED, unit__ancestor_links__ancestor__code="T99") \
        .exclude(unit__code="T99").count()
    page = csp_context(1366, 900)
    browser_sign_in(page, live_server.url, "canbo.tinh")
    page.wait_for_url(f"{live_server.url}/")
    expect(page.locator("#todo-title")).to_contain_text("Việc cần làm")
    row = page.locator("#todo-recognition-review")
    expect(row).to_contain_text("Hồ sơ tiêu chuẩn ANTT chờ thẩm định")
    expect(row.locator("[data-count]")).to_have_text(str(waiting))
    expect(page.locator("#card-recognition-residential-area")).to_be_visible()
    page.screenshot(path=str(screenshots / "home.png"), full_page=True)

    row.get_by_role("link").click()
    page.wait_for_url(f"**{reverse('dashboard:dossiers', args=['review'])}")
    expect(page.locator("#dossier-list tbody tr")).to_have_count(waiting)
    year = timezone.localdate().year
    page.locator("#dossier-list").get_by_role("link", name="Khu phố 1").first.click()
    page.wait_for_url(f"**{reverse('recognition:unit', args=['KDC-T99000-01', year])}")
    expect(page.locator("#status")).to_have_text("Đã gửi hồ sơ")
    assert csp_context.violations == []


@pytest.mark.browser
def test_province_charts_draw_and_drill_down_to_a_commune(
        live_server: Any, screenshots: Path, world: dict[str, Any], csp_context: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect

    year = timezone.localdate().year
    for code in ("KDC-T99000-01", "KDC-T99000-02", "KDC-T99005-01"):
        Recognition.objects.filter(unit__code=code, year=year).update(status=Status.RECOGNISED)
    page = csp_context(1366, 900)
    browser_sign_in(page, live_server.url, "canbo.tinh")
    page.goto(f"{live_server.url}{reverse('dashboard:charts')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Biểu đồ: Tỉnh Thử Nghiệm")
    expect(page.locator("#chart-recognition svg").first).to_be_visible()
    expect(page.locator("#chart-trends svg").first).to_be_visible()
    page.screenshot(path=str(screenshots / "charts.png"), full_page=False)
    section = page.locator("#chart-recognition")
    section.locator("summary").click()
    section.get_by_role("link", name="Xã An Bình").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Biểu đồ: Xã An Bình")
    assert csp_context.violations == []
