"""``import budget_lines`` and ``import spending`` (docs/interchange-budget.md).

- ``budget_lines``: one row per unit, year, category and source: the estimate (dự toán) and the allocation, in whole
  VND. A row for a line that exists replaces its amounts (its version moves on); the same amounts again change
  nothing.
- ``spending``: one row per spending entry: the date, category, source, amount, what for, optionally the model it
  supports (its register code), the km of canvassing fuel or the visits it pays for, and the override reason. The
  caps are checked as on the page, each row counting the rows above it: a row over a cap without an override reason
  is an error naming the cap. A row equal to an entry already stored (unit, date, category, source, amount, what
  for) is unchanged, so importing a file twice adds nothing.

Units (a province, district or commune: its code resolved on 31 December of the year, or on the day of the entry)
must lie in the acting user's capture scope (outside reads like an unknown code). All-or-nothing per file, one
import of a kind at a time (``serialise``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import CaptureScope
from phongtrao.audit.actions import Actor
from phongtrao.budget.actions import (
    BUDGET_KINDS,
    MAX_AMOUNT,
    LineData,
    SpendingData,
    do_record_spendings,
    do_save_lines,
)
from phongtrao.budget.models import BudgetLine, Category, Source, Spending
from phongtrao.lib.importing import (
    ImportKind,
    ImportResult,
    RefusedRows,
    RowCells,
    RowError,
    open_table,
    register,
    resolve_unit,
    write_all_or_nothing,
)
from phongtrao.lib.locks import serialise
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR, year_end
from phongtrao.lib.tabular import Column, Table
from phongtrao.lib.workflow import ActionError
from phongtrao.models_registry.models import Model as MovementModel
from phongtrao.units.models import Unit

LINE_COLUMNS = [
    Column("unit_code", "Mã đơn vị", required=True),
    Column("year", "Năm", required=True),
    Column("category", "Mã nội dung chi", required=True),
    Column("source", "Mã nguồn kinh phí", required=True),
    Column("estimate", "Dự toán"),
    Column("allocated", "Được giao"),
    Column("note", "Ghi chú"),
]
SPENDING_COLUMNS = [
    Column("unit_code", "Mã đơn vị", required=True),
    Column("spent_on", "Ngày chi", required=True),
    Column("category", "Mã nội dung chi", required=True),
    Column("source", "Mã nguồn kinh phí", required=True),
    Column("amount", "Số tiền", required=True),
    Column("purpose", "Nội dung khoản chi", required=True),
    Column("model_code", "Mã mô hình"),
    Column("km", "Số km"),
    Column("visits", "Lượt thăm"),
    Column("override_reason", "Lý do vượt mức"),
]


class _Cells(RowCells):
    """A row's cells (``lib.importing.RowCells``) and this importer's own kinds of cell."""

    def pick(self, key: str, catalogue: dict[str, Any]) -> Any:
        code = self.text(key, 40, required=True)
        if code and code not in catalogue:
            self.fail(key, gettext("mã “%(code)s” không có trong danh mục (các mã: %(codes)s)")
                      % {"code": code, "codes": ", ".join(catalogue)})
        return catalogue.get(code)


def _catalogues() -> tuple[dict[str, Category], dict[str, Source]]:
    return {c.code: c for c in Category.objects.all()}, {s.code: s for s in Source.objects.all()}


def _resolve(code: str, day: dt.date, candidates: dict[str, list[Unit]], scope: CaptureScope, number: int,
             errors: list[RowError]) -> Unit | None:
    return resolve_unit(code, day, candidates, scope, number, errors, kinds=set(BUDGET_KINDS))


# --- budget_lines ---------------------------------------------------------------------------------


@dataclass
class LineRow:
    number: int
    code: str
    data: LineData
    unit: Unit | None = None


def import_budget_lines(name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportResult:
    result, table = open_table("budget_lines", name, data, LINE_COLUMNS, dry_run=dry_run)
    if table is None:
        return result
    with transaction.atomic():
        serialise("budget:lines")
        return _import_lines(result, table, actor=actor, dry_run=dry_run)


def _import_lines(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    errors: list[RowError] = []
    categories, sources = _catalogues()
    rows: list[LineRow] = []
    for number, raw in table.rows:
        cells = _Cells(number, raw, errors)
        code = cells.text("unit_code", 40, required=True)
        year = cells.integer("year", minimum=FIRST_RECORD_YEAR, maximum=LAST_RECORD_YEAR, required=True)
        category, source = cells.pick("category", categories), cells.pick("source", sources)
        estimate = cells.integer("estimate", minimum=0, maximum=MAX_AMOUNT) or 0
        allocated = cells.integer("allocated", minimum=0, maximum=MAX_AMOUNT) or 0
        note = cells.text("note", 255)
        if not cells.bad and year is not None:
            rows.append(LineRow(number, code, LineData(year, category, source, estimate, allocated, note)))
    candidates = Unit.objects.by_codes(r.code for r in rows)
    scope = CaptureScope(actor.user)
    seen: dict[tuple[int, int, int, int], int] = {}
    for row in rows:
        row.unit = _resolve(row.code, year_end(row.data.year), candidates, scope, row.number, errors)
        if row.unit is not None:
            key = (row.unit.pk, row.data.year, row.data.category.pk, row.data.source.pk)
            if key in seen:
                errors.append(RowError(row.number, "unit_code", gettext("trùng với dòng %(row)s") % {"row": seen[key]}))
            seen.setdefault(key, row.number)
    resolved = [r for r in rows if r.unit is not None]
    existing = {(ln.unit_id, ln.year, ln.category_id, ln.source_id): ln for ln in BudgetLine.objects.filter(
        unit__in={r.unit.pk for r in resolved if r.unit}, year__in={r.data.year for r in resolved})}
    for row in resolved:
        assert row.unit is not None
        old = existing.get((row.unit.pk, row.data.year, row.data.category.pk, row.data.source.pk))
        if old is None:
            result.created += 1
        elif (old.estimate, old.allocated, old.note) == (row.data.estimate, row.data.allocated, row.data.note):
            result.unchanged += 1
        else:
            result.updated += 1
    result.preview = [(r.number, "save", f"{r.code} {r.data.year} {r.data.category.code} {r.data.source.code}")
                      for r in resolved]

    def write() -> None:
        try:
            do_save_lines(Actor(user=actor.user, channel="import"), [(r.unit, r.data) for r in resolved if r.unit],
                          action="budget_line.import")
        except ActionError as exc:
            raise RefusedRows(exc, [r.number for r in resolved]) from exc

    return write_all_or_nothing(result, errors, dry_run, write)


# --- spending -------------------------------------------------------------------------------------


@dataclass
class SpendingRow:
    number: int
    code: str
    model_code: str
    data: SpendingData
    reason: str
    unit: Unit | None = None


def import_spending(name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportResult:
    result, table = open_table("spending", name, data, SPENDING_COLUMNS, dry_run=dry_run)
    if table is None:
        return result
    with transaction.atomic():
        serialise("budget:spending")
        return _import_spending(result, table, actor=actor, dry_run=dry_run)


def _import_spending(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    errors: list[RowError] = []
    categories, sources = _catalogues()
    rows: list[SpendingRow] = []
    for number, raw in table.rows:
        cells = _Cells(number, raw, errors)
        code = cells.text("unit_code", 40, required=True)
        day = cells.day("spent_on", required=True)
        category, source = cells.pick("category", categories), cells.pick("source", sources)
        amount = cells.integer("amount", minimum=1, maximum=MAX_AMOUNT, required=True)
        purpose = cells.text("purpose", 500, required=True)
        model_code = cells.text("model_code", 40)
        km = cells.integer("km", minimum=1, maximum=1_000_000)
        visits = cells.integer("visits", minimum=1, maximum=10_000)
        reason = cells.text("override_reason", 1000)
        if day is not None and not FIRST_RECORD_YEAR <= day.year <= LAST_RECORD_YEAR:
            cells.fail("spent_on", gettext("Ngày chi không hợp lệ."))
        if not cells.bad and day is not None and amount is not None:
            rows.append(SpendingRow(number, code, model_code, SpendingData(day, category, source, amount, purpose,
                                                                           km=km, visits=visits), reason))
    models = {m.code: m for m in MovementModel.objects.filter(code__in={r.model_code for r in rows if r.model_code})}
    candidates = Unit.objects.by_codes(r.code for r in rows)
    scope = CaptureScope(actor.user)
    for row in rows:
        row.unit = _resolve(row.code, row.data.spent_on, candidates, scope, row.number, errors)
        if row.model_code:
            row.data.model = models.get(row.model_code)
            if row.data.model is None:
                errors.append(RowError(row.number, "model_code", gettext("không tìm thấy mô hình mã “%(code)s”")
                                       % {"code": row.model_code}))
    resolved = [r for r in rows if r.unit is not None and (not r.model_code or r.data.model is not None)]
    stored = set(Spending.objects.filter(unit__in={r.unit.pk for r in resolved if r.unit},
                                         year__in={r.data.spent_on.year for r in resolved})
                 .values_list("unit_id", "spent_on", "category_id", "source_id", "amount", "purpose"))
    new: list[SpendingRow] = []
    for row in resolved:
        assert row.unit is not None
        key = (row.unit.pk, row.data.spent_on, row.data.category.pk, row.data.source.pk, row.data.amount,
               " ".join(row.data.purpose.split()))
        if key in stored:
            result.unchanged += 1
        else:
            stored.add(key)
            new.append(row)
    result.created = len(new)
    result.preview = [(r.number, "create", f"{r.code} {r.data.spent_on:%d/%m/%Y} {r.data.amount}") for r in new]

    def write() -> None:
        if not new:
            return
        try:
            do_record_spendings(Actor(user=actor.user, channel="import"),
                                [(r.unit, r.data, r.reason) for r in new if r.unit], action="spending.import")
        except ActionError as exc:
            raise RefusedRows(exc, [r.number for r in new]) from exc

    return write_all_or_nothing(result, errors, dry_run, write)


@dataclass(frozen=True)
class DescribedKind(ImportKind):
    """An import kind with its own description on the import pages (``imports.guide.description``)."""

    description: Any = ""


register(DescribedKind(
    key="budget_lines", label=gettext_lazy("Dự toán, kinh phí được giao"), columns=LINE_COLUMNS,
    run=import_budget_lines,
    description=gettext_lazy("Dự toán và kinh phí được giao (Thông tư 40/2023/TT-BTC): mỗi dòng một đơn vị, năm, "
                             "nội dung chi và nguồn, số tiền nguyên đồng. Dòng đã có thì thay số tiền.")))
register(DescribedKind(
    key="spending", label=gettext_lazy("Khoản chi phong trào"), columns=SPENDING_COLUMNS, run=import_spending,
    description=gettext_lazy("Các khoản chi: mỗi dòng một khoản (đơn vị, ngày chi, nội dung chi, nguồn, số tiền, "
                             "chi cho việc gì, mô hình, số km, số lượt thăm). Khoản vượt mức chi tối đa phải có lý "
                             "do chi vượt mức.")))
