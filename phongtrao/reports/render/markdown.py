"""Blocks -> Markdown (``report annual --format md``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext

from phongtrao.lib.vnformat import date_text, number, percent_text
from phongtrao.reports.blocks import Block, Bullets, CellValue, Chart, Heading, Paragraph, Slot, Table

NUMERIC = frozenset({"integer", "percent", "vnd", "number"})


def cell_text(value: CellValue, type_: str) -> str:
    """A typed cell as Vietnamese text: 1.234; 90,00%; 1.234.000 đồng; 15/12/2023; empty for None."""
    if value is None:
        return ""
    if type_ == "integer" or type_ == "number":
        return number(value)  # type: ignore[arg-type]
    if type_ == "percent":
        return percent_text(value)  # type: ignore[arg-type]
    if type_ == "vnd":
        return f"{number(value)} đồng"  # type: ignore[arg-type]
    if type_ == "date":
        return date_text(value)  # type: ignore[arg-type]
    return str(value)


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(columns: Iterable[tuple[str, str]], rows: Iterable[Iterable[str]]) -> list[str]:
    cols = list(columns)
    lines = ["| " + " | ".join(_md_cell(label) for label, _ in cols) + " |",
             "|" + "|".join("---:" if t in NUMERIC else "---" for _, t in cols) + "|"]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines


def render_block(block: Block) -> list[str]:
    if isinstance(block, Heading):
        return ["#" * block.level + " " + block.text]
    if isinstance(block, Paragraph):
        return [block.text]
    if isinstance(block, Bullets):
        return [f"- {item}" for item in block.items]
    if isinstance(block, Table):
        lines = [f"*{block.caption}*", ""] if block.caption else []
        cols = [(c.label, c.type) for c in block.columns]
        return lines + _table(cols, ([cell_text(v, c.type) for v, c in zip(row, block.columns, strict=True)]
                                     for row in block.rows))
    if isinstance(block, Chart):  # no drawing in Markdown: the chart's data table
        chart_cols: list[tuple[str, str]] = [("", "text")] + [(s.name, block.value_type) for s in block.series]
        rows = ([cat] + [cell_text(s.values[i], block.value_type) for s in block.series]
                for i, cat in enumerate(block.categories))
        return [f"*{block.title}*", "", *_table(chart_cols, rows)]
    if isinstance(block, Slot):
        empty = gettext("%(label)s: phần này do cán bộ viết.") % {"label": block.label}
        return [block.text.strip() or f"*({empty})*"]
    raise TypeError(f"not a block: {block!r}")


def render_blocks(blocks: Iterable[Block]) -> str:
    """Blocks separated by a blank line, ending with one newline."""
    return "\n\n".join("\n".join(render_block(b)) for b in blocks).rstrip() + "\n"
