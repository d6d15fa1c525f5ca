"""The annual report (``report annual``): a dict of sections, each built by the app that owns it.

An app adds a section by registering a builder at app ready::

    from phongtrao.reports.annual import register_section
    register_section("models", build_models_section, render_md=models_markdown, order=20,
                     template="models_registry/_annual_section.html")

``build_annual(unit, year)`` calls every builder in order; the JSON output is that dict as
is, and the Markdown output joins each section's ``render_md`` (sections without one are
left out of the prose, never out of the JSON). A section's ``template`` (optional) renders
it on the web (province and commune pages) with ``unit``, ``year`` and ``section`` (the built
data) in its context: the pages and the command show the same figures from the same builder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from phongtrao.lib.dbrouter import replica_reads
from phongtrao.lib.vnformat import number, percent_text
from phongtrao.reports.blocks import Block, Bullets, Column, Heading, Paragraph, Table
from phongtrao.reports.figures import RECOGNITION_KEYS, Counts, recognition_figures
from phongtrao.reports.render.markdown import render_blocks
from phongtrao.units.lineage import RECORDED, parse_boundaries
from phongtrao.units.models import Unit

# (unit, year, boundaries="recorded"|"today": units.lineage) -> the section's data.
SectionBuilder = Callable[..., Any]
MarkdownRenderer = Callable[[Unit, int, Any], str]
# (unit, year, the section's data, the same section for year - 1 or None) -> neutral blocks (reports.blocks).
BlockBuilder = Callable[[Unit, int, Any, Any], list[Block]]


@dataclass(frozen=True)
class Section:
    key: str
    build: SectionBuilder
    render_md: MarkdownRenderer | None = None
    order: int = 100
    template: str | None = None
    blocks: BlockBuilder | None = None
    doc_order: int | None = None  # the place in the document's part II (default: ``order``)


SECTIONS: dict[str, Section] = {}


def register_section(key: str, build: SectionBuilder, *, render_md: MarkdownRenderer | None = None,
                     order: int = 100, template: str | None = None, blocks: BlockBuilder | None = None,
                     doc_order: int | None = None) -> None:
    SECTIONS[key] = Section(key, build, render_md, order, template, blocks, doc_order)


def section_blocks(section: Section, unit: Unit, year: int, data: Any, previous: Any = None) -> list[Block]:
    """The section's neutral blocks; ``previous`` is the same section built for ``year - 1`` (or None)."""
    if section.blocks is None:
        return []
    return section.blocks(unit, year, data, previous)


def web_sections(report: dict[str, Any]) -> list[tuple[Section, Any]]:
    """The built sections that have a web template, in report order: ``[(section, data), ...]``."""
    return [(s, report[s.key]) for s in _ordered() if s.template and s.key in report]


def ordered_sections(*, document: bool = False) -> list[Section]:
    """The sections in JSON order, or (``document=True``) in the order of the document's results part."""
    if document:
        return sorted(SECTIONS.values(), key=lambda s: (s.order if s.doc_order is None else s.doc_order, s.key))
    return sorted(SECTIONS.values(), key=lambda s: (s.order, s.key))


_ordered = ordered_sections


@replica_reads()  # read from the streaming replica when there is one (lib.dbrouter)
def build_annual(unit: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Any]:
    """The annual figures for ``unit``'s subtree (INTERCHANGE.md ``report annual --format json``), on the
    year's ``recorded`` boundaries or on ``today``'s (``unit`` a unit of today; ``units.lineage``)."""
    boundaries = parse_boundaries(boundaries)
    report: dict[str, Any] = {"unit": {"code": unit.code, "name": unit.name, "kind": unit.kind}, "year": year,
                              "boundaries": boundaries}
    for section in _ordered():  # a builder takes ``boundaries`` (tests/test_lineage.py checks every one)
        report[section.key] = (section.build(unit, year) if boundaries == RECORDED
                               else section.build(unit, year, boundaries=boundaries))
    return report


def render_markdown(report: dict[str, Any], unit: Unit) -> str:
    year = report["year"]
    parts = [f"# Báo cáo tổng kết năm {year}: {unit.name}", ""]
    for section in _ordered():
        if section.key not in report:
            continue
        if section.blocks is not None:
            parts.append(render_blocks(section_blocks(section, unit, year, report[section.key])).rstrip() + "\n")
        elif section.render_md is not None:
            parts.append(section.render_md(unit, year, report[section.key]).rstrip() + "\n")
    return "\n".join(parts).rstrip() + "\n"


# --- the recognition section (ANTT standard) -----------------------------------------------------

# How each kind is named in an annual report's "x/y" sentences.
RECOGNITION_LABELS = {
    "residential_area": "thôn, khu phố",
    "commune": "xã, phường, đặc khu",
    "organisation": "cơ quan, doanh nghiệp, cơ sở giáo dục",
    "agency": "cơ quan",
    "enterprise": "doanh nghiệp",
    "school": "cơ sở giáo dục",
}


def fraction_text(counts: Counts, key: str) -> str:
    """ "27/30 thôn, khu phố (90,00%)": thousands with a dot, decimals with a comma."""
    return (f"{number(counts['recognised'])}/{number(counts['total'])} {RECOGNITION_LABELS[key]} "
            f"({percent_text(counts['percent'])})")


def recognition_blocks(unit: Unit, year: int, section: dict[str, Counts], previous: Any = None) -> list[Block]:
    main = [k for k in ("residential_area", "commune", "organisation") if section[k]["total"]]
    if main:
        listed = [fraction_text(section[k], k) for k in main]
        joined = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " và " + listed[-1]
        sentence = (f"Năm {year}, {unit.name} có {joined} được công nhận đạt tiêu chuẩn "
                    "“An toàn về an ninh, trật tự”.")
    else:
        sentence = (f"Năm {year}, {unit.name} không có đơn vị thuộc diện xét tiêu chuẩn "
                    "“An toàn về an ninh, trật tự”.")

    def label(key: str) -> str:
        text = RECOGNITION_LABELS[key]
        return text[0].upper() + text[1:]

    table = Table(
        columns=(Column("Loại đơn vị"), Column("Đăng ký", "integer"), Column("Được công nhận", "integer"),
                 Column("Tổng số", "integer"), Column("Tỷ lệ", "percent")),
        rows=tuple((label(k), section[k]["registered"], section[k]["recognised"], section[k]["total"],
                    section[k]["percent"]) for k in RECOGNITION_KEYS))
    return [Heading("Xây dựng tiêu chuẩn “An toàn về an ninh, trật tự”"), Paragraph(sentence),
            Bullets(tuple(fraction_text(section[k], k) for k in RECOGNITION_KEYS)), table]


def register_builtin_sections() -> None:
    register_section("recognition", recognition_figures, blocks=recognition_blocks, order=10,
                     template="recognition/_annual_section.html")
