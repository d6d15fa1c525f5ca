"""The annual report as .docx, PDF and .xlsx (issue #13 part 2, items 3, 4 and 6).

- the .docx layout of Nghị định 30/2020 Appendix I, read back with python-docx: A4, the margins, Times New
  Roman 13-14 pt, the motto and slogan, "Số:", the italic date line, bold "BÁO CÁO", page numbers from
  page 2 (a different first page and a PAGE field in the header), the signature block, the landscape annex;
- LibreOffice opens the .docx (one conversion to PDF);
- the figures of the .docx tables, the .xlsx cells and the PDF text equal ``report annual --format json``
  of the example province (formatted here independently of the renderers);
- every block type on a hand-built document, in each format;
- the download route: the right file for a unit in scope, 404 for one out of scope, an unknown code or
  format; the command's errors.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document as read_docx
from docx.shared import Mm, Pt
from openpyxl import load_workbook

from phongtrao.reports.blocks import Bullets, Chart, Column, Document, Heading, Paragraph, Series, Slot, Table
from phongtrao.reports.render.docx import render_docx
from phongtrao.reports.render.meta import ISSUERS, DocumentMeta, default_meta
from phongtrao.reports.render.pdf import document_html, render_pdf
from phongtrao.reports.render.xlsx import render_xlsx, sheet_name
from tests.conftest import PASSWORD, built_once, create_user, import_example_units

pytestmark = pytest.mark.django_db

EXAMPLES = Path("/work/shared/examples/tinh-thu-nghiem")
YEAR = 2025
KEYS = ("residential_area", "commune", "organisation", "agency", "enterprise", "school")
# How the report names each kind in its "x/y" sentences (INTERCHANGE.md, DOMAIN.md section 9).
NOUNS = {"residential_area": "thôn, khu phố", "commune": "xã, phường, đặc khu",
         "organisation": "cơ quan, doanh nghiệp, cơ sở giáo dục", "agency": "cơ quan", "enterprise": "doanh nghiệp",
         "school": "cơ sở giáo dục"}


def vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def vn_pct(p: float) -> str:
    return f"{Decimal(str(p)):.2f}".replace(".", ",") + "%"


def fraction(counts: dict[str, Any], key: str) -> str:
    return f"{vn_int(counts['recognised'])}/{vn_int(counts['total'])} {NOUNS[key]} ({vn_pct(counts['percent'])})"


def tool(*args: str, stdin: bytes | None = None, check: bool = True) -> str:
    """The output of a Debian tool (pdftotext, pdffonts, pdfinfo, libreoffice), found on PATH."""
    path = shutil.which(args[0])
    assert path, f"{args[0]} is not installed (./test installs poppler-utils and libreoffice-writer-nogui)"
    done = subprocess.run([path, *args[1:]], input=stdin, capture_output=True, check=check,  # noqa: S603 - fixed tools
                          timeout=180)
    return done.stdout.decode()


def flat(text: str) -> str:
    return " ".join(text.split())


# --- the example province, rendered once ------------------------------------------------------------


@pytest.fixture(scope="module")
def files(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    """T99 with every example file imported; the JSON and the three files of ``report annual`` for 2025."""
    from phongtrao.audit.actions import Actor
    from phongtrao.lib.importing import run_import
    from tests.conftest import ensure_official_register

    out = tmp_path_factory.mktemp("annual")
    with built_once(django_db_blocker):
        ensure_official_register()
        import_example_units(EXAMPLES)
        for kind in ("recognitions", "models", "model_sites", "awards"):
            result = run_import(kind, f"{kind}.csv", (EXAMPLES / f"{kind}.csv").read_bytes(), actor=Actor.system())
            assert result.ok, [str(e) for e in result.errors]
        text = io.StringIO()
        call_command("report", "annual", "--unit", "T99", "--year", str(YEAR), stdout=text)
        found: dict[str, Any] = {"json": json.loads(text.getvalue()), "dir": out}
        for fmt in ("docx", "pdf", "xlsx"):
            path = out / f"T99.{fmt}"
            call_command("report", "annual", "--unit", "T99", "--year", str(YEAR), "--format", fmt,
                         "--output", str(path), stderr=io.StringIO())
            found[fmt] = path
        yield found


def body_paragraphs(doc: Any) -> list[Any]:
    return [p for p in doc.paragraphs if p.text.strip()]


def test_docx_page_size_margins_and_fonts(files: dict[str, Any]) -> None:
    doc = read_docx(str(files["docx"]))
    first = doc.sections[0]
    assert abs(first.page_width - Mm(210)) < Mm(0.5) and abs(first.page_height - Mm(297)) < Mm(0.5)
    assert Mm(20) - Mm(0.1) <= first.top_margin <= Mm(25) + Mm(0.1)
    assert Mm(20) - Mm(0.1) <= first.bottom_margin <= Mm(25) + Mm(0.1)
    assert Mm(30) - Mm(0.1) <= first.left_margin <= Mm(35) + Mm(0.1)
    assert Mm(15) - Mm(0.1) <= first.right_margin <= Mm(20) + Mm(0.1)
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") \
        == "Times New Roman"
    assert Pt(13) <= normal.font.size <= Pt(14)
    for p in body_paragraphs(doc):  # every paragraph of the body (outside tables): 13-14 pt, the one font
        for run in p.runs:
            if run.text.strip():
                assert run.font.name in (None, "Times New Roman"), p.text
                assert Pt(13) <= (run.font.size or normal.font.size) <= Pt(14), p.text


def test_docx_header_motto_number_date_and_title(files: dict[str, Any]) -> None:
    doc = read_docx(str(files["docx"]))
    head = doc.tables[0]
    left, right = head.rows[0].cells
    left_lines = [p for p in left.paragraphs if p.text.strip()]
    assert [p.text for p in left_lines[:2]] == ["ỦY BAN NHÂN DÂN", "TỈNH THỬ NGHIỆM"]
    assert all(r.bold for p in left_lines[:2] for r in p.runs)
    assert left_lines[-1].text.startswith("Số:") and left_lines[-1].text.endswith("/BC-UBND")
    motto, slogan, date = (p for p in right.paragraphs if p.text.strip())
    assert motto.text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and all(r.bold for r in motto.runs)
    assert Pt(12) <= motto.runs[0].font.size <= Pt(13)
    assert slogan.text == "Độc lập - Tự do - Hạnh phúc" and all(r.bold for r in slogan.runs)
    assert Pt(13) <= slogan.runs[0].font.size <= Pt(14)
    # the rule under the slogan: the bottom border of the paragraph after it
    rule = right.paragraphs[[p.text for p in right.paragraphs].index(slogan.text) + 1]
    assert rule._p.pPr.xpath("w:pBdr/w:bottom")
    assert date.text.startswith("Thử Nghiệm, ngày ") and date.text.endswith(f"năm {YEAR}")
    assert all(r.italic for r in date.runs)
    title = next(p for p in doc.paragraphs if p.text == "BÁO CÁO")
    assert all(r.bold for r in title.runs) and title.alignment == 1  # centred
    texts = [p.text for p in doc.paragraphs]
    subject = doc.paragraphs[texts.index("BÁO CÁO") + 1]
    assert subject.text == f"Tổng kết phong trào toàn dân bảo vệ an ninh Tổ quốc năm {YEAR}"
    assert all(r.bold for r in subject.runs)


def test_docx_pages_are_numbered_from_page_two_at_the_top(files: dict[str, Any]) -> None:
    doc = read_docx(str(files["docx"]))
    first = doc.sections[0]
    assert first.different_first_page_header_footer
    header_xml = first.header._element.xml
    assert "PAGE" in "".join(t.text or "" for t in first.header._element.iter(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}instrText"))
    assert 'w:fldCharType="begin"' in header_xml and 'w:fldCharType="end"' in header_xml
    assert first.header.paragraphs[0].alignment == 1  # centred
    assert "PAGE" not in first.first_page_header._element.xml  # the first page has none


def test_docx_structure_signature_recipients_and_annex(files: dict[str, Any]) -> None:
    doc = read_docx(str(files["docx"]))
    texts = [p.text for p in doc.paragraphs]
    parts = [t for t in texts if t[:4] in ("I. T", "II. ", "III.", "IV. ", "V. P")]
    assert parts == ["I. TÌNH HÌNH", "II. KẾT QUẢ THỰC HIỆN", "III. HẠN CHẾ, TỒN TẠI", "IV. BÀI HỌC KINH NGHIỆM",
                     "V. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM TỚI"]
    placeholder = next(p for p in doc.paragraphs if p.text.startswith("(Hạn chế, tồn tại"))
    assert all(r.italic for r in placeholder.runs)
    sign = next(t for t in doc.tables if "Nơi nhận:" in t.rows[0].cells[0].text)
    signer = [p.text for p in sign.rows[0].cells[1].paragraphs if p.text.strip()]
    assert signer[:3] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    to = [p.text for p in sign.rows[0].cells[0].paragraphs if p.text.strip()]
    assert to[0] == "Nơi nhận:" and to[-1] == "- Lưu: VT."
    if len(doc.sections) > 1:  # the annex, when a section has annex tables: landscape, under "PHỤ LỤC"
        annex = doc.sections[-1]
        assert annex.page_width > annex.page_height
        assert "PHỤ LỤC" in texts


def recognition_rows_docx(doc: Any) -> list[list[str]]:
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:2] == ["Loại đơn vị", "Đăng ký"])
    return [[c.text for c in row.cells] for row in table.rows[1:]]


def test_docx_figures_equal_the_json(files: dict[str, Any]) -> None:
    data = files["json"]["recognition"]
    doc = read_docx(str(files["docx"]))
    rows = recognition_rows_docx(doc)
    assert [r[1:] for r in rows] == [[vn_int(data[k]["registered"]), vn_int(data[k]["recognised"]),
                                      vn_int(data[k]["total"]), vn_pct(data[k]["percent"])] for k in KEYS]
    table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:2] == ["Loại đơn vị", "Đăng ký"])
    assert table.rows[1].cells[4].paragraphs[0].alignment == 2  # numbers right-aligned
    text = flat("\n".join(p.text for p in doc.paragraphs))
    for key in KEYS:
        assert fraction(data[key], key) in text


def test_pdf_text_equals_the_json(files: dict[str, Any]) -> None:
    data = files["json"]["recognition"]
    pdf = files["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF")
    text = tool("pdftotext", "-layout", str(files["pdf"]), "-")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "BÁO CÁO" in text
    for key in KEYS:
        assert fraction(data[key], key) in flat(text)
    rows = [flat(line) for line in text.splitlines()]
    for key in KEYS:
        numbers = " ".join([vn_int(data[key]["registered"]), vn_int(data[key]["recognised"]),
                            vn_int(data[key]["total"]), vn_pct(data[key]["percent"])])
        assert any(line.endswith(numbers) for line in rows), (key, numbers)
    fonts = tool("pdffonts", str(files["pdf"]))
    assert "Times" in fonts or "Liberation-Serif" in fonts or "LiberationSerif" in fonts
    pages = tool("pdftotext", "-f", "2", "-l", "2", "-layout", str(files["pdf"]), "-", check=False)
    if pages.strip():  # the second page starts with its number
        assert pages.strip().splitlines()[0].strip() == "2"
    first = tool("pdftotext", "-f", "1", "-l", "1", "-layout", str(files["pdf"]), "-")
    assert first.strip().splitlines()[0].strip() != "1"


def test_xlsx_cells_equal_the_json(files: dict[str, Any]) -> None:
    data = files["json"]["recognition"]
    wb = load_workbook(files["xlsx"])
    ws = next(ws for ws in wb.worksheets if ws.title.startswith("Xây dựng tiêu chuẩn"))
    rows = list(ws.iter_rows())
    header = next(i for i, r in enumerate(rows) if r[0].value == "Loại đơn vị")
    assert [c.value for c in rows[header]] == ["Loại đơn vị", "Đăng ký", "Được công nhận", "Tổng số", "Tỷ lệ (%)"]
    body = rows[header + 1: header + 1 + len(KEYS)]
    assert [[c.value for c in r[1:]] for r in body] == [
        [data[k]["registered"], data[k]["recognised"], data[k]["total"], data[k]["percent"]] for k in KEYS]
    assert all(isinstance(c.value, int) and c.number_format == "#,##0" for r in body for c in r[1:4])
    assert all(isinstance(r[4].value, (int, float)) and r[4].number_format == "0.00" for r in body)


def test_libreoffice_opens_the_docx(files: dict[str, Any], tmp_path: Path) -> None:
    """One conversion (a few seconds): LibreOffice reads the file and prints the same figures."""
    src = tmp_path / "bao-cao.docx"
    shutil.copy(files["docx"], src)
    tool("libreoffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(src))
    pdf = tmp_path / "bao-cao.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")
    text = tool("pdftotext", "-layout", str(pdf), "-")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    data = files["json"]["recognition"]
    for key in KEYS:
        assert fraction(data[key], key) in flat(text)
    info = tool("pdfinfo", str(pdf))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size and abs(float(size[1]) - 595.3) < 1 and abs(float(size[2]) - 841.9) < 1  # A4 portrait, in points
    second = tool("pdftotext", "-f", "2", "-l", "2", "-layout", str(pdf), "-", check=False)
    if second.strip():
        assert second.strip().splitlines()[0].strip() == "2"


# --- every block type, on a hand-built document -----------------------------------------------------

EVERY_BLOCK = Document(title="Báo cáo thử", blocks=[
    Heading("I. PHẦN MỘT", 1),
    Slot("situation", "Tình hình", "Dòng một của cán bộ.\nDòng hai & <ba>."),
    Heading("Mục có bảng", 2),
    Heading("Tiểu mục", 3),
    Paragraph("Một câu văn xuôi."),
    Bullets(("Ý một.", "Ý hai.")),
    Table(columns=(Column("Tên"), Column("Số", "integer"), Column("Tỷ lệ", "percent"), Column("Kinh phí", "vnd"),
                   Column("Ngày", "date"), Column("Hệ số", "number")),
          rows=(("Xã A", 1234567, 95.81, 20_000_000, dt.date(2025, 3, 5), Decimal("1.5")),
                ("Xã B", 0, 0.0, None, None, None)), caption="Bảng 1"),
    Chart("Biểu đồ xu hướng", ("2024", "2025"), (Series("Khu dân cư", (10, 12)), Series("Xã", (None, 3))),
          kind="line"),
    Slot("shortcomings", "Hạn chế, tồn tại"),
])
ANNEX = [Table(columns=(Column("Xã"), Column("Khu dân cư", "integer")), rows=(("Xã A", 7),), caption="Phụ lục số liệu",
               annex=True)]
META = DocumentMeta(body=("ỦY BAN NHÂN DÂN", "XÃ AN BÌNH"), parent_body="", number="15", place="An Bình",
                    day=dt.date(2026, 1, 5), year=2025, subject="Tổng kết năm 2025", sign_for="TM. ỦY BAN NHÂN DÂN",
                    signer_deputy="KT. CHỦ TỊCH", signer_title="PHÓ CHỦ TỊCH", signer_name="Nguyễn Văn A",
                    recipients=("- Như trên;", "- Lưu: VT."))


def test_every_block_type_in_the_docx() -> None:
    doc = read_docx(io.BytesIO(render_docx(EVERY_BLOCK, META, ANNEX)))
    texts = [p.text for p in doc.paragraphs]
    for line in ("I. PHẦN MỘT", "Mục có bảng", "Tiểu mục", "Một câu văn xuôi.", "- Ý một.", "- Ý hai.",
                 "Dòng một của cán bộ.", "Dòng hai & <ba>.", "(Hạn chế, tồn tại: phần này do cán bộ viết.)",
                 "Bảng 1", "Biểu đồ xu hướng", "PHỤ LỤC", "(Kèm theo Báo cáo số 15/BC-UBND tổng kết năm 2025)"):
        assert line in texts, line
    assert "An Bình, ngày 05 tháng 01 năm 2026" in doc.tables[0].rows[0].cells[1].text
    assert "Số: 15/BC-UBND" in doc.tables[0].rows[0].cells[0].text
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Tên")
    assert [c.text for c in table.rows[1].cells] == ["Xã A", "1.234.567", "95,81%", "20.000.000 đồng", "05/03/2025",
                                                     "1,5"]
    assert [c.text for c in table.rows[2].cells] == ["Xã B", "0", "0,00%", "", "", ""]
    chart = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == ["", "Khu dân cư", "Xã"])
    assert [[c.text for c in r.cells] for r in chart.rows[1:]] == [["2024", "10", ""], ["2025", "12", "3"]]
    sign = next(t for t in doc.tables if "Nơi nhận:" in t.rows[0].cells[0].text)
    assert "Nguyễn Văn A" in sign.rows[0].cells[1].text
    annex = doc.sections[-1]
    assert len(doc.sections) == 2 and annex.page_width > annex.page_height
    assert next(t for t in doc.tables if t.rows[0].cells[0].text == "Xã").rows[1].cells[1].text == "7"


def test_every_block_type_in_the_pdf() -> None:
    html = document_html(EVERY_BLOCK, META, ANNEX)
    assert "Dòng hai &amp; &lt;ba&gt;." in html and "<ba>" not in html  # escaped
    assert "@top-center" in html and "@page :first" in html
    pdf = render_pdf(EVERY_BLOCK, META, ANNEX)
    text = flat(tool("pdftotext", "-", "-", stdin=pdf))
    for line in ("Một câu văn xuôi.", "- Ý hai.", "Dòng hai & <ba>.", "1.234.567", "95,81%", "20.000.000 đồng",
                 "05/03/2025", "(Hạn chế, tồn tại: phần này do cán bộ viết.)", "Biểu đồ xu hướng", "PHỤ LỤC",
                 "Nguyễn Văn A", "Số: 15/BC-UBND", "An Bình, ngày 05 tháng 01 năm 2026"):
        assert line in text, line


def test_every_block_type_in_the_xlsx() -> None:
    wb = load_workbook(io.BytesIO(render_xlsx(EVERY_BLOCK, ANNEX)))
    assert wb.sheetnames == ["Mục có bảng", "Phụ lục 1"]  # sheets of sections without tables are left out
    ws = wb["Mục có bảng"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header = rows.index(["Tên", "Số", "Tỷ lệ (%)", "Kinh phí (đồng)", "Ngày", "Hệ số"])
    assert rows[header + 1] == ["Xã A", 1234567, 95.81, 20_000_000, dt.datetime(2025, 3, 5), 1.5]  # noqa: DTZ001 - a spreadsheet day
    assert rows[header + 2][:3] == ["Xã B", 0, 0.0] and rows[header + 2][3:] == [None, None, None]
    cells = list(ws.iter_rows())[header + 1]
    assert [c.number_format for c in cells[1:5]] == ["#,##0", "0.00", "#,##0", "dd/mm/yyyy"]
    chart = next(i for i, r in enumerate(rows) if r[1:3] == ["Khu dân cư", "Xã"])
    assert rows[chart + 1][:3] == ["2024", 10, None] and rows[chart + 2][:3] == ["2025", 12, 3]
    assert [[c.value for c in r] for r in wb["Phụ lục 1"].iter_rows()][-1] == ["Xã A", 7]


def test_sheet_names_are_valid_and_unique() -> None:
    used: set[str] = set()
    long = "Xây dựng tiêu chuẩn “An toàn về an ninh, trật tự”: [a/b]"
    first, second = sheet_name(long, used), sheet_name(long, used)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert not set("[]:*?/\\") & set(first + second)


def test_default_meta_follows_the_issuers_table() -> None:
    class Unit:
        name, kind, parent = "Xã An Bình", "commune", type("P", (), {"name": "Tỉnh Thử Nghiệm"})()

    meta = default_meta(Unit(), 2025)
    assert meta.body == ("ỦY BAN NHÂN DÂN", "XÃ AN BÌNH") and meta.place == "An Bình"
    assert meta.signer_lines == ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    assert meta.number_line.startswith("Số: ") and meta.number_line.endswith("/BC-UBND")
    assert "- UBND tỉnh Thử Nghiệm (để báo cáo);" in meta.recipients
    assert meta.date_line.startswith("An Bình, ngày ") and meta.date_line.endswith("năm 2025")
    assert all(rule.legal_basis.startswith("Nghị định 30/2020") for rule in ISSUERS.values())
    police = default_meta(Unit(), 2025, police=True)
    assert police.parent_body == "UBND XÃ AN BÌNH" and police.body == ("CÔNG AN XÃ",)


# --- the command and the download route -------------------------------------------------------------


def test_command_refuses_a_binary_format_on_a_terminal(files: dict[str, Any]) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    with pytest.raises(CommandError, match="binary file"):
        call_command("report", "annual", "--unit", "T99", "--year", str(YEAR), "--format", "xlsx", stdout=Terminal())


def test_command_writes_a_binary_format_to_a_byte_stream(files: dict[str, Any]) -> None:
    class Pipe(io.StringIO):
        def __init__(self) -> None:
            super().__init__()
            self.buffer = io.BytesIO()

    pipe = Pipe()
    call_command("report", "annual", "--unit", "T99", "--year", str(YEAR), "--format", "xlsx", stdout=pipe)
    assert pipe.buffer.getvalue().startswith(b"PK")


def test_download_in_scope_out_of_scope_and_unknown(files: dict[str, Any], client: Any) -> None:
    from phongtrao.accounts.models import Role
    from phongtrao.units.models import Unit

    commune = Unit.objects.get(code="T99001")
    other = Unit.objects.get(code="T99002")
    create_user("xa", Role.COMMUNE_OFFICER, commune)
    url = reverse("reports:annual-download", args=["T99001", YEAR, "docx"])
    assert client.get(url).status_code == 302  # anonymous: sign in first
    assert client.login(username="xa", password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert response["Content-Disposition"] == f'attachment; filename="bao-cao-tong-ket-T99001-{YEAR}.docx"'
    doc = read_docx(io.BytesIO(response.content))
    assert doc.tables[0].rows[0].cells[0].paragraphs[1].text == "XÃ ANH SƠN"
    md = client.get(reverse("reports:annual-download", args=["T99001", YEAR, "md"]))
    assert md.status_code == 200 and md.content.decode().startswith("# Báo cáo tổng kết năm")
    for code, fmt in (("T99", "docx"), (other.code, "pdf"), ("KHONG-CO", "xlsx"), ("T99001", "exe"),
                      ("T99001", "DOCX")):
        assert client.get(reverse("reports:annual-download", args=[code, YEAR, fmt])).status_code == 404, (code, fmt)
    assert client.get("/reports/T99001/1800/annual.docx").status_code == 404
    assert client.post(url).status_code == 405


def test_province_and_commune_pages_link_the_downloads(files: dict[str, Any], client: Any) -> None:
    create_user("admin-docs")
    assert client.login(username="admin-docs", password=PASSWORD)
    for name, code in (("recognition:province", "T99"), ("recognition:commune", "T99001")):
        body = client.get(reverse(name, args=[code, YEAR])).content.decode()
        for fmt in ("docx", "pdf", "xlsx", "md"):
            assert reverse("reports:annual-download", args=[code, YEAR, fmt]) in body, (name, fmt)


# --- the route walk (tests/test_access_routes.py) ---------------------------------------------------

REPORTS_ROUTES = {"reports:annual-download": ("commune", "province")}


def check_reports_route(world: Any, persona: Any, name: str) -> None:
    """The download of each target's commune and province (as Markdown: the same scope check as every format,
    without rendering a document per persona): anonymous visitors are sent to sign in, a unit the persona
    cannot see is a 404, a POST is refused; no answer shows a marker the persona may not see; nothing is written."""
    from tests.personas import leaked_markers
    from tests.test_access_routes import assert_anonymous_refused, snapshot

    for key, target in world.targets.items():
        for about in (target.parent, target.parent.parent):
            url = reverse(name, args=[about.code, YEAR, "md"])
            before = snapshot()
            response = persona.client().get(url)
            where = (persona.name, name, key, about.code, response.status_code)
            assert response.status_code < 500, where
            if persona.user is None:
                assert_anonymous_refused(name, response)
            elif key not in persona.sees:
                assert response.status_code in (403, 404), where
            if response.status_code == 200:
                body = response.content.decode()
                assert not leaked_markers(persona, body), (*where, leaked_markers(persona, body))
            assert persona.client().post(url, {}).status_code in (302, 403, 404, 405), where
            assert snapshot() == before, (*where, "a download wrote something")
