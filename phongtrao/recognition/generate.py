"""Synthetic ANTT results for ``phongtrao generate`` (``RecognitionConfig.generate``, after the units' hook).

A result for every unit subject to the standard that the units' hook made, in each of the years, and for
the current communes; the pre-reform communes that became them get results for the years before 2025.
A commune's results continue its units' random stream (``context.streams``), so a province run makes
exactly that province's share of the national run. Plain multi-row INSERTs, without audit rows.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from phongtrao.lib.periods import year_end
from phongtrao.recognition.models import Recognition, Status
from phongtrao.units.generate import CHUNK, PREFIX, stream_key
from phongtrao.units.models import Kind, Unit
from phongtrao.units.official import REFORM_DATE

if TYPE_CHECKING:
    from phongtrao.core.management.commands.generate import GenerateContext


def generate_results(context: GenerateContext) -> dict[str, int]:
    years, total = context.years, 0
    for start in range(0, len(context.communes), CHUNK):
        chunk = context.communes[start:start + CHUNK]
        made: dict[int, list[Unit]] = {}
        for unit in (Unit.objects.filter(parent__in=chunk, code__startswith=PREFIX, subject_to_standard=True)
                     .only("pk", "kind", "households", "parent_id").order_by("pk")):  # the order they were made
            made.setdefault(unit.parent_id, []).append(unit)  # type: ignore[arg-type]
        rows: list[tuple[Any, ...]] = []
        for commune in chunk:
            pairs = [(u, y) for y in years for u in made.get(commune.pk, [])]
            pairs += [(commune, y) for y in years if commune.is_valid_on(year_end(y))]
            rows += _results(pairs, context.streams[stream_key(commune)], years[0])
        _insert_results(rows)
        total += len(rows)
    # The pre-reform communes that became these communes, for the years they existed.
    old_years = [y for y in years if year_end(y) < REFORM_DATE]
    if old_years:
        olds = list(Unit.objects.of_kind(Kind.COMMUNE).filter(valid_to__lt=REFORM_DATE,
                                                               successor_links__successor__in=context.communes)
                    .distinct().order_by("code"))
        old_rows: list[tuple[Any, ...]] = []
        for old in olds:
            rng = random.Random(f"{context.seed}:old:{old.code}")  # noqa: S311 - synthetic data, reproducible
            old_rows += _results([(old, y) for y in old_years if old.is_valid_on(year_end(y))], rng,
                                 years[0])
        _insert_results(old_rows)
        total += len(old_rows)
    return {"results": total}


RESULT_COLUMNS = ("unit_id", "year", "status", "registered_on", "households_committed", "decision_no",
                  "decision_date")
# The other columns get one constant value each (see ``_insert_results``).
CONSTANT_COLUMNS = ("answers", "checklist_met", "review_meeting_on", "submitted_on", "review_started_on",
                    "signer_name", "authority_level", "authority_id", "withdrawn_reason", "withdrawn_on",
                    "version", "created_at", "updated_at")


def _results(pairs: list[tuple[Unit, int]], rng: random.Random, first_year: int) -> list[tuple[Any, ...]]:
    """One year's outcome per (unit, year): most register, most of those pass, a few stay undecided."""
    rows = []
    number = 0
    for unit, year in pairs:
        if rng.random() >= 0.96:
            continue  # did not register
        chance = 0.80 + 0.02 * (year - first_year)
        roll = rng.random()
        if roll < 0.005:
            status, decided = Status.REGISTERED, False
        elif roll < chance:
            status, decided = Status.RECOGNISED, True
        else:
            status, decided = Status.NOT_RECOGNISED, False
        number += 1
        rows.append((
            unit.pk, year, status.value, dt.date(year, 3, 15),
            unit.households if unit.kind == Kind.RESIDENTIAL_AREA else None,
            f"{number}/QĐ-UBND" if decided else "", dt.date(year, 12, 15) if decided else None,
        ))
    return rows


def _insert_results(rows: list[tuple[Any, ...]]) -> None:
    """Plain multi-row INSERTs (the ORM's per-value preparation would dominate the run time)."""
    if not rows:
        return
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    constants = (ops.adapt_json_value([], None), None, None, None, None, "", "", None, "", None, 1, now, now)
    columns = ", ".join((*RESULT_COLUMNS, *CONSTANT_COLUMNS))
    marks = ", ".join(["%s"] * (len(RESULT_COLUMNS) + len(CONSTANT_COLUMNS)))
    sql = f"INSERT INTO {Recognition._meta.db_table} ({columns}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, [(*row, *constants) for row in rows[start:start + 5000]])
