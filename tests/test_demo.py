"""``phongtrao demo``: realistic units under a real province's communes, one login per role, idempotent."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from phongtrao.accounts.models import Role, User
from phongtrao.core.demo import DEMO_DAY, DEMO_PASSWORD, LOGINS, select_communes
from phongtrao.units.models import ORGANISATION_KINDS, Kind, Source, Succession, Unit
from tests.conftest import ensure_official_register

pytestmark = pytest.mark.usefixtures("official_register")

SMALL = ("--communes", "6")


def demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def all_demo_units() -> Any:
    return Unit.objects.filter(source=Source.LOCAL, kind__in=(Kind.RESIDENTIAL_AREA, *ORGANISATION_KINDS))


def demo_units() -> Any:
    """The units of the current tree (the reform demo's pre-reform versions end on 30/06/2025)."""
    return all_demo_units().valid_on(DEMO_DAY)


def snapshot() -> list[tuple[Any, ...]]:
    # A carried-over unit has two versions with one code (before and after 01/07/2025): ordered by date too.
    return list(all_demo_units().order_by("code", "valid_from", "parent__code").values_list(
        "code", "name", "kind", "subtype", "parent__code", "managed_by", "size", "school_level",
        "armed_forces", "households", "subject_to_standard"))


def two_of_each_kind(communes: list[Unit]) -> list[Unit]:
    return [c for c in communes if c in [d for d in communes if d.subtype == c.subtype][:2]]


def test_every_commune_of_the_province_gets_residential_areas_and_organisations(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """By default the demo takes every commune of the province; each one it takes gets the same build,
    checked here on the first two of each kind (xã, phường, đặc khu): building all 94 takes a minute and
    checks nothing more."""
    selections: list[list[Unit]] = []

    def few_of_each_kind(province: Unit, limit: int | None = None) -> list[Unit]:
        selections.append(select_communes(province, limit))
        return two_of_each_kind(selections[-1])

    monkeypatch.setattr("phongtrao.core.demo.select_communes", few_of_each_kind)
    output = demo()
    province = Unit.objects.of_kind(Kind.PROVINCE).with_code("48", DEMO_DAY).get()
    communes = list(Unit.objects.in_subtree(province).of_kind(Kind.COMMUNE).valid_on(DEMO_DAY).order_by("code"))
    assert len(communes) == 94
    assert selections[0] == communes  # the command without --communes asked for all of them
    built = two_of_each_kind(communes)
    assert {c.subtype for c in built} == {c.subtype for c in communes} and len(built) < 10
    for commune in built:
        # The commune's own demo units (the reform's carried and merged units are tested in test_reform_demo.py).
        children = list(commune.children.filter(predecessor_links__isnull=True))
        areas = [u for u in children if u.kind == Kind.RESIDENTIAL_AREA]
        assert 4 <= len(areas) <= 12, commune.name
        assert {Kind.AGENCY, Kind.ENTERPRISE, Kind.SCHOOL} <= {u.kind for u in children}, commune.name
        word, subtype = ("Thôn ", "thon") if commune.subtype == "xa" else ("Tổ dân phố ", "to_dan_pho")
        for area in areas:
            assert area.name.startswith(word) and area.subtype == subtype
            assert 80 <= area.households <= 600
            assert re.fullmatch(rf"KDC-{commune.code}-\d\d", area.code)
        assert any(u.name == f"UBND {commune.name[0].lower()}{commune.name[1:]}" for u in children)
    units = demo_units().filter(predecessor_links__isnull=True, valid_from=DEMO_DAY)
    assert set(units.values_list("parent", flat=True)) == {c.pk for c in built}
    merged = set(units.filter(successor_links__kind="merge").values_list("pk", flat=True))
    assert len(merged) in (0, 3)  # from 01/03/2026 three areas of the second commune were merged into one
    assert all(u.valid_to is None or u.pk in merged for u in units)
    assert all(u.managed_by for u in units.filter(kind__in=ORGANISATION_KINDS))
    # The closure table knows them: they are in the province's subtree.
    assert Unit.objects.in_subtree(province).filter(pk__in=units).count() == units.count()
    assert "created" in output and "demo-antq-2025" in output


def seeded_snapshot(seed: str) -> list[tuple[Any, ...]]:
    """The demo units a seed gives, then undone (other apps' demo data refer to the units)."""
    with transaction.atomic():
        demo("--communes", "2", "--seed", seed)
        taken = snapshot()
        transaction.set_rollback(True)
    return taken


def test_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    first = seeded_snapshot("7")
    assert first and seeded_snapshot("7") == first
    assert seeded_snapshot("8") != first


def test_if_empty_does_nothing_when_users_exist(make_user: Any) -> None:
    make_user("someone")
    output = demo("--if-empty", *SMALL)
    assert "nothing done" in output
    assert not all_demo_units().exists()
    assert User.objects.count() == 1


def test_if_empty_builds_on_an_empty_database() -> None:
    demo("--if-empty", *SMALL)
    assert demo_units().exists() and User.objects.filter(username="tinh").exists()


def test_print_logins_lists_every_username_and_builds_nothing() -> None:
    output = demo("--print-logins")
    for login in LOGINS:
        assert re.search(rf"^{login.username}\s+{re.escape(DEMO_PASSWORD)}\s", output, re.MULTILINE)
    assert "Thành phố Đà Nẵng" in output
    assert not all_demo_units().exists() and not User.objects.exists()


def test_unknown_province_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="no current province with code '99'"):
        demo("--province", "99")


def test_another_province() -> None:
    demo("--province", "12", "--communes", "2")
    users = {u.username: u for u in User.objects.select_related("unit")}
    assert users["tinh"].unit.name == "Tỉnh Lai Châu"
    assert users["chutichtinh"].title == "Chủ tịch UBND tỉnh Lai Châu"
    current = demo_units().filter(valid_from=DEMO_DAY, predecessor_links__isnull=True)  # not the reform demo's
    assert current.values("parent").distinct().count() == 2


def test_without_the_official_register_it_asks_for_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("phongtrao.core.demo.register_loaded", lambda: False)
    with pytest.raises(CommandError, match="run `phongtrao setup` first"):
        demo()
    assert not all_demo_units().exists()


@pytest.fixture(scope="class")
def small_demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """One demo build (six communes) for the class below, inside a transaction rolled back after its last
    test; each test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_official_register()
        yield demo(*SMALL)
        transaction.set_rollback(True)


class TestOneSmallBuild:
    """What one build gives, read by several tests (building it costs seconds on each database)."""

    def test_organisations_inside_and_outside_the_antt_standard(self, small_demo: str) -> None:
        orgs = demo_units().filter(kind__in=ORGANISATION_KINDS)
        assert orgs.filter(subject_to_standard=True).exists()
        assert orgs.filter(kind=Kind.AGENCY, armed_forces=True, subject_to_standard=False).exists()
        assert orgs.filter(kind=Kind.ENTERPRISE, size__in=["micro", "small"], subject_to_standard=False).exists()
        assert orgs.filter(kind=Kind.ENTERPRISE, size__in=["medium", "large"], subject_to_standard=True).exists()
        assert orgs.filter(kind=Kind.SCHOOL, school_level__in=["mam_non", "tieu_hoc"],
                           subject_to_standard=False).exists()
        assert orgs.filter(kind=Kind.SCHOOL, school_level="thcs", subject_to_standard=True).exists()
        assert set(orgs.values_list("managed_by", flat=True)) == {"commune", "province"}
        assert orgs.filter(kind=Kind.AGENCY, code__regex=r"^CQ-\d{5}-\d\d$").exists()
        assert orgs.filter(kind=Kind.ENTERPRISE, name__startswith="Công ty").exists()
        assert orgs.filter(kind=Kind.SCHOOL, name__startswith="Trường THCS").exists()

    def test_one_login_per_role_with_a_working_password_and_a_sensible_home_unit(self, small_demo: str) -> None:
        users = {u.username: u for u in User.objects.select_related("unit")}
        assert set(users) == {login.username for login in LOGINS}
        assert {u.role for u in users.values()} == set(Role.values)
        for username, user in users.items():
            assert authenticate(username=username, password=DEMO_PASSWORD) == user
            assert user.get_full_name() and user.title
        validate_password(DEMO_PASSWORD, users["xem"])
        province, commune = users["tinh"].unit, users["xa"].unit
        assert users["admin"].unit is None and users["admin"].is_admin
        assert province.kind == Kind.PROVINCE and province.code == "48"
        assert commune.kind == Kind.COMMUNE and commune.parent == province
        assert users["coquan"].unit.parent == commune and users["coquan"].unit.subject_to_standard
        assert users["chutich"].unit == commune and users["chutich"].role == Role.APPROVER
        assert users["chutichtinh"].unit == province
        assert users["xem"].unit == province

    def test_running_again_adds_nothing(self, small_demo: str) -> None:
        before = (snapshot(), User.objects.count())
        output = demo(*SMALL)
        assert (snapshot(), User.objects.count()) == before
        assert "nothing added" in output

    def test_the_force_teams_ratings_and_one_open_sheet_over_the_quota(self, small_demo: str) -> None:
        from phongtrao.audit.models import AuditEntry
        from phongtrao.forces.actions import quota_violations
        from phongtrao.forces.models import RatingSheet, SheetStatus, Team, TeamRating, TeamStatus
        from phongtrao.forces.rules import current_rating_year

        areas = demo_units().filter(kind=Kind.RESIDENTIAL_AREA)
        teams = Team.objects.filter(unit__in=areas)
        assert 0.8 * areas.count() <= teams.count() <= areas.count()
        assert AuditEntry.objects.filter(action="force_team.establish").count() == teams.count()
        assert teams.filter(status=TeamStatus.ACTIVE).below_rule().exists()
        years = sorted(set(TeamRating.objects.values_list("year", flat=True)))
        assert years == list(range(2025, current_rating_year(timezone.localdate()) + 1))
        home = User.objects.get(username="xa").unit
        last = years[-1]
        open_sheet = RatingSheet.objects.get(commune=home, year=last)
        assert open_sheet.status == SheetStatus.OPEN
        assert quota_violations(list(open_sheet.ratings.select_related("team__unit")))
        others = RatingSheet.objects.exclude(pk=open_sheet.pk)
        assert others.exists() and set(others.values_list("status", flat=True)) == {SheetStatus.SUBMITTED}
        assert not quota_violations(list(TeamRating.objects.filter(sheet__in=others).select_related("team__unit")))

    def test_the_budget_years_through_the_actions(self, small_demo: str) -> None:
        from phongtrao.audit.models import AuditEntry
        from phongtrao.budget.models import BudgetLine, FundEntry, Spending

        province = User.objects.get(username="xem").unit
        assert province is not None
        this_year = timezone.localdate().year
        years = set(range(this_year - 2, this_year + 1))
        assert set(BudgetLine.objects.values_list("year", flat=True)) == years
        assert set(Spending.objects.values_list("year", flat=True)) == years
        assert AuditEntry.objects.filter(action="budget_line.save").count() == BudgetLine.objects.count()
        assert AuditEntry.objects.filter(action="spending.record").count() == Spending.objects.count()
        over = Spending.objects.filter(over_cap=True)
        assert over.exists() and not over.filter(override_reason="").exists()
        assert set(over.values_list("cap__code", flat=True)) == {"mo_hinh_20tr"}
        with connection.cursor() as cursor:  # every model within 20M a year but the entries saved over it
            cursor.execute("SELECT COUNT(*) FROM (SELECT model_id, year FROM budget_spending WHERE model_id IS NOT "
                           "NULL GROUP BY unit_id, model_id, year, category_id HAVING SUM(amount) > 20000000 AND "
                           "SUM(CASE WHEN over_cap THEN 1 ELSE 0 END) = 0) t")
            assert cursor.fetchone()[0] == 0
        assert FundEntry.objects.filter(province=province).count() >= 4 * 2 * 4

    def test_the_classification_years_at_their_stages(self, small_demo: str) -> None:
        from phongtrao.audit.models import AuditEntry
        from phongtrao.classification.models import Classification, ClassificationEvent, Score, Status

        home = User.objects.get(username="xa").unit
        assert home is not None
        rows = Classification.objects.all()
        this_year = timezone.localdate().year
        assert set(rows.values_list("year", flat=True)) == set(range(this_year - 2, this_year + 1))
        before = rows.filter(year__lt=2025)  # before the reform: the communes the selected ones succeeded
        assert set(before.values_list("unit__kind", flat=True)) <= {Kind.COMMUNE}
        assert not before.filter(unit__in=Unit.objects.valid_on(dt.date(2025, 12, 31))).exists()
        succeeded = Succession.objects.filter(successor__in=Classification.objects.filter(year=2025).values("unit"))
        assert set(before.values_list("unit", flat=True)) <= set(succeeded.values_list("predecessor", flat=True))
        earlier = rows.exclude(year=this_year)
        assert earlier.filter(status=Status.CLASSIFIED).count() >= 0.9 * earlier.count() > 0
        classified = rows.filter(status=Status.CLASSIFIED)
        for c in classified.select_related("scorecard")[:200]:  # the level is the one the cut-offs give
            assert c.level == c.scorecard.level_for(c.points)
        assert classified.filter(late=True).exists() and Score.objects.exclude(reason="").exists()
        mine = rows.filter(year=this_year, unit__in=Unit.objects.in_subtree(home))
        assert set(mine.values_list("status", flat=True)) <= {Status.SCORING, Status.SUBMITTED, Status.REVIEWED}
        assert mine.filter(status=Status.SCORING).exists() and mine.exclude(status=Status.SCORING).exists()
        assert ClassificationEvent.objects.count() == rows.count()
        assert AuditEntry.objects.filter(action__startswith="classification.").count() == rows.count()

    def test_demo_logins_are_scoped_to_their_home_units(self, small_demo: str) -> None:
        from phongtrao.accounts.access import can_change, visible_units

        xa = User.objects.get(username="xa")
        xem = User.objects.get(username="xem")
        assert xa.unit is not None and xem.unit is not None
        # The commune's subtree and (scopes follow history) the subtrees of every unit that preceded a unit
        # of it, through any number of successions: walked here with plain queries.
        mine = set(Unit.objects.in_subtree(xa.unit).values_list("pk", flat=True))
        before: set[int] = set()
        frontier = set(mine)
        while frontier:
            frontier = set(Succession.objects.filter(successor_id__in=frontier)
                           .values_list("predecessor_id", flat=True)) - before
            before |= frontier
        expected = set(mine)
        for pk in before:
            expected |= set(Unit.objects.in_subtree(Unit.objects.get(pk=pk)).values_list("pk", flat=True))
        assert set(visible_units(xa).values_list("pk", flat=True)) == expected
        assert before, "the demo carries the commune's pre-reform units over: it has predecessors"
        assert can_change(xa, xa.unit)
        assert not any(can_change(xa, u) for u in Unit.objects.filter(pk__in=before - mine)[:20])
        assert visible_units(xem).filter(pk=xa.unit.pk).exists()
        assert not can_change(xem, xa.unit)

