"""The importer contract shared by every import kind (INTERCHANGE.md).

An importer reads the whole file, validates every row, and writes nothing unless
every row is valid (all-or-nothing). The command, the upload page and the API
call the same ``run_import``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from django.utils.functional import Promise

from phongtrao.lib.tabular import Column, FileFormatError, Table, read_table

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


class DryRunRollback(Exception):
    """Raised inside the import transaction to roll back a dry run."""


Importer = Callable[..., ImportResult]


@dataclass(frozen=True)
class ImportKind:
    key: str
    label: str | Promise  # gettext_lazy: shown in the reader's language
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
