"""Figures of the grassroots security force for any subtree and year, and the ``forces`` section of
``report annual``. Each figure is one set-based query (the closure table for the subtree, none for the country):

- teams, their members by position and the teams below their size rule: the teams active on 31 December;
- residential areas covered: the areas valid on 31 December with an active team / all of them;
- the rating distribution: the counts of the year's ratings (period 15/11 of the year before to 14/11), and the
  teams whose "excellent" members exceed the quota.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from phongtrao.forces.models import RATING_FIELDS, Team, TeamRating
from phongtrao.forces.rules import quota, rating_period
from phongtrao.lib.periods import year_end
from phongtrao.lib.vnformat import date_text, number, percent, percent_text
from phongtrao.units.lineage import RECORDED, in_subtree
from phongtrao.units.models import Kind, Unit

POSITIONS = ("leaders", "deputies", "members")


def _zero(name: str) -> Coalesce:
    return Coalesce(Sum(name), 0)


def team_figures(root: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Any]:
    """Teams active on 31 December of ``year`` in ``root``'s subtree: count, members, by position, below rule."""
    teams = Team.objects.active_on(year_end(year)).filter(in_subtree(root, boundaries=boundaries, prefix="unit__"))
    row = teams.aggregate(teams=Count("pk"), total=_zero("total_members"),
                          **{name: _zero(name) for name in POSITIONS},
                          below_rule=Count("pk", filter=Q(required_members__isnull=False,
                                                          total_members__lt=F("required_members"))))
    return {"teams": row["teams"], "members": row["total"],
            "members_by_position": {name: row[name] for name in POSITIONS}, "below_rule": row["below_rule"]}


def coverage(root: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Any]:
    """Residential areas valid on 31 December with an active team then, of all of them (x/y and the percent)."""
    day = year_end(year)
    areas = Unit.objects.of_kind(Kind.RESIDENTIAL_AREA).valid_on(day).filter(in_subtree(root, boundaries=boundaries))
    served = Team.objects.active_on(day).filter(unit=OuterRef("pk"))
    row = areas.aggregate(total=Count("pk"), covered=Count("pk", filter=Q(Exists(served))))
    return {"covered": row["covered"], "total": row["total"], "percent": percent(row["covered"], row["total"])}


def rating_figures(root: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Any]:
    start, end = rating_period(year)
    rule = quota()
    ratings = TeamRating.objects.filter(in_subtree(root, boundaries=boundaries, prefix="team__unit__"), year=year)
    row = (ratings.alias(excess=F("excellent") * 100 - F("good") * rule.percent)
           .aggregate(teams_rated=Count("pk"), over_quota=Count("pk", filter=Q(excess__gt=0)),
                      **{name: _zero(name) for name, _ in RATING_FIELDS}))
    return {"period": {"start": start.isoformat(), "end": end.isoformat()}, "teams_rated": row["teams_rated"],
            **{name: row[name] for name, _ in RATING_FIELDS}, "over_quota": row["over_quota"],
            "quota_percent": rule.percent}


FORCES_QUERIES = 3  # the teams, the residential areas covered, the ratings


def build_forces_section(unit: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Any]:
    return {**team_figures(unit, year, boundaries), "residential_areas": coverage(unit, year, boundaries),
            "ratings": rating_figures(unit, year, boundaries)}


# Vietnamese labels of the Markdown report (documents are always Vietnamese).
POSITION_WORDS = {"leaders": "tổ trưởng", "deputies": "tổ phó", "members": "tổ viên"}
RATING_WORDS = {"excellent": "Hoàn thành xuất sắc nhiệm vụ", "good": "Hoàn thành tốt nhiệm vụ",
                "completed": "Hoàn thành nhiệm vụ", "not_completed": "Không hoàn thành nhiệm vụ",
                "not_rated": "Chưa đánh giá (hoạt động dưới 9 tháng)"}


def forces_markdown(unit: Unit, year: int, section: dict[str, Any]) -> str:
    areas, ratings = section["residential_areas"], section["ratings"]
    positions = ", ".join(f"{number(section['members_by_position'][k])} {w}" for k, w in POSITION_WORDS.items())
    lines = ["## Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở", ""]
    lines.append(f"Đến ngày {date_text(year_end(year))}, {unit.name} có {number(section['teams'])} Tổ bảo vệ an ninh, "
                 f"trật tự với {number(section['members'])} thành viên ({positions}), phủ "
                 f"{number(areas['covered'])}/{number(areas['total'])} khu dân cư "
                 f"({percent_text(areas['percent'])}); {number(section['below_rule'])} tổ chưa đủ số thành viên "
                 "theo quy mô.")
    lines.append("")
    rated = sum(ratings[k] for k in RATING_WORDS if k != "not_rated")
    lines.append(f"Đánh giá, xếp loại năm {year} (từ {date_text(_day(ratings['period']['start']))} đến "
                 f"{date_text(_day(ratings['period']['end']))}): {number(ratings['teams_rated'])} tổ, "
                 f"{number(rated)} thành viên được đánh giá.")
    lines += ["", "| Xếp loại | Số thành viên | Tỷ lệ |", "|---|---:|---:|"]
    for key, word in RATING_WORDS.items():
        share = percent_text(percent(ratings[key], rated)) if key != "not_rated" else "—"
        lines.append(f"| {word} | {number(ratings[key])} | {share} |")
    if ratings["over_quota"]:
        lines += ["", f"{number(ratings['over_quota'])} tổ có số thành viên “Hoàn thành xuất sắc nhiệm vụ” vượt "
                      f"{ratings['quota_percent']}% số “Hoàn thành tốt nhiệm vụ”."]
    return "\n".join(lines) + "\n"


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
