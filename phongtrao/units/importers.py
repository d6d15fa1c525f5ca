"""``import units`` (INTERCHANGE.md): CSV/XLSX, English or Vietnamese headers, rows in any order,
codes resolved by date, all-or-nothing with row-numbered errors."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import CaptureScope
from phongtrao.audit.actions import Actor, record_many
from phongtrao.lib.bulk import insert_rows
from phongtrao.lib.importing import (
    DryRunRollback,
    ImportKind,
    ImportResult,
    RowError,
    ambiguous_code,
    code_taken,
    open_table,
    register,
    required_cell,
    too_long,
    unit_not_found,
    waiting_rows,
)
from phongtrao.lib.locks import REGISTER, serialise
from phongtrao.lib.tabular import (
    CellError,
    Column,
    Table,
    parse_bool,
    parse_choice,
    parse_date,
    parse_int,
)
from phongtrao.units.actions import reparent_subtree, snapshot, validate_unit
from phongtrao.units.models import (
    ALLOWED_PARENT_KINDS,
    EnterpriseSize,
    Exclusions,
    Kind,
    ManagingLevel,
    SchoolLevel,
    Unit,
    add_closure,
)

COLUMNS = [
    Column("code", "Mã", required=True),
    Column("name", "Tên", required=True),
    Column("kind", "Loại", required=True),
    Column("parent_code", "Mã đơn vị cấp trên"),
    Column("subtype", "Loại hình"),
    Column("managed_by", "Cấp quản lý"),
    Column("size", "Quy mô"),
    Column("school_level", "Cấp học"),
    Column("armed_forces", "Thuộc lực lượng vũ trang"),
    Column("households", "Số hộ"),
    Column("valid_from", "Hiệu lực từ"),
    Column("valid_to", "Hiệu lực đến"),
]
ROOT_CODE = "VN"


def _choice_words(choices: Any) -> dict[str, str]:
    words = {}
    with translation.override("vi"):  # a file's cells hold the Vietnamese labels, whatever the UI language
        for value, label in choices.choices:
            words[value.casefold()] = value
            words[str(label).casefold()] = value
    return words


KIND_WORDS = _choice_words(Kind)
LEVEL_WORDS = _choice_words(ManagingLevel)
SIZE_WORDS = _choice_words(EnterpriseSize)
SCHOOL_WORDS = _choice_words(SchoolLevel)


@dataclass(slots=True)  # one per row of the file: no per-instance __dict__
class PlannedRow:
    row: int
    values: dict[str, Any]
    given: set[str]
    ref_date: dt.date
    parent_code: str
    existing: Unit | None = None
    unit: Unit | None = None
    parent_row: PlannedRow | None = None
    children: list[PlannedRow] = field(default_factory=list)


def _parse_row(number: int, raw: dict[str, str], errors: list[RowError], today: dt.date) -> PlannedRow | None:
    values: dict[str, Any] = {}
    bad = False

    def cell(key: str, parse: Any) -> None:
        nonlocal bad
        text = raw.get(key, "")
        if not text or text.isspace():  # every parser reads an empty cell as "not given"
            return
        try:
            value = parse(text)
        except CellError as exc:
            errors.append(RowError(number, key, str(exc)))
            bad = True
            return
        if value is not None and value != "":
            values[key] = value

    for key in ("code", "name"):
        if not raw.get(key, "").strip():
            errors.append(RowError(number, key, required_cell()))
            bad = True
        else:
            values[key] = " ".join(raw[key].split()) if key == "name" else raw[key].strip()
            model_field = Unit._meta.get_field(key)
            assert isinstance(model_field, models.Field)  # code and name are CharFields, not relations
            limit = model_field.max_length or 0
            if len(values[key]) > limit:
                errors.append(RowError(number, key, too_long(limit)))
                bad = True
    if not raw.get("kind", "").strip():
        errors.append(RowError(number, "kind", required_cell()))
        bad = True
    else:
        # The usual case without translating the label a refusal would name.
        cell("kind", lambda t: KIND_WORDS.get(t.strip().casefold())
             or parse_choice(t, KIND_WORDS, gettext("loại đơn vị")))
    cell("managed_by", lambda t: parse_choice(t, LEVEL_WORDS, gettext("cấp quản lý")))
    cell("size", lambda t: parse_choice(t, SIZE_WORDS, gettext("quy mô")))
    cell("school_level", lambda t: parse_choice(t, SCHOOL_WORDS, gettext("cấp học")))
    cell("armed_forces", parse_bool)
    cell("households", parse_int)
    cell("valid_from", parse_date)
    cell("valid_to", parse_date)
    if raw.get("subtype", "").strip():
        values["subtype"] = raw["subtype"].strip()[:40]
    if bad:
        return None
    ref = values.get("valid_from") or values.get("valid_to") or today
    return PlannedRow(number, values, set(values), ref, raw.get("parent_code", "").strip())


def _covers(valid_from: dt.date | None, valid_to: dt.date | None, day: dt.date) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_to is None or valid_to >= day)


def _overlaps(a: tuple[dt.date | None, dt.date | None], b: tuple[dt.date | None, dt.date | None]) -> bool:
    return (a[1] is None or b[0] is None or b[0] <= a[1]) and (b[1] is None or a[0] is None or a[0] <= b[1])


def import_units(name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False) -> ImportResult:
    result, table = open_table("units", name, data, COLUMNS, dry_run=dry_run)
    if table is None:
        return result
    # Validate and write in one transaction that holds the register (and locks the rows it read):
    # a concurrent import waits, then sees these rows; an officer's save waits, then is told the
    # unit changed. Nothing read here can go stale before it is written.
    with transaction.atomic():
        serialise(REGISTER)
        return _import(result, table, actor=actor, dry_run=dry_run)


def _import(result: ImportResult, table: Table, *, actor: Actor, dry_run: bool) -> ImportResult:
    today = timezone.localdate()
    errors: list[RowError] = []
    planned = [p for number, raw in table.rows if (p := _parse_row(number, raw, errors, today)) is not None]

    db = Unit.objects.select_for_update().by_codes(
        {p.values["code"] for p in planned} | {p.parent_code for p in planned if p.parent_code} | {ROOT_CODE})
    # In-file rows by code, to resolve parents that come later in the file.
    in_file: dict[str, list[PlannedRow]] = {}
    for p in planned:
        in_file.setdefault(p.values["code"], []).append(p)
    # Duplicate rows for the same unit.
    seen: dict[tuple[str, str, dt.date], int] = {}
    for p in planned:
        ident = (p.values["code"], p.values["kind"], p.ref_date)
        if ident in seen:
            errors.append(RowError(p.row, "code",
                                   gettext("trùng với dòng %(row)s (cùng mã, loại và ngày hiệu lực)")
                                   % {"row": seen[ident]}))
        seen[ident] = p.row

    # The acting user's capture scope: existing units changed and database parents must lie in it (a parent
    # created by the same file is checked through its own row). A database parent outside the scope is
    # treated exactly like an unknown code, so the messages cannot tell that a code exists elsewhere.
    scope = CaptureScope(actor.user)
    for p in planned:
        code, kind = p.values["code"], p.values["kind"]
        matches = [u for u in db.get(code, []) if u.kind == kind and u.is_valid_on(p.ref_date)]
        p.existing = matches[0] if matches else None
        if p.existing is not None and p.existing.pk not in scope:
            # Codes are unique per kind and date, so a taken code cannot be hidden; say no more than that.
            errors.append(RowError(p.row, "code", code_taken(code)))
            continue
        # Parent: an explicit code, or the national root for provinces.
        parent_code = p.parent_code or (ROOT_CODE if kind == Kind.PROVINCE else "")
        if not parent_code:
            if kind != Kind.COUNTRY and not (p.existing and p.existing.parent_id):
                errors.append(RowError(p.row, "parent_code", gettext("bắt buộc với loại đơn vị này")))
            continue
        allowed = ALLOWED_PARENT_KINDS.get(kind, ())
        file_parents = [q for q in in_file.get(parent_code, []) if q is not p and q.values["kind"] in allowed
                        and _covers(q.values.get("valid_from"), q.values.get("valid_to"), p.ref_date)]
        db_parents = [u for u in db.get(parent_code, []) if u.kind in allowed and u.is_valid_on(p.ref_date)
                      and u.pk in scope]
        # A file row that updates a database unit is the same parent, not a second one.
        file_ids = {id(q) for q in file_parents}
        if file_ids:
            db_parents = [u for u in db_parents if not any(
                q.values["code"] == u.code and q.values["kind"] == u.kind for q in file_parents)]
        options = len(file_parents) + len(db_parents)
        if options == 0:
            errors.append(RowError(p.row, "parent_code", unit_not_found(parent_code, p.ref_date, parent=True)))
        elif options > 1:
            errors.append(RowError(p.row, "parent_code", ambiguous_code(parent_code, p.ref_date)))
        elif file_parents:
            p.parent_row = file_parents[0]
            file_parents[0].children.append(p)
        else:
            p.values["parent"] = db_parents[0]


    # Cycles among file rows.
    for p in planned:
        steps, q = 0, p.parent_row
        while q is not None and steps <= len(planned):
            if q is p:
                errors.append(RowError(p.row, "parent_code", gettext("vòng lặp cấp trên trong tệp")))
                break
            q, steps = q.parent_row, steps + 1

    # Build each unit in memory, parents before children, and validate it.
    order = _parents_first(planned)
    bad_rows = {e.row for e in errors}
    # Rows whose parent row (in the file) failed are not checked further: the cause is named once, at the
    # row that has it, with the list of rows waiting on it (not one "parent has an error" line per row).
    blocked: dict[int, list[int]] = {}  # root row number -> dependent row numbers
    root_of: dict[int, PlannedRow] = {}  # id(blocked row) -> the row with the real error
    for p in order:
        if p.row in bad_rows:
            continue
        unit = Unit(**{f.attname: getattr(p.existing, f.attname) for f in Unit._meta.concrete_fields}) \
            if p.existing else Unit()
        if p.existing:
            unit._state.adding = False
            unit._state.db = p.existing._state.db
        for key, value in p.values.items():
            setattr(unit, key, value)
        if p.parent_row is not None:
            if p.parent_row.unit is None:
                root = root_of.get(id(p.parent_row), p.parent_row)
                root_of[id(p)] = root
                blocked.setdefault(root.row, []).append(p.row)
                continue
            unit.parent = p.parent_row.unit
        elif "parent" not in p.values and p.existing and p.existing.parent_id:
            unit.parent = Unit.objects.get(pk=p.existing.parent_id)
        if p.existing is None:
            # Defaults for a new unit: nothing given means empty/false.
            unit.subtype = unit.subtype or ""
        if unit.households is not None and unit.kind != Kind.RESIDENTIAL_AREA:
            result.warnings.append(f"row {p.row}: households: " + gettext("chỉ dùng cho khu dân cư, đã bỏ qua"))
            unit.households = p.existing.households if p.existing else None
        problems = validate_unit(unit, check_overlap=False)
        for fname, messages in problems.items():
            column = {"parent": "parent_code", "": "code"}.get(fname, fname)
            errors.extend(RowError(p.row, column, m) for m in messages)
        if problems:
            bad_rows.add(p.row)
        else:
            p.unit = unit
    for root_row, rows in blocked.items():
        errors.append(RowError(root_row, "code", waiting_rows(rows)))

    # Overlapping validity for the same code and kind: against the database and within the file.
    for p in planned:
        if p.unit is None:
            continue
        span = (p.unit.valid_from, p.unit.valid_to)
        for other in db.get(p.unit.code, []):
            same = other.kind == p.unit.kind and other.pk != p.unit.pk
            if same and _overlaps(span, (other.valid_from, other.valid_to)):
                if other.pk in scope:
                    errors.append(RowError(p.row, "valid_from",
                                           gettext("mã %(code)s đã dùng cho “%(name)s” trong thời gian hiệu "
                                                   "lực trùng lặp") % {"code": other.code, "name": other.name}))
                else:  # never name a unit the user may not see
                    errors.append(RowError(p.row, "code", code_taken(other.code)))
    # ... and within the file: two rows for the same code and kind must not overlap nor update the same unit.
    by_key: dict[tuple[str, str], list[PlannedRow]] = {}
    for p in planned:
        if p.unit is None:
            continue
        for q in by_key.get((p.unit.code, p.unit.kind), []):
            assert q.unit is not None
            if p.existing is not None and q.existing is not None and p.existing.pk == q.existing.pk:
                errors.append(RowError(p.row, "code",
                                       gettext("dòng %(row)s cũng cập nhật đơn vị “%(name)s”")
                                       % {"row": q.row, "name": p.existing.name}))
                break
            if _overlaps((p.unit.valid_from, p.unit.valid_to), (q.unit.valid_from, q.unit.valid_to)):
                errors.append(RowError(p.row, "valid_from",
                                       gettext("thời gian hiệu lực trùng với dòng %(row)s (cùng mã và loại)")
                                       % {"row": q.row}))
                break
        by_key.setdefault((p.unit.code, p.unit.kind), []).append(p)
    errors.sort(key=lambda e: (e.row, e.column))
    result.errors = errors
    if errors:
        return result

    creates = [p for p in order if p.existing is None]
    updates = [p for p in order if p.existing is not None and snapshot(p.unit) != snapshot(p.existing)]  # type: ignore[arg-type]
    result.created, result.updated = len(creates), len(updates)
    result.unchanged = len(planned) - len(creates) - len(updates)
    result.preview = [(p.row, "create", f"{p.values['code']} {p.values['name']}") for p in creates] + \
        [(p.row, "update", f"{p.values['code']} {p.values['name']}") for p in updates]
    result.preview.sort()
    try:
        with transaction.atomic():
            _write(creates, updates, actor)
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    except IntegrityError as exc:  # PostgreSQL's exclusion constraint: a writer that skipped the lock
        if "unit_code_kind_no_overlap" not in str(exc):
            raise
        result.errors = [RowError(0, "code", gettext("một mã trong tệp vừa được dùng cho đơn vị cùng loại trong "
                                                     "cùng thời gian hiệu lực; chưa ghi gì, hãy nhập lại tệp"))]
        result.created = result.updated = result.unchanged = 0
        result.preview = []
    return result


def _parents_first(planned: list[PlannedRow]) -> list[PlannedRow]:
    order: list[PlannedRow] = []
    done: set[int] = set()
    roots = [p for p in planned if p.parent_row is None]
    stack = list(reversed(roots))
    while stack:
        p = stack.pop()
        if id(p) in done:
            continue
        done.add(id(p))
        order.append(p)
        stack.extend(reversed(p.children))
    # Rows caught in a cycle are not reachable from a root; keep them (they carry errors).
    order += [p for p in planned if id(p) not in done]
    return order


def _sync_parent_id(unit: Unit) -> None:
    """A parent created earlier in this import was unsaved when assigned, so ``parent_id`` is still None;
    ``refresh_derived`` reads it to compute the depth."""
    if unit.parent is not None and unit.parent_id is None:
        # Assign the object again, not ``parent_id``: setting the id drops the cached parent, and
        # ``refresh_derived`` would then load a fresh copy of it, one query and one object per row.
        unit.parent = unit.parent


# The columns a new unit is written with (every concrete column but the key, which ``insert_rows`` adds).
NEW_UNIT_COLUMNS = [f.attname for f in Unit._meta.concrete_fields if not f.primary_key]


def _write(creates: list[PlannedRow], updates: list[PlannedRow], actor: Actor) -> None:
    audit_rows: list[tuple[Any, Unit | None, dict | None, dict | None]] = []
    exclusions = Exclusions.on()  # read once for the whole import
    now = timezone.now()
    # Create level by level so that every parent has its primary key before its children: each level is
    # one set-based insert of its units (keys allocated first), one of their closure rows, one of audit rows.
    pending = [p.unit for p in creates if p.unit is not None]
    while pending:
        ready = [u for u in pending if u.parent is None or u.parent.pk is not None]
        if not ready:
            raise RuntimeError("unresolvable parent order")  # cycles were reported as row errors already
        for new_unit in ready:
            _sync_parent_id(new_unit)
            new_unit.refresh_derived(exclusions)
            new_unit.created_at = new_unit.updated_at = now
        ids = insert_rows(Unit, NEW_UNIT_COLUMNS,
                          ([getattr(u, name) for name in NEW_UNIT_COLUMNS] for u in ready), ids=True)
        for new_unit, pk in zip(ready, ids, strict=True):
            new_unit.pk = pk
            new_unit._state.adding = False
            new_unit._state.db = connection.alias
        add_closure(ids)
        # Audit each level as it is written: holding every snapshot until the end costs ~1 KB a row.
        record_many(actor, "unit.import", [(u, u, None, snapshot(u)) for u in ready])
        pending = [u for u in pending if u.pk is None]
    moved: list[Unit] = []
    for p in updates:
        unit = p.unit
        assert unit is not None and p.existing is not None
        _sync_parent_id(unit)
        unit.refresh_derived(exclusions)
        unit.version = p.existing.version + 1
        unit.save()
        if unit.parent_id != p.existing.parent_id:
            moved.append(unit)
        audit_rows.append((unit, unit, snapshot(p.existing), snapshot(unit)))
    if moved:
        for unit in moved:
            reparent_subtree(unit, list(Unit.objects.in_subtree(unit).order_by("depth")))
    record_many(actor, "unit.import", audit_rows)


register(ImportKind(key="units", label=gettext_lazy("Đơn vị"), columns=COLUMNS, run=import_units))
