"""Steering committees (Ban Chỉ đạo): constituted, then re-constituted as a NEW version (the old one untouched),
a stale re-constitution refused, the rules of a composition, permissions and audit, the meetings count from the
data element, the committee line of the ``plans`` section (expected values by hand-written SQL), the pages
(list with search / filter / sort / paging / Excel, detail, constitute and re-constitute forms) and the API.

Two officers re-constituting at once: tests/test_plans_concurrency.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client

from phongtrao.accounts.models import Role, User
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.workflow import ActionError, AppendOnlyError, StaleVersion
from phongtrao.plans.committees import CompositionData, MemberData, do_constitute, do_reconstitute, meetings
from phongtrao.plans.figures import build_plans_section
from phongtrao.plans.models import CommitteePosition, CommitteeVersion, Organisation, SteeringCommittee
from phongtrao.units.models import Kind, Unit
from tests.conftest import PASSWORD, ensure_official_register, import_example_units
from tests.test_plans import make, save, unit

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
YEAR = 2025


def client(user: User) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)
    return c


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_official_register()
        import_example_units()
        province = unit("T99")
        communes = list(Unit.objects.in_subtree(province).of_kind(Kind.COMMUNE).order_by("code"))
        people = {"tinh": make("tinh-bcd", Role.PROVINCE_OFFICER, province),
                  "xa": make("xa-bcd", Role.COMMUNE_OFFICER, communes[0]),
                  "xem": make("xem-bcd", Role.VIEWER, province)}
        yield {"province": province, "communes": communes, **people}
        transaction.set_rollback(True)


def position(code: str) -> CommitteePosition:
    return CommitteePosition.objects.get(code=code)


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code, province__isnull=True)


def composition(number: str, day: dt.date, *extra: tuple[str, str, str]) -> CompositionData:
    seats = [("truong_ban", "Chủ tịch UBND", "so_ban_nganh"), ("pho_truong_ban_thuong_truc", "Trưởng Công an",
                                                               "cong_an"),
             ("thanh_vien", "Chủ tịch Ủy ban MTTQ", "mttq"), *extra]
    return CompositionData(number, day, "Ủy ban nhân dân", [MemberData(org(o), position(p), t) for p, t, o in seats])


def sql_members(committee: SteeringCommittee, number: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM plans_committeemember m JOIN plans_committeeversion v ON v.id = "
                       "m.version_id WHERE v.committee_id = %s AND v.number = %s", [committee.pk, number])
        return int(cursor.fetchone()[0])


def test_the_positions_are_seeded(world: dict[str, Any]) -> None:
    assert list(CommitteePosition.objects.values_list("code", flat=True)) == [
        "truong_ban", "pho_truong_ban_thuong_truc", "pho_truong_ban", "thanh_vien"]


def test_reconstitution_is_a_new_version_and_a_stale_one_is_refused(world: dict[str, Any]) -> None:
    commune = world["communes"][1]
    committee = do_constitute(Actor(world["tinh"]), commune, composition("5/QĐ-UBND", dt.date(2023, 2, 1)))
    assert committee.version == 1 and committee.name.startswith("Ban Chỉ đạo")
    first = committee.current
    assert first is not None and sql_members(committee, 1) == 3
    second = do_reconstitute(Actor(world["tinh"]), committee.pk, composition(
        "9/QĐ-UBND", dt.date(2024, 1, 10), ("thanh_vien", "Chủ tịch Hội Nông dân", "hoi_nong_dan")),
        expected_version=1)
    committee.refresh_from_db()
    assert (committee.version, committee.current_id, second.number) == (2, second.pk, 2)
    assert sql_members(committee, 1) == 3 and sql_members(committee, 2) == 4  # the old composition is kept
    old = CommitteeVersion.objects.get(pk=first.pk)
    assert old.decision_number == "5/QĐ-UBND"
    with pytest.raises(AppendOnlyError):
        old.save()
    with pytest.raises(StaleVersion):  # read at version 1, someone re-constituted since
        do_reconstitute(Actor(world["tinh"]), committee.pk, composition("10/QĐ-UBND", dt.date(2024, 6, 1)),
                        expected_version=1)
    with pytest.raises(ActionError) as refused:  # dated before the current decision
        do_reconstitute(Actor(world["tinh"]), committee.pk, composition("11/QĐ-UBND", dt.date(2023, 6, 1)),
                        expected_version=2)
    assert "decided_on" in refused.value.errors
    assert CommitteeVersion.objects.filter(committee=committee).count() == 2
    actions = list(AuditEntry.objects.filter(object_type="plans.committeeversion", object_id__in=[
        str(first.pk), str(second.pk)]).order_by("pk").values_list("action", flat=True))
    assert actions == ["steering_committee.constitute", "steering_committee.reconstitute"]
    with pytest.raises(ActionError):  # one committee per unit
        do_constitute(SYSTEM, commune, composition("6/QĐ-UBND", dt.date(2023, 3, 1)))


def test_a_composition_has_one_head_titles_and_the_right_organisations(world: dict[str, Any]) -> None:
    commune = world["communes"][2]
    no_head = CompositionData("1/QĐ", dt.date(2024, 1, 1), "UBND", [
        MemberData(org("cong_an"), position("thanh_vien"), "Trưởng Công an")])
    two_heads = composition("1/QĐ", dt.date(2024, 1, 1), ("truong_ban", "Bí thư", "mttq"))
    untitled = composition("1/QĐ", dt.date(2024, 1, 1), ("thanh_vien", "   ", "hoi_ccb"))
    other = Organisation.objects.create(code="x_t98", name="Của tỉnh khác",
                                        province=Unit.objects.exclude(pk=world["province"].pk)
                                        .filter(kind=Kind.PROVINCE).first() or world["communes"][0])
    foreign = composition("1/QĐ", dt.date(2024, 1, 1))
    foreign.members = [*foreign.members, MemberData(other, position("thanh_vien"), "Thành viên")]
    blank = CompositionData(" ", dt.date(2024, 1, 1), "", [])
    for data in (no_head, two_heads, untitled, foreign, blank):
        with pytest.raises(ActionError):
            do_constitute(SYSTEM, commune, data)
    area = Unit.objects.filter(parent=commune, kind=Kind.RESIDENTIAL_AREA).first()
    assert area is not None
    with pytest.raises(ActionError):  # not at a residential area
        do_constitute(SYSTEM, area, composition("1/QĐ", dt.date(2024, 1, 1)))
    assert not SteeringCommittee.objects.filter(unit__in=[commune, area]).exists()


def test_who_may_constitute(world: dict[str, Any]) -> None:
    with pytest.raises(ActionError):  # a commune officer: not the province's committee
        do_constitute(Actor(world["xa"]), world["province"], composition("1/QĐ", dt.date(2024, 1, 1)))
    with pytest.raises(ActionError):  # a viewer: nothing
        do_constitute(Actor(world["xem"]), world["communes"][0], composition("1/QĐ", dt.date(2024, 1, 1)))
    mine = do_constitute(Actor(world["xa"]), world["communes"][0], composition("1/QĐ-UBND", dt.date(2024, 1, 1)))
    assert mine.unit == world["communes"][0]


def test_meetings_and_the_report_line_as_counted_by_hand(world: dict[str, Any]) -> None:
    commune = world["communes"][3]
    committee = do_constitute(SYSTEM, commune, composition("3/QĐ-UBND", dt.date(2024, 3, 1)))
    do_reconstitute(SYSTEM, committee.pk, composition("4/QĐ-UBND", dt.date(YEAR, 2, 1), (
        "thanh_vien", "Chủ tịch Hội Cựu chiến binh", "hoi_ccb"), ("pho_truong_ban", "Phó Chủ tịch UBND",
                                                                    "so_ban_nganh")),
        expected_version=1)
    save(commune.code, "hop_ban_chi_dao", 4)
    with connection.cursor() as cursor:
        cursor.execute("SELECT SUM(v.value) FROM datasets_datavalue v JOIN datasets_dataelement e ON e.id = "
                       "v.element_id WHERE e.code = 'hop_ban_chi_dao' AND v.unit_id = %s AND v.period = %s",
                       [commune.pk, str(YEAR)])
        held = Decimal(cursor.fetchone()[0])
    assert held == 4
    assert meetings(committee, [YEAR - 1, YEAR]) == {YEAR: held}
    line = build_plans_section(commune, YEAR)["committee"]
    assert line["version"] == 2 and line["members"] == sql_members(committee, 2) == 5
    assert line["decided_on"] == f"{YEAR}-02-01" and line["meetings"] == 4
    assert "được kiện toàn theo Quyết định số 4/QĐ-UBND ngày 01/02/2025" in line["sentence"]
    assert "gồm 5 thành viên" in line["sentence"] and "họp 4 cuộc" in line["sentence"]
    before = build_plans_section(commune, 2024)["committee"]  # the year before: the first composition
    assert before["version"] == 1 and before["members"] == sql_members(committee, 1) == 3
    assert before["meetings"] is None and "được thành lập" in before["sentence"]
    assert build_plans_section(commune, 2023)["committee"] is None
    assert build_plans_section(world["communes"][4], YEAR)["committee"] is None


def test_pages_list_constitute_reconstitute_and_show_the_history(world: dict[str, Any]) -> None:
    c = client(world["tinh"])
    commune = world["communes"][5]
    assert c.get("/ke-hoach/ban-chi-dao/moi/").status_code == 200
    ids = {p.code: p.pk for p in CommitteePosition.objects.all()}
    rows = {"m0-organisation": org("so_ban_nganh").pk, "m0-position": ids["truong_ban"], "m0-title": "Chủ tịch UBND",
            "m1-organisation": org("cong_an").pk, "m1-position": ids["thanh_vien"], "m1-title": "Trưởng Công an xã",
            "m1-name": "Nguyễn Văn A"}
    page = c.post("/ke-hoach/ban-chi-dao/moi/", {"unit_code": commune.code, "decision_number": "12/QĐ-UBND",
                                                  "decided_on": "15/02/2024", "issuer": "UBND xã", **rows})
    committee = SteeringCommittee.objects.get(unit=commune)
    assert page.status_code == 302 and committee.version == 1
    half = c.post(f"/ke-hoach/ban-chi-dao/{committee.pk}/kien-toan/", {
        "decision_number": "2/QĐ-UBND", "decided_on": "10/01/2025", "issuer": "UBND xã", "version": 1, **rows,
        "m2-title": "Thiếu cơ quan"})
    assert half.status_code == 200 and "Mỗi dòng thành viên" in half.content.decode()
    form = c.get(f"/ke-hoach/ban-chi-dao/{committee.pk}/kien-toan/").content.decode()
    assert "Nguyễn Văn A" in form  # the current members prefill the form
    page = c.post(f"/ke-hoach/ban-chi-dao/{committee.pk}/kien-toan/", {
        "decision_number": "2/QĐ-UBND", "decided_on": "10/01/2025", "issuer": "UBND xã", "version": 1, **rows,
        "m2-organisation": org("hoi_lhpn").pk, "m2-position": ids["thanh_vien"], "m2-title": "Chủ tịch Hội LHPN"})
    assert page.status_code == 302
    stale = c.post(f"/ke-hoach/ban-chi-dao/{committee.pk}/kien-toan/", {
        "decision_number": "3/QĐ-UBND", "decided_on": "11/01/2025", "issuer": "UBND xã", "version": 1, **rows})
    assert stale.status_code == 200 and "vừa được người khác kiện toàn" in stale.content.decode()
    committee.refresh_from_db()
    assert committee.version == 2
    text = c.get(f"/ke-hoach/ban-chi-dao/{committee.pk}/").content.decode()
    assert "2/QĐ-UBND" in text and "12/QĐ-UBND" in text and "Chủ tịch Hội LHPN" in text
    listed = c.get("/ke-hoach/ban-chi-dao/?q=2%2FQĐ-UBND&level=commune&sort=decided")
    assert committee in list(listed.context["page"])
    assert c.get("/ke-hoach/ban-chi-dao/?level=province").context["page"].paginator.count == (
        SteeringCommittee.objects.filter(unit__kind=Kind.PROVINCE, unit=world["province"]).count())
    assert c.get("/ke-hoach/ban-chi-dao/?level=zz&sort=zz&page=x").status_code == 200  # no 500 on input
    export = c.get("/ke-hoach/ban-chi-dao/xuat-excel/?level=commune")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    viewer = client(world["xem"])
    assert viewer.get(f"/ke-hoach/ban-chi-dao/{committee.pk}/").status_code == 200
    assert viewer.get(f"/ke-hoach/ban-chi-dao/{committee.pk}/kien-toan/").status_code == 403
    assert viewer.get("/ke-hoach/ban-chi-dao/moi/").status_code == 403
    other = client(world["xa"])  # another commune's officer does not see it
    assert other.get(f"/ke-hoach/ban-chi-dao/{committee.pk}/").status_code == 404
    api = c.get(f"/api/v1/steering-committees/{committee.pk}")
    assert api.status_code == 200, api.content
    body = api.json()
    assert body["version"] == 2 and len(body["members"]) == 3 and [v["number"] for v in body["history"]] == [2, 1]
    assert c.get("/api/v1/steering-committees?level=commune").json()["count"] >= 1
    assert other.get(f"/api/v1/steering-committees/{committee.pk}").status_code == 404
