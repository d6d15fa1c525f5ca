"""``import units`` (INTERCHANGE.md): through ``run_import`` and through ``phongtrao import units FILE``."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry, Channel
from phongtrao.lib.importing import ImportResult, run_import
from phongtrao.units.importers import COLUMNS
from phongtrao.units.models import Kind, Unit

pytestmark = pytest.mark.django_db
HEADER = ("code,name,kind,parent_code,subtype,managed_by,size,school_level,armed_forces,households,"
          "valid_from,valid_to")


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def run(data: bytes, name: str = "units.csv", *, dry_run: bool = False,
        actor: Actor | None = None) -> ImportResult:
    return run_import("units", name, data, actor=actor or Actor.command(), dry_run=dry_run)


def state() -> tuple[int, int, str]:
    """Everything an import could change: unit and audit counts and a checksum of every unit's identity."""
    rows = Unit.objects.order_by("pk").values_list("pk", "code", "name", "kind", "parent_id", "households",
                                                   "valid_from", "valid_to")
    digest = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return Unit.objects.count(), AuditEntry.objects.count(), digest


def command(path: Path, *args: str) -> tuple[int, str, str]:
    """Run ``import units PATH``; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", "units", str(path), *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def errors_of(result: ImportResult) -> list[str]:
    return [str(e) for e in result.errors]


def to_xlsx(data: bytes) -> bytes:
    """The same table as an Excel workbook, every cell as text (as a spreadsheet holds codes)."""
    import csv

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- the example province ------------------------------------------------------------------------

def test_example_file_creates_60_then_nothing_on_the_second_run(official_register: None,
                                                                example_dir: Path) -> None:
    data = (example_dir / "units.csv").read_bytes()
    first = run(data)
    assert first.ok, errors_of(first)
    assert (first.rows_read, first.created, first.updated, first.unchanged) == (60, 60, 0, 0)
    before = state()
    second = run(data)
    assert second.ok, errors_of(second)
    assert (second.rows_read, second.created, second.updated, second.unchanged) == (60, 0, 0, 60)
    assert state() == before
    province = Unit.objects.get(code="T99")
    assert province.parent is not None and province.parent.code == "VN"
    assert Unit.objects.in_subtree(province).count() == 60
    assert Unit.objects.get(code="KDC-T99001-03").households == 509
    # Depth is right even for units whose parent was created by the same file.
    for unit in Unit.objects.in_subtree(province).select_related("parent"):
        assert unit.depth == unit.parent.depth + 1, unit.code  # type: ignore[union-attr]


def test_command_imports_the_example_twice(official_register: None, example_dir: Path) -> None:
    status, out, err = command(example_dir / "units.csv")
    assert status == 0, err
    assert "rows read: 60" in out and "created: 60" in out
    status, out, err = command(example_dir / "units.csv")
    assert status == 0, err
    assert "created: 0" in out and "unchanged: 60" in out


def test_rows_may_come_in_any_order(official_register: None) -> None:
    data = csv_bytes(
        "T98-A-1,Thôn 1,residential_area,T98-A,thon,,,,,120,,",
        "T98-A,Xã Thử,commune,T98,xa,,,,,,,",
        "T98-SC,Trường Thử,school,T98-A,,commune,,thcs,,,,",
        "T98,Tỉnh Thử,province,,tinh,,,,,,,",
    )
    result = run(data)
    assert result.ok, errors_of(result)
    assert result.created == 4
    hamlet = Unit.objects.get(code="T98-A-1")
    assert [u.code for u in hamlet.ancestors()] == ["VN", "T98", "T98-A"]
    assert hamlet.depth == 3
    # The closure table knows the new subtree.
    assert set(Unit.objects.in_subtree(Unit.objects.get(code="T98")).values_list("code", flat=True)) == {
        "T98", "T98-A", "T98-A-1", "T98-SC"}


def test_vietnamese_headers_are_accepted(official_register: None, example_dir: Path) -> None:
    text = (example_dir / "units.csv").read_text(encoding="utf-8")
    header, body = text.split("\n", 1)
    labels = {c.key: c.label for c in COLUMNS}
    vi_header = ",".join(f" {labels[key].upper()} " for key in header.split(","))
    result = run((vi_header + "\n" + body).encode())
    assert result.ok, errors_of(result)
    assert result.created == 60
    assert result.warnings == []


def test_xlsx_with_the_same_content(official_register: None, example_dir: Path) -> None:
    data = to_xlsx((example_dir / "units.csv").read_bytes())
    result = run(data, "don-vi.xlsx")
    assert result.ok, errors_of(result)
    assert result.created == 60
    assert run((example_dir / "units.csv").read_bytes()).unchanged == 60


def test_xlsx_through_the_command(official_register: None, example_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "DON-VI.XLSX"
    path.write_bytes(to_xlsx((example_dir / "units.csv").read_bytes()))
    status, out, err = command(path)
    assert status == 0, err
    assert "created: 60" in out


def test_csv_with_bom(official_register: None, example_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "units-bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + (example_dir / "units.csv").read_bytes())
    status, out, err = command(path)
    assert status == 0, err
    assert "created: 60" in out
    assert Unit.objects.filter(code="T99001").exists()  # "code" header not spoilt by the BOM


def test_dry_run_writes_nothing(official_register: None, example_dir: Path) -> None:
    before = state()
    status, out, _err = command(example_dir / "units.csv", "--dry-run")
    assert status == 0
    assert "dry run: nothing written" in out and "created: 60" in out
    assert state() == before
    result = run((example_dir / "units.csv").read_bytes(), dry_run=True)
    assert result.ok and result.created == 60 and len(result.preview) == 60
    assert state() == before


# --- errors: all or nothing ----------------------------------------------------------------------

def test_missing_required_column_exits_1_and_writes_nothing(official_register: None, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes("T98,Tỉnh Thử,,", header="code,name,parent_code,Mã cũ"))
    before = state()
    status, _out, err = command(path)
    assert status == 1
    assert "row 1: kind: thiếu cột bắt buộc “kind” (Loại)" in err
    assert state() == before


def test_bad_rows_exit_1_list_every_row_and_write_nothing(official_register: None, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(csv_bytes(
        "T98,Tỉnh Thử,province,,tinh,,,,,,,",                            # row 2: fine
        "T98-A,Xã Thử,hamlet,T98,xa,,,,,,,",                             # row 3: unknown kind
        "T98-B,Xã Lạc,commune,T97,xa,,,,,,,",                            # row 4: unknown parent code
        "T98-C,Xã Sai Ngày,commune,T98,xa,,,,,,31/02/2024,",             # row 5: bad date
        "T98-D,Xã Tốt,commune,T98,xa,,,,,,,",                            # row 6: fine
    ))
    before = state()
    status, out, err = command(path)
    assert status == 1
    assert "nothing written" in out
    lines = err.splitlines()
    assert lines[0] == "3 error(s); nothing was written:"
    assert lines[1].startswith("row 3: kind: loại đơn vị “hamlet” không hợp lệ")
    assert lines[2].startswith("row 4: parent_code: đơn vị cấp trên mã “T97” còn hiệu lực ngày ")
    assert lines[3].startswith("row 5: valid_from: ngày không hợp lệ “31/02/2024”")
    assert state() == before
    assert not Unit.objects.filter(code__in=["T98", "T98-D"]).exists()


def test_unknown_kind_of_import_is_refused(tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes())
    with pytest.raises(CommandError, match="unknown import kind"):
        call_command("import", "hamlets", str(path))


@pytest.mark.parametrize(("name", "data", "message"), [
    ("units.txt", b"code,name,kind\n", "file: Chỉ nhận tệp .csv hoặc .xlsx."),
    ("units.csv", b"", "file: Tệp trống"),
    ("units.xlsx", b"garbage", "file: Không đọc được tệp Excel"),
    ("units.csv", bytes(range(1, 256)) * 4, "file: Tệp CSV phải được mã hóa UTF-8."),
])
def test_unreadable_file_exits_1(official_register: None, tmp_path: Path, name: str, data: bytes,
                                 message: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = state()
    status, _out, err = command(path)
    assert status == 1
    assert message in err
    assert state() == before


def test_a_child_of_a_bad_row_is_an_error_too(official_register: None) -> None:
    result = run(csv_bytes(
        "T98,Tỉnh Thử,province,,tinh,,,,,,,",
        "T98-A,Xã Thử,commune,T98,xa,,,,,,,2024-13-01",
        "T98-A-1,Thôn 1,residential_area,T98-A,thon,,,,,,,",
    ))
    assert not result.ok
    assert any(e.row == 3 for e in result.errors)
    assert {e.row for e in result.errors} <= {3, 4}


def test_huge_and_overlong_cells_are_row_errors(official_register: None) -> None:
    result = run(csv_bytes(
        "T98,Tỉnh Thử,province,,tinh,,,,,,,",
        f"{'X' * 41},Xã Dài,commune,T98,xa,,,,,,,",
        f"T98-B,{'Tên ' * 100},commune,T98,xa,,,,,,,",
        "T98-C,Thôn,residential_area,22918,,,,,,99999999999,,",
        "T98-D,Thôn,residential_area,22918,,,,,,12.5,,",
    ))
    assert errors_of(result)[:4] == [
        "row 3: code: dài quá 40 ký tự",
        "row 4: name: dài quá 255 ký tự",
        "row 5: households: số phải không quá 2147483647",
        "row 6: households: “12.5” không phải số nguyên",
    ]


def test_duplicate_rows_in_one_file_are_an_error(official_register: None) -> None:
    before = state()
    result = run(csv_bytes(
        "T98,Tỉnh Thử,province,,tinh,,,,,,,",
        "T98-A,Xã Thử,commune,T98,xa,,,,,,,",
        "T98-A,Xã Thử,commune,T98,xa,,,,,,,",
    ))
    assert errors_of(result) == ["row 4: code: trùng với dòng 3 (cùng mã, loại và ngày hiệu lực)"]
    assert state() == before


def test_overlapping_rows_for_the_same_code_are_an_error(official_register: None) -> None:
    result = run(csv_bytes(
        "T98,Tỉnh Thử,province,,tinh,,,,,,2020-01-01,",
        "T98-A,Xã Thử,commune,T98,xa,,,,,,2020-01-01,",
        "T98-A,Xã Thử mới,commune,T98,xa,,,,,,2022-01-01,",
    ))
    assert not result.ok
    assert [e.column for e in result.errors] == ["valid_from"]


def test_same_code_in_successive_periods_is_fine(official_register: None) -> None:
    result = run(csv_bytes(
        "T98,Tỉnh Thử,province,,tinh,,,,,,2020-01-01,",
        "T98-A,Xã Thử,commune,T98,xa,,,,,,2020-01-01,2021-12-31",
        "T98-A,Xã Thử mới,commune,T98,xa,,,,,,2022-01-01,",
    ))
    assert result.ok, errors_of(result)
    assert Unit.objects.with_code("T98-A", dt.date(2021, 6, 1)).get().name == "Xã Thử"
    assert Unit.objects.with_code("T98-A", dt.date(2023, 6, 1)).get().name == "Xã Thử mới"


def test_two_rows_updating_the_same_unit_are_an_error(official_register: None, example_units: None) -> None:
    result = run(csv_bytes(
        "T99001,Xã Anh Sơn,commune,T99,xa,,,,,,2026-01-01,",
        "T99001,Xã Anh Sơn mới,commune,T99,xa,,,,,,2026-03-01,",
    ))
    assert errors_of(result) == ["row 3: code: dòng 2 cũng cập nhật đơn vị “Xã Anh Sơn”"]


# --- codes resolved by date ----------------------------------------------------------------------

def test_parent_code_resolves_by_the_rows_date(official_register: None) -> None:
    # "22918" is Phường Hàm Tiến until 30/06/2025 and Phường Mũi Né from 01/07/2025.
    result = run(csv_bytes(
        "KDC-OLD,Khu phố 1,residential_area,22918,khu_pho,,,,,300,2024-01-01,30/06/2025",
        "KDC-NEW,Khu phố 1,residential_area,22918,khu_pho,,,,,300,01/09/2025,",
    ))
    assert result.ok, errors_of(result)
    assert Unit.objects.get(code="KDC-OLD").parent.name == "Phường Hàm Tiến"  # type: ignore[union-attr]
    assert Unit.objects.get(code="KDC-NEW").parent.name == "Phường Mũi Né"  # type: ignore[union-attr]


def test_a_child_cannot_outlive_the_parent_its_code_resolved_to(official_register: None) -> None:
    result = run(csv_bytes("KDC-OLD,Khu phố 1,residential_area,22918,khu_pho,,,,,300,2024-01-01,"))
    assert [(e.row, e.column) for e in result.errors] == [(2, "parent_code")]
    assert "Phường Hàm Tiến chỉ có hiệu lực đến 30/06/2025" in result.errors[0].message


def test_a_row_without_dates_resolves_as_of_today(official_register: None) -> None:
    result = run(csv_bytes("KDC-TODAY,Khu phố 2,residential_area,22918,khu_pho,,,,,,,"))
    assert result.ok, errors_of(result)
    assert Unit.objects.get(code="KDC-TODAY").parent.name == "Phường Mũi Né"  # type: ignore[union-attr]


def test_a_row_with_only_valid_to_resolves_as_of_that_date(official_register: None) -> None:
    result = run(csv_bytes("KDC-ENDED,Khu phố 3,residential_area,22918,khu_pho,,,,,,,31/12/2024"))
    assert result.ok, errors_of(result)
    assert Unit.objects.get(code="KDC-ENDED").parent.name == "Phường Hàm Tiến"  # type: ignore[union-attr]


def test_no_unit_of_that_code_on_that_date_names_code_and_date(official_register: None) -> None:
    # District 593 existed only before the reform.
    result = run(csv_bytes("SC-X,Trường X,school,593,,district,,thcs,,,2025-09-01,"))
    assert errors_of(result) == [
        "row 2: parent_code: đơn vị cấp trên mã “593” còn hiệu lực ngày 01/09/2025: không tìm thấy hoặc ngoài phạm vi "
        "của bạn"]


def test_leading_zeros_are_kept(official_register: None) -> None:
    result = run(csv_bytes(
        "007,Tổ dân phố 7,residential_area,00004,to_dan_pho,,,,,,2025-09-01,",
        "7,Tổ dân phố số 7,residential_area,00004,to_dan_pho,,,,,,2025-09-01,",
    ))
    assert result.ok, errors_of(result)
    assert result.created == 2
    hamlets = Unit.objects.of_kind(Kind.RESIDENTIAL_AREA)
    assert hamlets.get(code="007").parent.name == "Phường Ba Đình"  # type: ignore[union-attr]
    assert hamlets.get(code="7").name == "Tổ dân phố số 7"
    bad = run(csv_bytes("008,Tổ dân phố 8,residential_area,4,to_dan_pho,,,,,,2025-09-01,"))
    assert [e.column for e in bad.errors] == ["parent_code"]
    assert "“4”" in bad.errors[0].message


def test_leading_zeros_are_kept_in_xlsx_text_cells(official_register: None) -> None:
    data = to_xlsx(csv_bytes("007,Tổ dân phố 7,residential_area,00004,to_dan_pho,,,,,,2025-09-01,"))
    result = run(data, "units.xlsx")
    assert result.ok, errors_of(result)
    hamlet = Unit.objects.of_kind(Kind.RESIDENTIAL_AREA).get(code="007")
    assert hamlet.parent.code == "00004"  # type: ignore[union-attr]


# --- updates -------------------------------------------------------------------------------------

def test_update_row_updates_and_empty_cells_keep_values(official_register: None, example_units: None) -> None:
    hamlet = Unit.objects.get(code="KDC-T99001-03")
    assert (hamlet.name, hamlet.subtype, hamlet.households) == ("Khu phố 3", "khu_pho", 509)
    before_count = Unit.objects.count()
    result = run(csv_bytes("KDC-T99001-03,Khu phố Ba,residential_area,,,,,,,,,"))
    assert result.ok, errors_of(result)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    assert result.preview == [(2, "update", "KDC-T99001-03 Khu phố Ba")]
    hamlet.refresh_from_db()
    assert (hamlet.name, hamlet.subtype, hamlet.households) == ("Khu phố Ba", "khu_pho", 509)
    assert hamlet.parent.code == "T99001"  # type: ignore[union-attr]
    assert hamlet.version == 2
    assert Unit.objects.count() == before_count


def test_update_can_move_a_unit_and_its_subtree(official_register: None, example_units: None) -> None:
    result = run(csv_bytes("KDC-T99001-03,Khu phố 3,residential_area,T99002,,,,,,,,"))
    assert result.ok, errors_of(result)
    hamlet = Unit.objects.get(code="KDC-T99001-03")
    assert hamlet.parent.code == "T99002"  # type: ignore[union-attr]
    assert hamlet in Unit.objects.in_subtree(Unit.objects.get(code="T99002"))
    assert hamlet not in Unit.objects.in_subtree(Unit.objects.get(code="T99001"))
    # The move (through units.actions.reparent_subtree) has the import's audit row with the old and new parent.
    entry = AuditEntry.objects.filter(action="unit.import", object_id=str(hamlet.pk)).latest("id")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["parent_id"], entry.after["parent_id"]) == (
        Unit.objects.get(code="T99001").pk, Unit.objects.get(code="T99002").pk)


def test_same_code_but_other_kind_is_a_new_unit(official_register: None, example_units: None) -> None:
    result = run(csv_bytes("T99001,Trường T99001,school,T99001,,commune,,thcs,,,,"))
    assert result.ok, errors_of(result)
    assert result.created == 1
    assert Unit.objects.filter(code="T99001").count() == 2


# --- audit ---------------------------------------------------------------------------------------

def test_command_import_writes_audit_rows_with_channel_command(official_register: None,
                                                               example_dir: Path) -> None:
    before = AuditEntry.objects.count()
    status, _out, err = command(example_dir / "units.csv")
    assert status == 0, err
    entries = AuditEntry.objects.order_by("id")[before:]
    assert len(entries) == 60
    assert {e.channel for e in entries} == {Channel.COMMAND}
    assert {e.action for e in entries} == {"unit.import"}
    province = next(e for e in entries if e.object_repr == "Tỉnh Thử Nghiệm")
    assert province.before is None
    assert province.after is not None
    assert (province.after["code"], province.after["kind"]) == ("T99", "province")
    assert province.object_id == str(Unit.objects.get(code="T99").pk)


def test_upload_import_writes_audit_rows_with_user_and_before_after(
    official_register: None, example_units: None, make_user: Any
) -> None:
    user = make_user("importer")
    hamlet = Unit.objects.get(code="KDC-T99001-03")
    result = run(csv_bytes("KDC-T99001-03,Khu phố 3,residential_area,,,,,,,600,,"),
                 actor=Actor(user=user, channel=Channel.IMPORT))
    assert result.ok, errors_of(result)
    entry = AuditEntry.objects.get(object_type="units.unit", object_id=str(hamlet.pk), channel=Channel.IMPORT)
    assert entry.user == user
    assert entry.unit == hamlet
    assert entry.before is not None and entry.after is not None
    assert (entry.before["households"], entry.after["households"]) == (509, 600)


def test_unchanged_rows_write_no_audit(official_register: None, example_units: None,
                                       example_dir: Path) -> None:
    before = AuditEntry.objects.count()
    assert run((example_dir / "units.csv").read_bytes()).unchanged == 60
    assert AuditEntry.objects.count() == before


def test_organisation_rules_are_row_errors(official_register: None, example_units: None) -> None:
    result = run(csv_bytes(
        "EN-NEW,Công ty mới,enterprise,T99001,,commune,,,,,,",
        "SC-NEW,Trường mới,school,T99001,,commune,,,,,,",
        "AG-NEW,Cơ quan mới,agency,T99001,,,,,,,,",
        "KDC-NEW,Thôn mới,residential_area,T99,thon,,,,,,,",
    ))
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "size"), (3, "school_level"), (4, "managed_by"), (5, "parent_code")]
