"""The importer contract shared by every import kind (INTERCHANGE.md).

An importer reads the file row by row (a stream, never whole in memory), validates every row,
and writes nothing unless every row is valid (all-or-nothing). The command, the upload page and the API
call the same ``run_import``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR
from phongtrao.lib.tabular import CellError, Column, FileFormatError, Table, open_rows, parse_date, parse_int
from phongtrao.lib.vnformat import date_text
from phongtrao.lib.workflow import (  # who runs the import (``phongtrao.audit.actions.Actor`` is one)
    ActionError,
    Actor,
)

# May ``user`` (None: the system) run imports of ``kind``? Registered by the accounts app at start-up
# (``set_permission_check``); until then every import is refused (fail closed).
PermissionCheck = Callable[[Any, str], bool]
_permission_check: PermissionCheck | None = None


def set_permission_check(check: PermissionCheck) -> None:
    global _permission_check
    _permission_check = check


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based spreadsheet row; the header is row 1; 0 for the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return f"file: {self.column}: {self.message}" if self.column else f"file: {self.message}"
        return f"row {self.row}: {self.column}: {self.message}"


@dataclass(frozen=True)
class ErrorGroup:
    rows: list[int]  # 0 for the file as a whole
    column: str
    message: str

    def rows_text(self, shown: int = 10) -> str:
        """ "5" or "5, 6, 9 … (59 dòng)" """
        listed = ", ".join(str(r) for r in self.rows[:shown])
        if len(self.rows) > shown:
            listed += " …"
        if len(self.rows) > 1:
            listed += " " + ngettext("(%(n)d dòng)", "(%(n)d dòng)", len(self.rows)) % {"n": len(self.rows)}
        return listed

    def __str__(self) -> str:
        if self.rows == [0]:
            return f"file: {self.column}: {self.message}" if self.column else f"file: {self.message}"
        head = f"row {self.rows[0]}" if len(self.rows) == 1 else f"rows {self.rows_text()}"
        return f"{head}: {self.column}: {self.message}"


@dataclass
class ImportResult:
    kind: str
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    # Per-row preview for the upload page: (row, action, description).
    preview: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def grouped_errors(self) -> list[ErrorGroup]:
        """The errors with one line per cause: rows with the same column and the same message (59 rows whose
        parent code is unknown) become one group, in the order of their first row."""
        groups: dict[tuple[str, str], ErrorGroup] = {}
        for error in self.errors:
            key = (error.column, error.message)
            if key not in groups:
                groups[key] = ErrorGroup([], error.column, error.message)
            groups[key].rows.append(error.row)
        return sorted(groups.values(), key=lambda g: g.rows[0])

    def summary_lines(self) -> list[str]:
        head = "dry run: nothing written" if self.dry_run else ("imported" if self.ok else "nothing written")
        lines = [
            f"{self.kind}: {head}",
            f"rows read: {self.rows_read}",
            f"created: {self.created}",
            f"updated: {self.updated}",
            f"unchanged: {self.unchanged}",
            f"warnings: {len(self.warnings)}",
        ]
        lines += [f"warning: {w}" for w in self.warnings]
        return lines


def open_table(kind: str, name: str, data: bytes | IO[bytes], columns: list[Column], *,
               dry_run: bool) -> tuple[ImportResult, Table | None]:
    """Read the file for an importer: the result warns about unused columns (and a converted encoding); a
    missing required column is a row-1 error and the table comes back as ``None`` (stop there).

    ``table.rows`` is read from the file as the importer consumes it (one pass, never the whole file in
    memory); ``result.rows_read`` counts the rows as they come, and the progress callback of
    ``run_import`` hears about them. A limit passed while reading raises ``FileFormatError``, which
    ``run_import`` turns into a file error."""
    result = ImportResult(kind=kind, dry_run=dry_run)
    table = open_rows(name, data, columns)
    result.warnings += table.warnings
    if table.unknown_headers:
        result.warnings.append(_("bỏ qua các cột không dùng: %(columns)s")
                               % {"columns": ", ".join(table.unknown_headers)})
    for col in table.missing_required:
        result.errors.append(RowError(1, col.key, _("thiếu cột bắt buộc “%(key)s” (%(label)s)")
                                      % {"key": col.key, "label": col.label}))
    if result.errors:
        return result, None
    table.rows = _counted(table.rows, result)
    return result, table


PROGRESS_EVERY = 1000


def _counted(rows: Iterable[tuple[int, dict[str, str]]], result: ImportResult) -> Iterator[tuple[int, dict[str, str]]]:
    report = _progress.get()
    for item in rows:
        result.rows_read += 1
        if report is not None and result.rows_read % PROGRESS_EVERY == 0:
            report(Progress.READING, result.rows_read)
        yield item
    if report is not None:
        report(Progress.CHECKING, result.rows_read)


class Progress:
    """Phases reported to ``run_import``'s ``progress(phase, rows_read)`` callback."""

    READING = "reading"  # rows read so far
    CHECKING = "checking"  # every row read: validating and writing


ProgressCallback = Callable[[str, int], None]
_progress: ContextVar[ProgressCallback | None] = ContextVar("import_progress", default=None)


def unit_not_found(code: str, day: dt.date, *, parent: bool = False) -> str:
    """The one message for a unit code that is unknown on ``day`` *or* outside the acting user's scope.

    The two must read the same (an officer must not learn that a code exists in another commune), so an
    importer resolves codes only among the units in the user's scope and says this when nothing is left."""
    values = {"code": code, "date": date_text(day)}
    if parent:
        return _("đơn vị cấp trên mã “%(code)s” còn hiệu lực ngày %(date)s: không tìm thấy hoặc ngoài phạm vi "
                 "của bạn") % values
    return _("đơn vị mã “%(code)s” còn hiệu lực ngày %(date)s: không tìm thấy hoặc ngoài phạm vi của bạn") % values


def waiting_rows(rows: list[int], shown: int = 10) -> str:
    """The one line for rows that depend on a row with an error (their parent is that row's unit): they are
    not checked until it is fixed, and are not listed as errors of their own."""
    listed = ", ".join(str(r) for r in rows[:shown]) + (", …" if len(rows) > shown else "")
    return ngettext("%(n)d dòng khác dùng đơn vị ở dòng này làm cấp trên (dòng %(rows)s) nên chưa được kiểm tra; "
                    "sửa lỗi ở dòng này trước.",
                    "%(n)d dòng khác dùng đơn vị ở dòng này làm cấp trên (dòng %(rows)s) nên chưa được kiểm tra; "
                    "sửa lỗi ở dòng này trước.", len(rows)) % {"n": len(rows), "rows": listed}


def required_cell() -> str:
    """A required cell left empty (the one wording for every importer)."""
    return _("bắt buộc, không được để trống")


def too_long(limit: int) -> str:
    return _("dài quá %(limit)s ký tự") % {"limit": limit}


class RowCells:
    """One row's cells parsed one by one, each bad cell noted as a row error of the row (``bad`` is then set), so
    an importer reports every bad cell of a row at once. Importers subclass it for their own kinds of cell."""

    def __init__(self, number: int, raw: dict[str, str], errors: list[RowError]) -> None:
        self.number, self.raw, self.errors, self.bad = number, raw, errors, False

    def fail(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))
        self.bad = True

    def text(self, key: str, limit: int, *, required: bool = False) -> str:
        value = " ".join(self.raw.get(key, "").split())
        if required and not value:
            self.fail(key, required_cell())
        elif len(value) > limit:
            self.fail(key, too_long(limit))
        return value

    def day(self, key: str, *, required: bool = False) -> dt.date | None:
        try:
            value = parse_date(self.raw.get(key, ""))
        except CellError as exc:
            self.fail(key, str(exc))
            return None
        if value is None and required:
            self.fail(key, required_cell())
        return value

    def integer(self, key: str, *, minimum: int, maximum: int, required: bool = False) -> int | None:
        try:
            value = parse_int(self.raw.get(key, ""), minimum=minimum, maximum=maximum)
        except CellError as exc:
            self.fail(key, str(exc))
            return None
        if value is None and required:
            self.fail(key, required_cell())
        return value

    def year(self, key: str, *, required: bool = False) -> int | None:
        return self.integer(key, minimum=FIRST_RECORD_YEAR, maximum=LAST_RECORD_YEAR, required=required)


def ambiguous_code(code: str, day: dt.date) -> str:
    """A code that matches more than one unit on ``day``."""
    return _("mã “%(code)s” ứng với nhiều đơn vị ngày %(date)s") % {"code": code, "date": date_text(day)}


class DatedUnit(Protocol):
    """What ``resolve_unit`` reads of a unit (``phongtrao.units.models.Unit`` is one)."""

    pk: Any
    kind: Any

    def is_valid_on(self, day: dt.date) -> bool: ...


def resolve_unit[U: DatedUnit](code: str, day: dt.date, candidates: dict[str, list[U]], scope: Container[Any],
                               number: int, errors: list[RowError], *,
                               kinds: Container[str] | None = None) -> U | None:
    """The one unit holding ``code`` on ``day`` inside ``scope`` (of ``kinds`` when given), or ``None`` with the
    row's error: outside the scope reads exactly like an unknown code; more than one is ambiguous."""
    valid = [u for u in candidates.get(code, []) if (kinds is None or u.kind in kinds) and u.is_valid_on(day)
             and u.pk in scope]
    if not valid:
        errors.append(RowError(number, "unit_code", unit_not_found(code, day)))
        return None
    if len(valid) > 1:
        errors.append(RowError(number, "unit_code", ambiguous_code(code, day)))
        return None
    return valid[0]


def code_taken(code: str) -> str:
    """A code that another unit of the same kind holds on that date, where that unit is not the user's to see
    or change: codes are unique, so the refusal itself cannot be hidden, but it names nothing else."""
    return _("mã “%(code)s” đã được dùng cho một đơn vị khác cùng loại (không thuộc phạm vi của bạn); "
             "hãy dùng mã khác") % {"code": code}


def model_code_taken(code: str) -> str:
    """A model code held by a model outside the user's scope (model codes are unique)."""
    return _("mã mô hình “%(code)s” đã được dùng cho một mô hình khác (không thuộc phạm vi của bạn); "
             "hãy dùng mã khác") % {"code": code}


class DryRunRollback(Exception):
    """Raised inside the import transaction to roll back a dry run."""


class RefusedRows(Exception):
    """Raised inside the import transaction when the workflow refused rows' moves (``Workflow.move_many``:
    a record changed since the importer read it, refused like a stale form): nothing is written, the
    refusals become the result's row errors."""

    def __init__(self, refusal: ActionError, numbers: Sequence[int]) -> None:
        # move_many keys its refusals by the move's position; ``numbers`` are the moves' file rows.
        self.errors = sorted((RowError(numbers[int(key)] if key.isdigit() else 0, "", message)
                              for key, messages in refusal.errors.items() for message in messages),
                             key=lambda e: e.row)
        super().__init__("; ".join(str(e) for e in self.errors))


def write_all_or_nothing(result: ImportResult, errors: list[RowError], dry_run: bool,
                         write: Callable[[], None]) -> ImportResult:
    """The end of every importer: with row errors, nothing is written and the result lists them (by row, then
    column); otherwise ``write`` runs in one transaction, rolled back for a dry run, and a refusal by the
    workflow (``RefusedRows``) turns into row errors with nothing written."""
    errors.sort(key=lambda e: (e.row, e.column))
    result.errors = errors
    if errors:
        return result
    try:
        with transaction.atomic():
            write()
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    except RefusedRows as exc:
        result.errors, result.created, result.updated, result.preview = exc.errors, 0, 0, []
    return result


Importer = Callable[..., ImportResult]


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str | Promise  # gettext_lazy: shown in the reader's language
    columns: list[Column]
    run: Importer  # run(name, data: bytes | IO[bytes], *, actor, dry_run) -> ImportResult


IMPORT_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    IMPORT_KINDS[kind.key] = kind


def run_import(
    kind: str, name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportResult:
    """Run an import kind on a file (bytes or a binary file object, read as a stream). ``progress``, if
    given, is called with ``(phase, rows_read)`` while the file is read (see ``Progress``)."""
    spec = IMPORT_KINDS[kind]
    if _permission_check is None or not _permission_check(actor.user, kind):
        return ImportResult(kind=kind, dry_run=dry_run,
                            errors=[RowError(0, "", _("Tài khoản này không có quyền nhập loại dữ liệu này."))])
    token = _progress.set(progress)
    try:
        return spec.run(name, data, actor=actor, dry_run=dry_run)
    except FileFormatError as exc:
        return ImportResult(kind=kind, dry_run=dry_run, errors=[RowError(0, "", str(exc))])
    finally:
        _progress.reset(token)
