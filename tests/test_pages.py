"""The site's frame: error pages (400, 403, 404, 500) in the layout and in the user's language, a menu
that follows the role policies, the administrator's national ANTT page, the replication picker's
commune groups, the wording fixes, and pages without inline scripts (for a CSP).

Personas: an administrator, a province officer, a commune officer, an approver, an organisation's
reporter and a viewer of province T99 (shared/examples), and an anonymous visitor."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.recognition.actions import do_decide, do_register, do_self_assess, do_start_review, do_submit
from phongtrao.recognition.criteria import seed_criteria_sets
from phongtrao.units.models import STANDARD_KINDS, Kind, Unit

ROOT = Path(__file__).resolve().parent.parent
SYSTEM = Actor.system()
RA_ANSWERS: dict[str, Any] = {
    "dang-ky-quy-1": True, "chinh-sach-quy-uoc": True, "khong-vu-viec-nghiem-trong": 0,
    "kiem-che-toi-pham": {"current": 3, "previous": 5}, "luc-luong-co-so": True,
}


def unit(code: str, year: int | None = None) -> Unit:
    return Unit.objects.with_code(code, dt.date(year or timezone.localdate().year, 12, 31)).get()


def client(user: Any = None, language: str = "vi") -> Client:
    c = Client(headers={"accept-language": language})
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def people(example_units: None, make_user: Any, settings: Any) -> dict[str, Any]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_criteria_sets()
    return {
        "admin": make_user("quantri", Role.ADMIN),
        "province": make_user("tinh", Role.PROVINCE_OFFICER, unit("T99")),
        "commune": make_user("xa", Role.COMMUNE_OFFICER, unit("T99000")),
        "approver": make_user("chutich", Role.APPROVER, unit("T99000")),
        "reporter": make_user("coquan", Role.ORG_REPORTER, unit("AG-T99000-006")),
        "viewer": make_user("xem", Role.VIEWER, unit("T99")),
    }


def nav_links(page: str) -> list[str]:
    """The hrefs of the main menu (the navbar's collapsible part)."""
    start = page.index('id="mainnav"')
    menu = page[start:page.index("</nav>", start)]
    return re.findall(r'<a class="(?:nav-link|dropdown-item)[^"]*" href="([^"]+)"', menu)


# --- error pages ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_forbidden_page_is_vietnamese_in_the_layout_with_the_reason(people: dict[str, Any]) -> None:
    year = timezone.localdate().year
    response = client(people["province"]).get(reverse("recognition:bulk", args=["T99", year]))
    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="mainnav"' in page and 'id="error-page"' in page  # the site's menu around it
    assert "Bạn không có quyền dùng trang này (lỗi 403)" in page
    assert "Chỉ người có thẩm quyền ra quyết định mới dùng được trang này." in page  # why
    assert f'href="{reverse("core:home")}"' in page and "data-history-back" in page  # a way back
    assert "Forbidden" not in page


@pytest.mark.django_db
def test_not_found_page_is_vietnamese_in_the_layout(people: dict[str, Any]) -> None:
    response = client(people["commune"]).get("/khong-co-trang-nay/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'id="mainnav"' in page and "Không tìm thấy trang (lỗi 404)" in page
    assert "Resolver404" not in page and "Not Found" not in page
    # An out-of-scope unit: the same page (existence is not told apart), with the lookup's sentence.
    da_nang = Unit.objects.with_code("48", timezone.localdate()).get()
    page = client(people["commune"]).get(reverse("units:detail", args=[da_nang.pk])).content.decode()
    assert "Không tìm thấy trang (lỗi 404)" in page and "Thành phố Đà Nẵng" not in page


@pytest.mark.django_db
def test_error_pages_follow_the_language(people: dict[str, Any]) -> None:
    c = client(people["province"])
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    try:
        page = c.get(reverse("recognition:bulk", args=["T99", timezone.localdate().year])).content.decode()
        assert "You may not use this page (error 403)" in page
        assert "Page not found (error 404)" in c.get("/khong-co-trang-nay/").content.decode()
    finally:
        translation.activate("vi")


@pytest.mark.django_db
def test_django_lookup_messages_are_not_shown(people: dict[str, Any]) -> None:
    page = client(people["viewer"]).get(reverse("api_tokens:revoke", args=["999999"])).content.decode()
    assert "Không tìm thấy trang (lỗi 404)" in page and "matches the given query" not in page


def test_server_error_and_bad_request_render_without_database_or_request_context() -> None:
    """No ``django_db`` mark: any query would fail the test. The pages need no user and no request."""
    from phongtrao.core.views import bad_request, server_error

    with translation.override("vi"):
        response = server_error(RequestFactory().get("/"))
        assert response.status_code == 500
        page = response.content.decode()
        assert "Hệ thống gặp lỗi (lỗi 500)" in page and "Về trang chủ" in page and 'class="navbar' in page
        response = bad_request(RequestFactory().get("/"), Exception("x"))
        assert response.status_code == 400 and "Yêu cầu không hợp lệ (lỗi 400)" in response.content.decode()


def test_the_error_handlers_are_installed() -> None:
    from phongtrao import urls

    assert (urls.handler400, urls.handler403, urls.handler404, urls.handler500) == (
        "phongtrao.core.views.bad_request", "phongtrao.core.views.permission_denied",
        "phongtrao.core.views.page_not_found", "phongtrao.core.views.server_error")


# --- the menu ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["admin", "province", "commune", "approver", "reporter", "viewer"])
def test_every_menu_entry_opens_for_the_persona(people: dict[str, Any], persona: str) -> None:
    """The menu follows the views' role policies: no entry leads to a 403 (or 404) for its user."""
    c = client(people[persona])
    links = nav_links(c.get(reverse("units:browse")).content.decode())
    assert reverse("units:browse") in links and reverse("recognition:index") in links
    for href in links:
        assert c.get(href, follow=True).status_code == 200, (persona, href)


@pytest.mark.django_db
def test_viewer_sees_no_import_and_no_user_entries(people: dict[str, Any]) -> None:
    viewer = nav_links(client(people["viewer"]).get(reverse("units:browse")).content.decode())
    assert reverse("imports:index") not in viewer and reverse("users:list") not in viewer
    assert reverse("audit:list") in viewer
    officer = nav_links(client(people["commune"]).get(reverse("units:browse")).content.decode())
    assert reverse("imports:index") in officer and reverse("users:list") not in officer
    province = nav_links(client(people["province"]).get(reverse("units:browse")).content.decode())
    assert reverse("imports:index") in province and reverse("users:list") in province


# --- the administrator's national ANTT page ----------------------------------------------------------


def recognise(code: str, year: int) -> None:
    area = unit(code, year)
    rec = do_register(SYSTEM, area, year, households_committed=area.households)
    rec = do_self_assess(SYSTEM, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(year, 10, 20))
    rec = do_start_review(SYSTEM, do_submit(SYSTEM, rec))
    do_decide(SYSTEM, rec, recognised=True, decision_no="7/QĐ-UBND", decision_date=dt.date(year, 12, 10),
              signer_name="Nguyễn Văn A")


@pytest.mark.django_db
def test_admin_antt_page_lists_every_province_with_its_figures(people: dict[str, Any],
                                                                django_assert_num_queries: Any) -> None:
    year = 2025
    recognise("KDC-T99000-01", year)
    day = dt.date(year, 12, 31)
    provinces = Unit.objects.filter(kind=Kind.PROVINCE, parent__kind=Kind.COUNTRY).valid_on(day)
    assert provinces.filter(source="official").count() == 34
    t99 = unit("T99", year)
    areas = Unit.objects.in_subtree(t99).valid_on(day).filter(kind=Kind.RESIDENTIAL_AREA, subject_to_standard=True)
    standard = Unit.objects.in_subtree(t99).valid_on(day).filter(kind__in=STANDARD_KINDS, subject_to_standard=True)
    c = client(people["admin"])
    c.get(reverse("units:browse"))  # the session and the user are loaded once
    # Session, user, the scope roots, the two figure queries, the menu's context: a fixed number of
    # queries whatever the number of provinces and units.
    with django_assert_num_queries(5):
        response = c.get(reverse("recognition:index"), {"year": year})
    assert response.status_code == 200
    page = response.content.decode()
    rows = re.findall(r'<tr id="province-([^"]+)">', page)
    assert sorted(rows) == sorted(provinces.values_list("code", flat=True))
    row = page[page.index('<tr id="province-T99">'):]
    row = row[:row.index("</tr>")]
    cells = re.findall(r'<td class="text-end">([^<]+)</td>', row)
    assert cells[0] == f"1/{areas.count()}"  # residential areas recognised / subject to the standard
    assert cells[3] == f"1/{standard.count()}"  # registered (or decided) / every unit subject to it
    assert f'href="{reverse("recognition:province", args=["T99", year])}"' in row
    assert 'id="years"' in page and f'href="?year={year - 1}"' in page


@pytest.mark.django_db
def test_admin_antt_page_of_a_pre_reform_year_lists_that_years_provinces(people: dict[str, Any]) -> None:
    page = client(people["admin"]).get(reverse("recognition:index"), {"year": "2024"}).content.decode()
    expected = Unit.objects.filter(kind=Kind.PROVINCE, parent__kind=Kind.COUNTRY).valid_on(dt.date(2024, 12, 31))
    assert len(re.findall(r'<tr id="province-', page)) == expected.count() > 34


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["abc", "99999", "-1", "２０２４", ""])
def test_admin_antt_page_takes_a_bad_year_as_this_year(people: dict[str, Any], year: str) -> None:
    response = client(people["admin"]).get(reverse("recognition:index"), {"year": year})
    assert response.status_code == 200
    assert f"năm {timezone.localdate().year}" in response.content.decode()


# --- the replication picker -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_picker_finds_the_units_of_a_commune_by_its_name(people: dict[str, Any]) -> None:
    commune = unit("T99000")
    response = client(people["province"]).get(reverse("models_registry:replicate_picker"), {"unit_q": "an binh"})
    page = response.content.decode()
    group = page[page.index(f'id="picker-group-{commune.pk}"'):]
    group = group[:group.index("</fieldset>")]
    expected = Unit.objects.filter(parent=commune).valid_on(timezone.localdate())
    assert expected.count() > 1
    assert sorted(int(v) for v in re.findall(r'name="units" id="pick-unit-\d+" value="(\d+)"', group)) == \
        sorted(expected.values_list("pk", flat=True))
    assert f"Chọn cả {expected.count()} đơn vị" in group and "data-pick-all" in group
    assert page.count(f'id="pick-unit-{expected.first().pk}"') == 1  # listed once


@pytest.mark.django_db
def test_picker_offers_no_commune_outside_the_scope(people: dict[str, Any]) -> None:
    """The officer of Xã An Bình searching the neighbour Xã Anh Sơn (same province) gets no group of it."""
    c = client(people["commune"])
    page = c.get(reverse("models_registry:replicate_picker"), {"unit_q": "anh son"}).content.decode()
    assert "picker-group-" not in page and "Khu phố 3" not in page
    page = c.get(reverse("models_registry:replicate_picker"), {"unit_q": "an binh"}).content.decode()
    assert f'id="picker-group-{unit("T99000").pk}"' in page


# --- wording --------------------------------------------------------------------------------------------


def test_whole_number_message_says_so_nguyen() -> None:
    from django import forms

    class Households(forms.Form):
        households = forms.IntegerField(min_value=0)

    with translation.override("vi"):
        form = Households({"households": "12,5"})
        assert form.errors["households"] == ["Nhập một số nguyên."]
        form = Households({"households": "-1"})
        assert form.errors["households"] == ["Giá trị phải lớn hơn hoặc bằng 0."]
    with translation.override("en"):
        assert Households({"households": "12,5"}).errors["households"] == ["Enter a whole number."]


@pytest.mark.django_db
def test_commune_page_does_not_say_every_commune(people: dict[str, Any]) -> None:
    year = timezone.localdate().year
    page = client(people["commune"]).get(reverse("recognition:commune", args=["T99000", year])).content.decode()
    assert "Mọi xã đều có" not in page and "xã chưa có mô hình hiệu quả" not in page
    assert "Xã An Bình chưa có mô hình nào được đánh giá hiệu quả." in page


@pytest.mark.django_db
def test_demo_prints_the_logins_once_when_it_builds_nothing(official_register: None, make_user: Any) -> None:
    from phongtrao.core.demo import LOGINS

    make_user("someone")
    out = StringIO()
    call_command("demo", "--if-empty", "--print-logins", stdout=out)
    output = out.getvalue()
    assert "nothing done" in output
    assert len(re.findall(rf"^{LOGINS[0].username}\s", output, re.MULTILINE)) == 1
    run = (ROOT / "run").read_text()
    assert len(re.findall(r"^phongtrao demo\b", run, re.MULTILINE)) == 1


# --- no inline scripts (a Content-Security-Policy without 'unsafe-inline') -------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.IGNORECASE)


def test_no_template_has_an_inline_script_or_event_handler() -> None:
    offenders = []
    for path in sorted((ROOT / "phongtrao").rglob("templates/**/*.html")):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0).strip()}" for m in pattern.finditer(text)]
    assert not offenders, "\n".join(offenders)


def test_the_site_scripts_are_found_by_the_static_finders() -> None:
    from django.contrib.staticfiles import finders

    for name in ("core/js/site.js", "units/js/unit_form.js", "models_registry/js/replicate.js"):
        found = finders.find(name)
        assert found and "vendor" not in str(found), name
