"""The site's frame in Chromium, under a Content-Security-Policy without 'unsafe-inline' for scripts:
403 and 404 pages in the layout in Vietnamese, the top menu at 1366 px (dropdowns, language selector,
contrast), the ANTT commune grid at 390 px (status and next step visible, htmx save), and the
replication picker choosing every unit of a commune. The screenshots go to docs/img/ with PHONGTRAO_SCREENSHOTS=1."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.models_registry import actions
from phongtrao.models_registry.catalogue import seed_catalogues
from phongtrao.models_registry.models import Field, Initiator, Status
from phongtrao.recognition.criteria import seed_criteria_sets
from phongtrao.units.models import Unit
from tests.conftest import browser_sign_in

# A policy like the production one: no 'unsafe-inline' and no 'unsafe-eval' for scripts (inline styles
# are still allowed: the templates' style="" attributes are not this policy's concern).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; frame-ancestors 'none'")

# WCAG 2.x contrast of every visible text inside a selector (returns the failures).
CONTRAST_JS = "\n".join(line for line in (Path(__file__).resolve().parent / "contrast.js").read_text().splitlines()
                        if not line.startswith("//"))


@pytest.fixture
def csp_context(browser: Any, live_server: Any) -> Iterator[Any]:
    """A browser context whose pages get the CSP header on every HTML answer; violations are collected.
    The contexts are closed after the test (the browser lives for the whole run)."""
    violations: list[str] = []
    contexts: list[Any] = []

    def new(width: int = 1366, height: int = 900) -> Any:
        context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
        context.set_default_timeout(15_000)
        contexts.append(context)

        def with_csp(route: Any) -> None:
            response = route.fetch(max_redirects=0)
            headers = dict(response.headers)
            if headers.get("content-type", "").startswith("text/html"):
                headers["content-security-policy"] = CSP
            route.fulfill(response=response, headers=headers)

        context.route(f"{live_server.url}/**", with_csp)
        page = context.new_page()
        page.on("console", lambda msg: violations.append(msg.text)
                if "Content Security Policy" in msg.text else None)
        page.on("pageerror", lambda exc: violations.append(str(exc)))
        return page

    new.violations = violations  # type: ignore[attr-defined]
    yield new
    for context in contexts:
        context.unroute_all(behavior="ignoreErrors")  # a request still in flight must not fail the teardown
        context.close()


@pytest.fixture
def t99(example_units: None, make_user: Any, settings: Any) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_criteria_sets()
    seed_catalogues()
    day = dt.date(timezone.localdate().year, 12, 31)
    province = Unit.objects.with_code("T99", day).get()
    commune = Unit.objects.with_code("T99000", day).get()
    return {
        "province": province, "commune": commune,
        "admin": make_user("quantri", Role.ADMIN, first_name="Nguyễn Thị Quản", last_name="Trị Hệ Thống"),
        "officer": make_user("canbo.tinh", Role.PROVINCE_OFFICER, province, first_name="Cán bộ tỉnh"),
        "commune_officer": make_user("canbo.xa", Role.COMMUNE_OFFICER, commune, first_name="Cán bộ xã"),
    }


@pytest.mark.browser
def test_forbidden_and_not_found_render_in_the_layout_in_vietnamese(
    live_server: Any, screenshots: Path, t99: dict[str, Any], csp_context: Any) -> None:
    from playwright.sync_api import expect

    page = csp_context()
    browser_sign_in(page, live_server.url, "canbo.tinh")
    year = timezone.localdate().year
    page.goto(f"{live_server.url}{reverse('recognition:province', args=['T99', year])}")
    page.goto(f"{live_server.url}{reverse('recognition:bulk', args=['T99', year])}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bạn không có quyền dùng trang này (lỗi 403)")
    expect(page.locator("#error-reason")).to_have_text(
        "Chỉ người có thẩm quyền ra quyết định mới dùng được trang này.")
    expect(page.locator("nav.navbar").get_by_role("link", name="ANTT", exact=True)).to_be_visible()
    assert page.evaluate(CONTRAST_JS, "nav.navbar, main") == []
    page.screenshot(path=str(screenshots / "error-403.png"))
    # The way back: the previous page.
    page.get_by_role("button", name="Quay lại trang trước").click()
    page.wait_for_url(f"**{reverse('recognition:province', args=['T99', year])}")

    response = page.goto(f"{live_server.url}/don-vi/khong-co-trang-nay/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Không tìm thấy trang (lỗi 404)")
    expect(page.locator("nav.navbar").get_by_role("link", name="Đơn vị", exact=True)).to_be_visible()
    page.get_by_role("link", name="Về trang chủ").click()
    page.wait_for_url(f"{live_server.url}{reverse('dashboard:home')}")
    assert csp_context.violations == []


@pytest.mark.browser
def test_menu_fits_at_1366_with_dropdowns_and_the_language_selector(
    live_server: Any, screenshots: Path, t99: dict[str, Any], csp_context: Any) -> None:
    from playwright.sync_api import expect

    page = csp_context(1366, 768)
    browser_sign_in(page, live_server.url, "quantri")  # the administrator has the most entries and a long name
    page.goto(f"{live_server.url}{reverse('units:browse')}")
    nav = page.locator("nav.navbar")
    box = nav.bounding_box()
    assert box is not None and box["height"] < 70, box  # one row, nothing wrapped
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    language = page.locator("select[name=language]")
    expect(language).to_be_visible()
    lang_box = language.bounding_box()
    assert lang_box is not None and lang_box["x"] + lang_box["width"] <= 1366
    # Not cut: the chosen language's name fits inside the select (its arrow excluded).
    assert page.evaluate("""() => { const s = document.querySelector('select[name=language]');
        const c = document.createElement('canvas').getContext('2d'); c.font = getComputedStyle(s).font;
        const text = c.measureText(s.options[s.selectedIndex].text).width;
        const st = getComputedStyle(s);
        return text <= s.clientWidth - parseFloat(st.paddingLeft) - parseFloat(st.paddingRight) + 1; }""")
    for name in ("Đơn vị", "ANTT", "Mô hình", "Khen thưởng"):
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert page.evaluate(CONTRAST_JS, "nav.navbar, main") == []  # the menu and the register's page

    # The grouped entries open (Bootstrap's script runs under the CSP).
    nav.get_by_role("button", name="Quản lý").click()
    manage = page.locator("#nav-manage .dropdown-menu")
    expect(manage.get_by_role("link", name="Nhập dữ liệu")).to_be_visible()
    expect(manage.get_by_role("link", name="Người dùng")).to_be_visible()
    expect(manage.get_by_role("link", name="Nhật ký")).to_be_visible()
    assert page.evaluate(CONTRAST_JS, "#nav-manage .dropdown-menu") == []
    page.screenshot(path=str(screenshots / "menu-1366.png"), clip={"x": 0, "y": 0, "width": 1366, "height": 260})

    # The language selector submits itself (site.js, no inline handler).
    page.keyboard.press("Escape")
    language.select_option("en")
    expect(nav.get_by_role("button", name="Manage")).to_be_visible()
    page.locator("select[name=language]").select_option("vi")
    expect(nav.get_by_role("link", name="Đơn vị", exact=True)).to_be_visible()
    assert csp_context.violations == []


@pytest.mark.browser
def test_commune_grid_is_usable_at_390_px(
    live_server: Any, screenshots: Path, t99: dict[str, Any], csp_context: Any) -> None:
    from playwright.sync_api import expect

    page = csp_context(390, 844)
    browser_sign_in(page, live_server.url, "canbo.xa")
    year = timezone.localdate().year
    page.goto(f"{live_server.url}{reverse('recognition:commune', args=['T99000', year])}")
    row = page.locator("#row-KDC-T99000-01")
    status = row.locator("td").nth(5)
    next_step = row.locator("td").nth(7)
    expect(status).to_contain_text("Chưa đăng ký")

    def inside_the_screen(*cells: Any) -> None:
        for cell in cells:
            cell.scroll_into_view_if_needed()
            box = cell.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box

    # Not registered yet: the next step is the registration box and the households, beside the status.
    inside_the_screen(row.locator("td").first, status, row.locator("td").nth(2), row.locator("td").nth(3))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate("getComputedStyle(document.querySelector('#row-KDC-T99000-01 td:nth-child(6)'),"
                         " '::before').content").strip('"') == "Trạng thái"
    assert page.evaluate(CONTRAST_JS, "#grid") == []

    # Register the area and save with htmx: the grid is swapped and stays stacked (labels re-applied).
    page.evaluate("window.stillTheSamePage = true")
    row.get_by_label("Đăng ký Khu phố 1").check()
    row.get_by_label("Số hộ ký cam kết của Khu phố 1").fill("234")
    page.locator("#save-grid").click()
    expect(page.locator("#grid-saved")).to_have_text("Đã lưu 1 dòng.")
    expect(page.locator("#row-KDC-T99000-01 td").nth(5)).to_contain_text("Đã đăng ký")
    assert page.evaluate("window.stillTheSamePage") is True
    # the labels are re-applied once htmx has settled the swap: wait for them rather than read at once
    expect(page.locator("#row-KDC-T99000-01 td:nth-child(8)")).to_have_attribute("data-label", "Bước tiếp theo")
    # Registered: the next step (the self-assessment) shows beside the status, inside the screen.
    inside_the_screen(page.locator("#row-KDC-T99000-01 td").nth(5), next_step)
    expect(next_step).to_contain_text("Tự đánh giá")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(CONTRAST_JS, "#grid") == []
    page.mouse.move(0, 0)  # no hover shading in the picture
    page.evaluate("window.scrollTo(0, document.querySelector('#grid-saved').getBoundingClientRect().top"
                  " + window.scrollY - 8)")
    page.screenshot(path=str(screenshots / "grid-390.png"))
    assert csp_context.violations == []


@pytest.mark.browser
def test_picker_chooses_every_unit_of_a_commune_found_by_its_name(live_server: Any, t99: dict[str, Any],
                                                                  csp_context: Any) -> None:
    from playwright.sync_api import expect

    field, initiator = Field.objects.get(code="giao_thong"), Initiator.objects.get(code="ubnd_tinh")
    model = actions.do_create_model(Actor.system(), code="MH-NR", name="Mô hình Camera an ninh", field=field,
                                    initiator=initiator, unit=t99["province"], started_on=timezone.localdate(),
                                    status=Status.OPERATING)
    below = Unit.objects.filter(parent=t99["commune"]).valid_on(timezone.localdate())
    page = csp_context()
    browser_sign_in(page, live_server.url, "canbo.tinh")
    page.goto(f"{live_server.url}{reverse('models_registry:replicate', args=[model.pk])}")
    page.fill("#picker-q", "an binh")  # the commune's name, without diacritics
    group = page.locator(f"#picker-group-{t99['commune'].pk}")
    expect(group).to_be_visible()
    group.get_by_role("button", name=f"Chọn cả {below.count()} đơn vị").click()
    expect(page.locator("#chosen input[type=checkbox]:checked")).to_have_count(below.count())
    page.get_by_role("button", name="Thêm các điểm").click()
    expect(page.locator("#sites tbody tr")).to_have_count(below.count())
    # Sites with the same-looking names show their commune.
    expect(page.locator("#sites tbody tr").first).to_contain_text(t99["commune"].name)
    assert model.sites.count() == below.count()
    assert csp_context.violations == []


@pytest.mark.browser
def test_unit_form_and_history_tab_work_without_inline_scripts(live_server: Any, t99: dict[str, Any],
                                                              csp_context: Any) -> None:
    from playwright.sync_api import expect

    page = csp_context()
    browser_sign_in(page, live_server.url, "canbo.tinh")
    # The unit form shows the fields of the chosen kind only (units/js/unit_form.js).
    page.goto(f"{live_server.url}{reverse('units:create')}?parent={t99['commune'].pk}")
    page.select_option("#id_kind", value="enterprise")
    expect(page.locator("#id_size")).to_be_visible()
    expect(page.locator("#id_school_level")).to_be_hidden()
    page.select_option("#id_kind", value="school")
    expect(page.locator("#id_school_level")).to_be_visible()
    expect(page.locator("#id_size")).to_be_hidden()
    # The history tab loads with htmx; an answer of 404 (nothing to show) is swapped in (data-swap-404).
    official = Unit.objects.with_code("48", timezone.localdate()).get()
    page.goto(f"{live_server.url}{reverse('units:detail', args=[t99['province'].pk])}")
    page.get_by_role("tab", name="Lịch sử thay đổi").click()
    expect(page.locator("#audit-history .audit-history")).to_be_visible()
    page = csp_context()
    browser_sign_in(page, live_server.url, "quantri")
    page.goto(f"{live_server.url}{reverse('units:detail', args=[official.pk])}")
    page.get_by_role("tab", name="Lịch sử thay đổi").click()
    expect(page.locator("#audit-history")).to_contain_text("Không có thay đổi nào bạn được xem.")
    assert csp_context.violations == []


@pytest.mark.browser
def test_admin_antt_page_lists_the_provinces_and_switches_year(
    live_server: Any, screenshots: Path, t99: dict[str, Any], csp_context: Any) -> None:
    from playwright.sync_api import expect

    page = csp_context()
    browser_sign_in(page, live_server.url, "quantri")
    page.locator("nav.navbar").get_by_role("link", name="ANTT", exact=True).click()
    year = timezone.localdate().year
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"năm {year}")
    rows = page.locator("#provinces tbody tr")
    day = dt.date(year, 12, 31)
    expect(rows).to_have_count(Unit.objects.filter(kind="province", parent__kind="country").valid_on(day).count())
    expect(page.locator("#province-48")).to_contain_text("Thành phố Đà Nẵng")
    assert page.evaluate(CONTRAST_JS, "main") == []
    page.mouse.move(0, 0)
    page.screenshot(path=str(screenshots / "antt-country.png"))
    page.locator("#years").get_by_role("link", name=str(year - 1)).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"năm {year - 1}")
    page.locator("#province-T99").get_by_role("link").click()
    page.wait_for_url(f"**{reverse('recognition:province', args=['T99', year - 1])}")
    assert csp_context.violations == []
