"""Synthetic force data for ``phongtrao generate``: a team for about 97% of the generated residential areas
(``SIM-…``) of every commune in scope, and their ratings of the last generated year (submitted sheets).

One random stream per commune (``context.rng("forces", code)``), so a province run makes exactly that province's
share. Bulk-inserted without history or audit rows, like the rest of the synthetic data; the size rule is derived
as the actions derive it (``derive_sizes``). A second run replaces what the first left for the same areas.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q

from phongtrao.audit.history import history_maintenance
from phongtrao.forces.actions import derive_sizes
from phongtrao.forces.demo import counts_for
from phongtrao.forces.models import RatingSheet, SheetEvent, SheetStatus, Team, TeamEvent, TeamRating
from phongtrao.forces.rules import LAW_IN_FORCE, rating_period
from phongtrao.units.models import Kind, Unit

if TYPE_CHECKING:
    from phongtrao.core.management.commands.generate import GenerateContext

CHUNK = 300  # communes per write batch


def _wipe(commune_ids: list[int], area_ids: list[int]) -> None:
    teams = Team.objects.filter(unit__in=area_ids)
    sheets = RatingSheet.objects.filter(Q(commune__in=commune_ids) | Q(ratings__team__in=teams)).distinct()
    if not teams.exists() and not sheets.exists():
        return
    with history_maintenance():
        TeamRating.objects.filter(Q(team__in=teams) | Q(sheet__in=sheets)).delete()
        SheetEvent.objects.filter(sheet__in=sheets).delete()
        RatingSheet.objects.filter(pk__in=list(sheets.values_list("pk", flat=True))).delete()
        TeamEvent.objects.filter(team__in=teams).delete()
        teams.delete()


def generate_forces(context: GenerateContext) -> dict[str, int]:
    year = context.years[-1]
    _start, end = rating_period(year)
    counts = {"teams": 0, "ratings": 0}
    for start in range(0, len(context.communes), CHUNK):
        chunk = context.communes[start:start + CHUNK]
        areas: dict[int, list[Unit]] = {}
        for area in (Unit.objects.filter(parent__in=chunk, code__startswith="SIM-", kind=Kind.RESIDENTIAL_AREA)
                     .only("pk", "parent_id", "households", "subtype", "valid_from", "valid_to").order_by("code")):
            areas.setdefault(area.parent_id, []).append(area)  # type: ignore[arg-type]
        _wipe([c.pk for c in chunk], [a.pk for listed in areas.values() for a in listed])
        teams: list[Team] = []
        for commune in chunk:
            rng = context.rng("forces", commune.code)
            for area in areas.get(commune.pk, []):
                if rng.random() < 0.03 or (area.valid_to is not None and area.valid_to < end):
                    continue
                first = max(LAW_IN_FORCE, area.valid_from or LAW_IN_FORCE)
                started = first + dt.timedelta(days=rng.randint(0, 90))
                if started > end:
                    continue
                short = rng.random() < 0.1
                teams.append(Team(unit=area, decision_no=f"{rng.randint(100, 999)}/QĐ-UBND", decision_date=started,
                                  started_on=started, leaders=1, deputies=0 if short else rng.choice((0, 1, 1)),
                                  members=1 if short else rng.randint(1, 3),
                                  residents=round((area.households or 200) * rng.uniform(3.3, 4.4))))
        derive_sizes(teams)
        Team.objects.bulk_create(teams, batch_size=2000)
        sheets = {c.pk: RatingSheet(commune=c, year=year, status=SheetStatus.SUBMITTED) for c in chunk
                  if areas.get(c.pk)}
        RatingSheet.objects.bulk_create(list(sheets.values()), batch_size=2000)
        ratings = []
        for team in teams:
            rng = context.rng("forces", "rating", team.unit_id)
            ratings.append(TeamRating(sheet=sheets[team.unit.parent_id], team=team, year=year,  # type: ignore[index]
                                      **counts_for(rng, team, year)))
        TeamRating.objects.bulk_create(ratings, batch_size=2000)
        counts["teams"] += len(teams)
        counts["ratings"] += len(ratings)
    context.say(f"forces: {counts['teams']} teams, {counts['ratings']} ratings of {year}")
    return counts
