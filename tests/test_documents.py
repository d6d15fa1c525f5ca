"""Official documents: the decision recognising units (.docx, NĐ 30/2020 layout, with its annex) and
the certificates (PDF, one A4 landscape page per unit); the NĐ 30 date line."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zlib
from typing import Any

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT

from phongtrao.audit.actions import Actor
from phongtrao.lib import documents as docs
from phongtrao.recognition import documents
from phongtrao.recognition.actions import (
    do_decide,
    do_recognise_many,
    do_register,
    do_self_assess,
    do_start_review,
    do_submit,
)
from phongtrao.recognition.criteria import seed_criteria_sets
from phongtrao.recognition.models import Recognition
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Unit

pytestmark = pytest.mark.django_db
ACTOR = Actor.system()
Y = 2025
DECIDED_ON = dt.date(2025, 12, 15)
ANSWERS: dict[str, dict[str, Any]] = {
    Kind.RESIDENTIAL_AREA: {
        "dang-ky-quy-1": True, "chinh-sach-quy-uoc": True, "khong-vu-viec-nghiem-trong": 0,
        "kiem-che-toi-pham": {"current": 3, "previous": 5}, "luc-luong-co-so": True,
    },
    Kind.AGENCY: {
        "dang-ky-quy-1": True, "noi-quy": True, "pho-bien": 100, "mo-hinh-hieu-qua": 1, "phoi-hop-cong-an": True,
    },
    Kind.SCHOOL: {
        "dang-ky-quy-1": True, "mo-hinh-hieu-qua": 1, "phoi-hop-gia-dinh": True, "khong-vi-pham-trat-tu": 0,
        "khong-bao-luc-hoc-duong": 0, "phoi-hop-cong-an": True,
    },
}
# The units of Xã An Bình recognised by its chairman, in Vietnamese alphabetical order. "Ấp Đông"
# sorts after "A" and before "C" in Vietnamese, but last by code point.
IN_ORDER = ["Ấp Đông", "Cơ quan số 1 T99000", "Khu phố 1", "Khu phố 2", "Thôn 3", "Trường số 6 T99000"]


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, dt.date(Y, 12, 31)).get()


def to_review(u: Unit) -> Recognition:
    committed = u.households if u.kind == Kind.RESIDENTIAL_AREA else None
    rec = do_register(ACTOR, u, Y, households_committed=committed, registered_on=dt.date(Y, 2, 1))
    do_self_assess(ACTOR, rec, answers=ANSWERS[u.kind], review_meeting_on=dt.date(Y, 10, 20))
    do_submit(ACTOR, rec, submitted_on=dt.date(Y, 10, 25))
    return do_start_review(ACTOR, rec, started_on=dt.date(Y, 11, 1))


@pytest.fixture
def decided(example_units: None) -> list[Recognition]:
    """Six units of Xã An Bình recognised by one decision of the commune chairman."""
    seed_criteria_sets()
    commune = unit("T99000")
    extra = do_create_unit(ACTOR, code="KDC-T99000-AP", name="Ấp Đông", kind=Kind.RESIDENTIAL_AREA, parent=commune,
                           households=120)
    units = [extra] + [unit(c) for c in ("KDC-T99000-01", "KDC-T99000-02", "KDC-T99000-03", "AG-T99000-000",
                                         "SC-T99000-005")]
    recs = [to_review(u) for u in units]
    do_recognise_many(ACTOR, [r.unit for r in recs], Y, decision_no="30/QĐ-UBND", decision_date=DECIDED_ON,
                      signer_name="Lê Văn Cường")
    return list(Recognition.objects.filter(pk__in=[r.pk for r in recs]).order_by("-pk"))


def all_text(doc: Any) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def pdf_pages(pdf: bytes) -> int:
    """Page objects in a PDF, looking inside compressed object streams too (no PDF library needed)."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", chunk)) for chunk in chunks)


# --- the date line -------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2025, 12, 15), "Hòa Vang, ngày 15 tháng 12 năm 2025"),
    (dt.date(2025, 12, 5), "Hòa Vang, ngày 05 tháng 12 năm 2025"),
    (dt.date(2026, 1, 5), "Hòa Vang, ngày 05 tháng 01 năm 2026"),
    (dt.date(2026, 2, 28), "Hòa Vang, ngày 28 tháng 02 năm 2026"),
    (dt.date(2025, 3, 9), "Hòa Vang, ngày 09 tháng 3 năm 2025"),
    (dt.date(2025, 10, 1), "Hòa Vang, ngày 01 tháng 10 năm 2025"),
])
def test_date_line_pads_days_below_ten_and_january_february(day: dt.date, expected: str) -> None:
    assert docs.date_line("Hòa Vang", day) == expected


@pytest.mark.parametrize(("name", "place", "in_text"), [
    ("Xã An Bình", "An Bình", "xã An Bình"),
    ("Phường Đông Hà", "Đông Hà", "phường Đông Hà"),
    ("Tỉnh Thử Nghiệm", "Thử Nghiệm", "tỉnh Thử Nghiệm"),
    ("Thành phố Đà Nẵng", "Đà Nẵng", "thành phố Đà Nẵng"),
    ("Đặc khu Phú Quốc", "Phú Quốc", "đặc khu Phú Quốc"),
    ("Phường 3", "Phường 3", "phường 3"),
    ("Thành phố Hồ Chí Minh", "Thành phố Hồ Chí Minh", "thành phố Hồ Chí Minh"),
])
def test_place_name_drops_the_administrative_prefix(name: str, place: str, in_text: str) -> None:
    assert docs.place_name(name) == place
    assert docs.in_running_text(name) == in_text


# --- the decision (.docx) ------------------------------------------------------------------------


def test_decision_docx_has_the_nd30_layout_and_the_annex(decided: list[Recognition],
                                                         django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(1):
        data = documents.decision_docx(decided)
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    # Word stores twips (1/1440 inch), so millimetres come back rounded to 0.02 mm.
    assert [round(x.mm) for x in (section.page_width, section.page_height)] == [210, 297]
    assert [round(x.mm) for x in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [20, 20, 30, 15]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert doc.styles["Normal"].font.name == "Times New Roman"

    text = all_text(doc)
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "ỦY BAN NHÂN DÂN",
                     "XÃ AN BÌNH", "Số: 30/QĐ-UBND", "An Bình, ngày 15 tháng 12 năm 2025", "QUYẾT ĐỊNH",
                     "QUYẾT ĐỊNH:", "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ AN BÌNH", "Thông tư số 48/2025/TT-BCA",
                     "Công nhận 06 đơn vị", "Trưởng Công an xã An Bình", "Lê Văn Cường", "Nơi nhận:",
                     "Kèm theo Quyết định số 30/QĐ-UBND ngày 15/12/2025"):
        assert expected in text, expected
    assert "Về việc công nhận khu dân cư, cơ quan và cơ sở giáo dục đạt tiêu chuẩn" in text
    assert "{{" not in text and "{%" not in text

    annex = doc.tables[-1]
    assert [c.text for c in annex.rows[0].cells] == ["STT", "Tên đơn vị", "Loại", "Thuộc"]
    body = [[c.text for c in row.cells] for row in annex.rows[1:]]
    assert [row[1] for row in body] == IN_ORDER
    assert [row[0] for row in body] == [str(i) for i in range(1, 7)]
    assert body[1] == ["2", "Cơ quan số 1 T99000", "Cơ quan", "Xã An Bình"]
    assert body[2][2] == "Khu dân cư"


def test_decision_escapes_names_for_xml(decided: list[Recognition]) -> None:
    from phongtrao.units.actions import do_update_unit

    rec = next(r for r in decided if r.unit.name == "Khu phố 1")
    do_update_unit(ACTOR, rec.unit_id, name="Khu phố 1 & <Chợ>")
    doc = Document(io.BytesIO(documents.decision_docx(decided)))
    assert "Khu phố 1 & <Chợ>" in [row.cells[1].text for row in doc.tables[-1].rows]


def test_decision_refuses_units_of_two_decisions(decided: list[Recognition]) -> None:
    other = to_review(unit("KDC-T99001-03"))
    do_decide(ACTOR, other, recognised=True, decision_no="31/QĐ-UBND", decision_date=DECIDED_ON,
              signer_name="Trần Thị D")
    with pytest.raises(ValueError, match="không thuộc cùng một quyết định"):
        documents.decision_docx([*decided, other])
    with pytest.raises(ValueError, match="không thuộc cùng một quyết định"):
        documents.certificates_pdf([*decided, other])


def test_decision_refuses_a_unit_not_recognised(decided: list[Recognition]) -> None:
    pending = to_review(unit("KDC-T99001-05"))
    with pytest.raises(ValueError, match="Chưa được công nhận đạt tiêu chuẩn: Khu phố 5"):
        documents.decision_docx([*decided, pending])
    with pytest.raises(ValueError, match="Chưa được công nhận"):
        documents.certificates_pdf([pending])
    with pytest.raises(ValueError, match="Chưa chọn đơn vị nào"):
        documents.decision_docx([])


# --- certificates (PDF) --------------------------------------------------------------------------


def test_certificates_pdf_has_one_page_per_unit(decided: list[Recognition],
                                                django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(2):
        pdf = documents.certificates_pdf(decided)
    assert pdf.startswith(b"%PDF")
    assert pdf_pages(pdf) == len(decided) == 6
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,  # noqa: S607
                              check=True).stdout.decode()
        assert text.count("GIẤY CÔNG NHẬN") == 6
        assert "Ấp Đông" in text and "Trường số 6 T99000" in text
        assert "An Bình, ngày 15 tháng 12 năm 2025" in text


def test_certificate_wording(decided: list[Recognition]) -> None:
    certs = documents.certificates(decided)
    assert [c.recipient for c in certs] == IN_ORDER
    first = certs[0]
    assert first.title == "GIẤY CÔNG NHẬN"
    assert list(first.body) == ["ỦY BAN NHÂN DÂN", "XÃ AN BÌNH"]
    assert first.lead == "CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ AN BÌNH"
    assert list(first.recipient_lines) == ["Xã An Bình, Tỉnh Thử Nghiệm"]
    assert first.achievement == "Đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm 2025"
    assert first.decision_ref.startswith("(Quyết định số 30/QĐ-UBND ngày 15/12/2025")
    assert first.date_line == "An Bình, ngày 15 tháng 12 năm 2025"
    assert (first.signer_title, first.signer_name, first.serial) == ("CHỦ TỊCH", "Lê Văn Cường", "01")
    # Printed again on its own, a certificate keeps its row number in the decision.
    assert documents.certificates([r for r in decided if r.unit.name == "Thôn 3"])[0].serial == "05"

    html = docs.certificates_html(certs)
    assert html.count('class="sheet"') == 6
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Độc lập - Tự do - Hạnh phúc" in html
    assert "Ấp Đông" in html and "Lê Văn Cường" in html


def test_certificates_escape_html_and_refuse_nothing() -> None:
    cert = docs.Certificate(body=("ỦY BAN NHÂN DÂN", "XÃ X"), title="GIẤY KHEN", lead="CHỦ TỊCH", verb="Tặng",
                            recipient="<b>Tổ tự quản</b>", achievement="Đã có thành tích\nxuất sắc",
                            date_line="X, ngày 01 tháng 01 năm 2026", signer_title="CHỦ TỊCH", signer_name="A")
    html = docs.certificates_html([cert])
    assert "&lt;b&gt;Tổ tự quản&lt;/b&gt;" in html
    assert "<div>Đã có thành tích</div><div>xuất sắc</div>" in html
    with pytest.raises(ValueError):
        docs.certificates_pdf([])


def test_certificates_fetch_nothing_from_the_network() -> None:
    fetcher = docs._local_fetcher()
    for url in ("http://example.invalid/x.png", "https://example.invalid/font.woff", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_wording_for_a_provincial_decision() -> None:
    country = Unit(name="Việt Nam", kind=Kind.COUNTRY)
    province = Unit(name="Tỉnh Thử Nghiệm", kind=Kind.PROVINCE, parent=country)
    assert documents.issuer_lines(province) == ["ỦY BAN NHÂN DÂN", "TỈNH THỬ NGHIỆM"]
    assert documents._police_head(province, "province") == "Giám đốc Công an tỉnh Thử Nghiệm"
    assert documents._office_head(province, "province") == "Chánh Văn phòng Ủy ban nhân dân tỉnh"
    assert documents._recipients(province, "province")[1] == "- Bộ Công an (để báo cáo);"
    assert documents._grounds(dt.date(2025, 3, 1))[0].startswith("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19")
