"""Synthetic force data for ``phongtrao generate``: a team for about 97% of the generated residential areas
(``SIM-…``) of every commune in scope, and their ratings of the last generated year (submitted sheets).

One random stream per commune (``context.rng("forces", code)``), so a province run makes exactly that province's
share. Rows are inserted with plain ``executemany`` in batches (about 90,000 teams and ratings nationally: the
ORM's per-object cost would dominate), without history or audit rows like the rest of the synthetic data; each
team's size rule and required members are derived as the actions derive them (``rule_for`` / ``required_for``).
A second run replaces what the first left for the same areas.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from phongtrao.audit.history import history_maintenance
from phongtrao.forces.actions import provinces_of
from phongtrao.forces.models import RatingSheet, SheetStatus, SizeRule, Team, TeamRating
from phongtrao.forces.rules import LAW_IN_FORCE, quota, rating_period, rule_for
from phongtrao.units.models import Kind, Unit

if TYPE_CHECKING:
    from phongtrao.core.management.commands.generate import GenerateContext

CHUNK = 500  # communes per write batch


def _wipe(commune_ids: list[int], year: int) -> None:
    """What an earlier run left for these communes' generated areas, and their sheets of the year (with their
    histories): a few set-based DELETEs (the ORM's collector would load every row first)."""
    marks = ", ".join(["%s"] * len(commune_ids))
    teams = ("SELECT t.id FROM forces_team t JOIN units_unit u ON u.id = t.unit_id "  # noqa: S608 (placeholders)
             f"WHERE u.parent_id IN ({marks}) AND u.code LIKE 'SIM-%%'")
    sheets = f"SELECT id FROM forces_ratingsheet WHERE commune_id IN ({marks}) AND year = %s"  # noqa: S608
    with history_maintenance(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM forces_teamrating WHERE team_id IN ({teams}) OR sheet_id IN ({sheets})",  # noqa: S608
                       [*commune_ids, *commune_ids, year])
        cursor.execute(f"DELETE FROM forces_teamevent WHERE team_id IN ({teams})", commune_ids)  # noqa: S608
        cursor.execute(f"DELETE FROM forces_sheetevent WHERE sheet_id IN ({sheets})", [*commune_ids, year])  # noqa: S608
        cursor.execute(f"DELETE FROM forces_ratingsheet WHERE id IN ({sheets})", [*commune_ids, year])  # noqa: S608
        cursor.execute(f"DELETE FROM forces_team WHERE id IN ({teams})", commune_ids)  # noqa: S608


def _counts(rng: Any, total: int, started: dt.date, end: dt.date, limit_percent: int) -> tuple[int, ...]:
    """A team's ratings (excellent, good, completed, not completed, not rated), within the quota."""
    months = (end.year - started.year) * 12 + end.month - started.month
    not_rated = rng.randint(0, min(1, total)) if months < 9 else 0
    rated = total - not_rated
    not_completed = 1 if rated > 2 and rng.random() < 0.05 else 0
    good = max(0, round((rated - not_completed) * rng.uniform(0.5, 0.8)))
    excellent = good * limit_percent // 100
    return excellent, good, max(0, rated - not_completed - good - excellent), not_completed, not_rated


def _insert(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 (names are ours)
                               rows[start:start + 5000])


TEAM_COLUMNS = ("unit_id", "decision_no", "decision_date", "decision_signer", "started_on", "leaders", "deputies",
                "members", "residents", "total_members", "size_rule_id", "required_members", "status",
                "dissolution_decision_no", "version", "created_at", "updated_at")
RATING_COLUMNS = ("sheet_id", "team_id", "year", "excellent", "good", "completed", "not_completed", "not_rated",
                  "version", "updated_at")


def generate_forces(context: GenerateContext) -> dict[str, int]:
    year = context.years[-1]
    _start, end = rating_period(year)
    rules = list(SizeRule.objects.in_force(end))
    percent = quota().percent
    now = timezone.now()
    counts = {"teams": 0, "ratings": 0}
    for start in range(0, len(context.communes), CHUNK):
        chunk = context.communes[start:start + CHUNK]
        with transaction.atomic():
            areas: dict[int, list[tuple[Any, ...]]] = {}
            for row in (Unit.objects.filter(parent__in=chunk, code__startswith="SIM-", kind=Kind.RESIDENTIAL_AREA)
                        .order_by("code").values_list("pk", "parent_id", "households", "subtype", "valid_from",
                                                      "valid_to")):
                areas.setdefault(row[1], []).append(row)
            commune_ids = [c.pk for c in chunk]
            _wipe(commune_ids, year)
            provinces = provinces_of(set(commune_ids))
            teams: list[tuple[Any, ...]] = []
            ratings: dict[int, tuple[int, tuple[int, ...]]] = {}  # area -> (commune, counts)
            for commune in chunk:
                rng = context.rng("forces", commune.code)
                for area_id, _parent, households, subtype, valid_from, valid_to in areas.get(commune.pk, []):
                    if rng.random() < 0.03 or (valid_to is not None and valid_to < end):
                        continue
                    first = max(LAW_IN_FORCE, valid_from or LAW_IN_FORCE)
                    started = first + dt.timedelta(days=rng.randint(0, 90))
                    if started > end:
                        continue
                    short = rng.random() < 0.1
                    deputies, members = (0, 1) if short else (rng.choice((0, 1, 1)), rng.randint(1, 3))
                    total = 1 + deputies + members
                    residents = round((households or 200) * rng.uniform(3.3, 4.4))
                    rule = rule_for(provinces.get(commune.pk), end, rules)
                    required = rule.required(residents=residents, households=households, subtype=subtype) \
                        if rule else None
                    teams.append((area_id, f"{rng.randint(100, 999)}/QĐ-UBND", started, "", started, 1, deputies,
                                  members, residents, total, rule.pk if rule else None, required, "active", "", 1,
                                  now, now))
                    ratings[area_id] = (commune.pk, _counts(rng, total, started, end, percent))
            _insert(Team._meta.db_table, TEAM_COLUMNS, teams)
            _insert(RatingSheet._meta.db_table, ("commune_id", "year", "status", "submitted_at", "returned_reason",
                                                 "version", "created_at", "updated_at"),
                    [(pk, year, SheetStatus.SUBMITTED, now, "", 1, now, now) for pk in sorted({c for c, _ in
                                                                                         ratings.values()})])
            sheet_ids = dict(RatingSheet.objects.filter(commune__in=commune_ids, year=year)
                             .values_list("commune_id", "pk"))
            team_ids = dict(Team.objects.filter(unit__parent__in=commune_ids, unit__code__startswith="SIM-")
                            .values_list("unit_id", "pk"))
            _insert(TeamRating._meta.db_table, RATING_COLUMNS,
                    [(sheet_ids[commune_id], team_ids[area_id], year, *numbers, 1, now)
                     for area_id, (commune_id, numbers) in ratings.items()])
        counts["teams"] += len(teams)
        counts["ratings"] += len(ratings)
    context.say(f"forces: {counts['teams']} teams, {counts['ratings']} ratings of {year}")
    return counts
