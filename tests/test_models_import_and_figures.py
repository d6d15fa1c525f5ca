"""``import models`` / ``import model_sites`` and the ``models`` section of ``report annual``.

The example province's figures come out exactly as expected.json says (read, never copied);
decoys (a model retired before the year, a site retired before it, a model starting after it)
are not counted; bad rows are refused with ``row N: column: message`` and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.importing import IMPORT_KINDS, ImportResult, run_import
from phongtrao.models_registry.figures import build_models_section, models_blocks
from phongtrao.models_registry.models import Field, Initiator, Model, ModelEvent, Site, SiteStatus, Status
from phongtrao.reports.render.markdown import render_blocks
from phongtrao.units.models import Unit

pytestmark = pytest.mark.django_db
MODELS_HEADER = "code,name,field,initiated_by,started_on,status,retired_on\n"
SITES_HEADER = "model_code,unit_code,started_on,teams,status,retired_on\n"
DAY = dt.date(2025, 12, 31)


def load(kind: str, text: str, *, actor: Actor | None = None, dry_run: bool = False,
         name: str = "file.csv") -> ImportResult:
    return run_import(kind, name, text.encode("utf-8"), actor=actor or Actor.system(), dry_run=dry_run)


def errors(result: ImportResult) -> list[str]:
    return [str(e) for e in result.errors]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def example_models(example_units: None, example_dir: Path) -> None:
    for kind in ("models", "model_sites"):
        result = run_import(kind, f"{kind}.csv", (example_dir / f"{kind}.csv").read_bytes(), actor=Actor.system())
        assert result.ok, errors(result)


def section(code: str = "T99", year: int = 2025) -> dict[str, Any]:
    return build_models_section(Unit.objects.with_code(code, dt.date(year, 12, 31)).get(), year)


def test_example_province_after_setup_matches_expected_json(official_register: None, example_dir: Path) -> None:
    """The acceptance path: setup, then the four example files through the command, then report annual."""
    run("setup")
    for kind in ("units", "recognitions", "models", "model_sites"):
        out = run("import", kind, str(example_dir / f"{kind}.csv"))
        assert f"{kind}: imported" in out, out
    expected = json.loads((example_dir / "expected.json").read_text(encoding="utf-8"))
    data = json.loads(run("report", "annual", "--unit", "T99", "--year", "2025"))
    contract = expected["2025"]["models"]  # the contract's keys; the yearly flows are checked below
    assert {key: data["models"][key] for key in contract} == contract


def test_kinds_are_registered_with_their_columns() -> None:
    assert [c.key for c in IMPORT_KINDS["models"].columns][:7] == [
        "code", "name", "field", "initiated_by", "started_on", "status", "retired_on"]
    assert [c.key for c in IMPORT_KINDS["model_sites"].columns] == [
        "model_code", "unit_code", "started_on", "teams", "status", "retired_on"]


def test_setup_seeds_the_initiators_of_the_contract(db: None) -> None:
    codes = set(Initiator.objects.filter(province__isnull=True).values_list("code", flat=True))
    assert {"tinh_uy", "ubnd_tinh", "cong_an_va_nganh", "cap_huyen", "cap_xa", "co_quan_don_vi"} <= codes
    out = run("setup")
    assert "models catalogues: 0 initiators, 0 fields created" in out
    assert Initiator.objects.filter(province__isnull=True).count() == len(codes)


def test_unknown_catalogue_values_are_added_and_listed_as_warnings(example_units: None, example_dir: Path) -> None:
    result = run_import("models", "models.csv", (example_dir / "models.csv").read_bytes(), actor=Actor.system())
    assert result.ok and result.created == 6
    new_fields = [w for w in result.warnings if "lĩnh vực mới" in w]
    assert len(new_fields) == 2 and any("Lĩnh vực khác" in w for w in new_fields)
    assert Field.objects.filter(name="Lĩnh vực mới").count() == 1
    # Each entry the importer added has its audit row, like one added on the catalogue page.
    added = Field.objects.filter(name__in=["Lĩnh vực mới", "Lĩnh vực khác"])
    assert added.count() == 2
    audited = AuditEntry.objects.filter(action="field.create", channel=Actor.system().channel)
    assert {(e.object_id, e.after["name"]) for e in audited} == {(str(f.pk), f.name) for f in added}
    # Known values are matched by code or by name, whatever the case and diacritics.
    assert Model.objects.get(code="MH003").field.code == "giao_thong"
    assert Model.objects.get(code="MH001").initiator.code == "cap_xa"
    assert Model.objects.get(code="MH900").status == Status.RETIRED
    assert ModelEvent.objects.filter(action="import").count() == 6
    assert AuditEntry.objects.filter(action="model.import").count() == 6


def test_sites_give_orphan_models_the_province_and_reimport_is_unchanged(example_models: None,
                                                                      example_dir: Path) -> None:
    province = Unit.objects.with_code("T99", DAY).get()
    assert set(Model.objects.values_list("unit_id", flat=True)) == {province.pk}
    again = run_import("model_sites", "s.csv", (example_dir / "model_sites.csv").read_bytes(), actor=Actor.system())
    assert again.ok and again.created == 0 and again.updated == 0 and again.unchanged == again.rows_read
    again = run_import("models", "m.csv", (example_dir / "models.csv").read_bytes(), actor=Actor.system())
    assert again.unchanged == 6


def test_figures_per_commune_sum_to_the_province(example_models: None) -> None:
    province = section()
    communes = [section(f"T9900{i}") for i in range(6)]
    assert sum(c["sites"] for c in communes) == province["sites"]
    assert sum(c["teams"] for c in communes) == province["teams"]
    assert max(c["models"] for c in communes) <= province["models"]


def test_figures_are_one_query(example_models: None, django_assert_num_queries: Any) -> None:
    province = Unit.objects.with_code("T99", DAY).get()
    with django_assert_num_queries(1):
        build_models_section(province, 2025)


def test_decoys_are_not_counted(example_units: None) -> None:
    before = section()
    result = load("models", MODELS_HEADER
                  + "D1,Mô hình thanh loại năm trước,Giao thông,cap_xa,01/01/2020,retired,31/12/2024\n"
                  + "D2,Mô hình có điểm thanh loại,Giao thông,tinh_uy,01/01/2020,active,\n"
                  + "D3,Mô hình năm sau,An ninh trường học,tinh_uy,01/01/2026,active,\n")
    assert result.ok, errors(result)
    result = load("model_sites", SITES_HEADER
                  + "D1,KDC-T99001-01,2020-02-01,3,active,\n"  # site still open, but its model retired in 2024
                  + "D2,KDC-T99001-02,2020-02-01,4,retired,2024-12-31\n"  # retired the day before the year
                  + "D3,KDC-T99001-03,2025-06-01,5,active,\n"  # the model itself starts after the year
                  + "D2,KDC-T99001-03,2021-01-01,1,retired,\n")  # retired without a date: never counted
    assert result.ok, errors(result)
    assert any("không ghi ngày thanh loại" in w for w in result.warnings)
    assert section() == before == {"models": 0, "fields": 0, "sites": 0, "teams": 0, "by_initiator": {},
                                   "models_retired": 0, "sites_added": 0, "sites_retired": 0}
    # The same rows count in the years they were active.
    assert section(year=2024)["models"] == 2 and section(year=2024)["teams"] == 7


def test_site_retired_during_the_year_counts(example_units: None) -> None:
    load("models", MODELS_HEADER + "A1,Mô hình A,Giao thông,cap_xa,01/01/2020,active,\n")
    result = load("model_sites", SITES_HEADER + "A1,KDC-T99001-01,2020-02-01,2,retired,2025-01-01\n"
                  + "A1,KDC-T99002-01,2025-12-31,3,active,\n")
    assert result.ok, errors(result)
    assert section() == {"models": 1, "fields": 1, "sites": 2, "teams": 5, "by_initiator": {"cap_xa": 1},
                         "models_retired": 0, "sites_added": 1, "sites_retired": 1}


def test_the_years_flows_retired_models_added_and_retired_sites(example_units: None) -> None:
    load("models", MODELS_HEADER + "F1,Mô hình F1,Giao thông,cap_xa,01/01/2020,retired,15/09/2025\n"
         + "F2,Mô hình F2,Giao thông,cap_xa,01/01/2020,active,\n"
         + "F3,Mô hình F3,Giao thông,cap_xa,01/01/2020,retired,20/12/2024\n")
    result = load("model_sites", SITES_HEADER
                  + "F1,KDC-T99001-01,2020-02-01,2,retired,2025-09-15\n"  # retired with its model in 2025
                  + "F2,KDC-T99001-02,2025-03-01,1,active,\n"  # added in 2025
                  + "F2,KDC-T99002-01,2025-11-30,1,active,\n"  # added in 2025
                  + "F2,KDC-T99002-02,2021-01-01,1,retired,2025-02-01\n"  # retired in 2025
                  + "F2,KDC-T99002-03,2026-01-02,1,active,\n"  # added the next year: not counted
                  + "F3,KDC-T99003-01,2020-02-01,1,retired,2024-12-20\n")  # retired the year before
    assert result.ok, errors(result)
    flows = {k: section()[k] for k in ("models", "models_retired", "sites_added", "sites_retired")}
    assert flows == {"models": 2, "models_retired": 1, "sites_added": 2, "sites_retired": 2}
    assert {k: section(year=2024)[k] for k in ("models_retired", "sites_added", "sites_retired")} == \
        {"models_retired": 1, "sites_added": 0, "sites_retired": 1}
    province = Unit.objects.with_code("T99", DAY).get()
    text = render_blocks(models_blocks(province, 2025, build_models_section(province, 2025)))
    assert "Trong năm: 1 mô hình thanh loại; thêm 2 điểm mới; 2 điểm thanh loại." in text


def test_markdown_is_vietnamese(example_models: None) -> None:
    province = Unit.objects.with_code("T99", DAY).get()
    data = build_models_section(province, 2025)
    text = render_blocks(models_blocks(province, 2025, data))
    assert (f"Toàn tỉnh có {data['models']} mô hình thuộc {data['fields']} lĩnh vực, triển khai tại "
            f"{data['sites']} điểm với {data['teams']} tổ, nhóm") in text
    assert "| UBND tỉnh | " in text and "| Cấp xã | " in text
    md = run("report", "annual", "--unit", "T99", "--year", "2025", "--format", "md")
    assert "Toàn tỉnh có" in md


def test_vietnamese_headers_and_labels(example_units: None) -> None:
    result = load("models", "Mã,Tên mô hình,Lĩnh vực,Cấp/cơ quan phát động,Ngày xây dựng,Trạng thái\n"
                  "V1,Mô hình tiếng Việt,giao thông,Cấp xã,15/03/2023,Đang hoạt động\n")
    assert result.ok, errors(result)
    result = load("model_sites", "Mã mô hình,Mã đơn vị,Ngày triển khai,Số tổ/nhóm,Trạng thái,Ngày thanh loại\n"
                  "V1,KDC-T99001-01,15/04/2023,2,Thanh loại,01/01/2025\n")
    assert result.ok, errors(result)
    site = Site.objects.get(model__code="V1")
    assert site.status == SiteStatus.RETIRED and site.retired_on == dt.date(2025, 1, 1) and site.teams == 2


def test_bad_rows_are_each_reported_and_nothing_is_written(example_units: None) -> None:
    before = (Model.objects.count(), Site.objects.count(), AuditEntry.objects.count())
    result = load("models", MODELS_HEADER
                  + "B1,,Giao thông,cap_xa,01/01/2020,active,\n"
                  + "B2,Mô hình,Giao thông,cap_xa,31/02/2020,active,\n"
                  + "B3,Mô hình,Giao thông,cap_xa,01/01/2020,đang chạy,\n"
                  + "B4,Mô hình,Giao thông,cap_xa,01/01/2020,active,01/01/2021\n"
                  + "B5,Mô hình,Giao thông,cap_xa,01/01/2020,retired,01/01/2019\n"
                  + "B6,Mô hình,Giao thông,cap_xa,01/01/2020,active,\n"
                  + "B6,Mô hình,Giao thông,cap_xa,01/01/2020,active,\n")
    assert errors(result) == [
        "row 2: name: bắt buộc, không được để trống",
        "row 3: started_on: ngày không hợp lệ “31/02/2020” (dùng 15/12/2023 hoặc 2023-12-15)",
        "row 4: status: trạng thái “đang chạy” không hợp lệ (chấp nhận: active, retired)",
        "row 5: retired_on: chỉ ghi ngày thanh loại khi trạng thái là thanh loại",
        "row 6: retired_on: ngày thanh loại trước ngày bắt đầu",
        "row 8: code: trùng với dòng 7 (cùng mã B6)",
    ]
    assert (Model.objects.count(), Site.objects.count(), AuditEntry.objects.count()) == before
    assert not Field.objects.filter(name="Giao thông").exclude(code="giao_thong").exists()


def test_site_rows_resolve_codes_by_their_date(example_units: None) -> None:
    load("models", MODELS_HEADER + "S1,Mô hình,Giao thông,cap_xa,01/01/2020,active,\n")
    result = load("model_sites", SITES_HEADER
                  + "XX,KDC-T99001-01,2023-01-01,1,active,\n"
                  + "S1,KDC-NOPE,2023-01-01,1,active,\n"
                  + "S1,KDC-T99001-01,,1,active,\n"
                  + "S1,KDC-T99001-01,2023-01-01,0,active,\n"
                  + "S1,22918,2024-12-31,1,active,\n"
                  + "S1,KDC-T99001-02,2023-01-01,1,active,\n"
                  + "S1,KDC-T99001-02,2023-01-01,2,active,\n")
    assert errors(result) == [
        "row 2: model_code: mô hình mã “XX”: không tìm thấy hoặc ngoài phạm vi của bạn (nhập danh sách mô hình trước)",
        "row 3: unit_code: đơn vị mã “KDC-NOPE” còn hiệu lực ngày 01/01/2023: không tìm thấy hoặc ngoài phạm vi "
        "của bạn",
        "row 4: started_on: bắt buộc: mã đơn vị được tra theo ngày triển khai",
        "row 5: teams: số phải từ 1 trở lên",
        "row 8: unit_code: trùng với dòng 7 (cùng mô hình, đơn vị và ngày triển khai)",
    ]
    assert not Site.objects.exists()
    # Code 22918 names Hàm Tiến until 30/06/2025 and Mũi Né after it.
    result = load("model_sites", SITES_HEADER + "S1,22918,2024-12-31,1,active,\nS1,22918,2025-07-01,1,active,\n")
    assert result.ok, errors(result)
    assert list(Site.objects.order_by("started_on").values_list("unit__name", flat=True)) == [
        "Phường Hàm Tiến", "Phường Mũi Né"]


def test_missing_required_column_is_row_1(example_units: None) -> None:
    result = load("model_sites", "model_code,started_on\nS1,2023-01-01\n")
    assert errors(result) == ["row 1: unit_code: thiếu cột bắt buộc “unit_code” (Mã đơn vị)"]


def test_dry_run_writes_nothing(example_units: None, example_dir: Path) -> None:
    result = run_import("models", "models.csv", (example_dir / "models.csv").read_bytes(), actor=Actor.system(),
                        dry_run=True)
    assert result.ok and result.created == 6
    assert not Model.objects.exists() and not Field.objects.filter(name="Lĩnh vực mới").exists()


def test_reimport_updates_by_code(example_units: None) -> None:
    load("models", MODELS_HEADER + "U1,Tên cũ,Giao thông,cap_xa,01/01/2020,active,\n")
    result = load("models", MODELS_HEADER + "U1,Tên mới,Giao thông,cap_xa,01/01/2020,retired,30/06/2025\n")
    assert result.ok and result.updated == 1
    model = Model.objects.get(code="U1")
    assert (model.name, model.status, model.retired_on, model.version) == (
        "Tên mới", Status.RETIRED, dt.date(2025, 6, 30), 2)
    assert list(model.events.values_list("from_status", "to_status")) == [
        ("", Status.OPERATING), (Status.OPERATING, Status.RETIRED)]


def test_scope_is_checked_per_row(example_units: None, make_user: Any) -> None:
    commune_x = Unit.objects.with_code("T99001", DAY).get()
    officer = make_user("xa1", Role.COMMUNE_OFFICER, unit=commune_x)
    actor = Actor.command(officer)
    result = load("models", MODELS_HEADER + "C1,Mô hình của xã,Giao thông,cap_xa,01/01/2023,active,\n", actor=actor)
    assert result.ok, errors(result)
    assert Model.objects.get(code="C1").unit == commune_x  # the officer's own commune
    result = load("model_sites", SITES_HEADER + "C1,KDC-T99001-01,2023-02-01,1,active,\n"
                  "C1,KDC-T99002-01,2023-02-01,1,active,\n", actor=actor)
    assert errors(result) == [
        "row 3: unit_code: đơn vị mã “KDC-T99002-01” còn hiệu lực ngày 01/02/2023: không tìm thấy hoặc ngoài phạm vi "
        "của bạn"]
    # A model of another unit cannot be overwritten by re-importing its code.
    result = load("models", MODELS_HEADER.replace("\n", ",unit_code\n")
                  + "P1,Mô hình của tỉnh,Giao thông,ubnd_tinh,01/01/2023,active,,T99\n")
    assert result.ok and Model.objects.get(code="P1").unit.code == "T99"
    result = load("models", MODELS_HEADER + "P1,Đổi tên,Giao thông,ubnd_tinh,01/01/2023,active,\n", actor=actor)
    assert errors(result) == ["row 2: code: mã mô hình “P1” đã được dùng cho một mô hình khác (không thuộc phạm vi "
                              "của bạn); hãy dùng mã khác"]
    viewer = make_user("xem1", Role.VIEWER, unit=commune_x)
    result = load("models", MODELS_HEADER + "C9,X,Giao thông,cap_xa,,,\n", actor=Actor.command(viewer))
    assert result.errors[0].row == 0  # the role may not import models at all


def test_xlsx_template_imports_as_is(example_units: None) -> None:
    from openpyxl import load_workbook

    from phongtrao.imports.workbook import build_template

    book = load_workbook(io.BytesIO(build_template(IMPORT_KINDS["model_sites"])))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == [c.label for c in IMPORT_KINDS["model_sites"].columns]
    load("models", MODELS_HEADER + "X1,Mô hình,Giao thông,cap_xa,01/01/2020,active,\n")
    sheet.append(["X1", "KDC-T99001-01", "01/02/2023", 2, "active", None])
    out = io.BytesIO()
    book.save(out)
    result = run_import("model_sites", "diem.xlsx", out.getvalue(), actor=Actor.system())
    assert result.ok, errors(result)
    assert Site.objects.get().teams == 2
