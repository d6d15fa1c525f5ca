"""Demo data (``phongtrao demo``): the demo province's grassroots security force, through the bulk actions.

The demo's residential areas exist from 01/07/2025 (the reform), so their teams are established between July and
September 2025 (the Law is in force from 01/07/2024; the teams took over from the forces they replaced, so many
members are rated in 2025 already). Three years of the force's records: the establishing decisions of 2025, the
ratings of 2025 and 2026 (submitted, except the home commune's 2026 sheet, left open with one team over the
quota so that the officer sees the violation when submitting), and in 2026 a few teams dissolved. Most teams have
3–5 members; about one in ten has fewer than its size rule asks; a few areas have no team yet.
Idempotent: nothing is added when the demo areas already have teams.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.utils import timezone

from phongtrao.forces.actions import RatingInput, TeamData, do_dissolve_teams, do_establish_teams, do_record_ratings
from phongtrao.forces.models import Team
from phongtrao.forces.rules import quota, rating_period
from phongtrao.units.models import Kind, Unit

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext

ESTABLISHED = dt.date(2025, 7, 1)
NO_TEAM_SHARE, SHORT_SHARE, DISSOLVED_SHARE = 0.03, 0.1, 0.02


def team_data(rng: random.Random, area: Unit) -> TeamData:
    decided = ESTABLISHED + dt.timedelta(days=rng.randint(0, 75))
    started = decided + dt.timedelta(days=rng.randint(0, 14))
    households = area.households or 200
    residents = round(households * rng.uniform(3.3, 4.4))
    if rng.random() < 0.06:
        residents = rng.randint(2_800, 4_200)  # a large area: its rule asks for 4 or 5 members
    if rng.random() < SHORT_SHARE:
        deputies, members = 0, 1  # a member left and was not replaced: below the rule
    else:
        deputies, members = rng.choice((0, 1, 1)), rng.randint(1, 3)
    return TeamData(decision_no=f"{rng.randint(100, 999)}/QĐ-UBND", decision_date=decided, started_on=started,
                    leaders=1, deputies=deputies, members=members, residents=residents,
                    decision_signer=rng.choice(("Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Quang Vinh", "Phạm Đức Anh")))


def counts_for(rng: random.Random, team: Team, year: int, *, over_quota: bool = False) -> dict[str, int]:
    """A team's ratings of ``year``, within the quota unless ``over_quota``."""
    _start, end = rating_period(year)
    total = team.total_members
    months = (end.year - team.started_on.year) * 12 + end.month - team.started_on.month
    not_rated = rng.randint(0, min(1, total)) if months < 9 else 0
    rated = total - not_rated
    not_completed = 1 if rated > 2 and rng.random() < 0.05 else 0
    good = max(0, round((rated - not_completed) * rng.uniform(0.5, 0.8)))
    excellent = quota().limit(good)
    if over_quota:  # one "excellent" more than the quota allows, within the team's members
        good = max(1, min(good, rated - not_completed - 1))
        excellent = quota().limit(good) + 1
    completed = max(0, rated - not_completed - good - excellent)
    return {"excellent": excellent, "good": good, "completed": completed, "not_completed": not_completed,
            "not_rated": not_rated}


def add_demo_forces(context: DemoContext) -> None:
    areas = list(context.demo_units(Kind.RESIDENTIAL_AREA).select_related("parent"))
    if not areas:
        return
    if Team.objects.filter(unit__in=areas).exists():
        context.say("forces: teams already present")
        return
    rng = context.rng("forces")
    chosen = [(area, team_data(rng, area)) for area in areas if rng.random() >= NO_TEAM_SHARE]
    teams = do_establish_teams(context.actor, chosen)
    today = timezone.localdate()
    by_commune: dict[int, list[Team]] = {}
    for team in teams:
        by_commune.setdefault(team.unit.parent_id, []).append(team)  # type: ignore[arg-type]
    communes = {c.pk: c for c in context.communes}
    home = context.home_commune
    ratings = 0
    for year in (2025, 2026):
        _start, end = rating_period(year)
        if end > today:
            continue
        sheets = []
        for commune_id, listed in by_commune.items():
            open_sheet = commune_id == home.pk and year == 2026
            rows = [RatingInput(t, counts_for(rng, t, year, over_quota=open_sheet and index == 0))
                    for index, t in enumerate(listed) if t.started_on <= end]
            if rows:
                sheets.append((communes[commune_id], rows, not open_sheet))
        ratings += do_record_ratings(context.actor, year, sheets)
    dissolving = [t for t in teams if t.unit.parent_id != home.pk and rng.random() < DISSOLVED_SHARE]
    if today >= dt.date(2026, 3, 1):
        do_dissolve_teams(context.actor, [(t, dt.date(2026, rng.randint(1, 2), rng.randint(1, 28)),
                                           f"{rng.randint(100, 999)}/QĐ-UBND") for t in dissolving])
    context.add("force teams", len(teams))
    context.add("force ratings", ratings)
    context.say(f"forces: {len(teams)} teams, {ratings} team ratings, {len(dissolving)} teams dissolved")
