"""The awards section of the annual report: recipients by award form and kind, for a subtree and a year."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext

from phongtrao.awards.models import AwardRecipient, AwardType, RecipientKind
from phongtrao.lib.vnformat import localized_number
from phongtrao.reports.blocks import Block, Column, Heading, Paragraph, Table
from phongtrao.reports.compare import compared
from phongtrao.units.lineage import RECORDED, in_subtree
from phongtrao.units.models import Unit

AwardRow = dict[str, Any]


def build_awards_section(unit: Unit, year: int, boundaries: str = RECORDED) -> list[AwardRow]:
    """``[{"award_type": code, "collective": n, "individual": m}, ...]`` in catalogue order.

    Counts recipients of the year's decisions whose unit lies in ``unit``'s subtree (closure join; none for
    the country, which holds every unit), in one GROUP BY; award forms without recipients are left out.
    """
    recipients = AwardRecipient.objects.for_year(year).filter(in_subtree(unit, boundaries=boundaries, prefix="unit__"))
    rows = (
        recipients
        .values("decision__award_type__code", "decision__award_type__order")
        .annotate(collective=Count("pk", filter=Q(kind=RecipientKind.COLLECTIVE)),
                  individual=Count("pk", filter=Q(kind=RecipientKind.INDIVIDUAL)))
        .order_by("decision__award_type__order", "decision__award_type__code")
    )
    return [{"award_type": r["decision__award_type__code"], "collective": r["collective"],
             "individual": r["individual"]} for r in rows]


def with_names(section: list[AwardRow]) -> list[AwardRow]:
    """The section's rows with each form's Vietnamese name (``name``), for prose and pages."""
    names = dict(AwardType.objects.filter(code__in=[r["award_type"] for r in section]).values_list("code", "name"))
    return [r | {"name": names.get(r["award_type"], r["award_type"]), "total": r["collective"] + r["individual"]}
            for r in section]


def summary_sentence(year: int, section: list[AwardRow]) -> str:
    """The section's sentence in the active language (its numbers too); the Markdown report is Vietnamese."""
    collective = sum(r["collective"] for r in section)
    individual = sum(r["individual"] for r in section)
    if not section:
        return gettext("Năm %(year)s chưa có quyết định khen thưởng nào được ghi nhận.") % {"year": year}
    return gettext("Năm %(year)s có %(collective)s lượt tập thể và %(individual)s lượt cá nhân được khen thưởng.") \
        % {"year": year, "collective": localized_number(collective), "individual": localized_number(individual)}


def awards_blocks(unit: Unit, year: int, section: list[AwardRow],
                  previous: list[AwardRow] | None = None) -> list[Block]:
    blocks: list[Block] = [Heading(gettext("Thi đua, khen thưởng")), Paragraph(summary_sentence(year, section))]
    if previous is not None:
        now, before = (sum(r["collective"] + r["individual"] for r in rows) for rows in (section, previous))
        blocks.append(Paragraph(gettext("Số lượt được khen thưởng %(change)s.") % {
            "change": compared(now, before, year - 1, gettext("lượt"))}))
    if section:
        blocks.append(Table(columns=(Column(gettext("Hình thức khen thưởng")), Column(gettext("Tập thể"), "integer"),
                                     Column(gettext("Cá nhân"), "integer")),
                            rows=tuple((r["name"], r["collective"], r["individual"]) for r in with_names(section))))
    return blocks
