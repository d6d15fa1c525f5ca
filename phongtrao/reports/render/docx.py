"""Blocks -> .docx in the Nghị định 30/2020/NĐ-CP layout (``report annual --format docx``).

``render_docx(document, meta)`` writes, top to bottom (NĐ 30/2020 Appendix I):

- A4 portrait, margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman, 14 pt body;
- the header table: the parent body (if any) and the issuing body in bold capitals top left with a
  short rule under, then "Số: .../BC-..."; the national motto and slogan top right, the slogan
  with a rule under it, then place and date in italics;
- "BÁO CÁO" and the subject in bold, centred, with a short rule under;
- the blocks: headings, justified paragraphs with a first-line indent, bullets as "- ", tables with
  typed cells (numbers right-aligned, Vietnamese format), a chart as its data table, an officer's
  slot as their text or an italic placeholder;
- "Nơi nhận:" (bottom left) and the signature block (bottom right), lines from ``DocumentMeta``;
- the annex tables under "PHỤ LỤC" in a landscape section;
- page numbers centred at the top from page 2 on (a PAGE field in the header, different first page).

The output is reproducible: fixed document properties, so equal input gives equal bytes.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from docx import Document as new_docx
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Length, Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from phongtrao.reports.blocks import Block, Bullets, Chart, Column, Document, Heading, Paragraph, Slot, Table
from phongtrao.reports.render.markdown import NUMERIC, cell_text
from phongtrao.reports.render.meta import DocumentMeta

FONT = "Times New Roman"
BODY_PT = 14
HEAD_PT = 13  # the issuing body and "Số:"
TABLE_PT = 12
# A4 and the NĐ 30/2020 margins (top/bottom 20-25 mm, left 30-35 mm, right 15-20 mm).
PAGE_W_MM, PAGE_H_MM = 210, 297
MARGIN_TOP_MM, MARGIN_BOTTOM_MM, MARGIN_LEFT_MM, MARGIN_RIGHT_MM = 20, 20, 30, 15
TEXT_W_MM = PAGE_W_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM
LANDSCAPE_TEXT_W_MM = PAGE_H_MM - MARGIN_LEFT_MM - MARGIN_RIGHT_MM
HEAD_LEFT_MM = 65
CELL_PADDING_MM = 3.8  # Word's default left + right cell margins
FIXED_TIME = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
INDENT = Mm(10)

Container = DocxDocument | _Cell

# Children of w:pPr / w:tblPr that must come after w:pBdr / w:tblBorders (ECMA-376 order).
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange",
)
_AFTER_TBLBORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription")
_ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
          "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


# --- low-level helpers ---------------------------------------------------------------------------


def _set_fonts(rpr: Any, name: str) -> None:
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _page_setup(section: Section, *, landscape: bool = False) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = (Mm(PAGE_H_MM), Mm(PAGE_W_MM)) if landscape else (Mm(PAGE_W_MM), Mm(PAGE_H_MM))
    section.page_width, section.page_height = width, height
    section.top_margin, section.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_LEFT_MM), Mm(MARGIN_RIGHT_MM)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)


def _page_numbers_from_page_two(section: Section) -> None:
    """NĐ 30/2020: page numbers centred at the top, from the second page on (the first page's header is empty)."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    run.font.size = Pt(BODY_PT)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:  # the cached result, shown until the field is updated
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _base_document() -> DocxDocument:
    doc = new_docx()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    _set_fonts(rpr, FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)
    fmt = normal.paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0
    for name in ("Header", "Table Grid"):
        if name in [s.name for s in doc.styles]:
            style = doc.styles[name]
            style.font.name = FONT
            _set_fonts(style.element.get_or_add_rPr(), FONT)
    section = doc.sections[0]
    _page_setup(section)
    _page_numbers_from_page_two(section)
    props = doc.core_properties
    props.author = props.last_modified_by = "phongtrao"
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    props.language = "vi-VN"
    return doc


def _para(container: Container, text: str = "", *, bold: bool = False, italic: bool = False,
          size: float = BODY_PT, align: str = "center", before: float = 0, after: float = 0,
          first_indent: Length | None = None, line: float = 1.0, keep_next: bool = False) -> DocxParagraph:
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = _ALIGN[align]
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(before), Pt(after), line
    if first_indent is not None:
        fmt.first_line_indent = first_indent
    if keep_next:
        fmt.keep_with_next = True
    if text:
        _run(p, text, bold=bold, italic=italic, size=size)
    return p


def _run(p: DocxParagraph, text: str, *, bold: bool = False, italic: bool = False, size: float = BODY_PT) -> None:
    run = p.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    run.font.size = Pt(size)


def _short_rule(container: Container, width_mm: float, box_mm: float) -> None:
    """A centred line ``width_mm`` long under a heading: the bottom border of an empty, indented paragraph."""
    p = _para(container, size=2)
    p.paragraph_format.line_spacing = Pt(4)
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
    p.add_run().font.size = Pt(2)


def _borders(table: DocxTable, value: str) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), value)
        if value != "nil":
            for key, v in (("w:sz", "4"), ("w:space", "0"), ("w:color", "auto")):
                el.set(qn(key), v)
        borders.append(el)
    table._tbl.tblPr.insert_element_before(borders, *_AFTER_TBLBORDERS)


def _table(container: DocxDocument, widths_mm: Sequence[float], rows: int, *, borders: bool) -> DocxTable:
    t = container.add_table(rows=rows, cols=len(widths_mm))
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    _borders(t, "single" if borders else "nil")
    for i, width in enumerate(widths_mm):
        t.columns[i].width = Mm(width)
        for cell in t.columns[i].cells:
            cell.width = Mm(width)
    for row in t.rows:  # python-docx puts an empty paragraph in each cell; the builders add their own
        for cell in row.cells:
            cell._tc.remove(cell.paragraphs[0]._p)
    return t


def _repeat_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


# --- the parts -----------------------------------------------------------------------------------


def _header(doc: DocxDocument, meta: DocumentMeta) -> None:
    head = _table(doc, [HEAD_LEFT_MM, TEXT_W_MM - HEAD_LEFT_MM], 1, borders=False)
    left, right = head.rows[0].cells
    for cell in (left, right):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
    if meta.parent_body:
        _para(left, meta.parent_body, size=HEAD_PT)
    for line in meta.body:
        _para(left, line, bold=True, size=HEAD_PT)
    _short_rule(left, 22, HEAD_LEFT_MM)
    _para(left, meta.number_line, size=HEAD_PT, before=6)
    _para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12.5)
    _para(right, "Độc lập - Tự do - Hạnh phúc", bold=True, size=BODY_PT)
    _short_rule(right, 60, TEXT_W_MM - HEAD_LEFT_MM)
    _para(right, meta.date_line, italic=True, size=BODY_PT, before=6)

    _para(doc, meta.kind_name, bold=True, before=18)
    if meta.subject:
        _para(doc, meta.subject, bold=True)
    _short_rule(doc, 50, TEXT_W_MM)
    _para(doc, after=6)


def _widths(columns: Sequence[Column], total_mm: float) -> list[float]:
    weights = [3.0 if i == 0 and c.type == "text" else 2.0 if c.type == "text" else
               1.6 if c.type == "vnd" else 1.2 for i, c in enumerate(columns)]
    scale = total_mm / sum(weights)
    return [w * scale for w in weights]


def _data_table(doc: DocxDocument, caption: str, columns: Sequence[Column],
                rows: Iterable[Sequence[object]], width_mm: float) -> None:
    if caption:
        _para(doc, caption, italic=True, size=BODY_PT, align="center", before=6, after=3, keep_next=True)
    body = [list(r) for r in rows]
    t = _table(doc, _widths(columns, width_mm), 1 + len(body), borders=True)
    for cell, column in zip(t.rows[0].cells, columns, strict=True):
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        _para(cell, column.label, bold=True, size=TABLE_PT, before=2, after=2)
    _repeat_header(t.rows[0])
    for row, values in zip(t.rows[1:], body, strict=True):
        for cell, column, value in zip(row.cells, columns, values, strict=True):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            align = "right" if column.type in NUMERIC else "center" if column.type == "date" else "left"
            _para(cell, cell_text(value, column.type), size=TABLE_PT, align=align, before=2, after=2)  # type: ignore[arg-type]
    _para(doc, after=6)


def chart_table(chart: Chart) -> tuple[tuple[Column, ...], list[tuple[Any, ...]]]:
    """A chart's data as a table: the categories down, one column per series."""
    columns = (Column(""), *(Column(s.name, chart.value_type) for s in chart.series))
    rows = [(cat, *(s.values[i] for s in chart.series)) for i, cat in enumerate(chart.categories)]
    return columns, rows


def _block(doc: DocxDocument, block: Block, width_mm: float) -> None:
    if isinstance(block, Heading):
        if block.level <= 1:
            _para(doc, block.text, bold=True, align="left", before=12, after=6, keep_next=True)
        elif block.level == 2:
            _para(doc, block.text, bold=True, align="left", before=6, after=6, first_indent=INDENT, keep_next=True)
        else:
            _para(doc, block.text, bold=True, italic=True, align="left", before=6, after=6, first_indent=INDENT,
                  keep_next=True)
    elif isinstance(block, Paragraph):
        _para(doc, block.text, align="justify", first_indent=INDENT, after=6, line=1.15)
    elif isinstance(block, Bullets):
        for item in block.items:
            _para(doc, f"- {item}", align="justify", first_indent=INDENT, after=3, line=1.15)
    elif isinstance(block, Table):
        _data_table(doc, block.caption, block.columns, block.rows, width_mm)
    elif isinstance(block, Chart):
        columns, rows = chart_table(block)
        _data_table(doc, block.title, columns, rows, width_mm)
    elif isinstance(block, Slot):
        lines = [line.strip() for line in block.text.splitlines() if line.strip()]
        if lines:
            for line in lines:
                _para(doc, line, align="justify", first_indent=INDENT, after=6, line=1.15)
        else:
            _para(doc, f"({block.label}: phần này do cán bộ viết.)", italic=True, align="justify",
                  first_indent=INDENT, after=6, line=1.15)
    else:
        raise TypeError(f"not a block: {block!r}")


def _signature(doc: DocxDocument, meta: DocumentMeta) -> None:
    _para(doc, after=6)
    sign = _table(doc, [80, TEXT_W_MM - 80], 1, borders=False)
    to, signer = sign.rows[0].cells
    _para(to, "Nơi nhận:", bold=True, italic=True, size=12, align="left", before=6)
    for recipient in meta.recipients:
        _para(to, recipient, size=11, align="left")
    for i, line in enumerate(meta.signer_lines):
        _para(signer, line, bold=True, before=6 if i == 0 else 0)
    for _ in range(4):
        _para(signer)
    _para(signer, meta.signer_name or "\u00a0", bold=True)


def _annex(doc: DocxDocument, blocks: Sequence[Block], meta: DocumentMeta) -> None:
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page_setup(section, landscape=True)
    section.different_first_page_header_footer = False  # the annex's pages are all numbered
    _para(doc, "PHỤ LỤC", bold=True)
    number = f" số {meta.number.strip()}/BC-{meta.abbreviation}" if meta.number.strip() else ""
    _para(doc, f"(Kèm theo Báo cáo{number} {meta.subject[:1].lower()}{meta.subject[1:]})".replace("  ", " "),
          italic=True)
    _short_rule(doc, 50, LANDSCAPE_TEXT_W_MM)
    _para(doc, after=6)
    for block in blocks:
        _block(doc, block, LANDSCAPE_TEXT_W_MM)


def render_docx(document: Document, meta: DocumentMeta, annex: Sequence[Block] = ()) -> bytes:
    """``document`` as .docx bytes, with ``meta``'s header and signature; ``annex`` (or the document's own
    ``annex`` attribute, an ``AnnualDocument``'s) goes in a landscape section at the end."""
    annex = list(annex) or list(getattr(document, "annex", []) or [])
    doc = _base_document()
    doc.core_properties.title = document.title
    _header(doc, meta)
    for block in document.blocks:
        _block(doc, block, TEXT_W_MM)
    _signature(doc, meta)
    if annex:
        _annex(doc, annex, meta)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
