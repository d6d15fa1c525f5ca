"""Blocks -> HTML (the province and commune pages): one template, ``reports/_blocks.html``.

Each block becomes an item the template lays out with Bootstrap: a heading, a paragraph, a list, a table
(numbers right-aligned), a chart (an ECharts ``div`` fed by a ``json_script`` and drawn by
``reports/js/charts.js``: no inline script, the CSP forbids them, with its data table underneath) and the
officer's slot. Numbers, percentages, amounts and days are formatted for the page's language here
(``lib.vnformat.localized_*``): 1.234,5 and 90,00% in Vietnamese, 1,234.5 and 90.00% in English.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from phongtrao.lib.vnformat import date_text, localized_number, localized_percent
from phongtrao.reports.blocks import Block, Bullets, CellValue, Chart, Heading, Paragraph, Slot, Table

NUMERIC = frozenset({"integer", "percent", "vnd", "number"})


def cell_text(value: CellValue, type_: str) -> str:
    """A typed cell in the page's language: 1.234 / 1,234; 90,00% / 90.00%; 1.234.000 đồng; 15/12/2023."""
    if value is None:
        return ""
    if type_ in ("integer", "number"):
        return localized_number(value)  # type: ignore[arg-type]
    if type_ == "percent":
        return localized_percent(value)  # type: ignore[arg-type]
    if type_ == "vnd":
        return gettext("%(amount)s đồng") % {"amount": localized_number(value)}  # type: ignore[arg-type]
    if type_ == "date":
        return date_text(value)  # type: ignore[arg-type]
    return str(value)


def _table(caption: str, columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[CellValue]]) -> dict[str, Any]:
    return {"caption": caption,
            "columns": [{"label": label, "numeric": type_ in NUMERIC} for label, type_ in columns],
            "rows": [[{"text": cell_text(v, t), "numeric": t in NUMERIC}
                      for v, (_l, t) in zip(row, columns, strict=True)] for row in rows]}


def item(block: Block, chart_id: str) -> dict[str, Any]:
    """The template's view of one block."""
    if isinstance(block, Heading):
        return {"kind": "heading", "text": block.text, "level": block.level}
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text}
    if isinstance(block, Bullets):
        return {"kind": "bullets", "items": block.items}
    if isinstance(block, Table):
        return {"kind": "table", **_table(block.caption, [(c.label, c.type) for c in block.columns], block.rows)}
    if isinstance(block, Chart):
        columns = [("", "text")] + [(s.name, block.value_type) for s in block.series]
        rows = [[cat, *(s.values[i] for s in block.series)] for i, cat in enumerate(block.categories)]
        data = {"kind": block.kind, "categories": list(block.categories), "percent": block.value_type == "percent",
                "series": [{"name": s.name, "values": [None if v is None else float(v) for v in s.values]}
                           for s in block.series]}
        return {"kind": "chart", "id": chart_id, "data_id": f"{chart_id}-data", "title": block.title, "data": data,
                **_table(block.title, columns, rows)}
    if isinstance(block, Slot):
        return {"kind": "slot", "key": block.key, "label": block.label, "text": block.text.strip()}
    raise TypeError(f"not a block: {block!r}")


def has_chart(blocks: Iterable[Block]) -> bool:
    return any(isinstance(b, Chart) for b in blocks)


def render_blocks(blocks: Iterable[Block], *, id_prefix: str = "report") -> SafeString:
    """The blocks as one HTML fragment; ``id_prefix`` keeps the charts' element ids unique on a page."""
    items = [item(b, f"{id_prefix}-chart-{n}") for n, b in enumerate(blocks)]
    return SafeString(render_to_string("reports/_blocks.html", {"items": items}))
