"""The doors of data values: ``import data_values`` (all or nothing, row errors, dry run; the command, the
upload page and the API), the XLSX template per data set, the export, and the API's reads and writes with
scopes (out of scope looks like unknown: 404)."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from phongtrao.accounts.models import Role
from phongtrao.api.actions import do_create_token
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.datasets.models import DataValue
from phongtrao.lib.importing import run_import
from phongtrao.lib.periods import Period
from phongtrao.units.models import Unit

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
HEADER = "Mã biểu mẫu,Mã chỉ tiêu,Mã đơn vị,Kỳ,Phân tổ,Giá trị,Ghi chú\n"


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, Period.year_of(YEAR).end).get()


@pytest.fixture
def people(example_units: None, make_user: Any) -> dict[str, Any]:
    return {"commune": make_user("xa-t99001", Role.COMMUNE_OFFICER, unit("T99001")),
            "province": make_user("tinh-t99", Role.PROVINCE_OFFICER, unit("T99")),
            "viewer": make_user("xem-t99", Role.VIEWER, unit("T99"))}


def good_file() -> bytes:
    return (HEADER
            + f"xa_nam,tuyen_truyen_buoi,T99001,{YEAR},Trực tiếp; Tiếng dân tộc thiểu số,12,\n"
            + f",tuyen_truyen_buoi,T99001,{YEAR},loa;tieng_viet,1.234,họp tổ\n"
            + f"xa_nam,kinh_phi,T99001,{YEAR},,15.000.000,\n"
            + f",tin_bao,KDC-T99001-03,{YEAR},,3,\n"
            + f",tin_bao,T99001,{YEAR}Q4,,2,\n").encode()


def test_import_writes_every_row_through_the_actions(people: dict[str, Any]) -> None:
    result = run_import("data_values", "so-lieu.csv", good_file(), actor=Actor(user=people["commune"]))
    assert result.ok, [str(e) for e in result.errors]
    assert (result.rows_read, result.created, result.updated) == (5, 5, 0)
    values = {(v.unit.code, v.period, v.element.code, v.option_combo.code): v for v in DataValue.objects.all()}
    assert values[("T99001", str(YEAR), "tuyen_truyen_buoi", "truc_tiep.tieng_dtts")].value == 12
    assert values[("T99001", str(YEAR), "tuyen_truyen_buoi", "loa.tieng_viet")].comment == "họp tổ"
    assert values[("T99001", str(YEAR), "tuyen_truyen_buoi", "loa.tieng_viet")].value == 1234
    assert values[("T99001", str(YEAR), "kinh_phi", "default")].value == 15_000_000
    assert values[("KDC-T99001-03", str(YEAR), "tin_bao", "default")].value == 3
    assert values[("T99001", f"{YEAR}Q4", "tin_bao", "default")].value == 2  # the quarterly report's
    assert AuditEntry.objects.filter(action="datavalue.import").count() == 5
    again = run_import("data_values", "so-lieu.csv", good_file(), actor=Actor(user=people["commune"]))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_one_bad_row_writes_nothing_and_is_named(people: dict[str, Any]) -> None:
    bad = good_file() + (
        f"xa_nam,tuyen_truyen_buoi,T99001,{YEAR},Trực tiếp,5,\n"  # row 7: half a cell
        f",tin_bao,T99002,{YEAR},,1,\n"  # row 8: another commune
        f",tin_bao,T99001,{YEAR},,-4,\n"  # row 9
        f",tin_bao,T99001,{YEAR},,3,\n"  # row 10: same cell as row 9 (row 9 is refused first)
        f",khong_co,T99001,{YEAR},,1,\n"  # row 11
        f",tin_bao,T99001,2025X,,1,\n").encode()  # row 12
    result = run_import("data_values", "so-lieu.csv", bad, actor=Actor(user=people["commune"]))
    lines = [str(e) for e in result.errors]
    assert not result.ok and not DataValue.objects.exists()
    assert lines[0].startswith("row 7: options: chưa đủ phân tổ")
    assert lines[1] == (f"row 8: unit_code: đơn vị mã “T99002” còn hiệu lực ngày 31/12/{YEAR}: không tìm thấy "
                        "hoặc ngoài phạm vi của bạn")
    assert lines[2] == "row 9: value: Không nhận số âm."
    assert lines[3].startswith("row 11: element: không có chỉ tiêu") and lines[4].startswith("row 12: period:")
    out, err = StringIO(), StringIO()
    path = io.BytesIO(bad)
    with pytest.raises(SystemExit):
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
            handle.write(path.getvalue())
            handle.flush()
            call_command("import", "data_values", handle.name, stdout=out, stderr=err)
    assert "row 9: value: Không nhận số âm." in err.getvalue() + out.getvalue()


def test_dry_run_through_the_api_and_the_upload_page(people: dict[str, Any]) -> None:
    _, key = do_create_token(Actor(user=people["commune"]), people["commune"], name="t")
    api = Client(headers={"authorization": f"Bearer {key}"})
    response = api.post("/api/v1/imports/data_values", {"file": SimpleUploadedFile("so-lieu.csv", good_file()),
                                                        "dry_run": "true"})
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 5 and response.json()["dry_run"] and not DataValue.objects.exists()
    page = Client()
    page.force_login(people["commune"])
    assert page.get(reverse("imports:upload", args=["data_values"])).status_code == 200
    template = page.get(reverse("imports:template", args=["data_values"]))
    assert template.status_code == 200


def test_xlsx_template_per_data_set_has_vietnamese_headers_and_imports_back(people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(people["commune"])
    response = client.get(reverse("datasets:template", args=["xa_nam"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == ["Mã biểu mẫu", "Mã chỉ tiêu", "Tên chỉ tiêu", "Mã đơn vị", "Tên đơn vị", "Kỳ", "Phân tổ",
                             "Giá trị", "Ghi chú"]
    sessions = [r for r in rows[1:] if r[1] == "tuyen_truyen_buoi"]
    assert len(sessions) == 10 and sessions[0][6] == "Trực tiếp; Tiếng Việt" and sessions[0][5] == str(YEAR)
    # fill two rows and import the workbook as it is
    sheet.cell(row=2, column=4, value="T99001")
    sheet.cell(row=2, column=8, value="2")
    out = io.BytesIO()
    sheet.parent.save(out)
    result = run_import("data_values", "mau.xlsx", out.getvalue(), actor=Actor(user=people["commune"]))
    assert result.ok and result.created == 1, [str(e) for e in result.errors]
    assert result.warnings == [f"bỏ qua {sheet.max_row - 2} dòng chưa điền mã đơn vị, giá trị hay ghi chú"]


def test_export_gives_back_the_entered_values_in_the_import_format(people: dict[str, Any]) -> None:
    assert run_import("data_values", "a.csv", good_file(), actor=Actor(user=people["commune"])).ok
    client = Client()
    client.force_login(people["province"])
    url = reverse("datasets:export") + f"?unit={unit('T99').pk}&dataset=xa_nam&period={YEAR}&format=csv"
    text = client.get(url).content.decode("utf-8-sig")
    assert text.splitlines()[0] == ("Mã biểu mẫu,Mã chỉ tiêu,Tên chỉ tiêu,Mã đơn vị,Tên đơn vị,Kỳ,Phân tổ,Giá trị,"
                                    "Ghi chú")
    assert f"xa_nam,tuyen_truyen_buoi,Số buổi tuyên truyền về phong trào,T99001,Xã Anh Sơn,{YEAR}," \
           "Trực tiếp; Tiếng dân tộc thiểu số,12," in text
    DataValue.objects.all().delete()
    result = run_import("data_values", "back.csv", text.encode(), actor=Actor(user=people["province"]))
    assert result.ok and result.created == 3, [str(e) for e in result.errors]  # the commune's three cells


def test_api_reads_and_writes_values_within_scope(people: dict[str, Any]) -> None:
    def api(user: Any) -> Client:
        _, key = do_create_token(Actor(user=user), user, name="t")
        return Client(headers={"authorization": f"Bearer {key}"})

    commune, other = unit("T99001"), unit("T99002")
    body = {"dataset": "xa_nam", "unit_id": commune.pk, "period": str(YEAR), "values": [
        {"element": "tuyen_truyen_buoi", "options": ["truc_tiep", "tieng_dtts"], "value": 7, "version": 0},
        {"element": "tuyen_truyen_luot", "value": "1.500", "comment": "ước tính"}]}
    officer = api(people["commune"])
    dry = officer.post("/api/v1/data-values", json.dumps(body | {"dry_run": True}), content_type="application/json")
    assert dry.status_code == 200 and dry.json()["created"] == 2 and not DataValue.objects.exists()
    saved = officer.post("/api/v1/data-values", json.dumps(body), content_type="application/json")
    assert saved.status_code == 200 and saved.json() == {"dry_run": False, "created": 2, "updated": 0,
                                                         "unchanged": 0}
    assert DataValue.objects.get(element__code="tuyen_truyen_luot").value == 1500
    stale = officer.post("/api/v1/data-values", json.dumps(body | {"values": [body["values"][0]]}),
                         content_type="application/json")
    assert stale.status_code == 409
    bad = officer.post("/api/v1/data-values", json.dumps(body | {"values": [
        {"element": "tuyen_truyen_buoi", "options": ["truc_tiep"], "value": 1},
        {"element": "tuyen_truyen_luot", "value": -3}]}), content_type="application/json")
    assert bad.status_code == 422
    assert [d["field"] for d in bad.json()["error"]["details"]] == ["values[0].options", "values[1].value"]
    nul_body = body | {"values": [{"element": "tin_bao", "value": "1\u0000"}]}
    nul = officer.post("/api/v1/data-values", json.dumps(nul_body), content_type="application/json")
    assert nul.status_code == 422 and DataValue.objects.count() == 2
    # another commune: as if it did not exist; a viewer sees but may not write
    elsewhere = officer.post("/api/v1/data-values", json.dumps(body | {"unit_id": other.pk}),
                             content_type="application/json")
    assert elsewhere.status_code == 404
    assert api(people["viewer"]).post("/api/v1/data-values", json.dumps(body),
                                      content_type="application/json").status_code == 403
    listed = api(people["viewer"]).get(f"/api/v1/data-values?in_subtree={unit('T99').pk}&period={YEAR}").json()
    assert listed["count"] == 2 and {i["element"] for i in listed["items"]} == {"tuyen_truyen_buoi",
                                                                                "tuyen_truyen_luot"}
    assert officer.get(f"/api/v1/data-values?unit_id={other.pk}").status_code == 404
    figures = api(people["province"]).get(f"/api/v1/data-figures?unit_id={unit('T99').pk}&dataset=xa_nam"
                                          f"&first={YEAR}").json()
    assert figures["elements"]["tuyen_truyen_buoi"] == {"total": 7, "by": {"kenh_tuyen_truyen": {"truc_tiep": 7},
                                                                          "ngon_ngu": {"tieng_dtts": 7}}}
    catalogue = officer.get("/api/v1/data-sets").json()
    assert "xa_nam" in {d["code"] for d in catalogue}
    complete = officer.post("/api/v1/data-reports/complete", json.dumps(
        {"dataset": "xa_nam", "unit_id": commune.pk, "period": str(YEAR)}), content_type="application/json")
    assert complete.status_code == 200 and complete.json()["status"] == "complete", complete.content
    assert Decimal(DataValue.objects.get(element__code="tuyen_truyen_buoi").value) == 7
