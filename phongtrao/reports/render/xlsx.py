"""Blocks -> .xlsx (``report annual --format xlsx``): one sheet per section, plus one per annex table.

A section is what a heading of level 1 or 2 opens (``reports.document`` gives each section of part II
a level-2 heading); its tables and its charts' data go on its sheet, one under the other, each with
its caption and a header row in Vietnamese. Numbers stay numbers: integers with a ``#,##0`` format,
percentages as the percent figure of the JSON (95.81) with a ``0.00`` format and "(%)" in the header,
VND as integers with ``#,##0`` and "(đồng)" in the header, days as dates (``dd/mm/yyyy``). The workbook
is written in openpyxl's write-only (streaming) mode, so a national annex stays in bounded memory.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from phongtrao.reports.blocks import Block, Chart, Column, Document, Heading, Table
from phongtrao.reports.render.docx import chart_table

FORMATS = {"integer": "#,##0", "vnd": "#,##0", "percent": "0.00", "number": "#,##0.##", "date": "dd/mm/yyyy"}
UNIT_SUFFIX = {"percent": ("%", " (%)"), "vnd": ("đồng", " (đồng)")}
BOLD = Font(bold=True)
ITALIC = Font(italic=True)
TITLE = Font(bold=True, size=13)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")
SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass
class _Sheet:
    title: str
    tables: list[tuple[str, tuple[Column, ...], Sequence[Sequence[Any]]]] = field(default_factory=list)


def header_label(column: Column) -> str:
    """The header of a column: its label, with "(%)" or "(đồng)" when the label does not say the unit."""
    has, suffix = UNIT_SUFFIX.get(column.type, ("", ""))
    return column.label if not suffix or has in column.label else column.label + suffix


def cell_value(value: Any, type_: str) -> Any:
    """A typed cell as a spreadsheet value: numbers as int or float, days as dates, text as text."""
    if value is None:
        return None
    if type_ in ("integer", "vnd"):
        return int(value)
    if type_ in ("percent", "number"):
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() else float(value)
        return value
    if type_ == "date":
        return value if isinstance(value, dt.date) else str(value)
    return str(value)


def _sheets(blocks: Iterable[Block], annex: Iterable[Block]) -> list[_Sheet]:
    sheets: list[_Sheet] = []
    current: _Sheet | None = None
    for block in blocks:
        if isinstance(block, Heading) and block.level <= 2:
            current = _Sheet(block.text)
            sheets.append(current)
        elif isinstance(block, (Table, Chart)):
            if current is None:
                current = _Sheet("Báo cáo")
                sheets.append(current)
            if isinstance(block, Table):
                current.tables.append((block.caption, block.columns, block.rows))
            else:
                columns, rows = chart_table(block)
                current.tables.append((block.title, columns, rows))
    for i, block in enumerate(annex, start=1):
        if isinstance(block, Table):
            sheets.append(_Sheet(f"Phụ lục {i}", [(block.caption, block.columns, block.rows)]))
        elif isinstance(block, Chart):
            columns, rows = chart_table(block)
            sheets.append(_Sheet(f"Phụ lục {i}", [(block.title, columns, rows)]))
    return [s for s in sheets if s.tables]


def sheet_name(title: str, used: set[str]) -> str:
    """A valid, unique sheet name (at most 31 characters, none of []:*?/\\)."""
    base = " ".join(SHEET_BAD.sub(" ", title).split()).strip("'") or "Bảng"
    name, n = base[:31], 1
    while name.casefold() in used:
        n += 1
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
    used.add(name.casefold())
    return name


def _text(ws: WriteOnlyWorksheet, text: str, font: Font) -> None:
    cell = WriteOnlyCell(ws, value=text)
    cell.font = font
    ws.append([cell])


def _write(ws: WriteOnlyWorksheet, document_title: str, sheet: _Sheet) -> None:
    widest = max(len(columns) for _, columns, _ in sheet.tables)
    ws.column_dimensions["A"].width = 40
    for i in range(2, widest + 1):
        ws.column_dimensions[get_column_letter(i)].width = 18
    _text(ws, document_title, TITLE)
    _text(ws, sheet.title, BOLD)
    for caption, columns, rows in sheet.tables:
        ws.append([])
        if caption:
            _text(ws, caption, ITALIC)
        header = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=header_label(column))
            cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
            header.append(cell)
        ws.append(header)
        for row in rows:
            out = []
            for value, column in zip(row, columns, strict=True):
                cell = WriteOnlyCell(ws, value=cell_value(value, column.type))
                if column.type in FORMATS:
                    cell.number_format = FORMATS[column.type]
                out.append(cell)
            ws.append(out)


def render_xlsx(document: Document, annex: Sequence[Block] = ()) -> bytes:
    """``document``'s tables and charts as a workbook; ``annex`` (or the document's own ``annex``) one sheet each."""
    annex = list(annex) or list(getattr(document, "annex", []) or [])
    wb = Workbook(write_only=True)
    used: set[str] = set()
    sheets = _sheets(document.blocks, annex) or [_Sheet(document.title)]
    for sheet in sheets:
        ws = wb.create_sheet(sheet_name(sheet.title, used))
        if sheet.tables:
            _write(ws, document.title, sheet)
        else:
            _text(ws, document.title, TITLE)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
