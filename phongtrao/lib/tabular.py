"""Reading interchange files (CSV or XLSX) and parsing their cells (INTERCHANGE.md)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
    # (row number, key -> text). ``read_table`` gives a list; ``open_rows`` an iterator that reads the file as
    # it is consumed (a file is never held whole in memory).
    rows: Iterable[tuple[int, dict[str, str]]] = field(default_factory=list)
    missing_required: list[Column] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Limits:
    """What one import file may hold (INTERCHANGE.md, docs/interchange.md "Limits"). Settings may change
    them: ``PHONGTRAO["IMPORT_LIMITS"] = {"rows": ..., "columns": ..., "cell_chars": ..., "unzipped_bytes": ...}``."""

    rows: int = 100_000  # data rows (blank rows do not count)
    columns: int = 50
    cell_chars: int = 2_000
    unzipped_bytes: int = 100 * 1024 * 1024  # an .xlsx's parts, uncompressed, checked before parsing

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        configured = getattr(settings, "PHONGTRAO", {}).get("IMPORT_LIMITS", {})
        return cls(**{k: int(v) for k, v in configured.items() if k in cls.__dataclass_fields__})


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


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _seekable(source: bytes | IO[bytes]) -> IO[bytes]:
    """A seekable binary stream over the upload (bytes, an uploaded file, an open file)."""
    if isinstance(source, bytes | bytearray):
        return io.BytesIO(source)
    try:
        if source.seekable():
            source.seek(0)
            return source
    except (AttributeError, OSError):
        pass
    spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 - handed to the reader
    shutil.copyfileobj(source, spool)
    spool.seek(0)
    return spool


def _check_unzipped_size(stream: IO[bytes], limits: Limits) -> None:
    """Refuse a "zip bomb" before parsing: an .xlsx is a zip archive; its parts must unpack to a sane size."""
    try:
        with zipfile.ZipFile(stream) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise FileFormatError(_("Không đọc được tệp Excel (.xlsx).")) from exc
    finally:
        stream.seek(0)
    if total > limits.unzipped_bytes:
        raise FileFormatError(
            _("Tệp Excel quá lớn khi giải nén (%(size)s MB; tối đa %(limit)s MB). Hãy chia thành nhiều tệp nhỏ hơn "
              "hoặc xóa các trang tính, định dạng không cần thiết.")
            % {"size": _n(total // (1024 * 1024)), "limit": _n(limits.unzipped_bytes // (1024 * 1024))})


CHUNK = 1024 * 1024
SAVE_AS_UTF8 = gettext_lazy("Cách sửa: mở tệp trong Excel, chọn Tệp › Lưu thành (File › Save As), kiểu tệp "
                            "“CSV UTF-8 (phân tách bằng dấu phẩy) (*.csv)”, rồi tải tệp đó lên.")


def _decodes(stream: IO[bytes], encoding: str, skip: int = 0) -> bool:
    """Whether the whole stream decodes strictly, read in chunks (constant memory)."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    stream.seek(skip)
    try:
        while chunk := stream.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        stream.seek(0)
    return True


def detect_encoding(stream: IO[bytes]) -> tuple[str, int, str | None]:
    """(codec, bytes to skip, warning) for a CSV: a BOM decides; else strict UTF-8; else UTF-16 without a BOM
    (every other byte NUL); else Windows-1258, the ANSI code page of Vietnamese Windows (Excel's "CSV" there),
    with a warning. Anything else is refused with the exact fix."""
    head = stream.read(4096)
    stream.seek(0)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3, None
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", 0, _("Tệp CSV mã hóa UTF-16 (Unicode) đã được chuyển sang UTF-8 để đọc.")
    if head.startswith(b"PK\x03\x04"):
        raise FileFormatError(_("Tệp CSV phải được mã hóa UTF-8. Tệp này là tệp Excel (.xlsx) mang tên .csv: hãy "
                                "đổi lại tên thành .xlsx, hoặc lưu lại thành CSV. %(fix)s") % {"fix": SAVE_AS_UTF8})
    # UTF-16 without a BOM: most characters of a CSV are ASCII, so one byte of most pairs is NUL (NUL is
    # valid UTF-8 too, hence this test first).
    pairs = len(head) // 2
    odd, even = head[1::2].count(0), head[0::2].count(0)
    for codec, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if pairs and high > pairs * 0.5 and low < pairs * 0.1 and _decodes(stream, codec):
            return codec, 0, _("Tệp CSV mã hóa UTF-16 (Unicode) đã được chuyển sang UTF-8 để đọc.")
    if _decodes(stream, "utf-8"):
        return "utf-8", 0, None
    if b"\x00" not in head and _decodes(stream, "cp1258"):
        return "cp1258", 0, _("Tệp CSV không mã hóa UTF-8; đã đọc theo bảng mã Windows-1258 (tiếng Việt của "
                              "Windows) và chuyển sang UTF-8. Hãy kiểm tra dấu tiếng Việt trong bản xem trước. "
                              "%(fix)s") % {"fix": SAVE_AS_UTF8}
    raise FileFormatError(_("Tệp CSV phải được mã hóa UTF-8. Không nhận ra bảng mã của tệp này (không phải UTF-8, "
                            "UTF-16 hay Windows-1258). %(fix)s") % {"fix": SAVE_AS_UTF8})


DELIMITERS = (",", ";", "\t")


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a CSV from its header line: the most frequent of comma, semicolon and tab outside
    quotes (Excel writes ";" where the decimal separator is a comma, as in Vietnamese Windows); comma on a tie."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _nfc(text: str) -> str:
    # Windows-1258 writes tones as combining marks ("a" + U+0301); the register stores composed text.
    return text if text.isascii() or unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _csv_rows(stream: IO[bytes], warnings: list[str]) -> Iterator[list[str]]:
    encoding, skip, warning = detect_encoding(stream)
    if warning:
        warnings.append(warning)
    stream.seek(skip)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="strict", newline="")
    try:
        first = text.readline()
        reader = csv.reader(itertools.chain([first], text), delimiter=sniff_delimiter(first))
        for row in reader:
            if any("\x00" in cell for cell in row):
                raise FileFormatError(_("Tệp CSV chứa ký tự NUL: có lẽ đây không phải tệp văn bản CSV."))
            yield [_nfc(cell.strip()) for cell in row]
    except csv.Error as exc:  # e.g. a cell over the csv module's field size limit
        raise FileFormatError(
            _("Không đọc được tệp CSV ở dòng %(line)s (ô quá dài hoặc định dạng hỏng).") % {"line": reader.line_num}
        ) from exc
    except UnicodeDecodeError as exc:
        raise FileFormatError(_("Tệp CSV phải được mã hóa UTF-8. %(fix)s") % {"fix": SAVE_AS_UTF8}) from exc
    finally:
        text.detach()


def _xlsx_rows(stream: IO[bytes], limits: Limits) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    _check_unzipped_size(stream, limits)
    try:
        wb = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise FileFormatError(_("Không đọc được tệp Excel (.xlsx).")) from exc
    try:
        if not wb.worksheets:
            raise FileFormatError(_("Tệp Excel không có trang tính nào."))
        # read_only parses the sheet lazily, row by row: a broken sheet fails here, not in load_workbook.
        # Cells right of the column limit are never turned into values (one more, to notice them).
        for values in wb.worksheets[0].iter_rows(values_only=True, max_col=limits.columns + 1):
            yield [_cell_text(v) for v in values]
    except FileFormatError:
        raise
    except Exception as exc:
        raise FileFormatError(_("Không đọc được tệp Excel (.xlsx): trang tính đầu tiên bị hỏng.")) from exc
    finally:
        wb.close()


def _raw_rows(name: str, stream: IO[bytes], limits: Limits, warnings: list[str]) -> Iterator[list[str]]:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return _csv_rows(stream, warnings)
    if suffix in {".xlsx", ".xlsm"}:
        return _xlsx_rows(stream, limits)
    raise FileFormatError(_("Chỉ nhận tệp .csv hoặc .xlsx."))


def _check_cells(number: int, raw: list[str], limits: Limits) -> None:
    width = len(raw)
    while width and not raw[width - 1]:
        width -= 1
    if width > limits.columns:
        raise FileFormatError(_("Dòng %(row)s có %(n)s cột; tối đa %(limit)s cột.")
                              % {"row": _n(number), "n": _n(width), "limit": _n(limits.columns)})
    for index, cell in enumerate(raw[:width], start=1):
        if len(cell) > limits.cell_chars:
            raise FileFormatError(_("Dòng %(row)s, cột %(col)s: ô dài %(n)s ký tự; tối đa %(limit)s ký tự.")
                                  % {"row": _n(number), "col": index, "n": _n(len(cell)),
                                     "limit": _n(limits.cell_chars)})


def open_rows(name: str, source: bytes | IO[bytes], columns: list[Column], limits: Limits | None = None) -> Table:
    """Read the header now and the rows as they are consumed (``Table.rows`` is an iterator).

    Row numbers count the header as row 1. The limits are checked while reading, so an oversized file stops
    at the first row past a limit with a ``FileFormatError`` that says which."""
    limits = limits or Limits.from_settings()
    warnings: list[str] = []
    rows = _raw_rows(name, _seekable(source), limits, warnings)
    try:
        header = next(rows)
    except StopIteration as exc:
        raise FileFormatError(_("Tệp trống: dòng 1 phải là dòng tiêu đề.")) from exc
    if not any(str(title).strip() for title in header):
        raise FileFormatError(_("Tệp trống: dòng 1 phải là dòng tiêu đề."))
    _check_cells(1, header, limits)
    lookup: dict[str, str] = {}
    for col in columns:
        lookup[_norm_header(col.key)] = col.key
        lookup[_norm_header(col.label)] = col.key
    positions: dict[int, str] = {}
    table = Table(header=header, warnings=warnings)
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

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        count = 0
        for number, raw in enumerate(rows, start=2):
            if not any(raw):
                if number > 2 * limits.rows + 1:  # a sheet of endless empty rows
                    raise FileFormatError(_("Tệp có quá nhiều dòng (tối đa %(limit)s dòng dữ liệu).")
                                          % {"limit": _n(limits.rows)})
                continue
            count += 1
            if count > limits.rows:
                raise FileFormatError(
                    _("Tệp có hơn %(limit)s dòng dữ liệu; mỗi lần nhập tối đa %(limit)s dòng. Hãy chia thành "
                      "nhiều tệp nhỏ hơn.") % {"limit": _n(limits.rows)})
            _check_cells(number, raw, limits)
            yield number, {key: (raw[idx] if idx < len(raw) else "") for idx, key in positions.items()}

    table.rows = records()
    return table


def read_table(name: str, source: bytes | IO[bytes], columns: list[Column], limits: Limits | None = None) -> Table:
    """``open_rows`` with every row read into a list (small files and tests)."""
    table = open_rows(name, source, columns, limits)
    table.rows = list(table.rows)
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
    raise CellError(_("ngày không hợp lệ “%(text)s” (dùng 15/12/2023 hoặc 2023-12-15)") % {"text": _shown(text)})


def parse_bool(text: str) -> bool | None:
    low = text.strip().casefold()
    if not low:
        return None
    if low in TRUE_WORDS:
        return True
    if low in FALSE_WORDS:
        return False
    raise CellError(_("giá trị “%(text)s” không phải có/không (yes/no, true/false, 1/0)") % {"text": _shown(text)})


INT_MAX = 2_147_483_647  # the largest value an integer column holds on every database
_INT_RE = re.compile(r"[+-]?([0-9]+|[0-9]{1,3}([. ][0-9]{3})+)")


def parse_int(text: str, *, minimum: int | None = 0, maximum: int | None = INT_MAX) -> int | None:
    """A whole number; Vietnamese thousands separators are accepted ("1.234", "1 234"), decimals are not."""
    text = text.strip()
    if not text:
        return None
    if not _INT_RE.fullmatch(text):
        raise CellError(_("“%(text)s” không phải số nguyên") % {"text": _shown(text)})
    try:
        value = int(text.replace(".", "").replace(" ", ""))
    except ValueError as exc:  # more digits than Python converts (4,300)
        raise CellError(_("số quá lớn")) from exc
    if minimum is not None and value < minimum:
        raise CellError(_("số phải từ %(minimum)s trở lên") % {"minimum": minimum})
    if maximum is not None and value > maximum:
        raise CellError(_("số phải không quá %(maximum)s") % {"maximum": maximum})
    return value


def parse_choice(text: str, choices: Mapping[str, str], what: str) -> str | None:
    """Map a key or label (case-insensitive) to a choice key. ``choices`` maps accepted words -> key."""
    low = " ".join(text.strip().split()).casefold()
    if not low:
        return None
    if low in choices:
        return choices[low]
    accepted = ", ".join(sorted(set(choices.values())))
    raise CellError(_("%(what)s “%(text)s” không hợp lệ (chấp nhận: %(accepted)s)")
                    % {"what": what, "text": _shown(text), "accepted": accepted})
