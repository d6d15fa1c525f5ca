"""``phongtrao generate`` adds the force through its hook: a team for most generated residential areas of the
province with its size rule derived, a submitted sheet per commune and a rating per team; deterministic, and the
``forces`` section reads them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from phongtrao.core.management.commands.generate import GenerateContext
from phongtrao.forces.figures import build_forces_section
from phongtrao.forces.generate import generate_forces
from phongtrao.forces.models import RatingSheet, SizeRule, Team, TeamRating
from phongtrao.forces.rules import quota
from phongtrao.units.models import Kind, Unit

pytestmark = pytest.mark.django_db


def _fingerprint() -> list[tuple[Any, ...]]:
    return list(TeamRating.objects.order_by("team__unit__code").values_list(
        "team__unit__code", "team__started_on", "team__total_members", "team__required_members", "excellent", "good",
        "completed", "not_completed", "not_rated"))


def test_a_team_and_a_rating_for_most_generated_areas(official_register: None) -> None:
    call_command("generate", "--scale", "province", "--province", "11", "--years", "1", "--end-year", "2025",
                 "--seed", "1", stdout=io.StringIO())
    province = Unit.objects.of_kind(Kind.PROVINCE).filter(code="11", valid_from__isnull=False).get()
    communes = Unit.objects.filter(parent=province, kind=Kind.COMMUNE)
    areas = Unit.objects.filter(parent__in=communes, kind=Kind.RESIDENTIAL_AREA, code__startswith="SIM-")
    teams = Team.objects.filter(unit__in=areas)
    assert 0.9 * areas.count() <= teams.count() < areas.count()
    default = SizeRule.objects.get(is_default=True)
    for team in teams.select_related("unit")[:50]:  # derived as the actions derive it
        assert team.size_rule_id == default.pk and team.total_members == team.leaders + team.deputies + team.members
        assert team.required_members == default.required(residents=team.residents, households=team.unit.households,
                                                         subtype=team.unit.subtype)
    assert TeamRating.objects.filter(year=2025).count() == teams.count()
    assert RatingSheet.objects.filter(year=2025, status="submitted").count() == communes.filter(
        children__code__startswith="SIM-").distinct().count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM forces_teamrating WHERE excellent * 100 > good * %s", [quota().percent])
        assert cursor.fetchone()[0] == 0  # within the quota
        cursor.execute("SELECT COUNT(*), SUM(leaders + deputies + members) FROM forces_team")
        count, members = cursor.fetchone()
    section = build_forces_section(province, 2025)
    assert (section["teams"], section["members"]) == (count, members)
    first = _fingerprint()
    generate_forces(GenerateContext(communes=list(communes.order_by("code")), years=[2025], seed=1,
                                    say=lambda _message: None))  # the same seed, the rows replaced
    assert _fingerprint() == first
