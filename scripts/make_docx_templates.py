"""Build the .docx templates of official documents (Nghị định 30/2020/NĐ-CP, Appendix I).

Run ``.venv/bin/python scripts/make_docx_templates.py`` after changing a builder below and commit
the .docx files it writes. The output is byte-for-byte reproducible (fixed zip timestamps and
document properties), so re-running without a change leaves git clean.

The templates hold docxtpl tags (jinja): ``{{ value }}``, ``{%p for/if %}`` paragraphs and
``{%tr for %}`` table rows. Each tag is written into one run here, so Word never splits it.
The context each template expects is documented in its builder and in the app that renders it.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parent.parent
RECOGNITION_DOCS = ROOT / "phongtrao" / "recognition" / "templates" / "recognition" / "documents"

FONT = "Times New Roman"
BODY_PT = 14
# A4 portrait and the NĐ 30/2020 margins (top/bottom 20-25 mm, left 30-35 mm, right 15-20 mm).
PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_W_MM = 210 - 30 - 15
HEAD_LEFT_MM = 62
CELL_PADDING_MM = 3.8  # Word's default left + right cell margins (0.19 cm each)
FIXED_TIME = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)

Container = DocxDocument | _Cell

# Children of w:pPr that must come after w:pBdr (ECMA-376 order), so Word accepts the file.
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange",
)
_AFTER_TBLBORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")


# --- low-level helpers ---------------------------------------------------------------------------


def _set_run_fonts(rpr: OxmlElement, name: str) -> None:
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _base_document() -> DocxDocument:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    _set_run_fonts(rpr, FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0

    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    _page_numbers_from_page_two(section)

    props = doc.core_properties
    props.author = props.last_modified_by = "phongtrao"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    props.language = "vi-VN"
    return doc


def _page_numbers_from_page_two(section: object) -> None:
    """NĐ 30/2020: page numbers centred at the top, from the second page on."""
    section.different_first_page_header_footer = True  # type: ignore[attr-defined]
    para = section.header.paragraphs[0]  # type: ignore[attr-defined]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = para.add_run()
    run.font.size = Pt(BODY_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def para(container: Container, text: str = "", *, bold: bool = False, italic: bool = False,
         underline: bool = False, size: float = BODY_PT, align: str = "center", before: float = 0,
         after: float = 0, first_indent: Length | None = None, line: float = 1.0,
         keep_next: bool = False) -> Paragraph:
    """A paragraph with one run (a jinja tag inside ``text`` stays in that one run)."""
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                     "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(before), Pt(after), line
    if first_indent is not None:
        fmt.first_line_indent = first_indent
    if keep_next:
        fmt.keep_with_next = True
    if text:
        add_run(p, text, bold=bold, italic=italic, underline=underline, size=size)
    return p


def add_run(p: Paragraph, text: str, *, bold: bool = False, italic: bool = False, underline: bool = False,
            size: float = BODY_PT) -> None:
    run = p.add_run(text)
    run.bold, run.italic, run.underline = bold or None, italic or None, underline or None
    run.font.size = Pt(size)


def tag(container: Container, text: str) -> None:
    """A paragraph holding only a ``{%p ... %}`` tag (docxtpl removes the whole paragraph)."""
    para(container, text, align="left", size=2)


def short_rule(container: Container, width_mm: float, box_mm: float) -> None:
    """A centred horizontal line ``width_mm`` long under a heading (NĐ 30: 1/3 to 1/2 of the line
    above), drawn as the bottom border of an empty paragraph indented inside a ``box_mm`` wide box."""
    p = para(container, size=2)
    p.paragraph_format.line_spacing = Pt(4)  # exact: the line sits just under the text above
    p_pr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    border.append(bottom)
    p_pr.insert_element_before(border, *_AFTER_PBDR)
    inner = box_mm - CELL_PADDING_MM if isinstance(container, _Cell) else box_mm
    side = Mm(max(0.0, (inner - width_mm) / 2))
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = side
    run = p.add_run()
    run.font.size = Pt(2)


def _table_borders(table: Table, value: str) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), value)
        if value != "nil":
            el.set(qn("w:sz"), "4")
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "auto")
        borders.append(el)
    tbl_pr.insert_element_before(borders, *_AFTER_TBLBORDERS)


def table(container: DocxDocument, widths_mm: list[float], rows: int, *, borders: bool) -> Table:
    t = container.add_table(rows=rows, cols=len(widths_mm))
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    _table_borders(t, "single" if borders else "nil")
    for i, width in enumerate(widths_mm):
        t.columns[i].width = Mm(width)
        for cell in t.columns[i].cells:
            cell.width = Mm(width)
    # python-docx puts one empty paragraph in each new cell; our builders add their own.
    for row in t.rows:
        for cell in row.cells:
            cell._tc.remove(cell.paragraphs[0]._p)
    return t


def repeat_header_row(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


# --- the templates -------------------------------------------------------------------------------


def quyet_dinh_cong_nhan() -> DocxDocument:
    """Quyết định công nhận đạt tiêu chuẩn “An toàn về an ninh, trật tự”, with its annex.

    Context (built by ``phongtrao.recognition.documents.decision_context``): issuer_parent,
    issuer_lines (list, capitals), decision_no, date_line, authority_title, subject, grounds (list),
    proposer, count, year, article1, executors, sign_for, signer_title, signer_name,
    recipients (list), decided_by, decision_date_text, rows (list of {no, name, kind, parent}).
    """
    doc = _base_document()

    # Header: issuing body (left) and national motto (right), no borders.
    # The right column fits the motto on one line (12-13 pt bold capitals need about 100 mm).
    head = table(doc, [HEAD_LEFT_MM, TEXT_W_MM - HEAD_LEFT_MM], 1, borders=False)
    left, right = head.rows[0].cells
    for cell in (left, right):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    tag(left, "{%p if issuer_parent %}")
    para(left, "{{ issuer_parent }}", size=13)
    tag(left, "{%p endif %}")
    tag(left, "{%p for line in issuer_lines %}")
    para(left, "{{ line }}", bold=True, size=13)
    tag(left, "{%p endfor %}")
    short_rule(left, 22, HEAD_LEFT_MM)
    para(left, "Số: {{ decision_no }}", size=13, before=6)
    para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12.5)
    para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=14)
    short_rule(right, 60, TEXT_W_MM - HEAD_LEFT_MM)
    para(right, "{{ date_line }}", italic=True, size=14, before=6)

    # Name of the document and its subject.
    para(doc, "QUYẾT ĐỊNH", bold=True, before=18)
    para(doc, "{{ subject }}", bold=True)
    short_rule(doc, 50, TEXT_W_MM)
    para(doc, "{{ authority_title }}", bold=True, before=12, after=6)

    # Grounds (italic), then the articles.
    tag(doc, "{%p for ground in grounds %}")
    para(doc, "{{ ground }}", italic=True, align="justify", first_indent=Mm(10), after=6, line=1.1)
    tag(doc, "{%p endfor %}")
    para(doc, "{{ proposer }}", italic=True, align="justify", first_indent=Mm(10), after=6, line=1.1)
    para(doc, "QUYẾT ĐỊNH:", bold=True, before=6, after=6)
    for label, text in (
        ("Điều 1. ", "{{ article1 }}"),
        ("Điều 2. ", "Quyết định này có hiệu lực kể từ ngày ký."),
        ("Điều 3. ", "{{ executors }} chịu trách nhiệm thi hành Quyết định này./."),
    ):
        p = para(doc, align="justify", first_indent=Mm(10), after=6, line=1.1)
        add_run(p, label, bold=True)
        add_run(p, text)

    # Recipients (left) and signature (right).
    sign = table(doc, [80, TEXT_W_MM - 80], 1, borders=False)
    to, signer = sign.rows[0].cells
    para(to, "Nơi nhận:", bold=True, italic=True, size=12, align="left", before=12)
    tag(to, "{%p for recipient in recipients %}")
    para(to, "{{ recipient }}", size=11, align="left")
    tag(to, "{%p endfor %}")
    # "TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" when needed; empty, it is the blank line above the title.
    para(signer, "{{ sign_for }}", bold=True, before=6)
    para(signer, "{{ signer_title }}", bold=True)
    for _ in range(5):
        para(signer)
    para(signer, "{{ signer_name }}", bold=True)

    # Annex on a new page: the recognised units, one row each.
    annex = para(doc, "PHỤ LỤC", bold=True)
    annex.paragraph_format.page_break_before = True
    para(doc, "DANH SÁCH ĐƠN VỊ ĐẠT TIÊU CHUẨN “AN TOÀN VỀ AN NINH, TRẬT TỰ” NĂM {{ year }}", bold=True)
    para(doc, "(Kèm theo Quyết định số {{ decision_no }} ngày {{ decision_date_text }} của {{ decided_by }})",
         italic=True)
    short_rule(doc, 50, TEXT_W_MM)
    para(doc, after=6)
    rows = table(doc, [14, 72, 36, TEXT_W_MM - 14 - 72 - 36], 4, borders=True)
    for cell, text in zip(rows.rows[0].cells, ("STT", "Tên đơn vị", "Loại", "Thuộc"), strict=True):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        para(cell, text, bold=True, size=13, before=3, after=3)
    repeat_header_row(rows.rows[0])
    para(rows.rows[1].cells[0], "{%tr for row in rows %}", size=2)
    for i, (value, align) in enumerate((("{{ row.no }}", "center"), ("{{ row.name }}", "left"),
                                        ("{{ row.kind }}", "left"), ("{{ row.parent }}", "left"))):
        cell = rows.rows[2].cells[i]
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        para(cell, value, size=13, align=align, before=3, after=3)
    para(rows.rows[3].cells[0], "{%tr endfor %}", size=2)
    for row in (rows.rows[1], rows.rows[3]):
        for cell in row.cells[1:]:
            para(cell, size=2)
    return doc


# Output file -> builder. Add a line here for a new template.
TEMPLATES: dict[Path, Callable[[], DocxDocument]] = {
    RECOGNITION_DOCS / "quyet_dinh_cong_nhan.docx": quyet_dinh_cong_nhan,
}


def _reproducible(data: bytes) -> bytes:
    """Rewrite the zip with fixed timestamps and member order, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2025, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def build(path: Path, builder: Callable[[], DocxDocument]) -> bool:
    """Write ``path`` from ``builder``; returns whether the file changed."""
    buffer = io.BytesIO()
    builder().save(buffer)
    data = _reproducible(buffer.getvalue())
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def main() -> int:
    for path, builder in TEMPLATES.items():
        changed = build(path, builder)
        print(f"{'wrote' if changed else 'unchanged'} {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
