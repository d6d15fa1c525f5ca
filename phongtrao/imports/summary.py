"""An ``ImportResult`` shaped for the upload page: counts, planned changes (truncated), errors by row."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

from phongtrao.audit.actions import Actor
from phongtrao.imports.guide import column_title
from phongtrao.lib.importing import ImportKind, ImportResult, ProgressCallback, RowError, run_import

logger = logging.getLogger(__name__)
PREVIEW_LIMIT = 200  # planned changes shown on the page
ERROR_LIMIT = 1000  # errors shown on the page


@dataclass(frozen=True)
class ErrorLine:
    row: int  # the first row with this error
    column: str
    message: str
    rows: str = ""  # "2, 3, 4 … (59 dòng)" when several rows have the same error

    @property
    def text(self) -> str:
        """ "Dòng 5 · Loại (kind): ..." or "Dòng 2, 3, 4 … (59 dòng) · Mã đơn vị cấp trên (parent_code): ..." """
        if self.rows:
            where = _("Dòng %(rows)s") % {"rows": self.rows}
        else:
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
    groups = result.grouped_errors()  # one line per cause
    errors = [ErrorLine(g.rows[0], column_title(spec, g.column) if g.column else "", g.message,
                        g.rows_text() if len(g.rows) > 1 else "")
              for g in groups[:ERROR_LIMIT]]
    return Summary(result, changes, max(len(result.preview) - PREVIEW_LIMIT, 0), errors,
                   max(len(groups) - ERROR_LIMIT, 0))


def run_upload(spec: ImportKind, name: str, data: bytes | IO[bytes], actor: Actor, *, dry_run: bool,
               progress: ProgressCallback | None = None) -> ImportResult:
    """``run_import`` for a web upload. An importer must report problems as row errors; should one
    fail unexpectedly on a strange file anyway, the officer sees an error instead of a server error
    (the import ran in a transaction, so nothing was written) and the failure is logged."""
    try:
        return run_import(spec.key, name, data, actor=actor, dry_run=dry_run, progress=progress)
    except Exception:
        logger.exception("import %s of %r failed", spec.key, name)
        message = _("Không xử lý được tệp này. Hãy kiểm tra lại tệp hoặc báo cho quản trị viên.")
        return ImportResult(kind=spec.key, dry_run=dry_run, errors=[RowError(0, "", message)])
