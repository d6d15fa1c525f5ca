"""The unit pages: browser, search, unit page, create/edit/close."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.actions import do_grant_scope
from phongtrao.accounts.models import Role, ScopeKind, User
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.units.actions import do_create_unit, do_update_unit
from phongtrao.units.models import Kind, ManagingLevel, Succession, Unit

PRE_REFORM = dt.date(2024, 12, 31)
LAST_OLD_DAY = dt.date(2025, 6, 30)
# session, user, the user's scopes (read once per request: accounts.access), scope roots or unit, counts by kind,
# page count, page (+ ancestors, codes, successions, rights); the detail page's lineage graph (its predecessors and
# successors, units.lineage) up to three more, and for a scoped user the graph's visibility check two
BROWSE_QUERIES = 7
DETAIL_QUERIES = 15
SCOPED_DETAIL_QUERIES = 17
VI_ORDER = ["An Bình", "Anh Sơn", "Ân Thi", "Bạch Mai", "Dương", "Đà Nẵng"]

pytestmark = pytest.mark.usefixtures("official_register")


def today() -> dt.date:
    return timezone.localdate()


def unit_with_code(code: str, on: dt.date) -> Unit:
    return Unit.objects.with_code(code, on).get()


@pytest.fixture
def mui_ne() -> Unit:
    """Phường Mũi Né (code 22918 since 01/07/2025, which was Phường Hàm Tiến before), in Tỉnh Lâm Đồng."""
    return unit_with_code("22918", today())


# Personas: a national administrator, a province officer (Lâm Đồng), an officer of another
# province (Hà Nội), a commune officer (Mũi Né), a read-only viewer of Lâm Đồng, and anonymous.


@pytest.fixture
def admin(make_user: Any) -> User:
    return make_user("quantri", Role.ADMIN)


@pytest.fixture
def officer(make_user: Any, mui_ne: Unit) -> User:
    return make_user("lamdong", Role.PROVINCE_OFFICER, unit=mui_ne.parent)


@pytest.fixture
def client_in(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


@pytest.fixture
def officer_client(client: Client, officer: User) -> Client:
    client.force_login(officer)
    return client


def login(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def section(html: str, element_id: str) -> str:
    """The text of the element with ``id=element_id`` up to the end of its <section> or <table>."""
    start = html.index(f'id="{element_id}"')
    end = min(i for i in (html.find("</section>", start), html.find("</table>", start)) if i != -1)
    return html[start:end]


def positions(html: str, names: list[str]) -> list[int]:
    return [html.index(f">{name}<") for name in names]


def form_data(response: Any, **changes: Any) -> dict[str, Any]:
    """What the browser would post back from the page's form, with ``changes``."""
    form = response.context["form"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else value.isoformat() if isinstance(value, dt.date) else value
    return {**data, **changes}


def make_areas(commune: Unit) -> list[Unit]:
    """Residential areas created in shuffled order, to be listed in Vietnamese order."""
    return [
        do_create_unit(Actor.system(), code=f"KDC-TEST-{i}", name=name, kind=Kind.RESIDENTIAL_AREA,
                       parent=commune, households=100 + i)
        for i, name in enumerate(["Đà Nẵng", "Bạch Mai", "Anh Sơn", "Dương", "Ân Thi", "An Bình"])
    ]


# --- access -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["units:browse", "units:search", "units:create"])
def test_anonymous_visitor_is_sent_to_login(client: Client, name: str) -> None:
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["units:detail", "units:edit", "units:close"])
def test_anonymous_visitor_cannot_open_a_unit(client: Client, name: str) -> None:
    unit = unit_with_code("48", today())
    response = client.get(reverse(name, args=[unit.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_anonymous_visitor_cannot_post_an_edit(client: Client) -> None:
    unit = unit_with_code("48", today())
    response = client.post(reverse("units:edit", args=[unit.pk]), {"name": "X", "version": unit.version})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "Thành phố Đà Nẵng"


def test_unknown_unit_is_404(client_in: Client) -> None:
    assert client_in.get("/don-vi/987654321/").status_code == 404
    assert client_in.get("/don-vi/99999999999999999999999999/").status_code == 404


# --- browser ----------------------------------------------------------------------------------------


def test_browse_today_shows_the_34_provinces(client_in: Client) -> None:
    response = client_in.get(reverse("units:browse"))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 34
    assert response.context["kind_counts"] == [(Kind.PROVINCE, Kind.PROVINCE.label, 34)]
    html = response.content.decode()
    assert "Thành phố Đà Nẵng" in html
    assert "Tỉnh Bình Thuận" not in html  # merged into Lâm Đồng on 01/07/2025


def test_browse_before_the_reform_shows_the_63_provinces(client_in: Client) -> None:
    response = client_in.get(reverse("units:browse"), {"as_of": PRE_REFORM.isoformat()})
    assert response.context["page"].paginator.count == 63
    html = response.content.decode()
    assert "Tỉnh Bình Thuận" in html
    # Drilling down keeps the chosen date.
    assert f"?as_of={PRE_REFORM.isoformat()}" in html


def test_browse_accepts_a_vietnamese_date(client_in: Client) -> None:
    response = client_in.get(reverse("units:browse"), {"as_of": "31/12/2024"})
    assert response.context["page"].paginator.count == 63


def test_pre_reform_toggle_links_to_the_last_old_day(client_in: Client) -> None:
    html = client_in.get(reverse("units:browse")).content.decode()
    assert f"as_of={LAST_OLD_DAY.isoformat()}" in html
    assert "Trước sáp nhập" in html and "Hiện nay" in html


def test_old_province_drills_down_to_districts_and_new_province_to_communes(client_in: Client) -> None:
    old = unit_with_code("48", PRE_REFORM)
    response = client_in.get(reverse("units:detail", args=[old.pk]), {"as_of": PRE_REFORM.isoformat()})
    assert [k for k, _label, _n in response.context["kind_counts"]] == [Kind.DISTRICT]
    assert "Quận Hải Châu" in response.content.decode()

    new = unit_with_code("48", today())
    response = client_in.get(reverse("units:detail", args=[new.pk]))
    assert [k for k, _label, _n in response.context["kind_counts"]] == [Kind.COMMUNE]
    assert response.context["children_total"] == Unit.objects.filter(parent=new).valid_on(today()).count()


def test_child_list_shows_each_childs_own_count(client_in: Client) -> None:
    response = client_in.get(reverse("units:browse"))
    by_code = {u.code: u.child_count for u in response.context["page"]}
    new_danang = unit_with_code("48", today())
    assert by_code["48"] == Unit.objects.filter(parent=new_danang).count() > 0


def test_child_list_filters_by_kind_and_pages(client_in: Client) -> None:
    hanoi = unit_with_code("01", today())
    url = reverse("units:detail", args=[hanoi.pk])
    first = client_in.get(url, {"kind": Kind.COMMUNE})
    second = client_in.get(url, {"kind": Kind.COMMUNE, "page": 2})
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.count == 126
    assert {u.pk for u in first.context["page"]}.isdisjoint({u.pk for u in second.context["page"]})
    assert client_in.get(url, {"kind": Kind.SCHOOL}).context["page"].paginator.count == 0


def test_children_come_out_in_vietnamese_order(client_in: Client) -> None:
    commune = unit_with_code("22918", today())
    make_areas(commune)
    html = client_in.get(reverse("units:detail", args=[commune.pk])).content.decode()
    found = positions(section(html, "children"), VI_ORDER)
    assert found == sorted(found)


@pytest.mark.parametrize(
    "params",
    [
        {"as_of": "garbage"}, {"page": "abc"}, {"page": "99999"}, {"page": "-1"}, {"kind": "nonsense"},
        {"as_of": "2024-02-30"}, {"as_of": "99999-01-01"}, {"as_of": "31/12/2024", "kind": "", "page": ""},
    ],
)
def test_bad_query_parameters_fall_back_to_defaults(client_in: Client, params: dict[str, str]) -> None:
    unit = unit_with_code("48", today())
    for url in (reverse("units:browse"), reverse("units:detail", args=[unit.pk]), reverse("units:search")):
        response = client_in.get(url, {"q": "da nang", **params})
        assert response.status_code == 200, (url, params)


def test_malformed_date_is_reported_and_today_is_shown(client_in: Client) -> None:
    response = client_in.get(reverse("units:browse"), {"as_of": "garbage"})
    assert response.context["as_of"] == today()
    assert response.context["page"].paginator.count == 34
    assert "Đang hiển thị theo ngày mặc định" in response.content.decode()


def test_browse_query_count_is_constant(client_in: Client, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(BROWSE_QUERIES):
        client_in.get(reverse("units:browse"))
    with django_assert_max_num_queries(BROWSE_QUERIES):
        client_in.get(reverse("units:browse"), {"as_of": PRE_REFORM.isoformat(), "page": 2})


# --- search -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["da nang", "DA NANG", "Đà Nẵng", "  đà   nẵng "])
def test_search_ignores_diacritics_and_case(client_in: Client, q: str) -> None:
    response = client_in.get(reverse("units:search"), {"q": q})
    assert response.status_code == 200
    results = list(response.context["page"])
    assert [u.code for u in results if u.kind == Kind.PROVINCE] == ["48"]
    html = section(response.content.decode(), "results")
    assert "Thành phố Đà Nẵng" in html
    assert "Toàn quốc" in html  # parent path
    assert "Từ 01/07/2025" in html  # validity


def test_search_on_all_dates_finds_both_da_nang(client_in: Client) -> None:
    response = client_in.get(reverse("units:search"), {"q": "da nang", "kind": Kind.PROVINCE, "all_dates": "on"})
    units = list(response.context["page"])
    assert [u.code for u in units] == ["48", "48"]
    assert {u.valid_to for u in units} == {None, LAST_OLD_DAY}


def test_search_on_a_past_date_and_kind(client_in: Client) -> None:
    response = client_in.get(reverse("units:search"),
                             {"q": "hai chau", "kind": Kind.DISTRICT, "as_of": PRE_REFORM.isoformat()})
    units = list(response.context["page"])
    assert [u.name for u in units] == ["Quận Hải Châu"]
    assert units[0].path == "Toàn quốc › Thành phố Đà Nẵng"


def test_search_by_code(client_in: Client) -> None:
    response = client_in.get(reverse("units:search"), {"q": "22918"})
    assert [u.name for u in response.context["page"]] == ["Phường Mũi Né"]


def test_search_results_come_out_in_vietnamese_order(client_in: Client) -> None:
    commune = unit_with_code("22918", today())
    make_areas(commune)
    response = client_in.get(reverse("units:search"), {"within": commune.pk, "kind": Kind.RESIDENTIAL_AREA})
    assert [u.name for u in response.context["page"]] == VI_ORDER
    found = positions(section(response.content.decode(), "results"), VI_ORDER)
    assert found == sorted(found)


def test_empty_search_shows_a_hint_not_the_whole_register(client_in: Client) -> None:
    response = client_in.get(reverse("units:search"))
    assert response.context["page"] is None
    assert "không cần gõ dấu" in response.content.decode()


def test_search_within_an_unknown_unit_is_404(client_in: Client) -> None:
    assert client_in.get(reverse("units:search"), {"q": "a", "within": "987654321"}).status_code == 404
    assert client_in.get(reverse("units:search"), {"q": "a", "within": "abc"}).status_code == 200


# --- unit page --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "other"), [(PRE_REFORM, "Phường Mũi Né"), (None, "Phường Hàm Tiến")])
def test_unit_page_shows_the_other_holder_of_a_reused_code(
    client_in: Client, day: dt.date | None, other: str
) -> None:
    unit = unit_with_code("22918", day or today())
    html = client_in.get(reverse("units:detail", args=[unit.pk])).content.decode()
    versions = section(html, "versions")
    assert "Mã 22918 qua các thời kỳ" in versions
    assert other in versions
    assert unit.name in versions
    assert "chỉ xác định một đơn vị khi đi kèm ngày" in versions


def test_old_commune_shows_its_successor(client_in: Client) -> None:
    ham_tien = unit_with_code("22918", PRE_REFORM)
    response = client_in.get(reverse("units:detail", args=[ham_tien.pk]))
    assert [link.successor.name for link in response.context["successors"]] == ["Phường Mũi Né"]
    successions = section(response.content.decode(), "successions")
    assert "Chuyển thành" in successions and "Phường Mũi Né" in successions
    assert "01/07/2025" in successions
    # A closed unit is shown on its last day by default, with its own children then.
    assert response.context["as_of"] == LAST_OLD_DAY


def test_new_commune_shows_its_predecessors(client_in: Client) -> None:
    mui_ne = unit_with_code("22918", today())
    response = client_in.get(reverse("units:detail", args=[mui_ne.pk]))
    names = {link.predecessor.name for link in response.context["predecessors"]}
    assert {"Phường Hàm Tiến", "Xã Thiện Nghiệp"} <= names
    assert "Hình thành từ" in section(response.content.decode(), "successions")


def test_unit_page_shows_breadcrumb_and_attributes(client_in: Client) -> None:
    mui_ne = unit_with_code("22918", today())
    html = client_in.get(reverse("units:detail", args=[mui_ne.pk])).content.decode()
    assert re.search(r"Toàn quốc</a></li>\s*<li[^>]*><a[^>]*>Tỉnh Lâm Đồng</a>", html)
    attributes = section(html, "attributes")
    assert "Phường" in attributes and "Thuộc diện đánh giá" in attributes
    assert "Từ 01/07/2025" in attributes


@pytest.mark.usefixtures("example_units")
@pytest.mark.parametrize(
    ("kind", "extra", "reason"),
    [
        (Kind.AGENCY, {"armed_forces": True}, "lực lượng vũ trang"),
        (Kind.ENTERPRISE, {"size": "micro"}, "nhỏ và siêu nhỏ"),
        (Kind.SCHOOL, {"school_level": "tieu_hoc"}, "mầm non, nhà trẻ, tiểu học"),
    ],
)
def test_unit_page_explains_why_the_standard_does_not_apply(
    client_in: Client, kind: str, extra: dict[str, Any], reason: str
) -> None:
    unit = Unit.objects.filter(kind=kind, **extra).first()
    assert unit is not None
    html = client_in.get(reverse("units:detail", args=[unit.pk])).content.decode()
    standard = html[html.index('id="standard"'):]
    assert "Không thuộc diện" in standard[:600] and reason in standard[:600]


def test_province_page_explains_it_is_not_assessed(client_in: Client) -> None:
    html = client_in.get(reverse("units:detail", args=[unit_with_code("48", today()).pk])).content.decode()
    assert "không phải đối tượng công nhận" in html


def test_detail_query_count_does_not_grow_with_children(
    client_in: Client, django_assert_max_num_queries: Any
) -> None:
    commune = unit_with_code("22918", today())
    with django_assert_max_num_queries(DETAIL_QUERIES):
        client_in.get(reverse("units:detail", args=[commune.pk]))
    make_areas(commune)
    with django_assert_max_num_queries(DETAIL_QUERIES):
        client_in.get(reverse("units:detail", args=[commune.pk]))
    hanoi = unit_with_code("01", today())
    with django_assert_max_num_queries(DETAIL_QUERIES):  # 126 children, paged
        client_in.get(reverse("units:detail", args=[hanoi.pk]))


# --- create / edit / close ----------------------------------------------------------------------------


def test_create_a_residential_area_through_the_page(officer_client: Client, officer: User) -> None:
    commune = unit_with_code("22918", today())
    url = reverse("units:create") + f"?parent={commune.pk}"
    form = officer_client.get(url)
    assert form.status_code == 200
    assert Kind.COUNTRY not in dict(form.context["form"].fields["kind"].choices)
    response = officer_client.post(url, {"code": "KDC-MN-01", "name": "Khu phố  1", "kind": Kind.RESIDENTIAL_AREA,
                                    "parent": commune.pk, "households": "312"}, follow=True)
    unit = Unit.objects.get(code="KDC-MN-01")
    assert response.redirect_chain[-1][0] == reverse("units:detail", args=[unit.pk])
    assert "Đã thêm đơn vị Khu phố 1" in response.content.decode()
    assert (unit.parent, unit.households, unit.name) == (commune, 312, "Khu phố 1")
    assert AuditEntry.objects.filter(action="unit.create", object_id=str(unit.pk), user=officer).exists()


def test_create_shows_the_actions_errors_on_their_fields(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    url = reverse("units:create") + f"?parent={commune.pk}"
    response = officer_client.post(url, {"code": "DN-01", "name": "Công ty Biển Xanh", "kind": Kind.ENTERPRISE,
                                    "parent": commune.pk, "managed_by": ManagingLevel.COMMUNE})
    assert response.status_code == 200
    assert response.context["form"].errors["size"] == ["Doanh nghiệp phải có quy mô (siêu nhỏ, nhỏ, vừa, lớn)."]
    assert "Doanh nghiệp phải có quy mô" in response.content.decode()
    assert 'value="Công ty Biển Xanh"' in response.content.decode()
    assert not Unit.objects.filter(code="DN-01").exists()


def test_create_refuses_a_code_already_used_in_the_same_period(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    make_areas(commune)
    url = reverse("units:create") + f"?parent={commune.pk}"
    response = officer_client.post(url, {"code": "KDC-TEST-0", "name": "Khu mới", "kind": Kind.RESIDENTIAL_AREA,
                                    "parent": commune.pk})
    page = response.content.decode()
    assert "Mã KDC-TEST-0 đã được dùng cho một đơn vị khác cùng loại trong cùng thời gian hiệu lực." in page
    clash = Unit.objects.filter(code="KDC-TEST-0").get()
    assert f"cho {clash.name}" not in page  # never the other unit's name: it may be outside the user's scope


def test_create_requires_fields_in_vietnamese(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    response = officer_client.post(reverse("units:create") + f"?parent={commune.pk}", {"parent": commune.pk})
    assert "Trường này là bắt buộc." in response.content.decode()


@pytest.mark.parametrize("query", ["", "?parent=abc", "?parent=987654321"])
def test_create_without_a_valid_parent_is_404(officer_client: Client, query: str) -> None:
    assert officer_client.get(reverse("units:create") + query).status_code == 404


def test_create_parent_choices_are_the_parent_and_its_siblings(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    response = officer_client.get(reverse("units:create") + f"?parent={commune.pk}")
    parents = response.context["form"].fields["parent"].queryset
    assert commune in parents
    assert set(parents.values_list("parent_id", flat=True)) == {commune.parent_id}
    assert all(u.kind == Kind.COMMUNE and u.is_valid_on(today()) for u in parents)


def test_edit_saves_and_bumps_the_version(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    area = make_areas(commune)[0]
    url = reverse("units:edit", args=[area.pk])
    form = officer_client.get(url)
    assert f'name="version" value="{area.version}"' in form.content.decode()
    response = officer_client.post(url, form_data(form, name="Đà Nẵng Mới", households="90"))
    assert response.status_code == 302
    area.refresh_from_db()
    assert (area.name, area.households, area.version) == ("Đà Nẵng Mới", 90, 2)


def test_stale_edit_is_refused_and_keeps_the_input(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    area = make_areas(commune)[0]
    opened_at = area.version
    do_update_unit(Actor.system(), area.pk, expected_version=opened_at, name="Tên của người khác")
    url = reverse("units:edit", args=[area.pk])
    data = {"code": area.code, "name": "Tên của tôi", "kind": area.kind, "parent": commune.pk,
            "version": opened_at}
    response = officer_client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "vừa được người khác sửa" in html and "CHƯA được lưu" in html
    assert 'value="Tên của tôi"' in html
    assert "Giá trị đang lưu: <strong>Tên của người khác</strong>" in html
    area.refresh_from_db()
    assert area.name == "Tên của người khác"
    # Having seen the other change, submitting again is a deliberate overwrite.
    assert f'name="version" value="{area.version}"' in html
    response = officer_client.post(url, {**data, "version": area.version})
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.name == "Tên của tôi"


def test_edit_of_a_unit_into_a_wrong_parent_is_refused(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    area = make_areas(commune)[0]
    other_province = unit_with_code("01", today())
    response = officer_client.post(reverse("units:edit", args=[area.pk]),
                              {"code": area.code, "name": area.name, "kind": area.kind,
                               "parent": other_province.pk, "version": area.version})
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()  # not among the sensible parents


def test_close_asks_for_confirmation_then_sets_valid_to(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    area = make_areas(commune)[0]
    url = reverse("units:close", args=[area.pk])
    assert officer_client.get(url).status_code == 200
    first = officer_client.post(url, {"valid_to": "31/12/2025", "version": area.version})
    assert first.status_code == 200 and first.context["confirming"]
    assert "sẽ hết hiệu lực sau ngày 31/12/2025" in first.content.decode()
    area.refresh_from_db()
    assert area.valid_to is None
    response = officer_client.post(url, {"valid_to": "2025-12-31", "version": area.version, "confirm": "True"},
                              follow=True)
    assert "Đã đóng Đà Nẵng" in response.content.decode()
    area.refresh_from_db()
    assert area.valid_to == dt.date(2025, 12, 31)


def test_close_with_open_children_is_refused_in_vietnamese(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    make_areas(commune)
    response = officer_client.post(reverse("units:close", args=[commune.pk]),
                              {"valid_to": "2025-12-31", "version": commune.version, "confirm": "True"})
    assert response.status_code == 200
    assert "Còn 6 đơn vị trực thuộc có hiệu lực sau ngày 31/12/2025" in response.content.decode()
    commune.refresh_from_db()
    assert commune.valid_to is None


def test_close_with_a_stale_version_is_refused(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    area = make_areas(commune)[0]
    do_update_unit(Actor.system(), area.pk, name="Đổi tên")
    response = officer_client.post(reverse("units:close", args=[area.pk]),
                              {"valid_to": "2025-12-31", "version": area.version, "confirm": "True"})
    assert "vừa được người khác sửa" in response.content.decode()
    area.refresh_from_db()
    assert area.valid_to is None


def test_edit_form_keeps_a_parent_outside_the_capture_scope(client: Client, make_user: Any, mui_ne: Unit) -> None:
    """A commune officer may edit their commune; its province stays its parent though they cannot change it."""
    commune_officer = make_user("muine", Role.COMMUNE_OFFICER, unit=mui_ne)
    url = reverse("units:edit", args=[mui_ne.pk])
    response = login(client, commune_officer).get(url)
    assert list(response.context["form"].fields["parent"].queryset) == [mui_ne.parent]
    response = client.post(url, form_data(response, households="4500"))
    assert response.status_code == 302, response.context["form"].errors
    mui_ne.refresh_from_db()
    assert mui_ne.households == 4500


# --- scopes -------------------------------------------------------------------------------------------


def test_province_officer_browses_from_their_province(officer_client: Client, mui_ne: Unit) -> None:
    response = officer_client.get(reverse("units:browse"))
    assert response.context["root"] == mui_ne.parent
    assert response.context["kind_counts"][0][0] == Kind.COMMUNE
    assert "Phường Mũi Né" in section(response.content.decode(), "children")


def test_user_with_several_scopes_browses_from_the_list_of_them(
    client: Client, make_user: Any, mui_ne: Unit
) -> None:
    user = make_user("hai-xa", Role.COMMUNE_OFFICER, unit=mui_ne)
    other = Unit.objects.filter(parent=mui_ne.parent).valid_on(today()).exclude(pk=mui_ne.pk).first()
    assert other is not None
    do_grant_scope(Actor.system(), user, other, ScopeKind.CAPTURE)
    response = login(client, user).get(reverse("units:browse"))
    assert response.context["root"] is None
    assert {u.pk for u in response.context["page"]} == {mui_ne.pk, other.pk}
    assert "Đơn vị trong phạm vi của bạn" in response.content.decode()


def test_user_without_scope_sees_an_explanation(client: Client, make_user: Any) -> None:
    response = login(client, make_user("noscope", Role.VIEWER)).get(reverse("units:browse"))
    assert response.status_code == 200
    assert "chưa được giao phạm vi" in response.content.decode()


def test_officer_of_another_province_cannot_see_the_unit(client: Client, make_user: Any, mui_ne: Unit) -> None:
    hanoi_officer = make_user("hanoi", Role.PROVINCE_OFFICER, unit=unit_with_code("01", today()))
    login(client, hanoi_officer)
    for name in ("units:detail", "units:edit", "units:close"):
        assert client.get(reverse(name, args=[mui_ne.pk])).status_code == 404
    assert client.get(reverse("units:create") + f"?parent={mui_ne.pk}").status_code == 404
    response = client.get(reverse("units:search"), {"q": "mui ne"})
    assert list(response.context["page"]) == []


def test_viewer_sees_the_unit_but_cannot_change_it(client: Client, make_user: Any, mui_ne: Unit) -> None:
    viewer = make_user("xem", Role.VIEWER, unit=mui_ne.parent)
    login(client, viewer)
    response = client.get(reverse("units:detail", args=[mui_ne.pk]))
    assert response.status_code == 200
    assert reverse("units:edit", args=[mui_ne.pk]) not in response.content.decode()
    assert client.get(reverse("units:edit", args=[mui_ne.pk])).status_code == 403
    response = client.post(reverse("units:close", args=[mui_ne.pk]),
                           {"valid_to": "2025-12-31", "version": mui_ne.version, "confirm": "True"})
    assert response.status_code == 403
    mui_ne.refresh_from_db()
    assert mui_ne.valid_to is None


def test_scoped_unit_page_lists_only_visible_code_holders(officer_client: Client, mui_ne: Unit) -> None:
    """Hàm Tiến lay in old Bình Thuận, outside the Lâm Đồng officer's scope: it is listed only as far as
    scopes follow history (a unit that preceded Mũi Né is readable, units.lineage), never otherwise."""
    from phongtrao.accounts.access import visible_units

    response = officer_client.get(reverse("units:detail", args=[mui_ne.pk]))
    listed = [u.pk for u in response.context["versions"]]
    officer = response.wsgi_request.user
    holders = Unit.objects.filter(code=mui_ne.code, kind=mui_ne.kind)
    assert mui_ne.pk in listed
    assert set(listed) == set(visible_units(officer).filter(pk__in=holders).values_list("pk", flat=True))
    preceded = set(Succession.objects.filter(successor=mui_ne).values_list("predecessor_id", flat=True))
    assert set(listed) - {mui_ne.pk} <= preceded | set(Unit.objects.filter(
        ancestor_links__ancestor_id__in=preceded).values_list("pk", flat=True))


def test_officer_cannot_move_a_unit_out_of_their_scope(officer_client: Client, mui_ne: Unit) -> None:
    area = make_areas(mui_ne)[0]
    hanoi_commune = Unit.objects.filter(parent=unit_with_code("01", today())).first()
    assert hanoi_commune is not None
    response = officer_client.post(reverse("units:edit", args=[area.pk]),
                                   {"code": area.code, "name": area.name, "kind": area.kind,
                                    "parent": hanoi_commune.pk, "version": area.version})
    assert response.status_code == 200
    area.refresh_from_db()
    assert area.parent_id == mui_ne.pk


def test_scoped_pages_keep_a_constant_query_count(
    officer_client: Client, mui_ne: Unit, django_assert_max_num_queries: Any
) -> None:
    make_areas(mui_ne)
    with django_assert_max_num_queries(BROWSE_QUERIES):
        assert officer_client.get(reverse("units:browse")).status_code == 200
    for unit in (mui_ne, mui_ne.parent):
        with django_assert_max_num_queries(SCOPED_DETAIL_QUERIES):
            assert officer_client.get(reverse("units:detail", args=[unit.pk])).status_code == 200
    with django_assert_max_num_queries(6):
        assert officer_client.get(reverse("units:search"), {"q": "a"}).status_code == 200


# --- formatting filters -------------------------------------------------------------------------------


def test_validity_and_subtype_texts() -> None:
    from decimal import Decimal

    from phongtrao.units.templatetags.unit_tags import share, subtype_label, validity

    assert validity(Unit(valid_from=dt.date(2025, 7, 1))) == "Từ 01/07/2025"
    assert validity(Unit(valid_to=LAST_OLD_DAY)) == "Đến 30/06/2025"
    assert validity(Unit(valid_from=dt.date(2025, 7, 1), valid_to=dt.date(2025, 12, 31))) == "01/07/2025 – 31/12/2025"
    assert validity(Unit()) == "Không thời hạn"
    assert subtype_label("dac_khu") == "Đặc khu"
    assert subtype_label("to_tu_quan") == "to_tu_quan"
    assert subtype_label("cong_ty_co_phan") == "Công ty cổ phần"  # the demo's enterprises' subtypes too
    assert share(Decimal("0.25")) == "25,00%"
    assert share(None) == ""


def test_unit_page_has_a_history_tab_that_loads_its_audit_entries(
    client: Client, official_register: None, make_user: Any
) -> None:
    from phongtrao.audit.actions import Actor
    from phongtrao.units.actions import do_create_unit, do_update_unit

    commune = Unit.objects.with_code("00004", dt.date(2025, 12, 31)).get()
    admin = make_user("history_admin")
    area = do_create_unit(Actor(user=admin), code="KDC-H1", name="Tổ dân phố Lịch Sử", kind="residential_area",
                          parent=commune, valid_from=dt.date(2025, 7, 1))
    do_update_unit(Actor(user=admin), area.pk, households=321)
    client.force_login(admin)
    page = client.get(reverse("units:detail", args=[area.pk])).content.decode()
    history_url = reverse("audit:history", args=["units.unit", str(area.pk)])
    assert history_url in page
    history = client.get(history_url, headers={"HX-Request": "true"}).content.decode()
    assert "321" in history and "history_admin" in history


# --- forms that guide ---------------------------------------------------------------------------------


def test_subtype_is_a_choice_list_per_kind(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    url = reverse("units:create") + f"?parent={commune.pk}"
    html = officer_client.get(url).content.decode()
    select = html[html.index('name="subtype"'):]
    select = select[:select.index("</select>")]
    # Each option names its kind; the page's script (core/js/forms.js) offers those of the chosen kind.
    assert 'data-depends-on="id_kind"' in html[html.rfind("<select", 0, html.index('name="subtype"')):][:300]
    assert '<option value="thon" data-for="residential_area">Thôn</option>' in select
    assert '<option value="cong_ty_co_phan" data-for="enterprise">Công ty cổ phần</option>' in select
    assert 'value="phuong"' not in select  # not a kind that may lie in a commune
    base = {"code": "KDC-MN-09", "name": "Khu phố 9", "kind": Kind.RESIDENTIAL_AREA, "parent": commune.pk,
            "households": "120"}
    wrong = officer_client.post(url, base | {"subtype": "cong_ty_co_phan"})
    assert wrong.status_code == 200 and not Unit.objects.filter(code="KDC-MN-09").exists()
    assert wrong.context["form"].errors["subtype"] == [
        "Loại hình này không dùng cho loại đơn vị đã chọn; chọn một loại hình trong danh sách."]
    unknown = officer_client.post(url, base | {"subtype": "to_tu_quan"})
    assert "subtype" in unknown.context["form"].errors
    assert officer_client.post(url, base | {"subtype": "khu_pho"}).status_code == 302
    assert Unit.objects.get(code="KDC-MN-09").subtype == "khu_pho"


def test_a_units_stored_subtype_outside_the_list_can_be_kept(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    area = do_create_unit(Actor.system(), code="KDC-MN-10", name="Tổ tự quản 10", kind=Kind.RESIDENTIAL_AREA,
                          parent=commune, subtype="to_tu_quan", households=50)
    url = reverse("units:edit", args=[area.pk])
    page = officer_client.get(url)
    assert ("to_tu_quan", "to_tu_quan") in page.context["form"].fields["subtype"].choices
    assert officer_client.post(url, form_data(page, name="Tổ tự quản số 10")).status_code == 302
    area.refresh_from_db()
    assert (area.name, area.subtype) == ("Tổ tự quản số 10", "to_tu_quan")


def test_date_inputs_show_and_take_dd_mm_yyyy(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    url = reverse("units:create") + f"?parent={commune.pk}"
    html = officer_client.get(url).content.decode()
    field = re.search(r'<input[^>]*name="valid_from"[^>]*>', html)
    assert field is not None
    assert 'type="text"' in field.group() and 'placeholder="dd/mm/yyyy"' in field.group()
    assert "data-date-input" in field.group() and 'inputmode="numeric"' in field.group()
    base = {"name": "Khu phố 11", "kind": Kind.RESIDENTIAL_AREA, "parent": commune.pk, "households": "10"}
    for code, typed, day in (("KDC-MN-11", "1/7/2025", dt.date(2025, 7, 1)),
                             ("KDC-MN-12", "2025-07-02", dt.date(2025, 7, 2)),
                             ("KDC-MN-13", "03-07-2025", dt.date(2025, 7, 3))):
        assert officer_client.post(url, base | {"code": code, "valid_from": typed}).status_code == 302
        assert Unit.objects.get(code=code).valid_from == day
    bad = officer_client.post(url, base | {"code": "KDC-MN-14", "valid_from": "07/31/2025"})
    assert bad.context["form"].errors["valid_from"] == [
        "Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 15/12/2024."]
    edit = officer_client.get(reverse("units:edit", args=[Unit.objects.get(code="KDC-MN-11").pk])).content.decode()
    assert re.search(r'name="valid_from"[^>]*value="01/07/2025"|value="01/07/2025"[^>]*name="valid_from"', edit)
    # The browser's "view on date" box and the audit filter are the same input.
    browse = officer_client.get(reverse("units:browse"), {"as_of": "2024-12-31"}).content.decode()
    assert re.search(r'<input[^>]*type="text"[^>]*name="as_of"[^>]*value="31/12/2024"', browse)
    audit = officer_client.get(reverse("audit:list")).content.decode()
    assert re.search(r'<input[^>]*type="text"[^>]*name="start"[^>]*data-date-input', audit)


def test_close_validates_before_asking_for_the_confirmation(officer_client: Client) -> None:
    commune = unit_with_code("22918", today())
    make_areas(commune)
    response = officer_client.post(reverse("units:close", args=[commune.pk]),
                                   {"valid_to": "31/12/2025", "version": commune.version})
    assert response.status_code == 200 and not response.context["confirming"]
    assert "Còn 6 đơn vị trực thuộc có hiệu lực sau ngày 31/12/2025" in response.content.decode()
    assert not AuditEntry.objects.filter(action="unit.update", object_id=str(commune.pk)).exists()
    commune.refresh_from_db()
    assert commune.valid_to is None
