"""Synthetic classifications for ``phongtrao generate``: the last generated year of every scored unit (the
commune itself, its generated residential areas and organisations ``SIM-…``), classified on the national scorecard
of its kind: the points per criterion, the totals and the level from the cut-offs, as the actions derive them.

One random stream per commune (``context.rng("classification", code)``), so a province run makes exactly that
province's share. Rows go in by ``lib.bulk.insert_rows`` (COPY on PostgreSQL, one prepared INSERT on SQLite) a
batch of communes at a time, without history or audit rows like the rest of the synthetic data; a second run
replaces what the first left for the same units and year.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from phongtrao.audit.history import history_maintenance
from phongtrao.classification.models import CARD_KIND_OF, SCORED_KINDS, Classification, Score, Scorecard, Status
from phongtrao.lib.bulk import insert_rows
from phongtrao.lib.periods import year_end
from phongtrao.units.models import Unit

if TYPE_CHECKING:
    from phongtrao.core.management.commands.generate import GenerateContext

CHUNK = 500  # communes per write batch
COLUMNS = ("unit_id", "year", "scorecard_id", "status", "self_points", "proposed_level", "points", "level",
           "submitted_on", "late", "classified_on", "returned_reason", "version", "created_at", "updated_at")


def _wipe(unit_ids: list[int], year: int) -> None:
    """What an earlier run left for these units and year (set-based DELETEs, with the histories)."""
    with history_maintenance(), connection.cursor() as cursor:
        for start in range(0, len(unit_ids), 900):
            part = unit_ids[start:start + 900]
            marks = ", ".join(["%s"] * len(part))
            ids = f"SELECT id FROM classification_classification WHERE year = %s AND unit_id IN ({marks})"  # noqa: S608
            cursor.execute(f"DELETE FROM classification_score WHERE classification_id IN ({ids})",  # noqa: S608
                           [year, *part])
            cursor.execute(f"DELETE FROM classification_classificationevent WHERE classification_id IN ({ids})",  # noqa: S608
                           [year, *part])
            cursor.execute(f"DELETE FROM classification_classification WHERE id IN ({ids})", [year, *part])  # noqa: S608


def generate_classifications(context: GenerateContext) -> dict[str, int]:
    year = context.years[-1]
    day = year_end(year)
    cards = {c.kind: c for c in Scorecard.objects.in_force(day).filter(province__isnull=True)
             .order_by("effective_from")}
    criteria = {kind: list(card.criteria.order_by("order").values_list("pk", "points")) for kind, card in cards.items()}
    now = timezone.now()
    counts = {"classifications": 0, "scores": 0}
    # Only a database that already holds the year's classifications (a second run) has anything to wipe; on a
    # fresh one the per-chunk DELETEs scanned the growing score table each time (minutes nationally on PostgreSQL).
    earlier = Classification.objects.filter(year=year).exists()
    for start in range(0, len(context.communes), CHUNK):
        chunk = context.communes[start:start + CHUNK]
        with transaction.atomic():
            units: dict[int, list[tuple[int, str]]] = {}
            for pk, parent_id, kind in (Unit.objects.filter(Q(parent__in=chunk, code__startswith="SIM-")
                                                            | Q(pk__in=[c.pk for c in chunk]))
                                        .filter(kind__in=SCORED_KINDS).valid_on(day)
                                        .order_by("code").values_list("pk", "parent_id", "kind")):
                units.setdefault(pk if kind == "commune" else parent_id, []).append((pk, kind))
            if earlier:
                _wipe([pk for listed in units.values() for pk, _ in listed], year)
            records: list[tuple[Any, ...]] = []
            points_of: dict[int, list[tuple[int, int]]] = {}
            for commune in chunk:
                rng = context.rng("classification", commune.code)
                for pk, kind in units.get(commune.pk, []):
                    card = cards.get(CARD_KIND_OF[kind])  # type: ignore[index]
                    if card is None:
                        continue
                    scores = [(cpk, max(0, min(p, round(p * rng.triangular(0.45, 1.0, 0.9)))))
                              for cpk, p in criteria[card.kind]]
                    total = sum(v for _, v in scores)
                    deadline = card.deadline(year)
                    late = rng.random() < 0.05
                    sent = deadline + dt.timedelta(days=rng.randint(0, 6)) if late else \
                        deadline - dt.timedelta(days=rng.randint(1, 40))
                    level = card.level_for(total)
                    records.append((pk, year, card.pk, Status.CLASSIFIED, total, level, total, level, sent, late,
                                    sent + dt.timedelta(days=rng.randint(5, 25)), "", 1, now, now))
                    points_of[pk] = scores
            insert_rows(Classification, COLUMNS, records)
            ids = dict(Classification.objects.filter(year=year, unit__in=list(points_of)).values_list("unit_id", "pk"))
            score_rows = [(ids[unit_id], cpk, value, None, "") for unit_id, scores in points_of.items()
                          for cpk, value in scores]
            insert_rows(Score, ("classification_id", "criterion_id", "self_points", "reviewed_points", "reason"),
                        score_rows)
        counts["classifications"] += len(records)
        counts["scores"] += len(score_rows)
    context.say(f"classification: {counts['classifications']} units classified in {year}")
    return counts
