"""Reading interchange files (CSV or XLSX) and parsing their cells (INTERCHANGE.md)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
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


MAX_UNZIPPED_BYTES = 300 * 1024 * 1024


def _check_unzipped_size(data: bytes) -> None:
    """Refuse a "zip bomb": an .xlsx is a zip archive; its parts must unpack to a sane size."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileFormatError("Không đọc được tệp Excel (.xlsx).") from exc
    if total > MAX_UNZIPPED_BYTES:
        raise FileFormatError("Tệp Excel quá lớn khi giải nén.")


def _raw_rows(name: str, data: bytes) -> Iterator[list[str]]:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileFormatError("Tệp CSV phải được mã hóa UTF-8.") from exc
        if "\x00" in text:
            raise FileFormatError("Tệp CSV chứa ký tự NUL: có lẽ đây không phải tệp văn bản CSV.")
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            for row in reader:
                yield [cell.strip() for cell in row]
        except csv.Error as exc:  # e.g. a cell over the csv module's field size limit
            raise FileFormatError(
                f"Không đọc được tệp CSV ở dòng {reader.line_num} (ô quá dài hoặc định dạng hỏng).") from exc
    elif suffix in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        _check_unzipped_size(data)
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise FileFormatError("Không đọc được tệp Excel (.xlsx).") from exc
        try:
            if not wb.worksheets:
                raise FileFormatError("Tệp Excel không có trang tính nào.")
            # read_only parses the sheet lazily: a broken sheet fails here, not in load_workbook.
            for values in wb.worksheets[0].iter_rows(values_only=True):
                yield [_cell_text(v) for v in values]
        except FileFormatError:
            raise
        except Exception as exc:
            raise FileFormatError("Không đọc được tệp Excel (.xlsx): trang tính đầu tiên bị hỏng.") from exc
        finally:
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
    if not any(str(title).strip() for title in header):
        raise FileFormatError("Tệp trống: dòng 1 phải là dòng tiêu đề.")
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


def _shown(text: str, limit: int = 60) -> str:
    """A cell's text quoted in an error message, cut short so a huge cell cannot flood the report."""
    return text if len(text) <= limit else text[:limit] + "…"


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
    raise CellError(f"ngày không hợp lệ “{_shown(text)}” (dùng 15/12/2023 hoặc 2023-12-15)")


def parse_bool(text: str) -> bool | None:
    low = text.strip().casefold()
    if not low:
        return None
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise CellError(f"giá trị “{_shown(text)}” không phải có/không (yes/no, true/false, 1/0)")


INT_MAX = 2_147_483_647  # the largest value an integer column holds on every database
_INT_RE = re.compile(r"[+-]?([0-9]+|[0-9]{1,3}([. ][0-9]{3})+)")


def parse_int(text: str, *, minimum: int | None = 0, maximum: int | None = INT_MAX) -> int | None:
    """A whole number; Vietnamese thousands separators are accepted ("1.234", "1 234"), decimals are not."""
    text = text.strip()
    if not text:
        return None
    if not _INT_RE.fullmatch(text):
        raise CellError(f"“{_shown(text)}” không phải số nguyên")
    try:
        value = int(text.replace(".", "").replace(" ", ""))
    except ValueError as exc:  # more digits than Python converts (4,300)
        raise CellError("số quá lớn") from exc
    if minimum is not None and value < minimum:
        raise CellError(f"số phải từ {minimum} trở lên")
    if maximum is not None and value > maximum:
        raise CellError(f"số phải không quá {maximum}")
    return value


def parse_choice(text: str, choices: dict[str, str], what: str) -> str | None:
    """Map a key or label (case-insensitive) to a choice key. ``choices`` maps accepted words -> key."""
    low = " ".join(text.strip().split()).casefold()
    if not low:
        return None
    if low in choices:
        return choices[low]
    accepted = ", ".join(sorted(set(choices.values())))
    raise CellError(f"{what} “{_shown(text)}” không hợp lệ (chấp nhận: {accepted})")
