"""Figures of the movement's classification for any subtree and year, and the ``classification`` section of
``report annual``: the level distribution per kind of scorecard (residential areas, communes, agencies and
enterprises, schools), in one set-based query (the closure table for the subtree, none for the country).

A unit counts at its level once it is classified (``status = classified``); the others count as in progress; the
late flag counts the units that sent their self-scoring on or after their scorecard's deadline.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from phongtrao.classification.models import CardKind, Classification, Level, Status
from phongtrao.lib.vnformat import number, percent, percent_text
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


# Vietnamese words of the Markdown report (documents are always Vietnamese).
LEVEL_WORDS = {"excellent": "xuất sắc", "good": "khá", "average": "trung bình", "weak": "yếu"}
LEVEL_TITLES = {"excellent": "Xuất sắc", "good": "Khá", "average": "Trung bình", "weak": "Yếu"}
KIND_WORDS = {"residential_area": "Khu dân cư", "commune": "Xã, phường, đặc khu",
              "organisation": "Cơ quan, doanh nghiệp", "school": "Cơ sở giáo dục"}


def headline(section: dict[str, Any]) -> str:
    """ "Xếp loại phong trào: 120 xuất sắc (35,29%), 150 khá (44,12%), ..." """
    parts = [f"{number(section['levels'][k]['count'])} {w} ({percent_text(section['levels'][k]['percent'])})"
             for k, w in LEVEL_WORDS.items()]
    return "Xếp loại phong trào: " + ", ".join(parts) + "."


def classification_markdown(unit: Unit, year: int, section: dict[str, Any]) -> str:
    lines = ["## Xếp loại phong trào toàn dân bảo vệ an ninh Tổ quốc", ""]
    lines.append(f"Năm {year}, {unit.name} đã xếp loại {number(section['classified'])} đơn vị; "
                 f"{number(section['in_progress'])} đơn vị đang chấm điểm, thẩm định; "
                 f"{number(section['late'])} đơn vị gửi kết quả tự chấm quá hạn.")
    lines += ["", headline(section), "",
              "| Loại đơn vị | Đã xếp loại | " + " | ".join(LEVEL_TITLES.values()) + " |",
              "|---|---:|" + "---:|" * len(LEVEL_TITLES)]
    for key, word in KIND_WORDS.items():
        row = section["by_kind"][key]
        cells = " | ".join(number(row[level]) for level in LEVEL_TITLES)
        lines.append(f"| {word} | {number(row['classified'])} | {cells} |")
    return "\n".join(lines) + "\n"
