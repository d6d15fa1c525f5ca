"""The annual report as one document of neutral blocks (issue #13): the structure provincial reports use.

``build_document(unit, year, texts=...)`` builds the figures (``reports.annual.build_annual``), the same
figures for ``year - 1`` (for the year-on-year sentences), and lays the sections out as

    I.   Tình hình (the officer's slot "situation")
    II.  Kết quả (every section with blocks, in ``Section.doc_order``)
    III. Hạn chế, tồn tại (slot "shortcomings")
    IV.  Bài học kinh nghiệm (slot "lessons")
    V.   Phương hướng, nhiệm vụ năm tới (slot "tasks")
    Phụ lục (every table a section marks ``annex=True``)

The renderers (``reports.render.*``) take the ``Document``; ``figures`` keeps the JSON the blocks were
built from, so a document and ``report annual --format json`` always carry the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext, gettext_noop, override

from phongtrao.reports.annual import build_annual, ordered_sections, recognition_annex, section_blocks
from phongtrao.reports.blocks import Block, Document, Heading, Slot, Table
from phongtrao.units.models import Kind, Unit

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")

# The officer's parts: (slot key, part heading). The slot's label is the part's title.
PARTS_BEFORE = (("situation", gettext_noop("Tình hình")),)
PARTS_AFTER = (("shortcomings", gettext_noop("Hạn chế, tồn tại")), ("lessons", gettext_noop("Bài học kinh nghiệm")),
               ("tasks", gettext_noop("Phương hướng, nhiệm vụ năm tới")))


@dataclass
class AnnualDocument(Document):
    unit: Unit | None = None
    year: int = 0
    figures: dict[str, Any] = field(default_factory=dict)
    annex: list[Block] = field(default_factory=list)


def build_document(unit: Unit, year: int, *, texts: dict[str, str] | None = None,
                   report: dict[str, Any] | None = None, previous: dict[str, Any] | None = None,
                   compare: bool = True) -> AnnualDocument:
    """The annual report of ``unit``'s subtree for ``year``, in Vietnamese (the official language of the
    document, whatever the page's language). ``texts`` fills the officer's slots; ``report`` and
    ``previous`` may be passed in when already built (an issued report's frozen figures)."""
    texts = texts or {}
    with override("vi"):
        report = report if report is not None else build_annual(unit, year)
        if compare and previous is None:
            previous = build_annual(unit, year - 1)
        doc = AnnualDocument(title=gettext("Báo cáo tổng kết năm %(year)s") % {"year": year}, unit=unit, year=year,
                             figures=report)
        part = iter(ROMAN)
        for key, title in PARTS_BEFORE:
            doc.blocks += [Heading(f"{next(part)}. {gettext(title).upper()}", 1),
                           Slot(key, gettext(title), texts.get(key, ""))]
        doc.blocks.append(Heading(f"{next(part)}. {gettext('Kết quả thực hiện').upper()}", 1))
        for section in ordered_sections(document=True):
            if section.key not in report:
                continue
            before = previous.get(section.key) if previous else None
            for block in section_blocks(section, unit, year, report[section.key], before):
                (doc.annex if isinstance(block, Table) and block.annex else doc.blocks).append(block)
        if unit.kind == Kind.PROVINCE:  # the per-commune figures, in the annex (landscape pages allowed)
            doc.annex.append(recognition_annex(unit, year))
        for key, title in PARTS_AFTER:
            doc.blocks += [Heading(f"{next(part)}. {gettext(title).upper()}", 1),
                           Slot(key, gettext(title), texts.get(key, ""))]
    return doc
