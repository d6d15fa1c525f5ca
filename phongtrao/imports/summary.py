"""An ``ImportResult`` shaped for the upload page: counts, planned changes (truncated), errors by row."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils.translation import gettext as _

from phongtrao.audit.actions import Actor
from phongtrao.imports.guide import column_title
from phongtrao.lib.importing import ImportKind, ImportResult, RowError, run_import

logger = logging.getLogger(__name__)
PREVIEW_LIMIT = 200  # planned changes shown on the page
ERROR_LIMIT = 1000  # errors shown on the page


@dataclass(frozen=True)
class ErrorLine:
    row: int
    column: str
    message: str

    @property
    def text(self) -> str:
        """ "Dòng 5 · Loại (kind): ..." """
        where = _("Dòng %(row)d") % {"row": self.row} if self.row else _("Tệp")
        if self.column:
            where = f"{where} · {self.column}"
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class Change:
    row: int
    action: str  # "create" | "update"
    description: str

    @property
    def action_label(self) -> str:
        return _("Tạo mới") if self.action == "create" else _("Cập nhật") if self.action == "update" else self.action


@dataclass(frozen=True)
class Summary:
    result: ImportResult
    changes: list[Change]
    more_changes: int
    errors: list[ErrorLine]
    more_errors: int

    @property
    def has_changes(self) -> bool:
        return bool(self.result.created or self.result.updated)


def summarise(spec: ImportKind, result: ImportResult) -> Summary:
    changes = [Change(row, action, text) for row, action, text in result.preview[:PREVIEW_LIMIT]]
    errors = [ErrorLine(e.row, column_title(spec, e.column) if e.column else "", e.message)
              for e in result.errors[:ERROR_LIMIT]]
    return Summary(result, changes, max(len(result.preview) - PREVIEW_LIMIT, 0), errors,
                   max(len(result.errors) - ERROR_LIMIT, 0))


def run_upload(spec: ImportKind, name: str, data: bytes, actor: Actor, *, dry_run: bool) -> ImportResult:
    """``run_import`` for a web upload. An importer must report problems as row errors; should one
    fail unexpectedly on a strange file anyway, the officer sees an error instead of a server error
    (the import ran in a transaction, so nothing was written) and the failure is logged."""
    try:
        return run_import(spec.key, name, data, actor=actor, dry_run=dry_run)
    except Exception:
        logger.exception("import %s of %r failed", spec.key, name)
        message = _("Không xử lý được tệp này. Hãy kiểm tra lại tệp hoặc báo cho quản trị viên.")
        return ImportResult(kind=spec.key, dry_run=dry_run, errors=[RowError(0, "", message)])
