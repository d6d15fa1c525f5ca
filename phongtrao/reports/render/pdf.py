"""Blocks -> PDF via WeasyPrint (``report annual --format pdf``): the same document as the .docx.

``document_html(document, meta)`` lays the document out as HTML with print CSS (``@page`` A4, the
NĐ 30/2020 margins, page numbers centred at the top from page 2 on, the annex on landscape pages);
``render_pdf`` prints it. Times New Roman, else the metric-compatible Liberation Serif (installed);
no resource is fetched (no network, no file).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils.html import escape

from phongtrao.reports.blocks import Block, Bullets, Chart, Column, Document, Heading, Paragraph, Slot, Table
from phongtrao.reports.render.docx import (
    MARGIN_BOTTOM_MM,
    MARGIN_LEFT_MM,
    MARGIN_RIGHT_MM,
    MARGIN_TOP_MM,
    chart_table,
)
from phongtrao.reports.render.markdown import NUMERIC, cell_text
from phongtrao.reports.render.meta import DocumentMeta

CSS = f"""
@page {{
  size: A4 portrait;
  margin: {MARGIN_TOP_MM}mm {MARGIN_RIGHT_MM}mm {MARGIN_BOTTOM_MM}mm {MARGIN_LEFT_MM}mm;
  @top-center {{ content: counter(page); font-family: "Times New Roman", "Liberation Serif", serif;
                 font-size: 14pt; vertical-align: bottom; padding-bottom: 4mm; }}
}}
@page :first {{ @top-center {{ content: none; }} }}
@page annex {{ size: A4 landscape; }}
html {{ font-family: "Times New Roman", "Liberation Serif", serif; font-size: 14pt; line-height: 1.2; }}
body {{ margin: 0; }}
p {{ margin: 0 0 6pt 0; text-align: justify; text-indent: 10mm; }}
.head {{ width: 100%; border-collapse: collapse; margin-bottom: 18pt; }}
.head td {{ vertical-align: top; text-align: center; padding: 0; }}
.head td.body {{ width: 65mm; font-size: 13pt; }}
.head .b {{ font-weight: bold; }}
.rule {{ border-bottom: 0.75pt solid black; margin: 3pt auto 0 auto; height: 0; }}
.number {{ margin-top: 6pt; }}
.motto {{ font-weight: bold; font-size: 12.5pt; white-space: nowrap; }}
.slogan {{ font-weight: bold; }}
.date {{ font-style: italic; margin-top: 6pt; }}
.title {{ text-align: center; font-weight: bold; text-indent: 0; margin: 0; }}
h1, h2, h3 {{ font-size: 14pt; margin: 12pt 0 6pt 0; page-break-after: avoid; }}
h2, h3 {{ text-indent: 10mm; margin-top: 6pt; }}
h3 {{ font-style: italic; }}
.slot-empty {{ font-style: italic; }}
.caption {{ text-align: center; font-style: italic; text-indent: 0; margin: 6pt 0 3pt 0; page-break-after: avoid; }}
table.data {{ width: 100%; border-collapse: collapse; font-size: 12pt; margin-bottom: 8pt; }}
table.data th, table.data td {{ border: 0.75pt solid black; padding: 2pt 4pt; }}
table.data th {{ font-weight: bold; text-align: center; }}
table.data thead {{ display: table-header-group; }}
table.data tr {{ page-break-inside: avoid; }}
td.n {{ text-align: right; white-space: nowrap; }}
td.d {{ text-align: center; }}
.sign {{ width: 100%; border-collapse: collapse; margin-top: 12pt; page-break-inside: avoid; }}
.sign td {{ vertical-align: top; padding: 0; }}
.sign td.to {{ width: 80mm; font-size: 11pt; }}
.sign td.to .to-title {{ font-weight: bold; font-style: italic; font-size: 12pt; }}
.sign td.signer {{ text-align: center; font-weight: bold; }}
.sign .name {{ margin-top: 24mm; }}
.annex {{ page: annex; page-break-before: always; }}
"""


def _cells(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(c.label)}</th>" for c in columns)
    body = []
    for row in rows:
        tds = []
        for value, column in zip(row, columns, strict=True):
            cls = ' class="n"' if column.type in NUMERIC else ' class="d"' if column.type == "date" else ""
            tds.append(f"<td{cls}>{escape(cell_text(value, column.type))}</td>")
        body.append("<tr>" + "".join(tds) + "</tr>")
    return f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def block_html(block: Block) -> str:
    if isinstance(block, Heading):
        level = min(max(block.level, 1), 3)
        return f"<h{level}>{escape(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        return f"<p>{escape(block.text)}</p>"
    if isinstance(block, Bullets):
        return "".join(f"<p>- {escape(item)}</p>" for item in block.items)
    if isinstance(block, Table):
        caption = f'<p class="caption">{escape(block.caption)}</p>' if block.caption else ""
        return caption + _cells(block.columns, block.rows)
    if isinstance(block, Chart):
        columns, rows = chart_table(block)
        return f'<p class="caption">{escape(block.title)}</p>' + _cells(columns, rows)
    if isinstance(block, Slot):
        lines = [line.strip() for line in block.text.splitlines() if line.strip()]
        if lines:
            return "".join(f"<p>{escape(line)}</p>" for line in lines)
        return f'<p class="slot-empty">({escape(block.label)}: phần này do cán bộ viết.)</p>'
    raise TypeError(f"not a block: {block!r}")


def _header(meta: DocumentMeta) -> str:
    left = f"<div>{escape(meta.parent_body)}</div>" if meta.parent_body else ""
    left += "".join(f'<div class="b">{escape(line)}</div>' for line in meta.body)
    left += f'<div class="rule" style="width:22mm"></div><div class="number">{escape(meta.number_line)}</div>'
    right = ('<div class="motto">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>'
             '<div class="slogan">Độc lập - Tự do - Hạnh phúc</div><div class="rule" style="width:60mm"></div>'
             f'<div class="date">{escape(meta.date_line)}</div>')
    title = f'<p class="title">{escape(meta.kind_name)}</p>'
    if meta.subject:
        title += f'<p class="title">{escape(meta.subject)}</p>'
    return (f'<table class="head"><tr><td class="body">{left}</td><td>{right}</td></tr></table>'
            f'{title}<div class="rule" style="width:50mm;margin-bottom:12pt"></div>')


def _signature(meta: DocumentMeta) -> str:
    to = '<div class="to-title">Nơi nhận:</div>' + "".join(f"<div>{escape(r)}</div>" for r in meta.recipients)
    signer = "".join(f"<div>{escape(line)}</div>" for line in meta.signer_lines)
    signer += f'<div class="name">{escape(meta.signer_name) or "&nbsp;"}</div>'
    return f'<table class="sign"><tr><td class="to">{to}</td><td class="signer">{signer}</td></tr></table>'


def document_html(document: Document, meta: DocumentMeta, annex: Sequence[Block] = ()) -> str:
    annex = list(annex) or list(getattr(document, "annex", []) or [])
    parts = [_header(meta), *(block_html(b) for b in document.blocks), _signature(meta)]
    if annex:
        number = f" số {escape(meta.number.strip())}/BC-{escape(meta.abbreviation)}" if meta.number.strip() else ""
        parts.append('<section class="annex"><p class="title">PHỤ LỤC</p>'
                     f'<p class="title" style="font-weight:normal;font-style:italic">(Kèm theo Báo cáo{number} '
                     f'{escape(meta.subject[:1].lower() + meta.subject[1:])})</p>'
                     '<div class="rule" style="width:50mm;margin-bottom:12pt"></div>'
                     + "".join(block_html(b) for b in annex) + "</section>")
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{escape(document.title)}</title>'
            f'<style>{CSS}</style></head><body>{"".join(parts)}</body></html>')


def _no_fetch() -> Any:
    """A WeasyPrint URL fetcher that loads nothing but data: URLs (no network, no file)."""
    from weasyprint.urls import URLFetcher

    class NoFetcher(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"The report loads no external resource: {url}")

    return NoFetcher(allowed_protocols=("data",))


def render_pdf(document: Document, meta: DocumentMeta, annex: Sequence[Block] = ()) -> bytes:
    from weasyprint import HTML

    pdf = HTML(string=document_html(document, meta, annex), url_fetcher=_no_fetch()).write_pdf()
    assert pdf is not None
    return bytes(pdf)
