"""Reading interchange files (CSV or XLSX) and parsing their cells (INTERCHANGE.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

TRUE_WORDS = {"yes", "true", "1", "có", "co", "x"}
FALSE_WORDS = {"no", "false", "0", "không", "khong"}


class FileFormatError(Exception):
    """The file itself cannot be read (wrong extension, not a spreadsheet, no header)."""


class CellError(ValueError):
    """A cell's value is not acceptable; the message is shown to the officer."""


@dataclass
class Column:
    key: str
    label: str
    required: bool = False


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (row number, key -> text)
    missing_required: list[Column] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)


def _norm_header(text: str) -> str:
    return " ".join(str(text).strip().split()).casefold()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _raw_rows(name: str, data: bytes) -> Iterator[list[str]]:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileFormatError("Tệp CSV phải được mã hóa UTF-8.") from exc
        for row in csv.reader(io.StringIO(text, newline="")):
            yield [cell.strip() for cell in row]
    elif suffix in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise FileFormatError("Không đọc được tệp Excel (.xlsx).") from exc
        ws = wb.worksheets[0]
        for values in ws.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
        wb.close()
    else:
        raise FileFormatError("Chỉ nhận tệp .csv hoặc .xlsx.")


def read_table(name: str, source: bytes | IO[bytes], columns: list[Column]) -> Table:
    """Read a CSV/XLSX into rows keyed by column key. Row numbers count the header as row 1."""
    data = source if isinstance(source, bytes) else source.read()
    rows = _raw_rows(name, data)
    try:
        header = next(rows)
    except StopIteration as exc:
        raise FileFormatError("Tệp trống: dòng 1 phải là dòng tiêu đề.") from exc
    lookup: dict[str, str] = {}
    for col in columns:
        lookup[_norm_header(col.key)] = col.key
        lookup[_norm_header(col.label)] = col.key
    positions: dict[int, str] = {}
    table = Table(header=header)
    for idx, title in enumerate(header):
        if not str(title).strip():
            continue
        key = lookup.get(_norm_header(title))
        if key is None:
            table.unknown_headers.append(str(title))
        elif key not in positions.values():
            positions[idx] = key
    present = set(positions.values())
    table.missing_required = [c for c in columns if c.required and c.key not in present]
    for number, raw in enumerate(rows, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        record = {key: (raw[idx].strip() if idx < len(raw) else "") for idx, key in positions.items()}
        table.rows.append((number, record))
    return table


def parse_date(text: str) -> dt.date | None:
    """ISO 2023-12-15 or Vietnamese 15/12/2023; empty is None."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise CellError(f"ngày không hợp lệ “{text}” (dùng 15/12/2023 hoặc 2023-12-15)")


def parse_bool(text: str) -> bool | None:
    low = text.strip().casefold()
    if not low:
        return None
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise CellError(f"giá trị “{text}” không phải có/không (yes/no, true/false, 1/0)")


def parse_int(text: str, *, minimum: int | None = 0) -> int | None:
    text = text.strip().replace(".", "").replace(" ", "") if text.strip() else ""
    if not text:
        return None
    try:
        value = int(text)
    except ValueError as exc:
        raise CellError(f"“{text}” không phải số nguyên") from exc
    if minimum is not None and value < minimum:
        raise CellError(f"số phải từ {minimum} trở lên")
    return value


def parse_choice(text: str, choices: dict[str, str], what: str) -> str | None:
    """Map a key or label (case-insensitive) to a choice key. ``choices`` maps accepted words -> key."""
    low = " ".join(text.strip().split()).casefold()
    if not low:
        return None
    if low in choices:
        return choices[low]
    accepted = ", ".join(sorted({v for v in choices.values()}))
    raise CellError(f"{what} “{text}” không hợp lệ (chấp nhận: {accepted})")
