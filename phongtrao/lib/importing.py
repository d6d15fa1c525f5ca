"""The importer contract shared by every import kind (INTERCHANGE.md).

An importer reads the whole file, validates every row, and writes nothing unless
every row is valid (all-or-nothing). The command, the upload page and the API
call the same ``run_import``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from django.utils.translation import gettext as _

from phongtrao.lib.tabular import Column, FileFormatError, Table, read_table
from phongtrao.lib.vnformat import date_text

if TYPE_CHECKING:
    from phongtrao.audit.actions import Actor


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based spreadsheet row; the header is row 1; 0 for the file as a whole
    column: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return f"file: {self.column}: {self.message}" if self.column else f"file: {self.message}"
        return f"row {self.row}: {self.column}: {self.message}"


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


def open_table(kind: str, name: str, data: bytes, columns: list[Column], *,
               dry_run: bool) -> tuple[ImportResult, Table | None]:
    """Read the file for an importer: the result counts the rows and warns about unused columns;
    a missing required column is a row-1 error and the table comes back as ``None`` (stop there)."""
    result = ImportResult(kind=kind, dry_run=dry_run)
    table = read_table(name, data, columns)
    result.rows_read = len(table.rows)
    if table.unknown_headers:
        result.warnings.append("bỏ qua các cột không dùng: " + ", ".join(table.unknown_headers))
    for col in table.missing_required:
        result.errors.append(RowError(1, col.key, f"thiếu cột bắt buộc “{col.key}” ({col.label})"))
    return result, (None if result.errors else table)


def unit_not_found(code: str, day: dt.date, *, parent: bool = False) -> str:
    """The one message for a unit code that is unknown on ``day`` *or* outside the acting user's scope.

    The two must read the same (an officer must not learn that a code exists in another commune), so an
    importer resolves codes only among the units in the user's scope and says this when nothing is left."""
    values = {"code": code, "date": date_text(day)}
    if parent:
        return _("đơn vị cấp trên mã “%(code)s” còn hiệu lực ngày %(date)s: không tìm thấy hoặc ngoài phạm vi "
                 "của bạn") % values
    return _("đơn vị mã “%(code)s” còn hiệu lực ngày %(date)s: không tìm thấy hoặc ngoài phạm vi của bạn") % values


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


Importer = Callable[..., ImportResult]


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str
    columns: list[Column]
    run: Importer  # run(name, data, *, actor, dry_run) -> ImportResult


IMPORT_KINDS: dict[str, ImportKind] = {}


def register(kind: ImportKind) -> None:
    IMPORT_KINDS[kind.key] = kind


def run_import(
    kind: str, name: str, data: bytes | IO[bytes], *, actor: Actor, dry_run: bool = False
) -> ImportResult:
    from phongtrao.accounts.access import can_import

    spec = IMPORT_KINDS[kind]
    if not can_import(actor.user, kind):
        return ImportResult(kind=kind, dry_run=dry_run,
                            errors=[RowError(0, "", "Tài khoản này không có quyền nhập loại dữ liệu này.")])
    raw = data if isinstance(data, bytes) else data.read()
    try:
        return spec.run(name, raw, actor=actor, dry_run=dry_run)
    except FileFormatError as exc:
        return ImportResult(kind=kind, dry_run=dry_run, errors=[RowError(0, "", str(exc))])
