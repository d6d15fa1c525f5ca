"""The annual report's sections on the province and commune pages: the same blocks as the command's
Markdown and the document, rendered as HTML in the reader's language (``reports.render.html``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString

from phongtrao.reports.annual import build_annual, ordered_sections, section_blocks
from phongtrao.reports.render.html import has_chart, render_blocks
from phongtrao.units.lineage import BOUNDARY_LABELS, RECORDED, TODAY, TODAY_NOTE
from phongtrao.units.models import Unit


@dataclass(frozen=True)
class WebSection:
    key: str
    html: SafeString
    links: list[tuple[str, str]] = field(default_factory=list)


def web_sections(unit: Unit, year: int, report: dict[str, Any]) -> tuple[list[WebSection], bool]:
    """Every built section with blocks, in the document's order, and whether any of them draws a chart."""
    out, charts = [], False
    for section in ordered_sections(document=True):
        if section.blocks is None or section.key not in report:
            continue
        blocks = section_blocks(section, unit, year, report[section.key])
        charts = charts or has_chart(blocks)
        links = section.links(unit, year, report[section.key]) if section.links else []
        out.append(WebSection(section.key, render_blocks(blocks, id_prefix=section.key), links))
    return out, charts


def annual_context(unit: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Any]:
    """The page's context: the annual report built once (on the year's recorded boundaries or today's,
    ``?boundaries=``), its sections as HTML and the recognition headline."""
    report = build_annual(unit, year, boundaries)
    sections, charts = web_sections(unit, year, report)
    return {"sections": sections, "has_chart": charts, "headline": report.get("recognition"),
            "boundaries": boundaries, "boundary_labels": BOUNDARY_LABELS,
            "today_note": TODAY_NOTE if boundaries == TODAY else ""}
