"""Neutral report blocks: what a section says, with no format in it (issue #13, part 1).

A section of the annual report (``reports.annual.register_section``) builds its figures (the
JSON, unchanged) and then turns them into a list of blocks; one renderer per format (Markdown,
HTML for the pages, .docx, PDF, .xlsx) turns blocks into output. Nothing in a block is
formatted: numbers stay numbers, days stay ``datetime.date``, and each table column says the
type of its cells, so the .xlsx keeps numbers as numbers and the prose renderers format them
the Vietnamese way (``lib.vnformat``: 1.234,5; 15/12/2023; 90,00%; 1.234.000 đồng).

The blocks:

- ``Heading(text, level)``: level 2 is a section ("Xây dựng tiêu chuẩn ..."), 3 a subsection.
- ``Paragraph(text)``: Vietnamese prose built from the figures (already a finished sentence).
- ``Bullets(items)``: a list of short finished sentences.
- ``Table(columns, rows, caption, annex)``: typed cells (``Column.type`` is one of
  ``CELL_TYPES``); ``annex=True`` puts it in the annex tables at the end of the document
  (landscape pages allowed) instead of the body; a ``None`` cell is shown empty.
- ``Chart(title, kind, categories, series)``: a chart's data (bar or line); renderers that cannot
  draw (Markdown, .docx) show it as its data table, which the HTML page also shows under the chart.
- ``Slot(key, label)``: "to be written by the officer": the situation, shortcomings, lessons and
  tasks that only a person knows. A report record fills it with the officer's text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

CellType = Literal["text", "integer", "percent", "vnd", "date", "number"]
CELL_TYPES: tuple[str, ...] = ("text", "integer", "percent", "vnd", "date", "number")
CellValue = str | int | float | Decimal | dt.date | None

# The parts only a person knows, in the order of the document (NĐ 30/2020 report structure).
SLOT_KEYS: tuple[str, ...] = ("situation", "shortcomings", "lessons", "tasks")


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Column:
    label: str
    type: CellType = "text"


@dataclass(frozen=True)
class Table:
    columns: tuple[Column, ...]
    rows: tuple[tuple[CellValue, ...], ...]
    caption: str = ""
    annex: bool = False

    def __post_init__(self) -> None:
        for row in self.rows:
            if len(row) != len(self.columns):
                raise ValueError(f"a row of {self.caption!r} has {len(row)} cells for {len(self.columns)} columns")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | int | None, ...]


@dataclass(frozen=True)
class Chart:
    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    kind: Literal["bar", "line"] = "bar"
    value_type: CellType = "integer"


@dataclass(frozen=True)
class Slot:
    key: str
    label: str
    text: str = ""  # filled from a report record; empty means "to be written by the officer"


Block = Heading | Paragraph | Bullets | Table | Chart | Slot


@dataclass
class Document:
    """A whole report: the title lines and the blocks, ready for a renderer."""

    title: str
    blocks: list[Block] = field(default_factory=list)
