"""The grassroots security force: teams per residential area with their size rule, the list of teams below it,
the yearly ratings and the 20% quota checked when a commune submits, the ``force_teams`` / ``force_ratings``
importers, the pages (search, filters, paging, Excel) and the ``forces`` section of ``report annual``.

The example province T99 (30 residential areas in 6 communes) is loaded once for the module, inside a transaction
rolled back at its end; expected figures are counted by hand-written SQL or from the rows the test wrote.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client

from phongtrao.accounts.actions import do_grant_scope
from phongtrao.accounts.models import Role, ScopeKind, User
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.forces.actions import (
    ActionError,
    RatingInput,
    StaleVersion,
    TeamData,
    do_add_province_rule,
    do_dissolve_team,
    do_establish_team,
    do_save_ratings,
    do_submit_ratings,
    do_update_team,
)
from phongtrao.forces.figures import build_forces_section, forces_blocks
from phongtrao.forces.models import RatingSheet, SheetStatus, SizeRule, Team, TeamEvent, TeamRating, TeamStatus
from phongtrao.forces.rules import quota, rating_period
from phongtrao.lib.importing import ImportResult, run_import
from phongtrao.reports.render.markdown import render_blocks
from phongtrao.units.models import Kind, Unit
from tests.conftest import PASSWORD, ensure_official_register, import_example_units

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
YEAR = 2025
DAY = dt.date(YEAR, 12, 31)
TEAMS_HEADER = ("unit_code,decision_no,decision_date,decision_signer,started_on,leaders,deputies,members,residents,"
                "dissolved_on,dissolution_decision_no\n")
RATINGS_HEADER = "unit_code,year,excellent,good,completed,not_completed,not_rated\n"


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, DAY).get()


def load(kind: str, text: str, actor: Actor = SYSTEM, *, dry_run: bool = False) -> ImportResult:
    return run_import(kind, f"{kind}.csv", text.encode("utf-8"), actor=actor, dry_run=dry_run)


def make(username: str, role: str, where: Unit) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, role=role, unit=where)
    do_grant_scope(SYSTEM, user, where, ScopeKind.CAPTURE)
    return user


def client(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """T99 with a team in every residential area but two (imported), 2025 ratings of two communes, three people."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_official_register()
        import_example_units()
        areas = list(Unit.objects.in_subtree(unit("T99")).of_kind(Kind.RESIDENTIAL_AREA).order_by("code"))
        lines = []
        for index, area in enumerate(areas[2:]):  # the first two areas have no team
            short = index % 7 == 0  # two members: below every rule
            residents = 3_000 if index % 5 == 1 else 1_000 + 10 * index  # some need 4 members
            lines.append(f"{area.code},{10 + index}/QĐ-UBND,2024-07-10,Nguyễn Văn A,2024-08-01,1,"
                         f"{0 if short else 1},{1 if short else 2},{residents},,")
        result = load("force_teams", TEAMS_HEADER + "\n".join(lines) + "\n")
        assert result.ok and result.created == len(areas) - 2, [str(e) for e in result.errors]
        province, commune = unit("T99"), unit("T99001")
        people = {"tinh": make("tinh-forces", Role.PROVINCE_OFFICER, province),
                  "xa": make("xa-forces", Role.COMMUNE_OFFICER, commune),
                  "other": make("xa-khac-forces", Role.COMMUNE_OFFICER, unit("T99002"))}
        yield {"areas": areas, "province": province, "commune": commune, **people}
        transaction.set_rollback(True)


def sql_one(query: str, params: list[Any]) -> Any:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchone()


# --- the size rules ----------------------------------------------------------------------------------


def test_seeded_rules_carry_their_basis_date_and_what_is_uncertain(world: dict[str, Any]) -> None:
    default = SizeRule.objects.get(is_default=True)
    flat = SizeRule.objects.get(code="co_dinh_khu_pho_ap")
    for rule in (default, flat):
        assert "30/2023/QH15" in rule.legal_basis and rule.uncertain and rule.effective_from == dt.date(2024, 7, 1)
    sizes = (100, 2700, 2701, 3600, 3601, 4500, 4501)
    assert [default.required(residents=n, households=None, subtype="thon") for n in sizes] == [3, 3, 4, 4, 5, 5, 6]
    assert default.required(residents=None, households=300, subtype="thon") is None  # no residents: unknown
    assert [flat.required(residents=None, households=None, subtype=s) for s in ("khu_pho", "ap", "thon")] == [5, 3, 3]
    assert quota().percent == 20 and quota().limit(9) == 1 and quota().broken(2, 9) and not quota().broken(1, 5)


def test_a_team_under_its_size_rule_is_listed(world: dict[str, Any]) -> None:
    expected = sql_one("SELECT COUNT(*) FROM forces_team t JOIN units_unitancestor a ON a.unit_id = t.unit_id "
                       "WHERE a.ancestor_id = %s AND t.status = 'active' AND t.required_members IS NOT NULL "
                       "AND t.leaders + t.deputies + t.members < t.required_members", [world["province"].pk])[0]
    assert expected >= 4  # the two-member teams, and three-member teams of areas of 3,000 residents
    page = client(world["tinh"]).get("/to-bao-ve-antt/duoi-quy-mo/")
    assert page.status_code == 200
    short = Team.objects.filter(unit__in=world["areas"]).filter(members=1, deputies=0).select_related("unit").first()
    assert short is not None and short.unit.name in page.content.decode()
    assert page.context["page"].paginator.count == expected
    assert build_forces_section(world["province"], YEAR)["below_rule"] == expected


def test_a_province_rule_derives_the_teams_sizes_again(world: dict[str, Any]) -> None:
    flat = SizeRule.objects.get(code="co_dinh_khu_pho_ap")
    with pytest.raises(ActionError):  # a commune officer does not set the province's rule
        do_add_province_rule(Actor(world["xa"]), world["province"], template=flat,
                             effective_from=dt.date(2025, 1, 1), legal_basis="NQ 01/2025/NQ-HĐND")
    do_add_province_rule(Actor(world["tinh"]), world["province"], template=flat,
                         effective_from=dt.date(2025, 1, 1), legal_basis="Nghị quyết 01/2025/NQ-HĐND tỉnh T99")
    khu_pho = Team.objects.filter(unit__subtype="khu_pho", status=TeamStatus.ACTIVE)
    assert khu_pho.exists() and set(khu_pho.values_list("required_members", flat=True)) == {5}
    assert set(Team.objects.filter(unit__subtype="thon").values_list("required_members", flat=True)) == {3}
    assert AuditEntry.objects.filter(action="force_rule.create").count() == 1


def test_a_province_sets_its_own_numbers_on_the_rules_page(world: dict[str, Any]) -> None:
    """The province officer adopts the residents' rule with the province's own numbers (up to 2.000 residents 4
    members, 2 more for each further 1.000 or part): the rule keeps its basis and date, the teams' required members
    follow (counted here from the residents), one audit row holds the numbers; a number out of range is refused on
    its field and nothing is saved."""
    residents_rule = SizeRule.objects.get(code="nhan_khau_2700_900")
    officer = client(world["tinh"])
    form = {"province": str(world["province"].pk), "template": str(residents_rule.pk), "effective_from": "01/02/2025",
            "legal_basis": "Nghị quyết 07/2025/NQ-HĐND tỉnh T99", "base_limit": "2000", "base_members": "4",
            "step": "1000", "step_members": "2"}
    refused = officer.post("/to-bao-ve-antt/quy-mo/", {**form, "base_members": "0"})
    assert refused.status_code == 200 and "is-invalid" in refused.content.decode()
    assert not SizeRule.objects.filter(province=world["province"]).exists()
    assert officer.post("/to-bao-ve-antt/quy-mo/", form).status_code == 302
    rule = SizeRule.objects.get(province=world["province"])
    assert (rule.base_limit, rule.base_members, rule.step, rule.step_members) == (2000, 4, 1000, 2)
    assert rule.legal_basis == form["legal_basis"] and rule.effective_from == dt.date(2025, 2, 1)
    assert "2.000 người 4 thành viên" in rule.name and "2 thành viên cho mỗi 1.000 người" in rule.name
    for team in Team.objects.filter(unit__in=world["areas"], status=TeamStatus.ACTIVE):
        r = team.residents
        wanted = None if r is None else 4 if r <= 2000 else 4 + 2 * ((r - 2000 + 999) // 1000)
        assert (team.size_rule_id, team.required_members) == (rule.pk, wanted), team.unit.name
    entry = AuditEntry.objects.get(action="force_rule.create")
    assert (entry.after["base_limit"], entry.after["step_members"], entry.after["legal_basis"]) == (
        2000, 2, form["legal_basis"])
    page = officer.get("/to-bao-ve-antt/quy-mo/").content.decode()
    assert rule.name in page and form["legal_basis"] in page


# --- teams ---------------------------------------------------------------------------------------------


def test_establish_edit_and_dissolve_through_the_page_and_the_workflow(world: dict[str, Any]) -> None:
    area = world["areas"][0]  # no team yet
    officer = client(world["xa"]) if area.parent_id == world["commune"].pk else client(world["tinh"])
    url = f"/to-bao-ve-antt/khu-dan-cu/{area.pk}/"
    form = {"decision_no": "5/QĐ-UBND", "decision_date": "01/08/2024", "decision_signer": "Lê Văn B",
            "started_on": "05/08/2024", "leaders": "1", "deputies": "1", "members": "3", "residents": "1200"}
    assert officer.post(url, form).status_code == 302
    team = Team.objects.get(unit=area, status=TeamStatus.ACTIVE)
    assert (team.total_members, team.required_members, team.version) == (5, 3, 1)
    again = officer.post(url, {**form, "members": "0", "deputies": "0", "version": "1"})
    assert again.status_code == 302
    team.refresh_from_db()
    assert (team.total_members, team.version) == (1, 2)
    with pytest.raises(StaleVersion):  # a form opened at version 1 does not overwrite version 2
        do_update_team(SYSTEM, team.pk, TeamData("5/QĐ-UBND", dt.date(2024, 8, 1), dt.date(2024, 8, 5), 1, 1, 1),
                       expected_version=1)
    with pytest.raises(ActionError, match="đã có tổ"):
        do_establish_team(SYSTEM, area, TeamData("6/QĐ-UBND", dt.date(2024, 9, 1), dt.date(2024, 9, 1), 1, 0, 2))
    do_dissolve_team(SYSTEM, team.pk, dissolved_on=dt.date(2025, 3, 1), decision_no="9/QĐ-UBND", expected_version=2)
    team.refresh_from_db()
    assert team.status == TeamStatus.DISSOLVED and team.dissolved_on == dt.date(2025, 3, 1)
    assert list(TeamEvent.objects.filter(team=team).values_list("action", flat=True)) == ["establish", "update",
                                                                                        "dissolve"]
    assert AuditEntry.objects.filter(object_type="forces.team", object_id=str(team.pk)).count() == 3


def test_an_officer_of_another_commune_cannot_see_or_change_the_team(world: dict[str, Any]) -> None:
    area = next(a for a in world["areas"] if a.parent_id == world["commune"].pk)
    other = client(world["other"])
    before = Team.objects.filter(unit=area).count()
    assert other.get(f"/to-bao-ve-antt/khu-dan-cu/{area.pk}/").status_code == 404
    assert other.post(f"/to-bao-ve-antt/khu-dan-cu/{area.pk}/", {"decision_no": "x"}).status_code == 404
    assert area.name not in other.get("/to-bao-ve-antt/").content.decode() or area.name in {
        a.name for a in world["areas"] if a.parent_id == world["other"].unit_id}
    assert Team.objects.filter(unit=area).count() == before
    with pytest.raises(ActionError):
        do_establish_team(Actor(world["other"]), area, TeamData("1/QĐ", dt.date(2024, 1, 1), dt.date(2024, 1, 1)))


def test_the_list_searches_filters_pages_and_exports(world: dict[str, Any]) -> None:
    officer = client(world["tinh"])
    everything = officer.get("/to-bao-ve-antt/")
    total = Team.objects.filter(unit__ancestor_links__ancestor=world["province"]).count()
    assert everything.context["page"].paginator.count == total
    area = world["areas"][5]
    found = officer.get("/to-bao-ve-antt/", {"q": area.code})
    assert [t.unit_id for t in found.context["page"]] == [area.pk]
    dissolved = officer.get("/to-bao-ve-antt/", {"status": "dissolved"}).context["page"].paginator.count
    assert dissolved == Team.objects.filter(status=TeamStatus.DISSOLVED).count()
    within = officer.get("/to-bao-ve-antt/", {"unit": world["commune"].pk}).context["page"].paginator.count
    assert within == Team.objects.filter(unit__parent=world["commune"]).count()
    export = officer.get("/to-bao-ve-antt/xuat-excel/", {"unit": world["commune"].pk})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + within


# --- ratings and the quota -----------------------------------------------------------------------------


def test_a_commune_submitting_ratings_that_break_the_quota_gets_a_violation_naming_the_team(
        world: dict[str, Any]) -> None:
    commune, officer = world["commune"], client(world["xa"])
    teams = list(Team.objects.filter(unit__parent=commune, status=TeamStatus.ACTIVE).select_related("unit")
                 .order_by("pk"))
    assert len(teams) >= 2
    url = f"/to-bao-ve-antt/xa/{commune.pk}/danh-gia/{YEAR}/"
    form: dict[str, str] = {}
    for index, team in enumerate(teams):
        # the first team: 2 "excellent" of 4 "good" (20% of 4 allows none); the others within the quota
        counts = (2, 2, 0, 0, 0) if index == 0 else (0, 2, team.total_members - 2, 0, 0)
        for name, value in zip(("excellent", "good", "completed", "not_completed", "not_rated"), counts, strict=True):
            form[f"r-{team.pk}-{name}"] = str(value)
        form[f"v-{team.pk}"] = "0"
    assert officer.post(url, form).status_code == 302
    sheet = RatingSheet.objects.get(commune=commune, year=YEAR)
    answer = officer.post(f"{url}gui/", {"version": str(sheet.version)}, follow=True)
    text = answer.content.decode()
    assert str(teams[0]) in text and "vượt quá 20%" in text and "30/2023/QH15" in text
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.OPEN
    with pytest.raises(ActionError) as refused:
        do_submit_ratings(Actor(world["xa"]), commune, YEAR, expected_version=sheet.version)
    assert str(teams[0]) in str(refused.value) and str(teams[1]) not in str(refused.value)
    # fixed: one "excellent" of five "good" is 20% exactly, allowed
    rating = TeamRating.objects.get(team=teams[0], year=YEAR)
    do_save_ratings(Actor(world["xa"]), commune, YEAR,
                    [RatingInput(teams[0], {"excellent": 1, "good": 5}, expected_version=rating.version)])
    sheet.refresh_from_db()
    do_submit_ratings(Actor(world["xa"]), commune, YEAR, expected_version=sheet.version)
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.SUBMITTED
    with pytest.raises(ActionError):  # submitted: locked until the level above returns it
        do_save_ratings(Actor(world["xa"]), commune, YEAR, [RatingInput(teams[1], {"good": 1})])
    with pytest.raises(ActionError):  # the commune does not return its own sheet
        from phongtrao.forces.actions import do_return_ratings

        do_return_ratings(Actor(world["xa"]), commune, YEAR, reason="x", expected_version=sheet.version)
    back = client(world["tinh"]).post(f"{url}tra-lai/", {"reason": "Bổ sung", "version": str(sheet.version)})
    assert back.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == SheetStatus.OPEN and sheet.returned_reason == "Bổ sung"


def test_a_stale_rating_is_refused(world: dict[str, Any]) -> None:
    commune = world["commune"]
    team = Team.objects.filter(unit__parent=commune, status=TeamStatus.ACTIVE).order_by("pk").first()
    assert team is not None
    do_save_ratings(SYSTEM, commune, YEAR - 1, [RatingInput(team, {"good": 2}, expected_version=0)])
    with pytest.raises(StaleVersion):
        do_save_ratings(SYSTEM, commune, YEAR - 1, [RatingInput(team, {"good": 3}, expected_version=0)])
    assert TeamRating.objects.get(team=team, year=YEAR - 1).good == 2


# --- importers -----------------------------------------------------------------------------------------


def test_bad_rows_are_refused_by_row_and_column_and_nothing_is_written(world: dict[str, Any]) -> None:
    area = world["areas"][1]  # no team
    teams_before, audit_before = Team.objects.count(), AuditEntry.objects.count()
    result = load("force_teams", TEAMS_HEADER
                  + f"{area.code},1/QĐ,2024-07-01,,2024-07-02,1,0,2,,,\n"
                  + "KHONG-CO,2/QĐ,2024-07-01,,2024-07-01,1,0,2,,,\n"
                  + f"{world['areas'][3].code},,2024-07-01,,2024-06-01,x,0,0,,,\n")
    lines = [str(e) for e in result.errors]
    assert any(line.startswith("row 3: unit_code:") and "KHONG-CO" in line for line in lines), lines
    assert any(line.startswith("row 4: decision_no:") for line in lines), lines
    assert any(line.startswith("row 4: leaders:") for line in lines), lines
    assert (Team.objects.count(), AuditEntry.objects.count()) == (teams_before, audit_before)


def test_importing_teams_again_changes_nothing_and_ratings_import_by_area(world: dict[str, Any]) -> None:
    area = next(a for a in world["areas"] if a.parent_id != world["commune"].pk
                and Team.objects.filter(unit=a, status=TeamStatus.ACTIVE).exists())
    team = Team.objects.get(unit=area, status=TeamStatus.ACTIVE)
    line = (f"{area.code},{team.decision_no},{team.decision_date},{team.decision_signer},{team.started_on},"
            f"{team.leaders},{team.deputies},{team.members},{team.residents},,\n")
    again = load("force_teams", TEAMS_HEADER + line)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 1)
    changed = load("force_teams", TEAMS_HEADER + line.replace(f",{team.members},{team.residents}",
                                                               f",{team.members + 2},{team.residents}"))
    assert changed.ok and changed.updated == 1
    team.refresh_from_db()
    assert team.version == 2 and TeamEvent.objects.filter(team=team, action="import", from_status="active").count() == 1
    rated = load("force_ratings", RATINGS_HEADER + f"{area.code},{YEAR},0,3,1,0,1\n")
    assert rated.ok and rated.created == 1, [str(e) for e in rated.errors]
    assert TeamRating.objects.get(team=team, year=YEAR).counts() == {
        "excellent": 0, "good": 3, "completed": 1, "not_completed": 0, "not_rated": 1}
    assert load("force_ratings", RATINGS_HEADER + f"{area.code},{YEAR},0,3,1,0,1\n").unchanged == 1
    outside = load("force_ratings", RATINGS_HEADER + f"{area.code},{YEAR},0,3,1,0,1\n",
                   Actor(world["xa"], "import"))
    assert not outside.ok and "không tìm thấy hoặc ngoài phạm vi" in str(outside.errors[0])


# --- report annual -------------------------------------------------------------------------------------


def test_report_annual_has_the_forces_section_with_independently_counted_figures(world: dict[str, Any]) -> None:
    province = world["province"]
    out = io.StringIO()
    call_command("report", "annual", "--unit", "T99", "--year", str(YEAR), stdout=out)
    section = json.loads(out.getvalue())["forces"]
    day = DAY.isoformat()
    active = ("FROM forces_team t JOIN units_unitancestor a ON a.unit_id = t.unit_id WHERE a.ancestor_id = %s "
              "AND t.started_on <= %s AND (t.dissolved_on IS NULL OR t.dissolved_on > %s)")
    teams, members, leaders = sql_one(f"SELECT COUNT(*), SUM(t.leaders + t.deputies + t.members), SUM(t.leaders) "
                                      f"{active}", [province.pk, day, day])
    areas, covered = sql_one(
        "SELECT COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM forces_team t WHERE t.unit_id = u.id "
        "AND t.started_on <= %s AND (t.dissolved_on IS NULL OR t.dissolved_on > %s)) THEN 1 ELSE 0 END) "
        "FROM units_unit u JOIN units_unitancestor a ON a.unit_id = u.id WHERE a.ancestor_id = %s "
        "AND u.kind = 'residential_area' AND (u.valid_from IS NULL OR u.valid_from <= %s) "
        "AND (u.valid_to IS NULL OR u.valid_to >= %s)", [day, day, province.pk, day, day])
    good, excellent, rated = sql_one(
        "SELECT SUM(r.good), SUM(r.excellent), COUNT(*) FROM forces_teamrating r "
        "JOIN forces_team t ON t.id = r.team_id "
        "JOIN units_unitancestor a ON a.unit_id = t.unit_id WHERE a.ancestor_id = %s AND r.year = %s",
        [province.pk, YEAR])
    assert (section["teams"], section["members"], section["members_by_position"]["leaders"]) == (teams, members,
                                                                                                  leaders)
    assert section["residential_areas"]["total"] == areas == len(world["areas"])
    assert section["residential_areas"]["covered"] == covered
    assert (section["ratings"]["good"], section["ratings"]["excellent"], section["ratings"]["teams_rated"]) == (
        good or 0, excellent or 0, rated)
    start, end = rating_period(YEAR)
    assert section["ratings"]["period"] == {"start": start.isoformat(), "end": end.isoformat()}
    md = io.StringIO()
    call_command("report", "annual", "--unit", "T99", "--year", str(YEAR), "--format", "md", stdout=md)
    text = md.getvalue()
    assert "## Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở" in text
    assert f"{covered}/{areas} khu dân cư" in text and render_blocks(forces_blocks(province, YEAR, section)) in text
    page = client(world["tinh"]).get(f"/antt/tinh/T99/{YEAR}/")
    assert page.status_code == 200 and 'id="forces-section"' in page.content.decode()
