"""``import classifications`` (docs/interchange-classification.md): one row per unit and year with the points it
was classified at and, optionally, its level (empty: the level the points reach under the cut-offs of the unit's
scorecard; given: it must be that level). The unit's code resolves on 31 December of the year; it must be a unit
that is scored (residential area, commune, agency, enterprise, school) inside the acting user's capture scope.

A unit's year already classified at the same points and level is unchanged; any other record of that year is moved
to classified (``CLASSIFICATIONS.move_many``: version and status checked again under the lock); a unit without a
record gets one, classified. All-or-nothing per file, one import at a time (``serialise``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import CaptureScope
from phongtrao.audit.actions import Actor
from phongtrao.classification.actions import scorecard_for
from phongtrao.classification.models import CLASSIFICATIONS, SCORED_KINDS, TOTAL_POINTS, Classification, Level, Status
from phongtrao.lib.importing import (
    ImportKind,
    ImportResult,
    RefusedRows,
    RowError,
    open_table,
    register,
    required_cell,
    resolve_unit,
    write_all_or_nothing,
)
from phongtrao.lib.locks import serialise
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR, year_end
from phongtrao.lib.tabular import CellError, Column, Table, parse_int
from phongtrao.lib.vntext import fold
from phongtrao.lib.workflow import ActionError, Move
from phongtrao.units.models import Unit

COLUMNS = [
    Column("unit_code", "Mã đơn vị", required=True),
    Column("year", "Năm", required=True),
    Column("points", "Điểm", required=True),
    Column("level", "Xếp loại"),
]
# A level cell: its key or its Vietnamese name, with or without diacritics ("xuat sac", "Xuất sắc", "excellent").
LEVEL_NAMES = {fold(str(label)): value for value, label in Level.choices} | {value: value for value in Level.values}
LEVEL_NAMES |= {"xuat sac": Level.EXCELLENT, "kha": Level.GOOD, "trung binh": Level.AVERAGE, "yeu": Level.WEAK}


@dataclass
class Row:
    number: int
    code: str
    year: int
    points: int
    level: str
    unit: Unit | None = None


def _parse(number: int, raw: dict[str, str], errors: list[RowError]) -> Row | None:
    bad = False
    code = " ".join(raw.get("unit_code", "").split())
    if not code:
        errors.append(RowError(number, "unit_code", required_cell()))
        bad = True
    values: dict[str, int | None] = {}
    for key, low, high in (("year", FIRST_RECORD_YEAR, LAST_RECORD_YEAR), ("points", 0, TOTAL_POINTS)):
        try:
            values[key] = parse_int(raw.get(key, ""), minimum=low, maximum=high)
        except CellError as exc:
            errors.append(RowError(number, key, str(exc)))
            bad = True
            continue
        if values[key] is None:
            errors.append(RowError(number, key, required_cell()))
            bad = True
    text = fold(" ".join(raw.get("level", "").split()))
    level = LEVEL_NAMES.get(text, "") if text else ""
    if text and not level:
        errors.append(RowError(number, "level", gettext("xếp loại phải là Xuất sắc, Khá, Trung bình hoặc Yếu")))
        bad = True
    year, points = values.get("year"), values.get("points")
    if bad or year is None or points is None:
        return None
    return Row(number, code, year, points, level)


def import_classifications(name: str, data: bytes | IO[bytes], *, actor: Actor,
                           dry_run: bool = False) -> ImportResult:
    result, table = open_table("classifications", name, data, COLUMNS, dry_run=dry_run)
    if table is None:
        return result
    with transaction.atomic():
        serialise("classification:bulk")
        return _import(result, table, actor=actor, dry_run=dry_run)


def _import(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    errors: list[RowError] = []
    rows = [r for number, raw in table.rows if (r := _parse(number, raw, errors)) is not None]
    candidates = Unit.objects.by_codes(r.code for r in rows)
    scope = CaptureScope(actor.user)
    seen: dict[tuple[int, int], int] = {}
    cards: dict[tuple[int, int], Any] = {}
    for row in rows:
        day = year_end(row.year)
        unit = resolve_unit(row.code, day, candidates, scope, row.number, errors, kinds=SCORED_KINDS)
        if unit is None:
            continue
        key = (unit.pk, row.year)
        if key in seen:
            errors.append(RowError(row.number, "unit_code", gettext("trùng đơn vị và năm với dòng %(row)s")
                                   % {"row": seen[key]}))
            continue
        seen[key] = row.number
        card = cards.get(key) or scorecard_for(unit, row.year)
        if card is None:
            errors.append(RowError(row.number, "year", gettext("chưa có bảng điểm năm %(year)s cho đơn vị này")
                                   % {"year": row.year}))
            continue
        cards[key] = card
        expected = card.level_for(row.points)
        if row.level and row.level != expected:
            errors.append(RowError(row.number, "level", gettext(
                "%(points)s điểm được xếp loại %(expected)s theo bảng điểm (Xuất sắc từ %(excellent)s, Khá từ "
                "%(good)s, Trung bình từ %(average)s điểm)") % {
                "points": row.points, "expected": Level(expected).label, "excellent": card.excellent_from,
                "good": card.good_from, "average": card.average_from}))
            continue
        row.level, row.unit = expected, unit
    resolved = [r for r in rows if r.unit is not None]
    existing = {(c.unit_id, c.year): c for c in Classification.objects.select_for_update(of=("self",))
                .select_related("unit", "scorecard").filter(unit__in=[r.unit for r in resolved],
                                                            year__in={r.year for r in resolved})}
    new: list[Row] = []
    moves: list[tuple[Row, Move]] = []
    today = timezone.localdate()
    for row in resolved:
        assert row.unit is not None
        found = existing.get((row.unit.pk, row.year))
        if found is None:
            new.append(row)
        elif found.status == Status.CLASSIFIED and found.points == row.points and found.level == row.level:
            result.unchanged += 1
        else:
            moves.append((row, Move(found, "import", changes={"status": Status.CLASSIFIED, "points": row.points,
                                                              "level": row.level, "classified_on": today})))
    if not errors:
        result.created, result.updated = len(new), len(moves)
    result.preview = sorted([(r.number, "create", f"{r.code} {r.year}") for r in new]
                            + [(r.number, "update", f"{r.code} {r.year}") for r, _ in moves])

    def write() -> None:
        import_actor = Actor(user=actor.user, channel="import")
        CLASSIFICATIONS.created_many(
            [Classification(unit=r.unit, year=r.year, scorecard=cards[(r.unit.pk, r.year)],
                            status=Status.CLASSIFIED, self_points=r.points, points=r.points, level=r.level,
                            classified_on=today) for r in new if r.unit is not None],
            actor=import_actor, action="import")
        try:
            CLASSIFICATIONS.move_many([m for _, m in moves], actor=import_actor)
        except ActionError as exc:
            raise RefusedRows(exc, [r.number for r, _ in moves]) from exc

    return write_all_or_nothing(result, errors, dry_run, write)


@dataclass(frozen=True)
class DescribedKind(ImportKind):
    """An import kind with its own description on the import pages (``imports.guide.description``)."""

    description: Any = ""


register(DescribedKind(
    key="classifications", label=gettext_lazy("Xếp loại phong trào"), columns=COLUMNS, run=import_classifications,
    description=gettext_lazy("Kết quả xếp loại phong trào toàn dân bảo vệ ANTQ: mỗi dòng một đơn vị và năm, số điểm "
                             "và xếp loại (để trống thì tính theo mức điểm của bảng điểm).")))
