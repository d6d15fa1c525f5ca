"""``import successions`` (docs/interchange-successions.md): named changes of residential areas and organisations
from a file, one row per link old -> new (old code, new code, date, kind, weight; a new unit's name, a move's new
parent). Rows of one change are grouped: a merge by its day and new code, a split by its day and old code, a
rename or a move is one row. Each change runs through the named action of ``units.changes``; all or nothing: any
row's error and nothing is written."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import CaptureScope
from phongtrao.audit.actions import Actor
from phongtrao.lib.importing import (
    DryRunRollback,
    ImportKind,
    ImportResult,
    RowCells,
    RowError,
    open_table,
    register,
    resolve_unit,
    unit_not_found,
)
from phongtrao.lib.locks import REGISTER, serialise
from phongtrao.lib.tabular import Column
from phongtrao.lib.workflow import ActionError
from phongtrao.units.changes import CHANGE_KINDS, CHANGEABLE_KINDS, NewUnit, do_merge, do_move, do_rename, do_split
from phongtrao.units.models import Kind, Unit

COLUMNS = [
    Column("old_code", "Mã đơn vị cũ", required=True),
    Column("new_code", "Mã đơn vị mới", required=True),
    Column("date", "Ngày hiệu lực", required=True),
    Column("kind", "Hình thức", required=True),
    Column("weight", "Tỷ trọng"),
    Column("new_name", "Tên đơn vị mới"),
    Column("new_parent_code", "Mã đơn vị cấp trên mới"),
]
KIND_WORDS = {"merge": "merge", "sáp nhập": "merge", "split": "split", "chia tách": "split",
              "rename": "rename", "đổi tên": "rename", "move": "move", "chuyển": "move",
              "chuyển sang xã khác": "move"}


@dataclass
class Row:
    number: int
    old_code: str
    new_code: str
    day: dt.date
    kind: str
    weight: Decimal
    new_name: str
    new_parent_code: str


def _parse(number: int, raw: dict[str, str], errors: list[RowError]) -> Row | None:
    cells = RowCells(number, raw, errors)
    old_code = cells.text("old_code", 40, required=True)
    new_code = cells.text("new_code", 40, required=True)
    day = cells.day("date", required=True)
    kind_text = cells.text("kind", 40, required=True)
    kind = KIND_WORDS.get(kind_text.casefold())
    if kind_text and kind is None:
        cells.fail("kind", gettext("“%(value)s” không phải một hình thức: merge, split, rename, move (sáp nhập, "
                                   "chia tách, đổi tên, chuyển)") % {"value": kind_text})
    weight = Decimal(1)
    text = raw.get("weight", "").strip().replace(",", ".")
    if text:
        try:
            weight = Decimal(text)
        except InvalidOperation:
            weight = Decimal(-1)
        if not Decimal(0) < weight <= Decimal(1):
            cells.fail("weight", gettext("tỷ trọng là một số lớn hơn 0, không quá 1 (ví dụ 0,4)"))
    new_name = cells.text("new_name", 255)
    parent = cells.text("new_parent_code", 40)
    if cells.bad or day is None or kind is None:
        return None
    return Row(number, old_code, new_code, day, kind, weight, new_name, parent)


def import_successions(name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportResult:
    result, table = open_table("successions", name, data, COLUMNS, dry_run=dry_run)
    if table is None:
        return result
    errors: list[RowError] = []
    rows = [r for number, raw in table.rows if (r := _parse(number, raw, errors)) is not None]
    groups: dict[tuple[str, dt.date, str], list[Row]] = defaultdict(list)
    for row in rows:
        key = row.new_code if row.kind == "merge" else row.old_code
        groups[(row.kind, row.day, key)].append(row)
    try:
        with transaction.atomic():
            serialise(REGISTER)
            scope = CaptureScope(actor.user)
            candidates = Unit.objects.by_codes({r.old_code for r in rows} | {r.new_code for r in rows}
                                               | {r.new_parent_code for r in rows if r.new_parent_code})
            for (kind, day, _key), members in sorted(groups.items(), key=lambda g: g[1][0].number):
                _run(actor, kind, day, members, candidates, scope, errors, result)
            if errors or dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    errors.sort(key=lambda e: (e.row, e.column))
    result.errors = errors
    if errors:
        result.created, result.updated, result.preview = 0, 0, []
    return result


def _run(actor: Actor, kind: str, day: dt.date, rows: list[Row], candidates: dict[str, list[Unit]],
         scope: CaptureScope, errors: list[RowError], result: ImportResult) -> None:
    first = rows[0]
    last = day - dt.timedelta(days=1)
    olds: list[Unit] = []
    for row in rows:
        unit = resolve_unit(row.old_code, last, candidates, scope, row.number, errors, kinds=CHANGEABLE_KINDS)
        if unit is None:
            return
        if kind == "merge" or unit.pk not in {u.pk for u in olds}:
            olds.append(unit)
    try:
        with transaction.atomic():
            if kind == "merge":
                continuing = next((u for u in olds if u.code == first.new_code), None)
                new = None if continuing else NewUnit(first.new_code, first.new_name or olds[0].name)
                if new is not None and not first.new_name:
                    errors.append(RowError(first.number, "new_name", gettext(
                        "sáp nhập vào đơn vị mới: cần tên đơn vị mới")))
                    return
                change = do_merge(actor, [u.pk for u in olds], day=day, new=new,
                                  continuing_id=continuing.pk if continuing else None)
            elif kind == "split":
                missing = [r for r in rows if not r.new_name]
                if missing:
                    for r in missing:
                        errors.append(RowError(r.number, "new_name", gettext("chia tách: cần tên đơn vị mới")))
                    return
                change = do_split(actor, olds[0].pk, day=day,
                                  parts=[NewUnit(r.new_code, r.new_name, None, r.weight) for r in rows])
            elif len(rows) > 1:
                errors.append(RowError(rows[1].number, "old_code", gettext(
                    "mã “%(code)s” đã có ở dòng %(row)s cùng ngày") % {"code": first.old_code, "row": first.number}))
                return
            elif kind == "rename":
                change = do_rename(actor, olds[0].pk, day=day, name=first.new_name or olds[0].name,
                                   code=first.new_code)
            else:
                parent = _parent(first, day, candidates, scope, errors)
                if parent is None:
                    return
                change = do_move(actor, olds[0].pk, day=day, parent_id=parent.pk)
    except ActionError as exc:
        for field, messages in exc.errors.items():
            for message in messages:
                errors.append(RowError(first.number, field or "old_code", message))
        return
    result.created += len(change.opened)
    result.updated += len(change.closed)
    result.preview.append((first.number, str(CHANGE_KINDS[kind]), ", ".join(
        f"{u.code} → {o.code}" for u in change.closed for o in (change.opened or [
            next(x for x in olds if x.code == first.new_code)]))))
    result.warnings += change.notes


def _parent(row: Row, day: dt.date, candidates: dict[str, list[Unit]], scope: CaptureScope,
            errors: list[RowError]) -> Unit | None:
    if not row.new_parent_code:
        errors.append(RowError(row.number, "new_parent_code", gettext("chuyển: cần mã đơn vị cấp trên mới")))
        return None
    found = [u for u in candidates.get(row.new_parent_code, []) if u.is_valid_on(day) and u.pk in scope
             and u.kind in (Kind.COMMUNE, Kind.PROVINCE)]
    if len(found) != 1:
        errors.append(RowError(row.number, "new_parent_code", unit_not_found(row.new_parent_code, day, parent=True)))
        return None
    return found[0]


register(ImportKind(key="successions", label=gettext_lazy("Sáp nhập, chia tách, đổi tên, chuyển đơn vị"),
                    columns=COLUMNS, run=import_successions))
