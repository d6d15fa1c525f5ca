"""``import recognitions`` (INTERCHANGE.md): yearly ANTT results, one row per unit and year.

Unit codes resolve as of 31 December of the row's year. A unit not subject to the
standard is an error. All-or-nothing: on any error nothing is written. Results set the
status directly (dat -> recognised, chua_dat -> not_recognised, empty -> registered)
through the cycle's "import" move (``RECOGNITIONS``, the same path as the pages) and append a
history row with source "import".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import CaptureScope
from phongtrao.audit.actions import Actor
from phongtrao.lib.importing import (
    ImportKind,
    ImportResult,
    RefusedRows,
    RowError,
    ambiguous_code,
    open_table,
    register,
    required_cell,
    too_long,
    unit_not_found,
    write_all_or_nothing,
)
from phongtrao.lib.locks import serialise
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR, year_end
from phongtrao.lib.tabular import CellError, Column, Table, parse_bool, parse_choice, parse_date, parse_int
from phongtrao.lib.workflow import ActionError, Move
from phongtrao.recognition.models import (
    IN_PROGRESS_STATUSES,
    RECOGNITIONS,
    EventSource,
    Recognition,
    Status,
)
from phongtrao.units.models import STANDARD_KINDS, Kind, Unit

COLUMNS = [
    Column("unit_code", "Mã đơn vị", required=True),
    Column("year", "Năm", required=True),
    Column("registered", "Đăng ký"),
    Column("households_committed", "Số hộ ký cam kết"),
    Column("result", "Kết quả"),
    Column("decision_no", "Số quyết định"),
    Column("decision_date", "Ngày quyết định"),
]
RESULT_WORDS = {"dat": "dat", "đạt": "dat", "chua_dat": "chua_dat", "chưa đạt": "chua_dat", "chua dat": "chua_dat"}
RESULT_STATUS = {"dat": Status.RECOGNISED, "chua_dat": Status.NOT_RECOGNISED}
MIN_YEAR, MAX_YEAR = FIRST_RECORD_YEAR, LAST_RECORD_YEAR


@dataclass
class Row:
    number: int
    code: str
    year: int
    registered: bool | None
    households: int | None
    result: str | None
    decision_no: str
    decision_date: dt.date | None
    unit: Unit | None = None

    @property
    def ref_date(self) -> dt.date:
        return year_end(self.year)


def _parse(number: int, raw: dict[str, str], errors: list[RowError]) -> Row | None:
    values: dict[str, Any] = {}
    bad = False

    def cell(key: str, parse: Any) -> None:
        nonlocal bad
        try:
            values[key] = parse(raw.get(key, ""))
        except CellError as exc:
            errors.append(RowError(number, key, str(exc)))
            bad = True

    code = raw.get("unit_code", "").strip()
    if not code:
        errors.append(RowError(number, "unit_code", required_cell()))
        bad = True
    if not raw.get("year", "").strip():
        errors.append(RowError(number, "year", required_cell()))
        bad = True
    else:
        cell("year", lambda t: parse_int(t, minimum=MIN_YEAR, maximum=MAX_YEAR))
    cell("registered", parse_bool)
    cell("households_committed", parse_int)
    cell("result", lambda t: parse_choice(t, RESULT_WORDS, gettext("kết quả")))
    cell("decision_date", parse_date)
    decision_no = raw.get("decision_no", "").strip()
    if len(decision_no) > 60:
        errors.append(RowError(number, "decision_no", too_long(60)))
        bad = True
    if bad:
        return None
    row = Row(number, code, values["year"], values["registered"], values["households_committed"],
              values["result"], decision_no, values["decision_date"])
    if row.result and row.registered is False:
        errors.append(RowError(number, "registered",
                               gettext("có kết quả thì phải là đã đăng ký (để trống hoặc “có”)")))
        return None
    return row


def _target(row: Row, existing: Recognition | None) -> dict[str, Any]:
    """The fields the row sets on the year's record."""
    if row.result:
        status: str = RESULT_STATUS[row.result]
    elif row.registered:
        # Empty result = not yet decided: keep a cycle already in progress where it is.
        status = existing.status if existing and existing.status in IN_PROGRESS_STATUSES else Status.REGISTERED
    else:
        status = Status.NOT_REGISTERED
    target = {
        "status": status,
        "registered_on": (existing.registered_on if existing else None) if status != Status.NOT_REGISTERED else None,
        "households_committed": row.households if row.households is not None
        else (existing.households_committed if existing else None),
        "decision_no": row.decision_no if row.result else "",
        "decision_date": row.decision_date if row.result else None,
    }
    return target


def import_recognitions(name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportResult:
    result, table = open_table("recognitions", name, data, COLUMNS, dry_run=dry_run)
    if table is None:
        return result
    with transaction.atomic():  # validate and write as one, one import of this kind at a time
        serialise("import:recognitions")
        return _import_recognitions(result, table, actor=actor, dry_run=dry_run)


def _import_recognitions(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    errors: list[RowError] = []
    rows = [r for number, raw in table.rows if (r := _parse(number, raw, errors)) is not None]
    candidates = Unit.objects.by_codes(r.code for r in rows)
    scope = CaptureScope(actor.user)  # the acting user may import only inside their capture scope
    seen: dict[tuple[int, int], int] = {}
    for row in rows:
        # Only units in the scope count: outside it reads exactly like an unknown code.
        valid = [u for u in candidates.get(row.code, []) if u.is_valid_on(row.ref_date) and u.pk in scope]
        if len(valid) > 1:  # a local code may repeat across kinds: prefer the kinds the standard applies to
            valid = [u for u in valid if u.kind in STANDARD_KINDS] or valid
        if not valid:
            errors.append(RowError(row.number, "unit_code", unit_not_found(row.code, row.ref_date)))
            continue
        if len(valid) > 1:
            errors.append(RowError(row.number, "unit_code", ambiguous_code(row.code, row.ref_date)))
            continue
        unit = valid[0]
        if not unit.subject_to_standard:
            errors.append(RowError(row.number, "unit_code",
                                   gettext("%(name)s (%(kind)s) không thuộc diện xét tiêu chuẩn “An toàn về an "
                                           "ninh, trật tự”") % {"name": unit.name, "kind": unit.get_kind_display()}))
            continue
        if row.households is not None:
            if unit.kind != Kind.RESIDENTIAL_AREA:
                errors.append(RowError(row.number, "households_committed", gettext("chỉ dùng cho khu dân cư")))
                continue
            if unit.households is not None and row.households > unit.households:
                errors.append(RowError(row.number, "households_committed",
                                       gettext("lớn hơn số hộ của khu dân cư (%(households)s)")
                                       % {"households": unit.households}))
                continue
        key = (unit.pk, row.year)
        if key in seen:
            errors.append(RowError(row.number, "unit_code",
                                   gettext("trùng với dòng %(row)s (cùng đơn vị và năm %(year)s)")
                                   % {"row": seen[key], "year": row.year}))
            continue
        seen[key] = row.number
        row.unit = unit
    return write_all_or_nothing(result, errors, dry_run, lambda: _write(*_plan(rows, result), actor))


Create = tuple[Row, Recognition]
Update = tuple[Row, Recognition, dict[str, Any], dict[str, Any]]  # row, record, changes, before


def _plan(rows: list[Row], result: ImportResult) -> tuple[list[Create], list[Update]]:
    """What each row changes, against the existing records (locked until the write commits)."""
    existing = _existing({(r.unit.pk, r.year) for r in rows if r.unit is not None})
    today = timezone.localdate()
    creates: list[Create] = []
    updates: list[Update] = []
    for row in rows:
        assert row.unit is not None
        old = existing.get((row.unit.pk, row.year))
        target = _target(row, old)
        if target["status"] != Status.NOT_REGISTERED and target["registered_on"] is None:
            target["registered_on"] = today
        if old is None:
            creates.append((row, Recognition(unit=row.unit, year=row.year, **target)))
            continue
        if all(getattr(old, k) == v for k, v in target.items()):
            result.unchanged += 1
            continue
        updates.append((row, old, target, old.snapshot()))
    result.created, result.updated = len(creates), len(updates)
    result.preview = sorted(
        [(row.number, "create", f"{row.code} {row.year}: {Status(rec.status).label}") for row, rec in creates]
        + [(row.number, "update", f"{row.code} {row.year}: {Status(target['status']).label}")
           for row, _, target, _ in updates]
    )
    return creates, updates


def _existing(keys: set[tuple[int, int]]) -> dict[tuple[int, int], Recognition]:
    """Existing records for (unit, year) pairs, locked for the write (one query per 900 units)."""
    unit_ids = sorted({u for u, _ in keys})
    found: dict[tuple[int, int], Recognition] = {}
    for start in range(0, len(unit_ids), 900):
        for rec in Recognition.objects.select_for_update().filter(unit_id__in=unit_ids[start:start + 900]):
            if (rec.unit_id, rec.year) in keys:
                found[(rec.unit_id, rec.year)] = rec
    return found


def _write(creates: list[Create], updates: list[Update], actor: Actor) -> None:
    """Through the cycle's "import" move: new records with their first event, changed ones checked against
    the version read (refused like a stale form), each with its event and audit row."""
    source = {"source": EventSource.IMPORT}
    RECOGNITIONS.created_many([rec for _, rec in creates], actor=actor, action="import",
                              event_fields=[{**source, "details": _details(row)} for row, _ in creates])
    try:
        RECOGNITIONS.move_many([Move(rec, "import", changes=target, before=before,
                                     event_fields={**source, "details": _details(row)})
                                for row, rec, target, before in updates], actor=actor)
    except ActionError as exc:
        raise RefusedRows(exc, [row.number for row, *_ in updates]) from exc


def _details(row: Row) -> dict[str, Any]:
    return {"import_row": row.number, "result": row.result or ""}


register(ImportKind(key="recognitions", label=gettext_lazy("Kết quả tiêu chuẩn ANTT"), columns=COLUMNS,
                    run=import_recognitions))
