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
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from phongtrao.forces.models import RATING_FIELDS, Team, TeamRating
from phongtrao.forces.rules import quota, rating_period
from phongtrao.lib.periods import year_end
from phongtrao.lib.vnformat import date_text, localized_number, localized_percent, percent
from phongtrao.reports.blocks import Block, Column, Heading, Paragraph, Table
from phongtrao.reports.compare import compared, points
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


# The report's words (translated where used).
POSITION_WORDS = {"leaders": gettext_noop("tổ trưởng"), "deputies": gettext_noop("tổ phó"),
                  "members": gettext_noop("tổ viên")}
RATING_WORDS = {"excellent": gettext_noop("Hoàn thành xuất sắc nhiệm vụ"),
                "good": gettext_noop("Hoàn thành tốt nhiệm vụ"),
                "completed": gettext_noop("Hoàn thành nhiệm vụ"),
                "not_completed": gettext_noop("Không hoàn thành nhiệm vụ"),
                "not_rated": gettext_noop("Chưa đánh giá (hoạt động dưới 9 tháng)")}


def forces_blocks(unit: Unit, year: int, section: dict[str, Any],
                  previous: dict[str, Any] | None = None) -> list[Block]:
    areas, ratings = section["residential_areas"], section["ratings"]
    positions = ", ".join(f"{localized_number(section['members_by_position'][k])} {gettext(w)}"
                          for k, w in POSITION_WORDS.items())
    blocks: list[Block] = [
        Heading(gettext("Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở")),
        Paragraph(gettext("Đến ngày %(day)s, %(unit)s có %(teams)s Tổ bảo vệ an ninh, trật tự với %(members)s thành "
                          "viên (%(positions)s), phủ %(covered)s/%(areas)s khu dân cư (%(percent)s); %(below)s tổ chưa "
                          "đủ số thành viên theo quy mô.") % {
            "day": date_text(year_end(year)), "unit": unit.name, "teams": localized_number(section["teams"]),
            "members": localized_number(section["members"]), "positions": positions,
            "covered": localized_number(areas["covered"]), "areas": localized_number(areas["total"]),
            "percent": localized_percent(areas["percent"]), "below": localized_number(section["below_rule"])})]
    if previous is not None:
        blocks.append(Paragraph(gettext("Số tổ %(teams)s; số thành viên %(members)s; tỷ lệ khu dân cư có tổ "
                                        "%(points)s.") % {
            "teams": compared(section["teams"], previous["teams"], year - 1, gettext("tổ")),
            "members": compared(section["members"], previous["members"], year - 1, gettext("thành viên")),
            "points": points(areas["percent"], previous["residential_areas"]["percent"], year - 1)}))
    rated = sum(ratings[k] for k in RATING_WORDS if k != "not_rated")
    blocks.append(Paragraph(gettext("Đánh giá, xếp loại năm %(year)s (từ %(start)s đến %(end)s): %(teams)s tổ, "
                                    "%(rated)s thành viên được đánh giá.") % {
        "year": year, "start": date_text(_day(ratings["period"]["start"])),
        "end": date_text(_day(ratings["period"]["end"])), "teams": localized_number(ratings["teams_rated"]),
        "rated": localized_number(rated)}))
    blocks.append(Table(
        columns=(Column(gettext("Xếp loại")), Column(gettext("Thành viên"), "integer"),
                 Column(gettext("Tỷ lệ"), "percent")),
        rows=tuple((gettext(word), ratings[key], percent(ratings[key], rated) if key != "not_rated" else None)
                   for key, word in RATING_WORDS.items())))
    if ratings["over_quota"]:
        blocks.append(Paragraph(gettext("%(teams)s tổ có số thành viên “Hoàn thành xuất sắc nhiệm vụ” vượt "
                                        "%(quota)s%% số “Hoàn thành tốt nhiệm vụ”.") % {
            "teams": localized_number(ratings["over_quota"]), "quota": ratings["quota_percent"]}))
    return blocks


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def forces_links(unit: Unit, year: int, section: dict[str, Any]) -> list[tuple[str, str]]:
    """Under the section on the web: the teams below the rule's size."""
    return [(gettext("Tổ chưa đủ quy mô: %(n)s") % {"n": localized_number(section["below_rule"])},
             f"{reverse('forces:below_rule')}?unit={unit.pk}")]
