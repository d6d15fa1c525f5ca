"""Reading interchange files and parsing their cells (INTERCHANGE.md, "Files")."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from typing import Any

import pytest
from openpyxl import Workbook

from phongtrao.lib.tabular import (
    CellError,
    Column,
    FileFormatError,
    Limits,
    open_rows,
    parse_bool,
    parse_choice,
    parse_date,
    parse_int,
    read_table,
    sniff_delimiter,
)

COLUMNS = [Column("code", "Mã", required=True), Column("name", "Tên", required=True),
           Column("parent_code", "Mã đơn vị cấp trên"), Column("valid_from", "Hiệu lực từ")]


def xlsx(rows: list[list[object]]) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- dates ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("2023-12-15", dt.date(2023, 12, 15)),
    ("15/12/2023", dt.date(2023, 12, 15)),
    ("1/7/2025", dt.date(2025, 7, 1)),
    ("  01/07/2025 ", dt.date(2025, 7, 1)),
    ("2025-07-01T00:00:00", dt.date(2025, 7, 1)),
    ("29/02/2024", dt.date(2024, 2, 29)),
])
def test_parse_date_accepts_iso_and_vietnamese(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["", "   "])
def test_parse_date_empty_is_not_given(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize("text", ["12/15/2023", "2023-02-30", "29/02/2023", "15.12.2023", "15/12/23",
                                  "hôm qua", "2023/12/15", "0"])
def test_parse_date_refuses_other_forms(text: str) -> None:
    with pytest.raises(CellError, match="ngày không hợp lệ"):
        parse_date(text)


def test_parse_date_error_quotes_a_huge_cell_only_briefly() -> None:
    with pytest.raises(CellError) as info:
        parse_date("x" * 100_000)
    assert len(str(info.value)) < 200


# --- booleans ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["yes", "YES", "true", "True", "1", "có", "Có", "CÓ", " có "])
def test_parse_bool_true_words(text: str) -> None:
    assert parse_bool(text) is True


@pytest.mark.parametrize("text", ["no", "No", "false", "FALSE", "0", "không", "Không"])
def test_parse_bool_false_words(text: str) -> None:
    assert parse_bool(text) is False


def test_parse_bool_empty_is_not_given() -> None:
    assert parse_bool("") is None
    assert parse_bool("  ") is None


@pytest.mark.parametrize("text", ["maybe", "2", "đúng", "-1"])
def test_parse_bool_refuses_other_words(text: str) -> None:
    with pytest.raises(CellError, match="có/không"):
        parse_bool(text)


# --- integers ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("0", 0), ("42", 42), (" 42 ", 42), ("1.234", 1234), ("1.234.567", 1234567), ("1 234", 1234),
    ("+7", 7), ("007", 7),
])
def test_parse_int_accepts_whole_numbers_with_vietnamese_grouping(text: str, expected: int) -> None:
    assert parse_int(text) == expected


def test_parse_int_empty_is_not_given() -> None:
    assert parse_int("") is None
    assert parse_int("   ") is None


@pytest.mark.parametrize("text", ["12.5", "1,5", "abc", "1_000", "1.23", "12.3456", "1e3", "--1", "١٢"])
def test_parse_int_refuses_decimals_and_words(text: str) -> None:
    # "12.5" from an Excel cell must not silently become 125.
    with pytest.raises(CellError, match="không phải số nguyên"):
        parse_int(text)


def test_parse_int_bounds() -> None:
    with pytest.raises(CellError, match="từ 0 trở lên"):
        parse_int("-1")
    assert parse_int("-1", minimum=None) == -1
    assert parse_int("2147483647") == 2_147_483_647
    with pytest.raises(CellError, match="không quá"):
        parse_int("99999999999999999999")
    with pytest.raises(CellError, match="số quá lớn"):
        parse_int("9" * 10_000)


# --- choices -------------------------------------------------------------------------------------

WORDS = {"commune": "commune", "xã/phường/thị trấn/đặc khu": "commune", "school": "school",
         "cơ sở giáo dục": "school"}


def test_parse_choice_matches_keys_and_labels_case_insensitively() -> None:
    assert parse_choice("Commune", WORDS, "loại") == "commune"
    assert parse_choice("  CƠ SỞ   giáo dục ", WORDS, "loại") == "school"
    assert parse_choice("", WORDS, "loại") is None


def test_parse_choice_error_lists_accepted_keys() -> None:
    with pytest.raises(CellError, match=r"loại “hamlet” không hợp lệ \(chấp nhận: commune, school\)"):
        parse_choice("hamlet", WORDS, "loại")


# --- headers and files ---------------------------------------------------------------------------

def test_headers_match_key_or_label_ignoring_case_and_spaces() -> None:
    data = "  CODE ,tên,  mã   đơn vị CẤP TRÊN  ,Hiệu lực từ\nA,B,C,2024-01-01\n".encode()
    table = read_table("x.csv", data, COLUMNS)
    assert table.rows == [(2, {"code": "A", "name": "B", "parent_code": "C", "valid_from": "2024-01-01"})]
    assert table.missing_required == []
    assert table.unknown_headers == []


def test_missing_required_and_unknown_headers_are_reported() -> None:
    table = read_table("x.csv", b"code,colour\nA,red\n", COLUMNS)
    assert [c.key for c in table.missing_required] == ["name"]
    assert table.unknown_headers == ["colour"]


def test_first_of_two_columns_with_the_same_meaning_wins() -> None:
    table = read_table("x.csv", "code,Mã,name\nfirst,second,N\n".encode(), COLUMNS)
    assert table.rows[0][1]["code"] == "first"


def test_blank_rows_are_skipped_and_row_numbers_count_the_header() -> None:
    table = read_table("x.csv", b"code,name\nA,a\n,\n\nB,b\n", COLUMNS)
    assert [number for number, _ in table.rows] == [2, 5]


def test_short_rows_are_padded_and_cells_trimmed() -> None:
    table = read_table("x.csv", b"code,name,parent_code\n  A  ,a\n", COLUMNS)
    assert table.rows[0][1] == {"code": "A", "name": "a", "parent_code": ""}


def test_csv_with_and_without_bom_read_the_same() -> None:
    body = "code,name\n00004,Phường Ba Đình\n".encode()
    plain = read_table("x.csv", body, COLUMNS)
    bom = read_table("x.csv", b"\xef\xbb\xbf" + body, COLUMNS)
    assert plain.rows == bom.rows == [(2, {"code": "00004", "name": "Phường Ba Đình"})]


def test_extension_chooses_the_reader_case_insensitively() -> None:
    assert read_table("X.CSV", b"code,name\nA,a\n", COLUMNS).rows
    data = xlsx([["Mã", "Tên"], ["A", "a"]])
    assert read_table("X.XLSX", data, COLUMNS).rows == [(2, {"code": "A", "name": "a"})]


def test_xlsx_cells_become_text_keeping_leading_zeros_and_dates() -> None:
    midnight = dt.datetime(2025, 7, 1)  # noqa: DTZ001 - Excel cells carry no time zone
    data = xlsx([["code", "name", "valid_from"], ["00004", "a", midnight], [22918, "b", None],
                 [12.0, "c", dt.date(2024, 1, 1)]])
    rows = [r for _, r in read_table("x.xlsx", data, COLUMNS).rows]
    assert rows == [{"code": "00004", "name": "a", "valid_from": "2025-07-01"},
                    {"code": "22918", "name": "b", "valid_from": ""},
                    {"code": "12", "name": "c", "valid_from": "2024-01-01"}]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("x.txt", b"code,name\n", "Chỉ nhận tệp .csv hoặc .xlsx"),
    ("x", b"code,name\n", "Chỉ nhận tệp .csv hoặc .xlsx"),
    ("x.csv", b"", "Tệp trống"),
    ("x.csv", b"\n\n", "Tệp trống"),
    ("x.csv", b" , ,\ncode,name\n", "Tệp trống: dòng 1 phải là dòng tiêu đề"),
    ("x.xlsx", xlsx([]), "Tệp trống"),
    ("x.csv", bytes(range(1, 256)) * 4, "UTF-8"),  # no encoding we know: the message says how to save UTF-8
    ("x.csv", b"code,name\nA\x00,B\n", "NUL"),
    ("x.csv", b"code,name\nA," + b"a" * 200_000 + b"\n", "dòng 2"),
    ("x.xlsx", b"not a zip at all", "Không đọc được tệp Excel"),
    ("x.xlsx", b"PK\x03\x04" + b"\x00" * 50, "Không đọc được tệp Excel"),
    ("x.csv", xlsx([["code"]]), "UTF-8"),
])
def test_unreadable_files_raise_a_clear_format_error(name: str, data: bytes, message: str) -> None:
    with pytest.raises(FileFormatError, match=message):
        read_table(name, data, COLUMNS)


def _rewrite_zip(data: bytes, change: dict[str, bytes]) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, change.get(item.filename, src.read(item.filename)))
    return out.getvalue()


def test_xlsx_with_a_broken_sheet_is_a_format_error() -> None:
    good = xlsx([["code", "name"], ["A", "a"]])
    sheet = zipfile.ZipFile(io.BytesIO(good)).read("xl/worksheets/sheet1.xml")
    broken = _rewrite_zip(good, {"xl/worksheets/sheet1.xml": sheet[: len(sheet) // 2]})
    with pytest.raises(FileFormatError, match="Excel"):
        read_table("x.xlsx", broken, COLUMNS)


def test_zip_that_is_not_a_workbook_is_a_format_error() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "xin chào")
    with pytest.raises(FileFormatError, match="Excel"):
        read_table("x.xlsx", out.getvalue(), COLUMNS)


def test_xlsx_that_unpacks_to_a_huge_size_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from phongtrao.lib import tabular

    with pytest.raises(FileFormatError, match="quá lớn khi giải nén"):
        read_table("x.xlsx", xlsx([["code", "name"], ["A", "a" * 5000]]), COLUMNS, tabular.Limits(unzipped_bytes=1000))


# --- encodings, delimiters (issue 15 item 5) ------------------------------------------------------

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Text as Windows writes it in code page 1258: letters with their circumflex, breve or horn where the code
    page has them, and the tone as a separate combining mark."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            letter = unicodedata.normalize("NFC", base + "".join(m for m in marks if m not in TONES))
            out += letter.encode("cp1258") + "".join(m for m in marks if m in TONES).encode("cp1258")
    return out


def test_windows_1258_csv_is_converted_with_a_warning() -> None:
    # Excel on Vietnamese Windows saves "CSV" in code page 1258, tones as combining marks.
    data = to_cp1258("code,name\nA,Phường Hàm Tiến\nB,Xã Đắk Nông\n")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    table = read_table("x.csv", data, COLUMNS)
    assert [r["name"] for _, r in table.rows] == ["Phường Hàm Tiến", "Xã Đắk Nông"]  # composed (NFC) text
    assert table.rows[0][1]["name"] == unicodedata.normalize("NFC", "Phường Hàm Tiến")
    assert len(table.warnings) == 1 and "Windows-1258" in table.warnings[0] and "CSV UTF-8" in table.warnings[0]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_csv_with_or_without_bom_is_read(encoding: str) -> None:
    # Excel's "Unicode Text" is UTF-16 with tabs between cells.
    data = "code\tname\nA\tPhường Ba Đình\n".encode(encoding)
    table = read_table("x.csv", data, COLUMNS)
    assert table.rows == [(2, {"code": "A", "name": "Phường Ba Đình"})]
    assert "UTF-16" in table.warnings[0]


def test_utf8_csv_has_no_warning() -> None:
    assert read_table("x.csv", "code,name\nA,Hà\n".encode(), COLUMNS).warnings == []


def test_semicolon_separated_csv_is_read() -> None:
    data = 'code;name;valid_from\nA;"Khu phố 1; khu 2";15/12/2023\nB;Hà Nội, Việt Nam;\n'.encode()
    assert read_table("x.csv", data, COLUMNS).rows == [
        (2, {"code": "A", "name": "Khu phố 1; khu 2", "valid_from": "15/12/2023"}),
        (3, {"code": "B", "name": "Hà Nội, Việt Nam", "valid_from": ""})]


@pytest.mark.parametrize(("line", "delimiter"), [
    ("code,name", ","), ("code;name", ";"), ("code\tname", "\t"), ("code", ","),
    ('"a;b",c', ","), ('"Mã, đơn vị";Tên;Loại', ";"),
])
def test_delimiter_is_sniffed_from_the_header_line_outside_quotes(line: str, delimiter: str) -> None:
    assert sniff_delimiter(line) == delimiter


def test_a_renamed_xlsx_is_explained() -> None:
    with pytest.raises(FileFormatError, match="tệp Excel"):
        read_table("x.csv", xlsx([["code"]]), COLUMNS)


# --- limits (issue 10 item 5) -----------------------------------------------------------------------

def test_row_limit_stops_reading_with_a_clear_message() -> None:
    data = ("code,name\n" + "".join(f"C{i},n\n" for i in range(5))).encode()
    assert len(read_table("x.csv", data, COLUMNS, Limits(rows=5)).rows) == 5
    with pytest.raises(FileFormatError, match="hơn 4 dòng dữ liệu; mỗi lần nhập tối đa 4 dòng"):
        read_table("x.csv", data, COLUMNS, Limits(rows=4))


def test_column_and_cell_limits() -> None:
    wide = ",".join(f"c{i}" for i in range(51))
    with pytest.raises(FileFormatError, match="Dòng 1 có 51 cột; tối đa 50 cột"):
        read_table("x.csv", f"{wide}\n".encode(), COLUMNS)
    with pytest.raises(FileFormatError, match=r"Dòng 3, cột 2: ô dài 2\.001 ký tự; tối đa 2\.000 ký tự"):
        read_table("x.csv", f"code,name\nA,a\nB,{'x' * 2001}\n".encode(), COLUMNS)
    # Trailing empty cells (Excel pads rows) do not count as columns.
    assert read_table("x.csv", ("code,name" + "," * 80 + "\nA,a\n").encode(), COLUMNS).rows == [
        (2, {"code": "A", "name": "a"})]
    wide_sheet = xlsx([["code", "name", *[f"c{i}" for i in range(60)]], ["A", "a"]])
    with pytest.raises(FileFormatError, match="tối đa 50 cột"):
        read_table("x.xlsx", wide_sheet, COLUMNS)


def test_limits_come_from_the_settings(settings: Any) -> None:
    settings.PHONGTRAO = {**settings.PHONGTRAO, "IMPORT_LIMITS": {"rows": 7, "cell_chars": 100}}
    assert Limits.from_settings() == Limits(rows=7, cell_chars=100)


def test_xlsx_zip_bomb_is_refused_before_parsing() -> None:
    """A small .xlsx whose sheet unpacks past the limit (the 888 KB file that unpacked to 290 MB): refused from
    the zip's directory, without inflating it."""
    good = xlsx([["code", "name"], ["A", "a"]])
    src = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item.filename))
        with dst.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            row = b'<row><c t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"
            for _ in range(110_000):  # 110 MB uncompressed, about 0.3 MB compressed
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    bomb = out.getvalue()
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(FileFormatError, match=r"quá lớn khi giải nén \(10\d MB; tối đa 100 MB\)"):
        read_table("x.xlsx", bomb, COLUMNS)


def test_rows_are_read_lazily_from_a_stream() -> None:
    """``open_rows`` reads as the rows are consumed: a bad row far down the file fails only when reached."""
    data = ("code,name\n" + "".join(f"C{i},n\n" for i in range(3000)) + f"X,{'x' * 3000}\n").encode()
    table = open_rows("x.csv", io.BytesIO(data), COLUMNS)
    rows = iter(table.rows)
    assert next(rows) == (2, {"code": "C0", "name": "n"})
    with pytest.raises(FileFormatError, match=r"Dòng 3\.002"):
        list(rows)
