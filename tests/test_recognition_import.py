"""``import recognitions``: codes resolved as of 31 December, scope of the standard, all-or-nothing,
re-import updates, history rows with source "import"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import F

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.importing import IMPORT_KINDS, ImportResult, run_import
from phongtrao.recognition import importers
from phongtrao.recognition.models import Recognition, RecognitionEvent, Status
from phongtrao.units.models import Unit

pytestmark = pytest.mark.django_db
HEADER = "unit_code,year,registered,households_committed,result,decision_no,decision_date\n"


def load(text: str, *, dry_run: bool = False, name: str = "recognitions.csv") -> ImportResult:
    return run_import("recognitions", name, text.encode("utf-8"), actor=Actor.system(), dry_run=dry_run)


def errors(result: ImportResult) -> list[str]:
    return [str(e) for e in result.errors]


def test_registered_as_an_import_kind() -> None:
    assert IMPORT_KINDS["recognitions"].label
    assert [c.key for c in IMPORT_KINDS["recognitions"].columns][:2] == ["unit_code", "year"]


def test_code_resolves_as_of_31_december_of_the_row_year(official_register: None) -> None:
    result = load(HEADER + "22918,2024,yes,,dat,12/QĐ-UBND,15/12/2024\n22918,2025,yes,,chua_dat,,\n")
    assert result.ok, errors(result)
    assert result.created == 2
    old = Recognition.objects.get(year=2024)
    new = Recognition.objects.get(year=2025)
    assert old.unit.name == "Phường Hàm Tiến" and old.status == Status.RECOGNISED
    assert old.decision_no == "12/QĐ-UBND" and old.decision_date == dt.date(2024, 12, 15)
    assert new.unit.name == "Phường Mũi Né" and new.status == Status.NOT_RECOGNISED
    assert old.unit_id != new.unit_id


def test_unknown_code_on_that_date_names_the_code_and_date(official_register: None) -> None:
    result = load(HEADER + "99999,2025,yes,,,,\n")
    assert errors(result) == ["row 2: unit_code: đơn vị mã “99999” còn hiệu lực ngày 31/12/2025: "
                              "không tìm thấy hoặc ngoài phạm vi của bạn"]


def test_row_for_unit_not_subject_to_the_standard_is_an_error(example_units: None) -> None:
    # NX-T99000-000 is a primary school: registered in the register, outside the standard.
    result = load(HEADER + "KDC-T99000-01,2025,yes,,dat,1/QĐ-UBND,15/12/2025\nNX-T99000-000,2025,yes,,dat,,\n")
    assert not result.ok
    assert len(result.errors) == 1
    assert result.errors[0].row == 3 and result.errors[0].column == "unit_code"
    assert "không thuộc diện xét tiêu chuẩn" in result.errors[0].message
    # A province is not assessed either.
    assert "không thuộc diện" in errors(load(HEADER + "T99,2025,yes,,,,\n"))[0]


def test_all_or_nothing(example_units: None) -> None:
    result = load(HEADER + "KDC-T99000-01,2025,yes,,dat,1/QĐ-UBND,15/12/2025\n"
                           "KDC-T99000-02,2025,yes,,maybe,,\n"
                           "KDC-T99000-03,20x5,yes,,,,\n")
    assert errors(result) == [
        "row 3: result: kết quả “maybe” không hợp lệ (chấp nhận: chua_dat, dat)",
        "row 4: year: “20x5” không phải số nguyên",
    ]
    assert not Recognition.objects.exists()
    assert not RecognitionEvent.objects.exists()


def test_bad_values_are_row_errors(example_units: None) -> None:
    result = load(HEADER + "KDC-T99000-01,2025,no,,dat,,\n"
                           "KDC-T99000-02,1999,yes,,,,\n"
                           "AG-T99000-006,2025,yes,10,,,\n"
                           "KDC-T99000-03,2025,yes,,,,31/02/2025\n"
                           "KDC-T99000-04,2025,perhaps,,,,\n"
                           ",2025,yes,,,,\n")
    assert [(e.row, e.column) for e in result.errors] == [
        (2, "registered"), (3, "year"), (4, "households_committed"), (5, "decision_date"), (6, "registered"),
        (7, "unit_code"),
    ]


def test_duplicate_unit_and_year_in_one_file(example_units: None) -> None:
    result = load(HEADER + "T99001,2025,yes,,,,\nT99001,2025,yes,,dat,1/QĐ,15/12/2025\n")
    assert errors(result) == ["row 3: unit_code: trùng với dòng 2 (cùng đơn vị và năm 2025)"]


def test_missing_required_column(example_units: None) -> None:
    result = load("unit_code,result\nT99001,dat\n")
    assert errors(result) == ["row 1: year: thiếu cột bắt buộc “year” (Năm)"]


def test_reimport_updates_the_one_record_and_appends_history(example_units: None) -> None:
    first = load(HEADER + "T99001,2025,yes,,,,\n")
    assert (first.created, first.updated) == (1, 0)
    rec = Recognition.objects.get()
    assert rec.status == Status.REGISTERED
    second = load(HEADER + "T99001,2025,,,Đạt,7/QĐ-UBND,15/12/2025\n")
    assert (second.created, second.updated, second.unchanged) == (0, 1, 0)
    rec.refresh_from_db()
    assert rec.status == Status.RECOGNISED and rec.decision_no == "7/QĐ-UBND"
    third = load(HEADER + "T99001,2025,,,Đạt,7/QĐ-UBND,15/12/2025\n")
    assert (third.created, third.updated, third.unchanged) == (0, 0, 1)
    assert Recognition.objects.count() == 1
    events = list(rec.events.order_by("pk").values_list("source", "from_status", "to_status"))
    assert events == [("import", "", "registered"), ("import", "registered", "recognised")]
    assert AuditEntry.objects.filter(action="recognition.import", object_id=str(rec.pk)).count() == 2


def test_vietnamese_headers_and_households(example_units: None) -> None:
    text = ("Mã đơn vị,Năm,Đăng ký,Số hộ ký cam kết,Kết quả,Số quyết định,Ngày quyết định\n"
            "KDC-T99000-01,2025,có,234,Chưa đạt,,\n")
    result = load(text)
    assert result.ok, errors(result)
    rec = Recognition.objects.get()
    assert (rec.status, rec.households_committed) == (Status.NOT_RECOGNISED, 234)
    too_many = load(HEADER + "KDC-T99000-01,2025,yes,235,,,\n")
    assert errors(too_many) == ["row 2: households_committed: lớn hơn số hộ của khu dân cư (234)"]


def test_not_registered_row_and_empty_result(example_units: None) -> None:
    result = load(HEADER + "T99001,2025,no,,,,\nT99002,2025,,,,,\n")
    assert result.ok
    assert set(Recognition.objects.values_list("status", flat=True)) == {Status.NOT_REGISTERED}


def test_dry_run_writes_nothing(example_units: None) -> None:
    result = load(HEADER + "T99001,2025,yes,,dat,1/QĐ,15/12/2025\n", dry_run=True)
    assert result.ok and result.created == 1 and result.dry_run
    assert not Recognition.objects.exists()


def test_command_exits_1_and_prints_row_errors(example_units: None, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ket-qua.csv"
    path.write_text(HEADER + "NX-T99000-000,2025,yes,,dat,,\n", encoding="utf-8")
    with pytest.raises(SystemExit) as info:
        call_command("import", "recognitions", str(path))
    assert info.value.code == 1
    assert not Recognition.objects.exists()


def test_example_file_imports(example_units: None, example_dir: Path) -> None:
    result = run_import("recognitions", "recognitions.csv", (example_dir / "recognitions.csv").read_bytes(),
                        actor=Actor.system())
    assert result.ok, errors(result)
    assert Recognition.objects.filter(year=2025).passed().count() == 27 + 5 + 17
    assert Recognition.objects.in_subtree(Unit.objects.get(code="T99001")).for_year(2025).exists()


def test_commune_officer_imports_only_inside_own_commune(example_units: None, make_user: Any) -> None:
    officer = make_user("xa1", Role.COMMUNE_OFFICER, unit=Unit.objects.get(code="T99001"))
    actor = Actor(user=officer, channel="import")
    text = HEADER + "KDC-T99001-03,2025,yes,,,,\nKDC-T99002-03,2025,yes,,,,\n"
    result = run_import("recognitions", "r.csv", text.encode(), actor=actor)
    assert errors(result) == ["row 3: unit_code: đơn vị mã “KDC-T99002-03” còn hiệu lực ngày 31/12/2025: "
                              "không tìm thấy hoặc ngoài phạm vi của bạn"]
    assert not Recognition.objects.exists()
    ok = run_import("recognitions", "r.csv", (HEADER + "KDC-T99001-03,2025,yes,,,,\n").encode(), actor=actor)
    assert ok.ok and Recognition.objects.get().events.get().user == officer


def test_viewer_may_not_import_results(example_units: None, make_user: Any) -> None:
    viewer = make_user("xem1", Role.VIEWER, unit=Unit.objects.get(code="T99"))
    result = run_import("recognitions", "r.csv", (HEADER + "T99001,2025,yes,,,,\n").encode(),
                        actor=Actor(user=viewer, channel="import"))
    assert not result.ok and "không có quyền" in str(result.errors[0])


def test_a_record_changed_after_the_importer_read_it_is_refused_like_a_stale_form(
        example_units: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The importer writes through the cycle's "import" move: a record saved by someone else between the
    importer's read and its write (here forced in between) refuses the file, and nothing is written."""
    assert load(HEADER + "KDC-T99000-01,2025,yes,,,,\nKDC-T99000-02,2025,yes,,,,\n").ok
    plan = importers._plan

    def someone_saves_after_the_read(rows: Any, result: ImportResult) -> Any:
        planned = plan(rows, result)
        Recognition.objects.filter(unit__code="KDC-T99000-02").update(version=F("version") + 1)
        return planned

    monkeypatch.setattr(importers, "_plan", someone_saves_after_the_read)
    result = load(HEADER + "KDC-T99000-01,2025,yes,,dat,1/QĐ-UBND,15/12/2025\n"
                           "KDC-T99000-02,2025,yes,,dat,1/QĐ-UBND,15/12/2025\n")
    assert [(e.row, e.column) for e in result.errors] == [(3, "")]
    assert "vừa được người khác cập nhật" in result.errors[0].message
    assert (result.created, result.updated, result.preview) == (0, 0, [])
    assert sorted(Recognition.objects.values_list("status", "version")) == [("registered", 1)] * 2
    assert RecognitionEvent.objects.count() == 2  # the first import's, none of the refused one
