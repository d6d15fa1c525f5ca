"""Imports act for a user only inside that user's capture scope and role."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.lib.importing import run_import
from phongtrao.lib.vnformat import date_text
from phongtrao.units.models import Unit

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 12, 31)


def csv(*rows: str) -> bytes:
    return ("code,name,kind,parent_code\n" + "\n".join(rows) + "\n").encode()


def test_commune_officer_imports_inside_own_commune_only(example_units: None, make_user: Any) -> None:
    commune = Unit.objects.with_code("T99001", DAY).get()
    officer = make_user("xa1", Role.COMMUNE_OFFICER, unit=commune)
    actor = Actor(user=officer, channel="import")
    ok = run_import("units", "a.csv", csv("KDC-NEW-1,Thôn Mới,residential_area,T99001"), actor=actor)
    assert ok.ok and ok.created == 1
    before = Unit.objects.count()
    bad = run_import("units", "b.csv", csv("KDC-NEW-2,Thôn Khác,residential_area,T99002",
                                           "KDC-T99002-01,Đổi tên,residential_area,T99002"), actor=actor)
    assert not bad.ok
    today = timezone.localdate()
    assert [str(e) for e in bad.errors] == [
        f"row 2: parent_code: đơn vị cấp trên mã “T99002” còn hiệu lực ngày {date_text(today)}: không tìm thấy "
        "hoặc ngoài phạm vi của bạn",
        "row 3: code: mã “KDC-T99002-01” đã được dùng cho một đơn vị khác cùng loại (không thuộc phạm vi của bạn); "
        "hãy dùng mã khác",
    ]
    assert Unit.objects.count() == before


def test_viewer_may_not_import_at_all(example_units: None, make_user: Any) -> None:
    province = Unit.objects.with_code("T99", DAY).get()
    viewer = make_user("xem1", Role.VIEWER, unit=province)
    result = run_import("units", "a.csv", csv("KDC-NEW-3,Thôn Mới,residential_area,T99001"),
                        actor=Actor(user=viewer, channel="import"))
    assert not result.ok and "không có quyền" in str(result.errors[0])
    assert not Unit.objects.filter(code="KDC-NEW-3").exists()


# (kind, header, row with {code}) — the code is an out-of-scope unit, or an unknown one.
UNIT_CODE_FILES = [
    ("units", "code,name,kind,parent_code", "KDC-NEW-9,Thôn Mới,residential_area,{code}"),
    ("recognitions", "unit_code,year,registered,result", "{code},2025,yes,dat"),
    ("awards", "year,award_type,recipient_kind,recipient_name,unit_code,decision_no,decision_date",
     "2025,giay_khen_ubnd_xa,collective,Tập thể,{code},1/QĐ,20/12/2025"),
    ("model_sites", "model_code,unit_code,started_on,teams,status", "C1,{code},2023-02-01,1,active"),
]


@pytest.mark.parametrize(("kind", "header", "row"), UNIT_CODE_FILES, ids=[k for k, _, _ in UNIT_CODE_FILES])
def test_out_of_scope_and_unknown_codes_read_the_same(example_units: None, make_user: Any, kind: str,
                                                      header: str, row: str) -> None:
    """A code that exists in another commune must get exactly the message of a code that exists nowhere."""
    from phongtrao.awards.catalogue import seed_award_types

    seed_award_types()
    commune = Unit.objects.with_code("T99001", DAY).get()
    role = Role.APPROVER if kind == "awards" else Role.COMMUNE_OFFICER  # awards are recorded by the deciders
    actor = Actor(user=make_user("xa1", role, unit=commune), channel="import")
    if kind == "model_sites":
        made = run_import("models", "m.csv", b"code,name,field,initiated_by,started_on,status\n"
                          b"C1,M\xc3\xb4 h\xc3\xacnh,Giao th\xc3\xb4ng,cap_xa,01/01/2023,active\n", actor=actor)
        assert made.ok, [str(e) for e in made.errors]
    messages = []
    for code in ("KDC-T99002-01" if kind != "units" else "T99002", "KDC-T99NOPE-01"):
        data = f"{header}\n{row.format(code=code)}\n".encode()
        result = run_import(kind, f"{kind}.csv", data, actor=actor, dry_run=True)
        assert not result.ok
        messages.append([f"{e.row}:{e.column}:{e.message.replace(code, 'CODE')}" for e in result.errors])
    assert messages[0] == messages[1]
    assert "ngoài phạm vi của bạn" in messages[0][0]


def test_a_site_of_another_communes_model_reads_like_an_unknown_model(example_units: None, make_user: Any) -> None:
    seed = run_import("models", "m.csv", "code,name,field,initiated_by,started_on,status,unit_code\n"
                      "P1,Mô hình của xã khác,Giao thông,cap_xa,01/01/2023,active,T99002\n".encode(),
                      actor=Actor.system())
    assert seed.ok, [str(e) for e in seed.errors]
    commune = Unit.objects.with_code("T99001", DAY).get()
    actor = Actor(user=make_user("xa1", Role.COMMUNE_OFFICER, unit=commune), channel="import")
    messages = []
    for code in ("P1", "P-NOPE"):
        data = f"model_code,unit_code,started_on\n{code},KDC-T99001-01,2023-02-01\n".encode()
        result = run_import("model_sites", "s.csv", data, actor=actor, dry_run=True)
        messages.append([e.message.replace(code, "CODE") for e in result.errors])
    assert messages[0] == messages[1] and len(messages[0]) == 1


def test_a_taken_code_of_another_commune_is_refused_without_naming_its_unit(example_units: None,
                                                                            make_user: Any) -> None:
    other = Unit.objects.with_code("KDC-T99002-01", DAY).get()
    commune = Unit.objects.with_code("T99001", DAY).get()
    actor = Actor(user=make_user("xa1", Role.COMMUNE_OFFICER, unit=commune), channel="import")
    result = run_import("units", "a.csv", csv("KDC-T99002-01,Thôn Trùng,residential_area,T99001"), actor=actor)
    assert not result.ok
    text = " ".join(str(e) for e in result.errors)
    assert other.name not in text and "T99002," not in text and "nằm ngoài" not in text


def test_errors_name_the_root_cause_once_not_once_per_dependent_row(official_register: None, make_user: Any,
                                                                   example_dir: Any) -> None:
    """The example province imported by an officer of another province: the province row's parent (the
    country) is outside their scope; the 59 rows below it wait on that row and are summarised in one line."""
    da_nang = Unit.objects.with_code("48", timezone.localdate()).get()
    actor = Actor(user=make_user("tinh48", Role.PROVINCE_OFFICER, unit=da_nang), channel="import")
    data = (example_dir / "units.csv").read_bytes()
    result = run_import("units", "units.csv", data, actor=actor, dry_run=True)
    province_row = next(i for i, line in enumerate(data.decode().splitlines(), start=1) if line.startswith("T99,"))
    assert [(e.row, e.column) for e in result.errors] == [(province_row, "code"), (province_row, "parent_code")]
    waiting = next(e.message for e in result.errors if e.column == "code")
    assert waiting.startswith("59 dòng khác dùng đơn vị ở dòng này làm cấp trên (dòng ")
    assert "ngoài phạm vi của bạn" in next(e.message for e in result.errors if e.column == "parent_code")


def test_the_same_error_on_many_rows_is_one_line_on_the_page_and_in_the_command(
        official_register: None, make_user: Any, client: Any, settings: Any, tmp_path: Any) -> None:
    from django.urls import reverse

    from phongtrao.imports.summary import summarise
    from phongtrao.lib.importing import IMPORT_KINDS

    settings.DATA_DIR = tmp_path
    rows = [f"KDC-X{i},Thôn {i},residential_area,T99" for i in range(30)] + ["KDC-Y,Thôn Y,hamlet,T99"]
    result = run_import("units", "a.csv", csv(*rows), actor=Actor.system(), dry_run=True)
    assert len(result.errors) == 31
    groups = result.grouped_errors()
    assert [(g.rows[:3], len(g.rows), g.column) for g in groups] == [([2, 3, 4], 30, "parent_code"), ([32], 1, "kind")]
    assert str(groups[0]).startswith("rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 … (30 dòng): parent_code: đơn vị cấp trên "
                                     "mã “T99”")
    lines = [line.text for line in summarise(IMPORT_KINDS["units"], result).errors]
    assert len(lines) == 2 and lines[0].startswith("Dòng 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 … (30 dòng) · ")
    client.force_login(make_user("admin"))
    page = client.post(reverse("imports:upload", args=["units"]),
                       {"file": _upload("a.csv", csv(*rows))}).content.decode()
    assert page.count("đơn vị cấp trên mã “T99”") == 1


def _upload(name: str, data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)
