"""``phongtrao generate``: synthetic units and results on the real communes, deterministic per seed.

Runs the province scale on the smallest current province only (Lai Châu, 38 communes)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q

from phongtrao.audit.history import history_maintenance
from phongtrao.awards.models import AwardDecision, AwardRecipient
from phongtrao.core.management.commands.generate import PREFIX
from phongtrao.datasets.models import DataSetReport, DataValue, ReportEvent
from phongtrao.forces.models import RatingSheet, SheetEvent, Team, TeamEvent, TeamRating
from phongtrao.models_registry.models import Evaluation, Model, ModelEvent, Site
from phongtrao.recognition.models import Recognition, Status
from phongtrao.units.models import Kind, Unit, UnitAncestor

pytestmark = pytest.mark.django_db
PROVINCE = "12"
DAY = dt.date(2025, 12, 31)


def generate(seed: int = 7) -> str:
    out = io.StringIO()
    call_command("generate", "--scale", "province", "--province", PROVINCE, "--years", "2", "--end-year", "2025",
                 "--seed", str(seed), stdout=out)
    return out.getvalue()


def digest() -> str:
    rows = Recognition.objects.order_by("unit__code", "year").values_list("unit__code", "year", "status")
    units = Unit.objects.filter(code__startswith=PREFIX).order_by("code").values_list(
        "code", "name", "kind", "managed_by", "size", "school_level", "armed_forces", "households", "parent__code")
    return hashlib.sha256(repr((list(rows), list(units))).encode()).hexdigest()


def wipe() -> None:
    # Generated awards and models hold their units (award history is protected on purpose).
    with history_maintenance():  # model events are append-only (a trigger on PostgreSQL)
        AwardRecipient.objects.all().delete()
        AwardDecision.objects.all().delete()
        Evaluation.objects.all().delete()
        Site.objects.all().delete()
        ModelEvent.objects.all().delete()
        Model.objects.all().delete()
        Recognition.objects.all().delete()
        DataValue.objects.all().delete()
        ReportEvent.objects.all().delete()
        DataSetReport.objects.all().delete()
        TeamRating.objects.all().delete()
        SheetEvent.objects.all().delete()
        RatingSheet.objects.all().delete()
        TeamEvent.objects.all().delete()
        Team.objects.all().delete()
        from phongtrao.classification.models import Classification, ClassificationEvent

        ClassificationEvent.objects.all().delete()
        Classification.objects.all().delete()  # its scores go with it
        from phongtrao.budget.models import BudgetLine, FundEntry, Spending

        Spending.objects.all().delete()
        BudgetLine.objects.all().delete()
        FundEntry.objects.all().delete()
        Unit.objects.filter(code__startswith=PREFIX).delete()


def test_province_scale_counts_and_report(official_register: None) -> None:
    text = generate()
    assert "generated:" in text
    province = Unit.objects.with_code(PROVINCE, DAY).get()
    communes = Unit.objects.filter(parent=province, kind=Kind.COMMUNE)
    generated = Unit.objects.filter(code__startswith=PREFIX)
    areas = generated.filter(kind=Kind.RESIDENTIAL_AREA)
    assert 12 * 38 <= areas.count() <= 42 * 38
    per_commune = areas.values("parent").annotate(n=Count("pk"))
    assert len(per_commune) == communes.count() == 38
    organisations = generated.exclude(kind=Kind.RESIDENTIAL_AREA)
    assert 18 * 38 <= organisations.filter(subject_to_standard=True).count() <= 48 * 38
    assert 3 * 38 <= organisations.filter(subject_to_standard=False).count() <= 9 * 38
    # Closure rows: self, commune, province, country.
    assert UnitAncestor.objects.filter(unit__in=generated).count() == 4 * generated.count()
    assert Unit.objects.in_subtree(province).filter(code__startswith=PREFIX).count() == generated.count()
    # Results only for units subject to the standard; 2024 for the pre-reform communes.
    assert not Recognition.objects.filter(unit__subject_to_standard=False).exists()
    assert Recognition.objects.filter(year=2025, unit__kind=Kind.COMMUNE, unit__valid_to__isnull=False).count() == 0
    assert Recognition.objects.filter(year=2024, unit__kind=Kind.COMMUNE, unit__valid_to=dt.date(2025, 6, 30)).exists()
    assert Recognition.objects.filter(year=2025, status=Status.RECOGNISED).count() > \
        Recognition.objects.filter(year=2025, status=Status.NOT_RECOGNISED).count() > 0

    out = io.StringIO()
    call_command("report", "annual", "--unit", PROVINCE, "--year", "2025", stdout=out)
    figures = json.loads(out.getvalue())["recognition"]
    assert figures["residential_area"]["total"] == areas.count()
    assert figures["commune"]["total"] == 38
    assert figures["organisation"]["total"] == organisations.filter(subject_to_standard=True).count()
    assert figures["residential_area"]["recognised"] == Recognition.objects.filter(
        year=2025, status=Status.RECOGNISED, unit__kind=Kind.RESIDENTIAL_AREA).count()
    check_generated_forces(province, communes, areas)
    check_generated_classification(province, communes)
    check_generated_budget(province, communes)
    check_generated_plans(province, communes)


def check_generated_plans(province: Unit, communes: Any) -> None:
    """The plans' hook: the province's scheme with its objectives and tasks, a steering committee for the province
    and each commune (one or two compositions, the current one the newest, one head each); the section reads the
    committee; the same seed makes the same rows."""
    from phongtrao.core.management.commands.generate import GenerateContext
    from phongtrao.plans.figures import build_plans_section
    from phongtrao.plans.generate import OBJECTIVES, TASKS, generate_plans
    from phongtrao.plans.models import CommitteeMember, CommitteeVersion, Plan, SteeringCommittee

    scheme = Plan.objects.get(unit=province, number__startswith="SIM-")
    assert (scheme.objectives.count(), scheme.tasks.count()) == (len(OBJECTIVES), len(TASKS))
    committees = SteeringCommittee.objects.filter(unit__in=[province, *communes])
    assert committees.count() == communes.count() + 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM plans_steeringcommittee c WHERE c.version <> (SELECT MAX(v.number) "
                       "FROM plans_committeeversion v WHERE v.committee_id = c.id) OR c.current_id <> (SELECT v.id "
                       "FROM plans_committeeversion v WHERE v.committee_id = c.id ORDER BY v.number DESC LIMIT 1)")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT COUNT(*) FROM plans_committeeversion v WHERE (SELECT COUNT(*) FROM "
                       "plans_committeemember m JOIN plans_committeeposition p ON p.id = m.position_id WHERE "
                       "m.version_id = v.id AND p.code = 'truong_ban') <> 1")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT COUNT(*) FROM plans_committeemember m JOIN plans_committeeversion v ON v.id = "
                       "m.version_id JOIN plans_steeringcommittee c ON c.current_id = v.id WHERE c.unit_id = %s",
                       [province.pk])
        members = cursor.fetchone()[0]
    assert 7 <= members <= 9
    line = build_plans_section(province, 2025)["committee"]
    assert line is not None and line["members"] == members

    def fingerprint() -> list[Any]:
        return [list(CommitteeVersion.objects.order_by("committee__unit__code", "number").values_list(
            "committee__unit__code", "number", "decision_number", "decided_on")),
            CommitteeMember.objects.count(), list(scheme.tasks.order_by("number").values_list("status", flat=True))]

    first = fingerprint()
    generate_plans(GenerateContext(communes=list(communes.order_by("code")), years=[2024, 2025], seed=7,
                                   say=lambda _message: None))  # the hook again: its rows replaced, the same
    scheme = Plan.objects.get(unit=province, number__startswith="SIM-")
    assert fingerprint() == first


def check_generated_budget(province: Unit, communes: Any) -> None:
    """The money's hook: four lines and three entries per commune of the province, none over a cap (fuel at the
    km rate, a model's upkeep under 20M), the province's four quarters of fund income and spending; the section
    reads them; the same seed makes the same rows."""
    from phongtrao.budget.figures import build_budget_section
    from phongtrao.budget.generate import generate_budget
    from phongtrao.budget.models import BudgetLine, FundEntry, Spending
    from phongtrao.core.management.commands.generate import GenerateContext

    count = communes.count()
    assert BudgetLine.objects.filter(year=2025, unit__in=communes).count() == 4 * count
    assert Spending.objects.filter(year=2025, unit__in=communes).count() == 3 * count
    assert FundEntry.objects.filter(year=2025, province=province).count() == 16
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM budget_spending WHERE km IS NOT NULL AND amount > km * 12000")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT COALESCE(SUM(allocated), 0) FROM budget_budgetline WHERE year = 2025")
        allocated = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(SUM(CASE WHEN flow = 'income' THEN amount ELSE -amount END), 0) "
                       "FROM budget_fundentry WHERE year <= 2025 AND province_id = %s", [province.pk])
        balance = cursor.fetchone()[0]
    section = build_budget_section(province, 2025)
    assert (section["allocated"], section["fund"]["balance"]) == (allocated, balance)
    assert section["over_cap"]["entries"] == 0

    def fingerprint() -> list[Any]:
        return list(Spending.objects.order_by("unit__code", "spent_on", "amount").values_list(
            "unit__code", "spent_on", "category__code", "amount"))

    first = fingerprint()
    generate_budget(GenerateContext(communes=list(communes.order_by("code")), years=[2025], seed=7,
                                    say=lambda _message: None))  # the hook again: its rows replaced, the same
    assert fingerprint() == first


def check_generated_classification(province: Unit, communes: Any) -> None:
    """The classification's hook: every commune and generated scored unit classified in 2025 on the national
    scorecard of its kind, its points the sum of its criteria and its level the one the cut-offs give; the section
    reads them; the same seed makes the same rows."""
    from phongtrao.classification.figures import build_classification_section
    from phongtrao.classification.generate import generate_classifications
    from phongtrao.classification.models import SCORED_KINDS, Classification
    from phongtrao.core.management.commands.generate import GenerateContext

    scored = Unit.objects.filter(Q(code__startswith=PREFIX) | Q(pk__in=communes), kind__in=SCORED_KINDS).valid_on(DAY)
    rows = Classification.objects.filter(year=2025)
    assert rows.count() == scored.count() > 0 and set(rows.values_list("status", flat=True)) == {"classified"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM classification_classification c WHERE c.points <> "
                       "(SELECT SUM(s.self_points) FROM classification_score s WHERE s.classification_id = c.id)")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT COUNT(*) FROM classification_classification c JOIN classification_scorecard k "
                       "ON k.id = c.scorecard_id WHERE c.level <> CASE WHEN c.points >= k.excellent_from THEN "
                       "'excellent' WHEN c.points >= k.good_from THEN 'good' WHEN c.points >= k.average_from "
                       "THEN 'average' ELSE 'weak' END")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT level, COUNT(*) FROM classification_classification WHERE year = 2025 GROUP BY level")
        counted = dict(cursor.fetchall())
    section = build_classification_section(province, 2025)
    assert {k: v["count"] for k, v in section["levels"].items() if v["count"]} == counted

    def fingerprint() -> list[Any]:
        return list(rows.order_by("unit__code").values_list("unit__code", "points", "level", "late", "submitted_on"))

    first = fingerprint()
    generate_classifications(GenerateContext(communes=list(communes.order_by("code")), years=[2025], seed=7,
                                             say=lambda _message: None))
    assert fingerprint() == first


def check_generated_forces(province: Unit, communes: Any, areas: Any) -> None:
    """The force's hook: a team for most generated areas with its size rule derived as the actions derive it,
    a submitted sheet per commune, a rating per team within the quota; the section reads them; the same seed
    makes the same rows."""
    from phongtrao.core.management.commands.generate import GenerateContext
    from phongtrao.forces.figures import build_forces_section
    from phongtrao.forces.generate import generate_forces
    from phongtrao.forces.models import SizeRule
    from phongtrao.forces.rules import quota

    teams = Team.objects.filter(unit__in=areas)
    assert 0.9 * areas.count() <= teams.count() < areas.count()
    default = SizeRule.objects.get(is_default=True)
    for team in teams.select_related("unit")[:50]:
        assert team.size_rule_id == default.pk and team.total_members == team.leaders + team.deputies + team.members
        assert team.required_members == default.required(residents=team.residents, households=team.unit.households,
                                                         subtype=team.unit.subtype)
    assert TeamRating.objects.filter(year=2025).count() == teams.count()
    assert RatingSheet.objects.filter(year=2025, status="submitted").count() == communes.filter(
        children__code__startswith=PREFIX).distinct().count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM forces_teamrating WHERE excellent * 100 > good * %s", [quota().percent])
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT COUNT(*), SUM(leaders + deputies + members) FROM forces_team")
        count, members = cursor.fetchone()
    section = build_forces_section(province, 2025)
    assert (section["teams"], section["members"]) == (count, members)

    def fingerprint() -> list[Any]:
        return list(TeamRating.objects.order_by("team__unit__code").values_list(
            "team__unit__code", "team__started_on", "team__total_members", "team__required_members", "excellent",
            "good", "completed", "not_completed", "not_rated"))

    first = fingerprint()
    generate_forces(GenerateContext(communes=list(communes.order_by("code")), years=[2025], seed=7,
                                    say=lambda _message: None))  # the hook again: its rows replaced, the same
    assert fingerprint() == first


def test_same_seed_same_data(official_register: None) -> None:
    generate(seed=7)
    first = digest()
    with pytest.raises(CommandError, match="already present"):
        generate(seed=7)
    wipe()
    generate(seed=7)
    assert digest() == first
    wipe()
    generate(seed=8)
    assert digest() != first


def test_province_scale_needs_a_known_province(official_register: None) -> None:
    with pytest.raises(CommandError, match="needs --province"):
        call_command("generate", "--scale", "province", stdout=io.StringIO())
    with pytest.raises(CommandError, match="unknown province"):
        call_command("generate", "--scale", "province", "--province", "99", stdout=io.StringIO())
