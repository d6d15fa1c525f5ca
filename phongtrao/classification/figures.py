"""Figures of the movement's classification for any subtree and year, and the ``classification`` section of
``report annual``: the level distribution per kind of scorecard (residential areas, communes, agencies and
enterprises, schools), in one set-based query (the closure table for the subtree, none for the country).

A unit counts at its level once it is classified (``status = classified``); the others count as in progress; the
late flag counts the units that sent their self-scoring on or after their scorecard's deadline.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext, gettext_noop

from phongtrao.classification.models import CardKind, Classification, Level, Status
from phongtrao.lib.vnformat import localized_number, localized_percent, percent
from phongtrao.reports.blocks import Block, Bullets, Column, Heading, Paragraph, Table
from phongtrao.reports.compare import compared, points
from phongtrao.units.lineage import RECORDED, in_subtree
from phongtrao.units.models import Unit

LEVEL_KEYS = tuple(Level.values)
KIND_KEYS = tuple(CardKind.values)
CLASSIFICATION_QUERIES = 1  # the level distribution per kind


def _empty() -> dict[str, int]:
    return {"classified": 0, **dict.fromkeys(LEVEL_KEYS, 0), "in_progress": 0, "late": 0}


def distribution(root: Unit, year: int, kind: str | None = None,
                 boundaries: str = RECORDED) -> dict[str, dict[str, int]]:
    """Per scorecard kind: the classified units, how many at each level, those still in progress and the late."""
    rows = Classification.objects.filter(in_subtree(root, boundaries=boundaries, prefix="unit__"), year=year)
    if kind:
        rows = rows.filter(scorecard__kind=kind)
    done = Q(status=Status.CLASSIFIED)
    found = {key: _empty() for key in KIND_KEYS}
    for row in (rows.values("scorecard__kind").order_by("scorecard__kind")
                .annotate(classified=Count("pk", filter=done),
                          **{level: Count("pk", filter=done & Q(level=level)) for level in LEVEL_KEYS},
                          in_progress=Count("pk", filter=~done), late=Count("pk", filter=Q(late=True)))):
        found[str(row["scorecard__kind"])] = {key: int(row[key]) for key in _empty()}  # type: ignore[literal-required]
    return found


def build_classification_section(unit: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Any]:
    by_kind = distribution(unit, year, boundaries=boundaries)
    totals = _empty()
    for figures in by_kind.values():
        for key, value in figures.items():
            totals[key] += value
    classified = totals["classified"]
    return {"classified": classified, "in_progress": totals["in_progress"], "late": totals["late"],
            "levels": {level: {"count": totals[level], "percent": percent(totals[level], classified)}
                       for level in LEVEL_KEYS},
            "by_kind": by_kind}


# The words of the report (translated where used).
LEVEL_WORDS = {"excellent": gettext_noop("xuất sắc"), "good": gettext_noop("khá"),
               "average": gettext_noop("trung bình"), "weak": gettext_noop("yếu")}
LEVEL_TITLES = {"excellent": gettext_noop("Xuất sắc"), "good": gettext_noop("Khá"),
                "average": gettext_noop("Trung bình"), "weak": gettext_noop("Yếu")}
KIND_WORDS = {"residential_area": gettext_noop("Khu dân cư"), "commune": gettext_noop("Xã, phường, đặc khu"),
              "organisation": gettext_noop("Cơ quan, doanh nghiệp"), "school": gettext_noop("Cơ sở giáo dục")}


def headline(section: dict[str, Any]) -> str:
    """ "Xếp loại phong trào: 120 xuất sắc (35,29%), 150 khá (44,12%), ..." """
    parts = [gettext("%(count)s %(level)s (%(percent)s)") % {
        "count": localized_number(section["levels"][k]["count"]), "level": gettext(w),
        "percent": localized_percent(section["levels"][k]["percent"])} for k, w in LEVEL_WORDS.items()]
    return gettext("Xếp loại phong trào: %(levels)s.") % {"levels": ", ".join(parts)}


def classification_blocks(unit: Unit, year: int, section: dict[str, Any],
                          previous: dict[str, Any] | None = None) -> list[Block]:
    blocks: list[Block] = [
        Heading(gettext("Xếp loại phong trào toàn dân bảo vệ an ninh Tổ quốc")),
        Paragraph(gettext("Năm %(year)s, %(unit)s đã xếp loại %(classified)s đơn vị; %(in_progress)s đơn vị đang "
                          "chấm điểm, thẩm định; %(late)s đơn vị gửi kết quả tự chấm quá hạn.") % {
            "year": year, "unit": unit.name, "classified": localized_number(section["classified"]),
            "in_progress": localized_number(section["in_progress"]), "late": localized_number(section["late"])}),
        Paragraph(headline(section))]
    if previous is not None and previous["classified"]:
        moves = [gettext("%(level)s: %(count)s, tỷ lệ %(points)s") % {
            "level": gettext(LEVEL_TITLES[k]),
            "count": compared(section["levels"][k]["count"], previous["levels"][k]["count"], year - 1,
                              gettext("đơn vị")),
            "points": points(section["levels"][k]["percent"], previous["levels"][k]["percent"], year - 1)}
            for k in LEVEL_TITLES]
        blocks.append(Bullets(tuple(moves)))
    columns = (Column(gettext("Loại đơn vị")), Column(gettext("Đã xếp loại"), "integer"),
               *(Column(gettext(title), "integer") for title in LEVEL_TITLES.values()))
    rows = tuple((gettext(word), section["by_kind"][key]["classified"],
                  *(section["by_kind"][key][level] for level in LEVEL_TITLES)) for key, word in KIND_WORDS.items())
    blocks.append(Table(columns=columns, rows=rows))
    return blocks
