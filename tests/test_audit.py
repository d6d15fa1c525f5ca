"""The audit trail: the scoped, filterable list, its Excel export, an object's history tab, immutability."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from phongtrao.accounts.actions import do_grant_scope
from phongtrao.accounts.models import Role, ScopeKind, User
from phongtrao.audit.actions import Actor, record, record_many
from phongtrao.audit.forms import action_choices
from phongtrao.audit.models import ACTION_GROUPS, ACTION_LABELS, AuditEntry, Channel, ImmutableEntry, display_value
from phongtrao.audit.templatetags.audit_tags import vn_datetime
from phongtrao.lib.importing import run_import
from phongtrao.units.actions import do_create_unit, do_update_unit
from phongtrao.units.models import Kind, Unit

pytestmark = pytest.mark.usefixtures("example_units")

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
HEADER = ("code,name,kind,parent_code,subtype,managed_by,size,school_level,armed_forces,households,"
          "valid_from,valid_to")
LIST = reverse("audit:list")
EXPORT = reverse("audit:export")
HX = {"HX-Request": "true"}


def csv_bytes(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, timezone.localdate()).get()


def history_url(target: Unit) -> str:
    return reverse("audit:history", args=["units.unit", target.pk])


def listed(response: Any) -> set[int]:
    """Ids of the entries a page shows."""
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'data-entry="(\d+)"', response.content.decode())}


def exported(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def entry_at(moment: dt.datetime, target: Unit, user: User, action: str = "unit.update") -> AuditEntry:
    """An entry written at ``moment`` (``at`` is set by the database layer, so the clock is patched)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return record(Actor(user=user, channel=Channel.WEB), action, target, unit=target,
                      before={"name": "cũ"}, after={"name": "mới"})


@dataclass
class World:
    """Personas and one entry per channel; ``danang`` is an entry of a Đà Nẵng unit, ``unitless`` of none."""

    admin: User
    province_officer: User
    commune_officer: User
    other_officer: User
    web: AuditEntry
    commune_web: AuditEntry
    imported: AuditEntry
    command: AuditEntry
    danang: AuditEntry
    unitless: AuditEntry

    @property
    def t99_entries(self) -> set[int]:
        return {self.web.pk, self.commune_web.pk, self.imported.pk, self.command.pk}


def person(username: str, role: str, scope: Unit | None = None, **extra: Any) -> User:
    """A user with a capture scope on ``scope``, like ``make_user`` but without hashing a password
    (the tests log in with ``force_login``; hashing costs half a second per user)."""
    user = User.objects.create_user(username=username, password=None, role=role, unit=scope, **extra)
    if scope is not None:
        do_grant_scope(Actor.system(), user, scope, ScopeKind.CAPTURE)
    return user


@pytest.fixture
def world(example_units: None, tmp_path: Path) -> World:
    danang = unit("48")
    admin = person("quantri", Role.ADMIN)
    province_officer = person("canbotinh", Role.PROVINCE_OFFICER, unit("T99"), first_name="Thu", last_name="Nguyễn")
    commune_officer = person("canboxa", Role.COMMUNE_OFFICER, unit("T99001"))
    other_officer = person("canbodanang", Role.PROVINCE_OFFICER, danang)

    def last() -> AuditEntry:
        return AuditEntry.objects.order_by("-id").first()  # type: ignore[return-value]

    do_update_unit(Actor(user=province_officer, channel=Channel.WEB), unit("T99002").pk, name="Phường Đông Hà Mới")
    web = last()
    do_update_unit(Actor(user=commune_officer, channel=Channel.WEB), unit("KDC-T99001-03").pk, households=520)
    commune_web = last()
    result = run_import("units", "units.csv", csv_bytes("KDC-T99002-03,Thôn 3,residential_area,,,,,,,250,,"),
                        actor=Actor(user=province_officer, channel=Channel.IMPORT))
    assert result.ok, [str(e) for e in result.errors]
    imported = last()
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes("KDC-T99004-04,Khu phố 4,residential_area,,,,,,,400,,"))
    call_command("import", "units", str(path), "--user", province_officer.username, stdout=io.StringIO())
    command = last()
    commune = Unit.objects.filter(parent=danang, kind=Kind.COMMUNE).valid_on(timezone.localdate()).first()
    do_create_unit(Actor(user=other_officer, channel=Channel.WEB), code="KDC-DN-TEST", name="Tổ dân phố Sông Hàn",
                   kind=Kind.RESIDENTIAL_AREA, parent=commune)
    danang_entry = last()
    unitless = record(Actor(user=admin, channel=Channel.WEB), "user.update", other_officer, unit=None,
                      before={"is_active": True}, after={"is_active": False})
    return World(admin, province_officer, commune_officer, other_officer, web, commune_web, imported, command,
                 danang_entry, unitless)


def client_for(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


# --- what is recorded -------------------------------------------------------------------------------


def test_changes_through_each_channel_are_recorded_with_before_and_after(world: World) -> None:
    assert (world.web.channel, world.web.action, world.web.user) == (Channel.WEB, "unit.update",
                                                                      world.province_officer)
    assert (world.web.before["name"], world.web.after["name"]) == ("Phường Đông Hà", "Phường Đông Hà Mới")
    assert (world.imported.channel, world.imported.action) == (Channel.IMPORT, "unit.import")
    assert (world.imported.before["households"], world.imported.after["households"]) == (200, 250)
    assert (world.command.channel, world.command.user) == (Channel.COMMAND, world.province_officer)
    assert (world.command.before["households"], world.command.after["households"]) == (386, 400)
    assert world.danang.before is None and world.danang.after["code"] == "KDC-DN-TEST"


def test_list_row_shows_local_time_labels_and_only_changed_fields(client: Client, world: World) -> None:
    html = client_for(client, world.province_officer).get(LIST, {"channel": "web"}).content.decode()
    row = html[html.index(f'data-entry="{world.web.pk}"'):]
    row = row[:row.index("</tr>")]
    assert vn_datetime(world.web.at) in row
    assert "Thu Nguyễn" in row
    assert "Giao diện web" in row and "Sửa đơn vị" in row
    assert "Tên:" in row and "Phường Đông Hà" in row and "Phường Đông Hà Mới" in row
    assert "Mã:" not in row and "Loại:" not in row  # unchanged fields are left out


def test_time_is_shown_in_ho_chi_minh_time() -> None:
    assert vn_datetime(dt.datetime(2023, 12, 15, 7, 5, tzinfo=dt.UTC)) == "15/12/2023 14:05"
    assert vn_datetime(None) == ""


def test_diff_uses_verbose_names_choice_labels_and_unit_names(world: World) -> None:
    old, new = unit("T99001"), unit("T99002")
    hamlet = unit("KDC-T99001-03")
    do_update_unit(Actor(user=world.admin), hamlet.pk, parent_id=new.pk, valid_to=dt.date(2031, 12, 15))
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    changes = {c.key: c for c in entry.changes({old.pk: old.name, new.pk: new.name})}
    assert set(changes) == {"parent_id", "valid_to"}
    assert str(changes["parent_id"]) == f"Đơn vị cấp trên: {old.name} → {new.name}"
    assert str(changes["valid_to"]) == "Hiệu lực đến: — → 15/12/2031"
    created = {c.key: c for c in world.danang.changes()}
    assert str(created["kind"]) == "Loại: Khu dân cư"
    assert "armed_forces" not in created  # a creation lists only the values it set
    (active,) = world.unitless.changes()
    assert (active.key, active.before, active.after) == ("is_active", "Có", "Không")


def test_values_are_shown_the_vietnamese_way() -> None:
    field = Unit._meta.get_field
    assert display_value(field("households"), 1234) == "1.234"
    assert display_value(field("valid_from"), "2023-12-15") == "15/12/2023"
    assert display_value(field("valid_from"), "khong-phai-ngay") == "khong-phai-ngay"
    assert display_value(field("armed_forces"), False) == "Không"
    # a unit the viewer may not see is not named, and its id is not shown either
    assert display_value(field("parent_id"), 7) == "(đơn vị ngoài phạm vi xem)"
    assert display_value(field("parent_id"), 7, {7: "Xã An Bình"}) == "Xã An Bình"
    assert display_value(field("updated_at"), "2023-12-15T07:05:00+00:00") == "15/12/2023 14:05"
    assert display_value(None, {"b": 1, "a": "ă"}) == "b: 1, a: ă"
    assert display_value(None, "") == "—"


def test_values_are_words_and_names_in_the_active_language() -> None:
    from phongtrao.awards.models import AwardDecision, AwardType

    year = AwardDecision._meta.get_field("year")
    award_type = AwardDecision._meta.get_field("award_type_id")
    assert display_value(year, 2026) == "2026"  # a year is not a quantity: no thousands separator
    assert display_value(award_type, 3, names={(AwardType, 3): "Giấy khen"}) == "Giấy khen"
    assert display_value(award_type, 3) == "(không còn)"
    # scopes are the scope kind's label and the unit's name, not "capture:12"
    scopes = display_value(None, ["capture:12", "view:13"], {12: "Xã An Bình"}, key="scopes", model=User)
    assert scopes == "Được nhập/sửa dữ liệu: Xã An Bình; Được xem: (đơn vị ngoài phạm vi xem)"
    # nested rows (a decision's recipients) by their fields' labels, choice labels and unit names
    recipients = [{"kind": "collective", "unit_id": 12, "name": "Thôn A", "title": ""}]
    assert display_value(None, recipients, {12: "Xã An Bình"}, key="recipients", model=AwardDecision) \
        == "Đối tượng: Tập thể, Đơn vị: Xã An Bình, Tên: Thôn A"
    with translation.override("en"):
        assert display_value(Unit._meta.get_field("households"), 1234) == "1,234"
        assert display_value(Unit._meta.get_field("kind"), "residential_area") == "Residential area"
        assert display_value(year, 2026) == "2026"
        assert display_value(None, ["view:13"], {13: "Xã An Bình"}, key="scopes", model=User) == \
            "May view: Xã An Bình"


def test_unknown_actions_are_shown_as_written(client: Client, world: World) -> None:
    target = unit("T99003")
    entry = record(Actor(user=world.admin), "plan.approve", target, unit=target, before=None, after={"x": 1})
    html = client_for(client, world.province_officer).get(LIST, {"unit": "T99003"}).content.decode()
    assert f'data-entry="{entry.pk}"' in html
    assert "plan.approve" in html


# --- who sees what ----------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client: Client, world: World) -> None:
    for url in (LIST, EXPORT, history_url(unit("T99"))):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_province_officer_sees_own_province_not_da_nang(client: Client, world: World) -> None:
    shown = listed(client_for(client, world.province_officer).get(LIST, {"channel": ["web"]}))
    assert {world.web.pk, world.commune_web.pk} <= shown
    assert world.danang.pk not in shown and world.unitless.pk not in shown
    visible = set(AuditEntry.objects.visible_to(world.province_officer).values_list("pk", flat=True))
    assert world.t99_entries <= visible
    assert not {world.danang.pk, world.unitless.pk} & visible


def test_commune_officer_sees_only_own_commune_subtree(client: Client, world: World) -> None:
    visible = set(AuditEntry.objects.visible_to(world.commune_officer).values_list("pk", flat=True))
    assert world.commune_web.pk in visible
    assert not {world.web.pk, world.imported.pk, world.command.pk, world.danang.pk} & visible
    commune = unit("T99001")
    in_subtree = set(Unit.objects.in_subtree(commune).values_list("pk", flat=True))
    assert all(e.unit_id in in_subtree for e in AuditEntry.objects.visible_to(world.commune_officer))
    shown = listed(client_for(client, world.commune_officer).get(LIST))
    assert world.commune_web.pk in shown and world.web.pk not in shown


def test_other_province_officer_sees_own_entry_only(client: Client, world: World) -> None:
    shown = listed(client_for(client, world.other_officer).get(LIST))
    # Besides the fixture's entry, only the grant of the officer's own scope (made by the fixture, in Đà Nẵng).
    own_grant = AuditEntry.objects.get(action="user.grant_scope", object_id=str(world.other_officer.pk))
    assert shown == {world.danang.pk, own_grant.pk}


def test_entries_without_unit_are_for_admins_only(client: Client, world: World) -> None:
    assert world.unitless.pk in listed(client_for(client, world.admin).get(LIST, {"channel": "web"}))
    assert not AuditEntry.objects.visible_to(world.province_officer).filter(pk=world.unitless.pk).exists()


def test_inactive_or_anonymous_users_see_nothing(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not AuditEntry.objects.visible_to(AnonymousUser()).exists()
    world.province_officer.is_active = False
    assert not AuditEntry.objects.visible_to(world.province_officer).exists()


# --- history tab --------------------------------------------------------------------------------------


def test_history_tab_is_an_htmx_partial_and_a_page(client: Client, world: World) -> None:
    client_for(client, world.province_officer)
    target = unit("T99002")
    partial = client.get(history_url(target), headers=HX)
    assert partial.status_code == 200
    html = partial.content.decode()
    assert "<html" not in html and f'data-entry="{world.web.pk}"' in html and "Phường Đông Hà Mới" in html
    page = client.get(history_url(target))
    assert page.status_code == 200 and "<html" in page.content.decode()
    assert listed(page) == set(AuditEntry.objects.for_object("units.unit", str(target.pk)).values_list("pk", flat=True))


def test_other_province_officer_gets_404_on_history_of_t99_unit(client: Client, world: World) -> None:
    client_for(client, world.other_officer)
    assert client.get(history_url(unit("T99002"))).status_code == 404
    response = client.get(history_url(unit("T99002")), headers=HX)
    assert response.status_code == 404
    assert "Phường Đông Hà" not in response.content.decode()


def test_commune_officer_gets_404_on_history_outside_commune(client: Client, world: World) -> None:
    client_for(client, world.commune_officer)
    assert client.get(history_url(unit("T99002"))).status_code == 404
    assert client.get(history_url(unit("KDC-T99001-03"))).status_code == 200


@pytest.mark.parametrize(("object_type", "object_id"), [("units.unit", "999999999"), ("nope", "x"),
                                                         ("units.unit", "99999999999999999999999")])
def test_history_of_unknown_object_is_404(client: Client, world: World, object_type: str, object_id: str) -> None:
    client_for(client, world.admin)
    assert client.get(reverse("audit:history", args=[object_type, object_id])).status_code == 404


def test_history_tab_include_loads_the_partial_on_reveal(world: World) -> None:
    from django.template import engines

    target = unit("T99")
    html = engines["django"].from_string(
        '{% include "audit/_history_tab_button.html" %}'
        '{% include "audit/_history_tab.html" with object_type="units.unit" object_id=unit.pk %}'
    ).render({"unit": target})
    assert 'class="tab-pane fade"' in html and 'id="audit-history"' in html
    assert f'hx-get="{history_url(target)}"' in html and 'hx-trigger="intersect once"' in html
    assert 'data-bs-target="#audit-history"' in html


# --- filters --------------------------------------------------------------------------------------------


def test_filter_by_unit_subtree(client: Client, world: World) -> None:
    client_for(client, world.province_officer)
    shown = listed(client.get(LIST, {"unit": "T99001", "channel": "web"}))
    assert shown == {world.commune_web.pk}
    hamlet = unit("KDC-T99001-03")
    assert listed(client.get(LIST, {"unit_id": hamlet.pk, "channel": "web"})) == {world.commune_web.pk}
    everything = AuditEntry.objects.visible_to(world.province_officer).in_subtree([unit("T99001").pk])
    subtree = set(Unit.objects.in_subtree(unit("T99001")).values_list("pk", flat=True))
    assert everything.exists() and all(e.unit_id in subtree for e in everything)


def test_filter_on_a_unit_outside_scope_shows_nothing(client: Client, world: World) -> None:
    client_for(client, world.province_officer)
    response = client.get(LIST, {"unit": "48"})
    assert listed(response) == set()
    assert "Không có đơn vị mã" in response.content.decode()
    assert listed(client.get(LIST, {"unit_id": world.danang.unit_id})) == set()


def test_filter_by_user(client: Client, world: World) -> None:
    client_for(client, world.admin)
    assert listed(client.get(LIST, {"user": "CANBOXA"})) == {world.commune_web.pk}
    by_name = listed(client.get(LIST, {"user": "Nguyễn"}))
    assert by_name == {world.web.pk, world.imported.pk, world.command.pk}
    assert listed(client.get(LIST, {"user": "khong-co-ai"})) == set()


def test_filter_by_date_range_in_local_days(client: Client, world: World) -> None:
    target = unit("T99005")
    inside_early = entry_at(dt.datetime(2025, 12, 1, 0, 30, tzinfo=HCM), target, world.province_officer)
    before = entry_at(dt.datetime(2025, 11, 30, 23, 30, tzinfo=HCM), target, world.province_officer)
    inside_late = entry_at(dt.datetime(2025, 12, 31, 23, 59, tzinfo=HCM), target, world.province_officer)
    after = entry_at(dt.datetime(2026, 1, 1, 0, 0, tzinfo=HCM), target, world.province_officer)
    client_for(client, world.province_officer)
    where = {"unit": "T99005", "channel": "web"}  # leaves out today's entries of the example import
    assert listed(client.get(LIST, {"start": "01/12/2025", "end": "31/12/2025", **where})) == {
        inside_early.pk, inside_late.pk}
    assert listed(client.get(LIST, {"end": "30/11/2025", **where})) == {before.pk}
    assert after.pk in listed(client.get(LIST, {"start": "2026-01-01", **where}))
    html = client.get(LIST, {"unit": "T99005"}).content.decode()
    assert "01/12/2025 00:30" in html  # shown in Asia/Ho_Chi_Minh, not UTC


def test_filter_by_action_and_channel(client: Client, world: World) -> None:
    client_for(client, world.province_officer)
    updates = listed(client.get(LIST, {"action": "unit.update"}))
    assert updates == {world.web.pk, world.commune_web.pk}
    assert listed(client.get(LIST, {"channel": "import"})) == {world.imported.pk}
    assert listed(client.get(LIST, {"channel": "command"})) == {world.command.pk}
    assert listed(client.get(LIST, {"action": "unit.import", "channel": "command"})) == {world.command.pk}
    assert listed(client.get(LIST, {"action": "unit.", "channel": "web"})) == {world.web.pk, world.commune_web.pk}


def test_every_labelled_action_is_offered_in_a_group() -> None:
    offered = {value for _group, options in action_choices()[1:] for value, _label in options}
    assert set(ACTION_LABELS) | set(ACTION_GROUPS) == offered


def test_newest_first(client: Client, world: World) -> None:
    html = client_for(client, world.province_officer).get(LIST).content.decode()
    ids = [int(pk) for pk in re.findall(r'data-entry="(\d+)"', html)]
    assert ids[:4] == [world.command.pk, world.imported.pk, world.commune_web.pk, world.web.pk]


@pytest.mark.parametrize("params", [
    {"start": "hôm qua", "end": "99/99/9999"},
    {"start": "31/12/2025", "end": "01/01/2025"},
    {"unit_id": "abc"},
    {"unit_id": "99999999999999999999999"},
    {"unit_id": "-5"},
    {"unit": "x" * 500},
    {"user": "x" * 500},
    {"channel": "carrier-pigeon"},
    {"action": "<script>"},
    {"page": "abc"},
    {"page": "99999"},
    {"object_type": "units.unit", "object_id": "🙂"},
])
def test_bad_filter_params_are_not_a_server_error(client: Client, world: World, params: dict[str, str]) -> None:
    client_for(client, world.province_officer)
    assert client.get(LIST, params).status_code == 200
    assert client.get(EXPORT, params).status_code == 200


def test_garbage_date_is_reported_and_ignored(client: Client, world: World) -> None:
    response = client_for(client, world.province_officer).get(LIST, {"start": "hôm qua", "channel": "web"})
    assert {world.web.pk, world.commune_web.pk} <= listed(response)
    assert "invalid-feedback" in response.content.decode()


# --- export --------------------------------------------------------------------------------------------


def test_export_contains_only_visible_rows_with_vietnamese_headers(client: Client, world: World) -> None:
    rows = exported(client_for(client, world.province_officer).get(EXPORT))
    assert rows
    assert {"Thời điểm", "Người thực hiện", "Kênh", "Thao tác", "Đối tượng", "Đơn vị", "Thay đổi"} <= set(rows[0])
    assert len(rows) == AuditEntry.objects.visible_to(world.province_officer).count()
    units = {r["Mã đơn vị"] for r in rows}
    assert units <= set(Unit.objects.in_subtree(unit("T99")).values_list("code", flat=True))
    assert "Tổ dân phố Sông Hàn" not in {r["Đối tượng"] for r in rows}
    web = next(r for r in rows if r["Thao tác"] == "Sửa đơn vị" and r["Đối tượng"] == "Phường Đông Hà Mới")
    assert web["Kênh"] == "Giao diện web"
    assert web["Thay đổi"] == "Tên: Phường Đông Hà → Phường Đông Hà Mới"
    assert isinstance(web["Thời điểm"], dt.datetime)


def test_export_follows_the_filters(client: Client, world: World) -> None:
    rows = exported(client_for(client, world.admin).get(EXPORT, {"channel": "import"}))
    assert [r["Đối tượng"] for r in rows] == ["Thôn 3"]
    assert rows[0]["Thay đổi"] == "Số hộ: 200 → 250"


def test_export_never_writes_a_formula(client: Client, world: World) -> None:
    target = unit("T99003")
    do_create_unit(Actor(user=world.admin), code="KDC-FORMULA", name='=HYPERLINK("http://x","y")',
                   kind=Kind.RESIDENTIAL_AREA, parent=target)
    response = client_for(client, world.province_officer).get(EXPORT, {"unit": "KDC-FORMULA"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cell = sheet.cell(row=2, column=8)
    assert cell.value == '=HYPERLINK("http://x","y")' and cell.data_type == "s"


# --- append-only ---------------------------------------------------------------------------------------


def test_no_url_edits_or_deletes_entries(client: Client, world: World) -> None:
    patterns = [p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "audit"]
    names = {u.name for u in patterns[0].url_patterns if isinstance(u, URLPattern)}
    assert names == {"list", "export", "history"}
    client_for(client, world.admin)
    for url in (LIST, EXPORT, history_url(unit("T99002"))):
        assert client.post(url).status_code == 405
    assert AuditEntry.objects.filter(pk=world.web.pk).exists()


def test_admin_is_read_only(client: Client, world: World) -> None:
    superuser = User.objects.create_superuser("sieu", "sieu@example.vn", password=None)
    client_for(client, superuser)
    changelist = reverse("admin:audit_auditentry_changelist")
    assert client.get(changelist).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    change = reverse("admin:audit_auditentry_change", args=[world.web.pk])
    assert client.get(change).status_code == 200  # view only
    assert client.post(change, {"action": "hacked"}).status_code == 403
    assert client.get(reverse("admin:audit_auditentry_delete", args=[world.web.pk])).status_code == 403
    response = client.post(changelist, {"action": "delete_selected", "_selected_action": [world.web.pk]})
    assert response.status_code in (200, 302)
    world.web.refresh_from_db()
    assert world.web.action == "unit.update"


def test_model_refuses_update_and_delete(world: World) -> None:
    entry = AuditEntry.objects.get(pk=world.web.pk)
    entry.action = "unit.hacked"
    with pytest.raises(ImmutableEntry):
        entry.save()
    with pytest.raises(ImmutableEntry):
        entry.delete()
    with pytest.raises(ImmutableEntry):
        AuditEntry.objects.filter(pk=entry.pk).update(action="unit.hacked")
    with pytest.raises(ImmutableEntry):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "unit.update"


def test_bulk_create_and_user_removal_still_work(world: World) -> None:
    target = unit("T99003")
    before = AuditEntry.objects.count()
    record_many(Actor(user=world.commune_officer, channel=Channel.IMPORT), "unit.import",
                [(target, target, None, {"name": target.name})] * 3)
    assert AuditEntry.objects.count() == before + 3
    mine = list(AuditEntry.objects.filter(user=world.commune_officer).values_list("pk", flat=True))
    world.commune_officer.delete()  # the audit rows stay, without the person
    assert AuditEntry.objects.filter(pk__in=mine, user__isnull=True).count() == len(mine)


# --- performance ---------------------------------------------------------------------------------------


def _queries(client: Client, params: dict[str, Any]) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(LIST, params).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("persona", ["admin", "province_officer"])
def test_list_query_count_does_not_grow_with_rows(client: Client, world: World, persona: str,
                                                  django_assert_max_num_queries: Any) -> None:
    client_for(client, getattr(world, persona))
    params = {"unit": "T99001"}
    # 6, and for a scoped user the user's scopes (read once per request: accounts.access)
    pinned = 6 if persona == "admin" else 7
    with django_assert_max_num_queries(pinned):
        few = _queries(client, params)
    hamlet, old, new = unit("KDC-T99001-03"), unit("T99001"), unit("T99002")
    record_many(Actor(user=world.province_officer), "unit.update",
                [(hamlet, hamlet, {"parent_id": old.pk, "households": i}, {"parent_id": new.pk, "households": i + 1})
                 for i in range(120)])
    with django_assert_max_num_queries(pinned):
        many = _queries(client, params)
    assert many <= few + 1  # + the one query naming the units in the diffs
    html = client.get(LIST, params).content.decode()
    assert html.count('class="audit-entry"') == 50
    assert f"{old.name}" in html and "Đơn vị cấp trên" in html
