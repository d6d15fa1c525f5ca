"""The upload pages: upload -> preview (dry run) -> confirm, and the template workbook, for every import kind."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry, Channel
from phongtrao.imports import storage
from phongtrao.lib.importing import IMPORT_KINDS, ImportKind, ImportResult, RowError, run_import
from phongtrao.lib.tabular import Column, read_table
from phongtrao.units.models import Unit

pytestmark = pytest.mark.django_db
UNITS_HEADER = "code,name,kind,parent_code,subtype,managed_by,size,school_level,armed_forces,households,valid_from"


@pytest.fixture(autouse=True)
def data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.DATA_DIR = tmp_path / "data"
    return settings.DATA_DIR


@pytest.fixture
def officer(client: Client, make_user: Any) -> Any:
    user = make_user("officer")
    client.force_login(user)
    return user


@pytest.fixture
def widgets() -> Iterator[ImportKind]:
    """A later import kind, registered the way recognitions or awards will be."""
    calls: list[bool] = []

    def run(name: str, data: bytes, *, actor: Actor, dry_run: bool = False) -> ImportResult:
        table = read_table(name, data, spec.columns)
        calls.append(dry_run)
        result = ImportResult(kind="widgets", dry_run=dry_run, rows_read=len(table.rows), created=len(table.rows))
        result.preview = [(n, "create", row["serial"]) for n, row in table.rows]
        return result

    spec = ImportKind("widgets", "Thiết bị", [Column("serial", "Số hiệu", required=True),
                                              Column("colour", "Màu")], run)
    IMPORT_KINDS[spec.key] = spec
    yield spec
    del IMPORT_KINDS[spec.key]


def upload(client: Client, data: bytes, name: str = "units.csv", kind: str = "units", **extra: Any) -> Any:
    return client.post(reverse("imports:upload", args=[kind]), {"file": SimpleUploadedFile(name, data)}, **extra)


def token_of(response: Any) -> str:
    match = re.search(r'name="token" value="([^"]+)"', response.content.decode())
    assert match, "no confirm form on the page"
    return match.group(1)


def confirm(client: Client, token: str, kind: str = "units", **extra: Any) -> Any:
    return client.post(reverse("imports:confirm", args=[kind]), {"token": token}, **extra)


def count(response: Any, name: str) -> str:
    match = re.search(rf'data-count="{name}">([^<]*)<', response.content.decode())
    assert match, f"no count {name}"
    return match.group(1)


def stored_files(data_dir: Path) -> list[Path]:
    return sorted((data_dir / "uploads").glob("*")) if (data_dir / "uploads").is_dir() else []


def state() -> tuple[int, int, list[Any]]:
    return Unit.objects.count(), AuditEntry.objects.count(), list(
        Unit.objects.order_by("pk").values_list("code", "name", "valid_from", "valid_to"))


# --- access --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "name", "args"), [
    ("get", "imports:index", []),
    ("get", "imports:upload", ["units"]),
    ("post", "imports:upload", ["units"]),
    ("post", "imports:confirm", ["units"]),
    ("get", "imports:template", ["units"]),
])
def test_anonymous_visitor_is_sent_to_login(client: Client, method: str, name: str, args: list[str]) -> None:
    url = reverse(name, args=args)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"


def test_unknown_kind_is_404(client: Client, officer: Any) -> None:
    assert client.get(reverse("imports:upload", args=["hamlets"])).status_code == 404
    assert client.get(reverse("imports:template", args=["hamlets"])).status_code == 404
    assert confirm(client, "x" * 32, kind="hamlets").status_code == 404


def test_confirm_only_by_post_and_template_only_by_get(client: Client, officer: Any) -> None:
    assert client.get(reverse("imports:confirm", args=["units"])).status_code == 405
    assert client.post(reverse("imports:template", args=["units"])).status_code == 405


# --- index and upload page -----------------------------------------------------------------------

def test_index_lists_every_kind_with_description_upload_and_template(client: Client, officer: Any,
                                                                      widgets: ImportKind) -> None:
    page = client.get(reverse("imports:index")).content.decode()
    assert "Đơn vị" in page and "Danh mục đơn vị" in page
    assert reverse("imports:upload", args=["units"]) in page
    assert reverse("imports:template", args=["units"]) in page
    assert "Cột bắt buộc: Mã, Tên, Loại" in page
    # A kind registered later gets its card for free.
    assert "Thiết bị" in page and "Nhập “Thiết bị” từ tệp CSV hoặc Excel." in page
    assert reverse("imports:upload", args=["widgets"]) == "/nhap-du-lieu/widgets/"
    assert reverse("imports:template", args=["widgets"]) in page


def test_upload_page_has_file_input_spinner_and_column_guide(client: Client, officer: Any) -> None:
    page = client.get(reverse("imports:upload", args=["units"])).content.decode()
    assert 'type="file"' in page and 'accept=".csv,.xlsx"' in page
    assert 'hx-indicator="#import-spinner"' in page and 'id="import-spinner" class="htmx-indicator' in page
    assert "Mã đơn vị cấp trên" in page and "<code>residential_area</code> Khu dân cư" in page
    assert "Xác nhận nhập" not in page


# --- preview and confirm -------------------------------------------------------------------------

def test_preview_shows_counts_and_changes_and_writes_nothing(
    client: Client, officer: Any, official_register: None, example_dir: Path, data_dir: Path
) -> None:
    before = state()
    response = upload(client, (example_dir / "units.csv").read_bytes())
    assert response.status_code == 200
    page = response.content.decode()
    assert (count(response, "rows_read"), count(response, "created"), count(response, "updated"),
            count(response, "unchanged"), count(response, "errors")) == ("60", "60", "0", "0", "0")
    assert "Tỉnh Thử Nghiệm" in page and "Tạo mới" in page
    assert "Xác nhận nhập" in page
    assert state() == before
    assert len(stored_files(data_dir)) == 1
    assert stored_files(data_dir)[0].read_bytes() == (example_dir / "units.csv").read_bytes()


def test_htmx_preview_returns_only_the_result_panel(client: Client, officer: Any, official_register: None,
                                                    example_dir: Path) -> None:
    response = upload(client, (example_dir / "units.csv").read_bytes(), headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "<html" not in page
    assert 'data-count="created">60<' in page
    assert f'hx-post="{reverse("imports:confirm", args=["units"])}"' in page


def test_confirm_applies_the_import_and_deletes_the_stored_file(
    client: Client, officer: Any, official_register: None, example_dir: Path, data_dir: Path
) -> None:
    preview = upload(client, (example_dir / "units.csv").read_bytes())
    audit_before = AuditEntry.objects.count()
    response = confirm(client, token_of(preview))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Đã nhập xong tệp “units.csv”." in page
    assert count(response, "created") == "60"
    assert Unit.objects.filter(code__startswith="KDC-T99").count() == 30
    entries = AuditEntry.objects.order_by("id")[audit_before:]
    assert len(entries) == 60
    assert {(e.channel, e.user_id) for e in entries} == {(Channel.IMPORT, officer.pk)}
    assert stored_files(data_dir) == []
    assert storage.SESSION_KEY not in client.session or not client.session[storage.SESSION_KEY]
    # The same confirmation again does nothing.
    again = confirm(client, token_of(preview))
    assert "phiên xem trước đã hết hạn" in again.content.decode()
    assert AuditEntry.objects.count() == audit_before + 60


def test_a_second_upload_shows_nothing_to_change(client: Client, officer: Any, example_units: None,
                                                 example_dir: Path, data_dir: Path) -> None:
    response = upload(client, (example_dir / "units.csv").read_bytes())
    assert count(response, "unchanged") == "60"
    assert "không có thay đổi nào" in response.content.decode()
    assert "Xác nhận nhập" not in response.content.decode()
    assert stored_files(data_dir) == []


def test_update_preview_lists_the_update(client: Client, officer: Any, example_units: None) -> None:
    data = f"{UNITS_HEADER}\nKDC-T99001-03,Khu phố Ba,residential_area,,,,,,,,\n".encode()
    response = upload(client, data)
    assert count(response, "updated") == "1"
    assert re.search(r"Cập nhật</span></td><td>KDC-T99001-03 Khu phố Ba", response.content.decode())


def test_file_with_errors_lists_them_and_cannot_be_confirmed(
    client: Client, officer: Any, official_register: None, data_dir: Path
) -> None:
    data = "\n".join([
        UNITS_HEADER,
        "T98,Tỉnh Thử,province,,tinh,,,,,,",
        "T98-A,Xã Thử,hamlet,T98,xa,,,,,,",
        "T98-B,Xã Lạc,commune,T97,xa,,,,,,",
        "T98-C,Xã Sai,commune,T98,xa,,,,,,31/02/2024",
    ]).encode()
    before = state()
    response = upload(client, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert count(response, "errors") == "3"
    assert 'class="table table-sm table-danger' in page
    assert "Dòng 3 · Loại (kind): loại đơn vị “hamlet” không hợp lệ" in page
    assert "Dòng 4 · Mã đơn vị cấp trên (parent_code): đơn vị cấp trên mã “T97”" in page
    assert "Dòng 5 · Hiệu lực từ (valid_from): ngày không hợp lệ “31/02/2024”" in page
    assert "có 3 lỗi nên không thể nhập" in page
    assert "Xác nhận nhập" not in page
    assert stored_files(data_dir) == []
    assert state() == before


def test_missing_column_is_shown_as_a_file_error(client: Client, officer: Any, official_register: None) -> None:
    response = upload(client, b"code,name\nA,B\n")
    assert "Dòng 1 · Loại (kind): thiếu cột bắt buộc “kind” (Loại)" in response.content.decode()


def test_confirm_revalidates_against_the_database(
    client: Client, officer: Any, official_register: None, data_dir: Path
) -> None:
    from phongtrao.units.actions import do_close_unit

    setup = run_import("units", "setup.csv", (f"{UNITS_HEADER}\nT98,Tỉnh Thử,province,,tinh,,,,,,2020-01-01\n"
                                              "T98-A,Xã Thử,commune,T98,xa,,,,,,2020-01-01\n").encode(),
                       actor=Actor.system())
    assert setup.ok
    preview = upload(client, f"{UNITS_HEADER}\nKDC-1,Thôn 1,residential_area,T98-A,thon,,,,,,2026-01-01\n".encode())
    assert count(preview, "created") == "1"
    # Meanwhile someone closes the commune.
    do_close_unit(Actor.system(), Unit.objects.get(code="T98-A").pk, valid_to=dt.date(2025, 12, 31))
    before = state()
    response = confirm(client, token_of(preview))
    page = response.content.decode()
    assert "Không nhập được tệp" in page
    assert ("Dòng 2 · Mã đơn vị cấp trên (parent_code): đơn vị cấp trên mã “T98-A” còn hiệu lực ngày 01/01/2026: "
            "không tìm thấy hoặc ngoài phạm vi của bạn") in page
    assert state() == before
    assert stored_files(data_dir) == []


def test_a_newer_preview_replaces_the_older_one(client: Client, officer: Any, official_register: None,
                                               example_dir: Path, data_dir: Path) -> None:
    first = upload(client, (example_dir / "units.csv").read_bytes())
    second = upload(client, (example_dir / "units.csv").read_bytes())
    assert len(stored_files(data_dir)) == 1
    assert "hết hạn" in confirm(client, token_of(first)).content.decode()
    assert "Đã nhập xong" in confirm(client, token_of(second)).content.decode()


@pytest.mark.parametrize("token", ["", "../../../../etc/passwd", "x" * 32, "%2e%2e%2f" * 4, "a" * 5000,
                                   "ÀÁÂÃ" * 8, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"])
def test_tampered_tokens_are_refused_without_error(client: Client, officer: Any, official_register: None,
                                                   example_dir: Path, token: str) -> None:
    upload(client, (example_dir / "units.csv").read_bytes())
    before = state()
    response = confirm(client, token)
    assert response.status_code == 200
    assert "phiên xem trước đã hết hạn" in response.content.decode()
    assert state() == before


def test_another_users_token_is_refused(client: Client, officer: Any, make_user: Any, official_register: None,
                                        example_dir: Path, data_dir: Path) -> None:
    token = token_of(upload(client, (example_dir / "units.csv").read_bytes()))
    other = Client()
    other.force_login(make_user("other"))
    before = state()
    assert "hết hạn" in confirm(other, token).content.decode()
    assert state() == before
    assert len(stored_files(data_dir)) == 1  # the owner may still confirm it


def test_token_of_another_kind_is_refused(client: Client, officer: Any, official_register: None,
                                          example_dir: Path, widgets: ImportKind) -> None:
    token = token_of(upload(client, (example_dir / "units.csv").read_bytes()))
    assert "hết hạn" in confirm(client, token, kind="widgets").content.decode()
    assert "Đã nhập xong" in confirm(client, token).content.decode()


def test_stored_file_gone_means_expired(client: Client, officer: Any, official_register: None,
                                        example_dir: Path, data_dir: Path) -> None:
    token = token_of(upload(client, (example_dir / "units.csv").read_bytes()))
    for path in stored_files(data_dir):
        path.unlink()
    assert "hết hạn" in confirm(client, token).content.decode()


def test_two_simultaneous_confirmations_import_once(data_dir: Path) -> None:
    from django.contrib.sessions.backends.signed_cookies import SessionStore

    first = SessionStore()
    pending = storage.save(first, "units", "units.csv", b"code,name,kind\n")
    second = SessionStore()  # the same session, read by a second request before the first wrote it back
    second[storage.SESSION_KEY] = dict(first[storage.SESSION_KEY])
    assert storage.claim(first, "units", pending.token) == (pending, b"code,name,kind\n")
    assert storage.claim(second, "units", pending.token) is None
    assert stored_files(data_dir) == []


def test_abandoned_uploads_are_swept_after_a_day(data_dir: Path) -> None:
    import os
    import time

    directory = data_dir / "uploads"
    directory.mkdir(parents=True)
    old, new = directory / ("a" * 32 + ".upload"), directory / ("b" * 32 + ".upload")
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    os.utime(old, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    storage.sweep()
    assert stored_files(data_dir) == [new]


def test_long_preview_is_truncated_with_a_count(client: Client, officer: Any, official_register: None) -> None:
    rows = [f"TDP-{i:04d},Tổ dân phố {i},residential_area,00004,to_dan_pho,,,,,,2025-09-01" for i in range(250)]
    response = upload(client, "\n".join([UNITS_HEADER, *rows]).encode())
    page = response.content.decode()
    assert count(response, "created") == "250"
    assert page.count("<tr><td>") == 200
    assert "… và 50 thay đổi nữa không hiển thị." in page


def test_later_kind_previews_and_confirms_through_the_same_pages(client: Client, officer: Any,
                                                                 widgets: ImportKind) -> None:
    preview = upload(client, "Số hiệu,Màu\nW-1,đỏ\nW-2,xanh\n".encode(), name="thiet-bi.csv", kind="widgets")
    assert count(preview, "created") == "2"
    done = confirm(client, token_of(preview), kind="widgets")
    assert "Đã nhập xong tệp “thiet-bi.csv”." in done.content.decode()


def test_an_importer_crash_is_shown_as_an_error_not_a_500(client: Client, officer: Any,
                                                          widgets: ImportKind, monkeypatch: Any) -> None:
    def broken(name: str, data: bytes, *, actor: Actor, dry_run: bool = False) -> ImportResult:
        raise RuntimeError("boom")

    monkeypatch.setitem(IMPORT_KINDS, "widgets", ImportKind("widgets", "Thiết bị", widgets.columns, broken))
    response = upload(client, b"serial\nW-1\n", name="w.csv", kind="widgets")
    assert response.status_code == 200
    assert "Tệp: Không xử lý được tệp này." in response.content.decode()


# --- refused and unreadable files ----------------------------------------------------------------

@pytest.mark.parametrize(("name", "data", "message"), [
    ("units.txt", b"code,name,kind\n", "Chỉ nhận tệp .csv hoặc .xlsx; tệp “units.txt” không phải."),
    ("units.xls", b"\xd0\xcf\x11\xe0", "Chỉ nhận tệp .csv hoặc .xlsx"),
    ("units", b"code,name,kind\n", "Chỉ nhận tệp .csv hoặc .xlsx"),
    ("units.csv.exe", b"MZ", "Chỉ nhận tệp .csv hoặc .xlsx"),
    ("units.csv", b"", "Tệp tải lên rỗng."),
])
def test_refused_uploads_get_a_clear_message(client: Client, officer: Any, data_dir: Path, name: str,
                                             data: bytes, message: str) -> None:
    response = upload(client, data, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert stored_files(data_dir) == []


def test_no_file_at_all(client: Client, officer: Any) -> None:
    response = client.post(reverse("imports:upload", args=["units"]), {})
    assert "Hãy chọn một tệp để tải lên." in response.content.decode()


def test_file_over_20_mb_is_refused(client: Client, officer: Any, data_dir: Path) -> None:
    data = b"code,name,kind\n" + b"x" * (20 * 1024 * 1024)
    response = upload(client, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tệp quá lớn" in page and "tối đa 20 MB" in page
    assert stored_files(data_dir) == []


def _huge_cell() -> bytes:
    return b"code,name,kind\nA," + b"a" * 300_000 + b",commune\n"


@pytest.mark.parametrize(("name", "data", "message"), [
    ("units.xlsx", b"this is not a spreadsheet", "Tệp: Không đọc được tệp Excel (.xlsx)."),
    ("units.xlsx", b"PK\x03\x04" + bytes(range(256)) * 4, "Tệp: Không đọc được tệp Excel (.xlsx)."),
    ("units.csv", bytes(range(256)) * 10, "Tệp: Tệp CSV phải được mã hóa UTF-8."),
    ("units.csv", b"code,name,kind\nA\x00,B,commune\n", "Tệp: Tệp CSV chứa ký tự NUL"),
    ("units.csv", _huge_cell(), "Tệp: Không đọc được tệp CSV ở dòng 2"),
    ("units.csv", b"\n\n\n", "Tệp: Tệp trống"),
    ("UNITS.CSV", b"\xef\xbb\xbf", "Tệp: Tệp trống"),
])
def test_garbage_files_get_a_clear_error_not_a_500(client: Client, officer: Any, official_register: None,
                                                   data_dir: Path, name: str, data: bytes, message: str,
                                                   settings: Any) -> None:
    # Checked in the request here (the background path is tests/test_import_background.py).
    settings.PHONGTRAO = {**settings.PHONGTRAO, "IMPORT_BACKGROUND_BYTES": 1024 * 1024}
    response = upload(client, data, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Xác nhận nhập" not in response.content.decode()
    assert stored_files(data_dir) == []


def test_huge_cells_within_limits_are_row_errors(client: Client, officer: Any, official_register: None) -> None:
    data = f"code,name,kind,parent_code\nA,{'Tên rất dài ' * 150},commune,01\n".encode()  # 1,800 characters
    response = upload(client, data)
    page = response.content.decode()
    assert "Dòng 2 · Tên (name): dài quá 255 ký tự" in page
    assert len(page) < 100_000  # the cell itself is not echoed back


def test_header_only_file_has_nothing_to_import(client: Client, officer: Any, data_dir: Path) -> None:
    response = upload(client, f"{UNITS_HEADER}\n".encode())
    assert count(response, "rows_read") == "0"
    assert "Xác nhận nhập" not in response.content.decode()


# --- template workbook ---------------------------------------------------------------------------

def test_template_is_an_xlsx_with_labels_and_a_guide(client: Client, officer: Any) -> None:
    response = client.get(reverse("imports:template", args=["units"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="mau-units.xlsx"'
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Đơn vị", "Hướng dẫn"]
    data = wb.worksheets[0]
    header = [c.value for c in data[1]]
    assert header == ["Mã", "Tên", "Loại", "Mã đơn vị cấp trên", "Loại hình", "Cấp quản lý", "Quy mô", "Cấp học",
                      "Thuộc lực lượng vũ trang", "Số hộ", "Hiệu lực từ", "Hiệu lực đến"]
    assert all(c.font.bold for c in data[1])
    assert data.freeze_panes == "A2"
    assert all((data.column_dimensions[c.column_letter].width or 0) >= 12 for c in data[1])
    assert data.column_dimensions["A"].number_format == "@"  # codes keep their leading zeros
    assert data.column_dimensions["D"].number_format == "@"
    assert data.max_row == 1
    guide = wb["Hướng dẫn"]
    rows = {row[1]: row for row in guide.iter_rows(min_row=2, values_only=True) if row[1]}
    assert set(rows) == {"code", "name", "kind", "parent_code", "subtype", "managed_by", "size", "school_level",
                         "armed_forces", "households", "valid_from", "valid_to"}
    assert rows["code"][0] == "Mã" and rows["code"][2] == "Có"
    assert rows["households"][2] == "Không"
    assert "residential_area: Khu dân cư" in rows["kind"][3] and "country: Toàn quốc" in rows["kind"][3]
    assert "commune: Cấp xã" in rows["managed_by"][3]
    assert "micro: Siêu nhỏ" in rows["size"][3] and "large: Lớn" in rows["size"][3]
    assert "mam_non: Mầm non" in rows["school_level"][3] and "dai_hoc: Đại học" in rows["school_level"][3]
    assert "có" in rows["armed_forces"][3]
    assert "15/12/2023" in rows["valid_from"][4]
    assert "00004" in rows["code"][4]


def test_every_registered_kind_has_working_pages(client: Client, officer: Any, official_register: None) -> None:
    assert "units" in IMPORT_KINDS
    for key, spec in IMPORT_KINDS.items():
        assert client.get(reverse("imports:upload", args=[key])).status_code == 200
        template = client.get(reverse("imports:template", args=[key]))
        wb = load_workbook(io.BytesIO(template.content))
        assert [c.value for c in wb.worksheets[0][1]] == [c.label for c in spec.columns]
        # The empty template reads back: every header is recognised, nothing to import.
        preview = upload(client, template.content, name=f"mau-{key}.xlsx", kind=key)
        assert (count(preview, "rows_read"), count(preview, "errors")) == ("0", "0"), key
        assert "bỏ qua các cột" not in preview.content.decode()


def test_template_of_a_later_kind(client: Client, officer: Any, widgets: ImportKind) -> None:
    wb = load_workbook(io.BytesIO(client.get(reverse("imports:template", args=["widgets"])).content))
    assert [c.value for c in wb.worksheets[0][1]] == ["Số hiệu", "Màu"]
    guide = list(wb["Hướng dẫn"].iter_rows(min_row=2, max_row=3, values_only=True))
    assert [(r[0], r[1], r[2]) for r in guide] == [("Số hiệu", "serial", "Có"), ("Màu", "colour", "Không")]


def test_filled_template_round_trips(client: Client, officer: Any, official_register: None, example_dir: Path,
                                     data_dir: Path) -> None:
    import csv

    wb = load_workbook(io.BytesIO(client.get(reverse("imports:template", args=["units"])).content))
    sheet = wb.worksheets[0]
    labels = {c.key: c.label for c in IMPORT_KINDS["units"].columns}
    position = {cell.value: cell.column for cell in sheet[1]}  # the template's own header row
    with (example_dir / "units.csv").open(encoding="utf-8") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            for key, value in row.items():
                if value:
                    sheet.cell(row=number, column=position[labels[key]], value=value)
    sheet.cell(row=62, column=1, value="00004-TDP")  # leading zeros typed as text
    sheet.cell(row=62, column=2, value="Tổ dân phố 1")
    sheet.cell(row=62, column=3, value="Khu dân cư")  # a label instead of the key
    sheet.cell(row=62, column=4, value="00004")
    sheet.cell(row=62, column=11, value=dt.datetime(2025, 9, 1))  # noqa: DTZ001 - a date typed in Excel
    out = io.BytesIO()
    wb.save(out)
    preview = upload(client, out.getvalue(), name="mau-units.xlsx")
    assert count(preview, "errors") == "0", preview.content.decode()
    assert count(preview, "created") == "61"
    assert "bỏ qua các cột" not in preview.content.decode()
    done = confirm(client, token_of(preview))
    assert "Đã nhập xong" in done.content.decode()
    assert Unit.objects.get(code="T99").name == "Tỉnh Thử Nghiệm"
    tdp = Unit.objects.get(code="00004-TDP")
    assert tdp.parent.name == "Phường Ba Đình"  # type: ignore[union-attr]
    assert tdp.valid_from == dt.date(2025, 9, 1)
    assert stored_files(data_dir) == []


def test_empty_template_imports_as_nothing(official_register: None, client: Client, officer: Any) -> None:
    data = client.get(reverse("imports:template", args=["units"])).content
    result = run_import("units", "mau.xlsx", data, actor=Actor.system())
    assert result.ok and result.rows_read == 0


def test_row_error_display_for_file_level_errors() -> None:
    from phongtrao.imports.summary import summarise

    result = ImportResult(kind="units", errors=[RowError(0, "", "Tệp trống."), RowError(7, "kind", "sai")])
    lines = [e.text for e in summarise(IMPORT_KINDS["units"], result).errors]
    assert lines == ["Tệp: Tệp trống.", "Dòng 7 · Loại (kind): sai"]
