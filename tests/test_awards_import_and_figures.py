"""``import awards`` and the annual report's awards section: the example province's figures equal
expected.json (read from the file, never copied here), re-import adds nothing, bad rows are row errors."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from phongtrao.audit.actions import Actor
from phongtrao.awards.figures import build_awards_section
from phongtrao.awards.models import AwardDecision, AwardRecipient, AwardType
from phongtrao.lib.importing import IMPORT_KINDS, run_import
from phongtrao.reports.annual import SECTIONS
from tests.conftest import EXAMPLES, built_once, ensure_official_register

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def annual(code: str, year: int, fmt: str = "json") -> Any:
    out, _ = _run("report", "annual", "--unit", code, "--year", str(year), "--format", fmt)
    return json.loads(out) if fmt == "json" else out


@pytest.fixture(scope="module")
def set_up_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[Path]:
    """``phongtrao setup`` (schema, register, seeds), then the example province's units, as the contract says:
    once for the module (``built_once``), each test in a savepoint of it."""
    with built_once(django_db_blocker):
        ensure_official_register()
        _run("setup")
        _run("import", "units", str(EXAMPLES / "units.csv"))
        yield EXAMPLES


@pytest.fixture
def set_up(set_up_once: Path, db: None) -> Path:
    return set_up_once


def _csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _example_rows(example_dir: Path) -> list[dict[str, str]]:
    with (example_dir / "awards.csv").open(encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def test_setup_seeds_the_catalogue_in_interchange_order(set_up: Path) -> None:
    codes = list(AwardType.objects.in_order().values_list("code", flat=True))
    assert codes == ["bang_khen_thu_tuong", "co_thi_dua_bo_cong_an", "bang_khen_bo_cong_an", "co_thi_dua_ubnd_tinh",
                     "bang_khen_ubnd_tinh", "giay_khen_giam_doc_cong_an_tinh", "giay_khen_ubnd_xa",
                     "giay_khen_ubnd_huyen", "ky_niem_chuong_bv_antq"]
    medal = AwardType.objects.get(code="ky_niem_chuong_bv_antq")
    assert medal.once_per_person and medal.recipients == "individual"
    _run("setup")  # idempotent
    assert AwardType.objects.count() == len(codes)
    assert "awards" in IMPORT_KINDS and "awards" in SECTIONS


def test_report_awards_equal_expected_json_and_reimport_adds_nothing(set_up: Path) -> None:
    expected = json.loads((set_up / "expected.json").read_text(encoding="utf-8"))
    out, _ = _run("import", "awards", str(set_up / "awards.csv"))
    assert "created: " in out
    data = annual("T99", 2025)
    assert data["awards"] == expected["2025"]["awards"]
    # Importing the same file again changes nothing.
    decisions, recipients = AwardDecision.objects.count(), AwardRecipient.objects.count()
    out, _ = _run("import", "awards", str(set_up / "awards.csv"))
    assert "created: 0" in out
    assert f"unchanged: {recipients}" in out
    assert (AwardDecision.objects.count(), AwardRecipient.objects.count()) == (decisions, recipients)
    assert annual("T99", 2025)["awards"] == expected["2025"]["awards"]


def test_awards_of_other_years_are_not_counted(set_up: Path) -> None:
    rows = _example_rows(set_up)
    _run("import", "awards", str(set_up / "awards.csv"))
    other_years = sorted({int(r["year"]) for r in rows} - {2025})
    assert other_years, "the example must have decoy rows of another year"
    expected = json.loads((set_up / "expected.json").read_text(encoding="utf-8"))
    this_year = annual("T99", 2025)["awards"]
    assert this_year == expected["2025"]["awards"]
    counted_this_year = sum(r["collective"] + r["individual"] for r in this_year)
    assert counted_this_year == sum(1 for r in rows if r["year"] == "2025")
    for year in other_years:
        section = annual("T99", year)["awards"]
        assert sum(r["collective"] + r["individual"] for r in section) == sum(1 for r in rows if r["year"] == str(year))


def test_catalogue_order_and_only_forms_with_recipients(set_up: Path) -> None:
    _run("import", "awards", str(set_up / "awards.csv"))
    section = annual("T99", 2025)["awards"]
    order = list(AwardType.objects.in_order().values_list("code", flat=True))
    codes = [r["award_type"] for r in section]
    assert codes == sorted(codes, key=order.index)
    assert all(r["collective"] + r["individual"] > 0 for r in section)


def test_commune_subtree_counts_only_its_own(set_up: Path) -> None:
    rows = [r for r in _example_rows(set_up) if r["year"] == "2025"]
    _run("import", "awards", str(set_up / "awards.csv"))
    with (set_up / "units.csv").open(encoding="utf-8-sig") as f:
        parents = {r["code"]: r["parent_code"] for r in csv.DictReader(f)}
    commune = "T99005"
    mine = [r for r in rows if r["unit_code"] == commune or parents.get(r["unit_code"]) == commune]
    section = annual(commune, 2025)["awards"]
    assert sum(r["collective"] + r["individual"] for r in section) == len(mine)


def test_one_group_by_query(set_up: Path, django_assert_num_queries: Any) -> None:
    from phongtrao.units.models import Unit

    _run("import", "awards", str(set_up / "awards.csv"))
    province = Unit.objects.get(code="T99")
    with django_assert_num_queries(1):
        build_awards_section(province, 2025)


def test_markdown_is_vietnamese(set_up: Path) -> None:
    _run("import", "awards", str(set_up / "awards.csv"))
    section = annual("T99", 2025)["awards"]
    collective = sum(r["collective"] for r in section)
    individual = sum(r["individual"] for r in section)
    text = annual("T99", 2025, "md")
    assert f"Năm 2025 có {collective} lượt tập thể và {individual} lượt cá nhân được khen thưởng" in text
    assert "Bằng khen của Chủ tịch UBND tỉnh" in text


def _errors(set_up: Path, rows: list[dict[str, str]]) -> list[str]:
    result = run_import("awards", "awards.csv", _csv(rows), actor=Actor.system())
    assert AwardRecipient.objects.count() == 0
    return [str(e) for e in result.errors]


def test_unknown_award_type_is_a_row_error(set_up: Path) -> None:
    rows = _example_rows(set_up)
    rows[2] = rows[2] | {"award_type": "huan_chuong_khong_co"}
    assert _errors(set_up, rows) == ["row 4: award_type: hình thức khen thưởng “huan_chuong_khong_co” "
                                     "không có trong danh mục"]


def test_bad_recipient_kind_is_a_row_error(set_up: Path) -> None:
    rows = _example_rows(set_up)
    rows[0] = rows[0] | {"recipient_kind": "gia đình"}
    errors = _errors(set_up, rows)
    assert len(errors) == 1 and errors[0].startswith("row 2: recipient_kind: đối tượng “gia đình” không hợp lệ")


def test_command_exits_1_and_prints_every_bad_row(set_up: Path, tmp_path: Path) -> None:
    rows = _example_rows(set_up)
    rows[0] = rows[0] | {"award_type": "khong_co"}
    rows[1] = rows[1] | {"unit_code": "KHONG-CO"}
    rows[2] = rows[2] | {"recipient_kind": "individual", "recipient_name": ""}
    rows[3] = rows[3] | {"year": "20x5"}
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "bad.csv"
    target.write_bytes(_csv(rows))
    with pytest.raises(SystemExit) as info:
        call_command("import", "awards", str(target), stdout=out, stderr=err)
    assert info.value.code == 1
    text = err.getvalue()
    assert "row 2: award_type:" in text
    assert "row 3: unit_code: đơn vị mã “KHONG-CO” còn hiệu lực ngày 31/12/2025: không tìm thấy" in text
    assert "row 4: recipient_name: cá nhân phải có họ tên" in text
    assert "row 5: year:" in text
    assert AwardRecipient.objects.count() == 0


def test_vietnamese_headers_xlsx_and_dry_run(set_up: Path) -> None:
    from openpyxl import Workbook

    labels = {"year": "Năm", "award_type": "Hình thức khen thưởng", "recipient_kind": "Đối tượng",
              "recipient_name": "Tên", "unit_code": "Mã đơn vị", "title": "Chức vụ",
              "decision_no": "Số quyết định", "decision_date": "Ngày quyết định"}
    rows = _example_rows(set_up)
    book = Workbook()
    sheet = book.active
    sheet.append([labels[k] for k in rows[0]])
    for row in rows:
        sheet.append([row[k] for k in rows[0]])
    buffer = io.BytesIO()
    book.save(buffer)
    dry = run_import("awards", "awards.xlsx", buffer.getvalue(), actor=Actor.system(), dry_run=True)
    assert dry.ok and dry.created == len(rows)
    assert AwardRecipient.objects.count() == 0
    done = run_import("awards", "awards.xlsx", buffer.getvalue(), actor=Actor.system())
    assert done.ok and done.created == len(rows)
    expected = json.loads((set_up / "expected.json").read_text(encoding="utf-8"))
    assert annual("T99", 2025)["awards"] == expected["2025"]["awards"]


def test_rows_group_into_decisions_by_number_date_form_year_and_issuer(set_up: Path) -> None:
    rows = _example_rows(set_up)
    run_import("awards", "awards.csv", (set_up / "awards.csv").read_bytes(), actor=Actor.system())
    # Each distinct (year, form, number, date) of the file is one decision here (one issuer each in the example).
    keys = {(r["year"], r["award_type"], r["decision_no"], r["decision_date"]) for r in rows}
    assert AwardDecision.objects.count() == len(keys)


def test_rows_outside_the_users_capture_scope_are_refused(set_up: Path, make_user: Any) -> None:
    import datetime as dt

    from phongtrao.accounts.models import Role
    from phongtrao.units.models import Unit

    commune = Unit.objects.with_code("T99001", dt.date(2025, 12, 31)).get()
    officer = make_user("chutich.xa", Role.APPROVER, unit=commune)
    result = run_import("awards", "awards.csv", (set_up / "awards.csv").read_bytes(), actor=Actor(user=officer))
    assert not result.ok
    assert any("nằm ngoài phạm vi" in str(e) for e in result.errors)
    assert AwardRecipient.objects.count() == 0


def test_medal_repeat_in_a_file_is_a_warning_not_an_error(set_up: Path) -> None:
    rows = [{"year": "2024", "award_type": "ky_niem_chuong_bv_antq", "recipient_kind": "Cá nhân",
             "recipient_name": "Nguyễn Văn Bình", "unit_code": "KDC-T99001-03", "title": "Trưởng thôn",
             "decision_no": "1/QĐ-BCA", "decision_date": "2024-08-19"}]
    first = run_import("awards", "a.csv", _csv(rows), actor=Actor.system())
    assert first.ok and not [w for w in first.warnings if "một lần" in w]
    again = [rows[0] | {"year": "2025", "recipient_name": "NGUYEN VAN BINH", "decision_no": "9/QĐ-BCA",
                        "decision_date": "2025-08-19"}]
    second = run_import("awards", "b.csv", _csv(again), actor=Actor.system())
    assert second.ok and second.created == 1
    assert any("có thể đã nhận" in w for w in second.warnings)
