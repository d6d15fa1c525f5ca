"""The annual report (``report annual``): a dict of sections, each built by the app that owns it.

An app adds a section by registering a builder at app ready::

    from phongtrao.reports.annual import register_section
    register_section("models", build_models_section, blocks=models_blocks, order=20, doc_order=50)

``build_annual(unit, year)`` calls every builder in order; the JSON output is that dict as is. A section's
``blocks(unit, year, data, previous)`` turns its data (and the same section for ``year - 1``, or None) into
neutral blocks (``reports.blocks``): every format is a renderer of blocks (``reports.render.markdown`` for
``--format md``, ``reports.render.html`` for the province and commune pages, the document's .docx, PDF and
.xlsx), so the pages and the command show the same figures and sentences from the same builder. Every text a
block carries goes through gettext (Vietnamese msgids): the command and the document render under
``override("vi")``, the pages in the reader's language. Sections without blocks are left out of the prose,
never out of the JSON. (``render_md`` and ``template`` are the older per-format hooks, used by no section.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_noop, override

from phongtrao.lib.dbrouter import replica_reads
from phongtrao.lib.vnformat import localized_number, localized_percent
from phongtrao.recognition.figures import RECOGNITION_KEYS, Counts, recognition_by_child, recognition_figures
from phongtrao.reports.blocks import Block, Bullets, Column, Heading, Paragraph, Table
from phongtrao.reports.compare import compared, points
from phongtrao.reports.render.markdown import render_blocks
from phongtrao.units.lineage import RECORDED, parse_boundaries
from phongtrao.units.models import Unit

# (unit, year, boundaries="recorded"|"today": units.lineage) -> the section's data.
SectionBuilder = Callable[..., Any]
MarkdownRenderer = Callable[[Unit, int, Any], str]
# (unit, year, the section's data, the same section for year - 1 or None) -> neutral blocks (reports.blocks).
BlockBuilder = Callable[[Unit, int, Any, Any], list[Block]]
# (unit, year, the section's data) -> [(label, url), ...]: the pages that go further, under the section on the web.
LinksBuilder = Callable[[Unit, int, Any], list[tuple[str, str]]]


@dataclass(frozen=True)
class Section:
    key: str
    build: SectionBuilder
    render_md: MarkdownRenderer | None = None
    order: int = 100
    template: str | None = None
    blocks: BlockBuilder | None = None
    doc_order: int | None = None  # the place in the document's part II (default: ``order``)
    links: LinksBuilder | None = None


SECTIONS: dict[str, Section] = {}


def register_section(key: str, build: SectionBuilder, *, render_md: MarkdownRenderer | None = None,
                     order: int = 100, template: str | None = None, blocks: BlockBuilder | None = None,
                     doc_order: int | None = None, links: LinksBuilder | None = None) -> None:
    SECTIONS[key] = Section(key, build, render_md, order, template, blocks, doc_order, links)


def section_blocks(section: Section, unit: Unit, year: int, data: Any, previous: Any = None) -> list[Block]:
    """The section's neutral blocks; ``previous`` is the same section built for ``year - 1`` (or None)."""
    if section.blocks is None:
        return []
    return section.blocks(unit, year, data, previous)


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
    """``report annual --format md``: each section's blocks as Markdown, in Vietnamese whatever the language."""
    year = report["year"]
    with override("vi"):
        parts = ["# " + gettext("Báo cáo tổng kết năm %(year)s: %(unit)s") % {"year": year, "unit": unit.name}, ""]
        for section in _ordered():
            if section.key not in report:
                continue
            if section.blocks is not None:
                parts.append(render_blocks(section_blocks(section, unit, year, report[section.key])).rstrip() + "\n")
            elif section.render_md is not None:
                parts.append(section.render_md(unit, year, report[section.key]).rstrip() + "\n")
    return "\n".join(parts).rstrip() + "\n"


# --- the recognition section (ANTT standard) -----------------------------------------------------

# How each kind is named in an annual report's "x/y" sentences (translated where used).
RECOGNITION_LABELS = {
    "residential_area": gettext_noop("thôn, khu phố"),
    "commune": gettext_noop("xã, phường, đặc khu"),
    "organisation": gettext_noop("cơ quan, doanh nghiệp, cơ sở giáo dục"),
    "agency": gettext_noop("cơ quan"),
    "enterprise": gettext_noop("doanh nghiệp"),
    "school": gettext_noop("cơ sở giáo dục"),
}
MAIN_KINDS = ("residential_area", "commune", "organisation")


def fraction_text(counts: Counts, key: str) -> str:
    """ "27/30 thôn, khu phố (90,00%)": thousands with a dot, decimals with a comma (in Vietnamese)."""
    return gettext("%(recognised)s/%(total)s %(kind)s (%(percent)s)") % {
        "recognised": localized_number(counts["recognised"]), "total": localized_number(counts["total"]),
        "kind": gettext(RECOGNITION_LABELS[key]), "percent": localized_percent(counts["percent"])}


def joined(items: list[str]) -> str:
    """ "a", "a và b", "a, b và c" in the active language."""
    if len(items) < 2:
        return "".join(items)
    return gettext("%(items)s và %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def recognition_blocks(unit: Unit, year: int, section: dict[str, Counts], previous: Any = None) -> list[Block]:
    main = [k for k in MAIN_KINDS if section[k]["total"]]
    if main:
        sentence = gettext("Năm %(year)s, %(unit)s có %(counts)s được công nhận đạt tiêu chuẩn "
                           "“An toàn về an ninh, trật tự”.") % {
            "year": year, "unit": unit.name, "counts": joined([fraction_text(section[k], k) for k in main])}
    else:
        sentence = gettext("Năm %(year)s, %(unit)s không có đơn vị thuộc diện xét tiêu chuẩn "
                           "“An toàn về an ninh, trật tự”.") % {"year": year, "unit": unit.name}
    blocks: list[Block] = [Heading(gettext("Xây dựng tiêu chuẩn “An toàn về an ninh, trật tự”")),
                           Paragraph(sentence)]
    if previous:
        moves = [gettext("Số %(kind)s được công nhận %(count)s; tỷ lệ %(points)s.") % {
            "kind": gettext(RECOGNITION_LABELS[k]),
            "count": compared(section[k]["recognised"], previous[k]["recognised"], year - 1,
                              gettext(RECOGNITION_LABELS[k])),
            "points": points(section[k]["percent"], previous[k]["percent"], year - 1)}
            for k in main if previous.get(k, {}).get("total")]
        if moves:
            blocks.append(Paragraph(" ".join(moves)))
    table = Table(
        columns=(Column(gettext("Loại đơn vị")), Column(gettext("Đăng ký"), "integer"),
                 Column(gettext("Được công nhận"), "integer"), Column(gettext("Tổng số"), "integer"),
                 Column(gettext("Tỷ lệ"), "percent")),
        rows=tuple((capitalised(gettext(RECOGNITION_LABELS[k])), section[k]["registered"], section[k]["recognised"],
                    section[k]["total"], section[k]["percent"]) for k in RECOGNITION_KEYS))
    return [*blocks, Bullets(tuple(fraction_text(section[k], k) for k in RECOGNITION_KEYS)), table]


def recognition_annex(unit: Unit, year: int) -> Table:
    """The annex table of a province's report: each commune's residential areas and organisations recognised
    (x/y and the share), from ``recognition_by_child`` (one query)."""
    def counts(c: Counts) -> tuple[int, int, float]:
        return c["recognised"], c["total"], c["percent"]

    kinds = (("residential_area", gettext("Thôn, khu phố")),
             ("organisation", gettext("Cơ quan, doanh nghiệp, cơ sở giáo dục")))
    columns = [Column(gettext("Xã, phường, đặc khu"))]
    for _key, label in kinds:
        columns += [Column(gettext("%(kind)s được công nhận") % {"kind": label}, "integer"),
                    Column(gettext("%(kind)s: tổng số") % {"kind": label}, "integer"),
                    Column(gettext("Tỷ lệ"), "percent")]
    rows = tuple((child["unit"]["name"], *(v for key, _l in kinds for v in counts(child["recognition"][key])))
                 for child in recognition_by_child(unit, year))
    return Table(columns=tuple(columns), rows=rows, annex=True, caption=gettext(
        "Kết quả xây dựng tiêu chuẩn “An toàn về an ninh, trật tự” năm %(year)s theo từng xã, phường, đặc khu")
        % {"year": year})


def register_builtin_sections() -> None:
    register_section("recognition", recognition_figures, blocks=recognition_blocks, order=10, doc_order=30)
