"""List exports as .xlsx: one write-only sheet, bold headers, texts never read as formulas.

    sheet = ListSheet(gettext("Mô hình"), [gettext(h) for h in HEADERS], widths=(12, 48, ...))
    for m in models:
        sheet.append([sheet.text(m.code), sheet.day(m.started_on), m.teams])
    return sheet.to_bytes()

A title row above the headers: ``ListSheet(..., title="...")`` (the panes freeze below both).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


class ListSheet:
    def __init__(self, name: str, headers: Sequence[str], *, widths: Sequence[int] = (),
                 title: str | None = None) -> None:
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(name)
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.sheet.freeze_panes = "A3" if title else "A2"
        if title:
            self.sheet.append([self.text(title, bold=True)])
        self.sheet.append([self.text(h, bold=True) for h in headers])

    def text(self, value: object, *, bold: bool = False, wrap: bool = False) -> WriteOnlyCell:
        """A text cell (never a formula, whatever a name starts with); ``None`` is empty."""
        cell = WriteOnlyCell(self.sheet, value="" if value is None else str(value))
        cell.data_type = "s"
        if bold:
            cell.font = BOLD
        if wrap:
            cell.alignment = WRAP
        return cell

    def day(self, value: dt.date | None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.number_format = "dd/mm/yyyy"
        return cell

    def moment(self, value: dt.datetime) -> WriteOnlyCell:
        """A local date and time (Excel has no time zones: pass it already in local time, naive)."""
        cell = WriteOnlyCell(self.sheet, value=value)
        cell.number_format = "dd/mm/yyyy hh:mm"
        return cell

    def append(self, row: Sequence[Any]) -> None:
        self.sheet.append(list(row))

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()
