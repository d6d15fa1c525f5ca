"""Figures over data values: any subtree, any range of periods of one type, by any disaggregation.

Each figure is one set-based query: the values of the range joined to the closure table (``UnitAncestor``) for
the subtree, grouped by element and option combo. "Latest value" elements (stocks: cameras in service) take each
unit's latest value in the range (a correlated subquery on the same index), the others their sum (or average,
for percentages). The ``activities`` section of ``report annual`` is built here.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, OuterRef, Q, Subquery, Sum
from django.utils.translation import gettext

from phongtrao.datasets.models import (
    DEFAULT_COMBO,
    Aggregation,
    CategoryOption,
    DataElement,
    DataValue,
    OptionCombo,
    ValueType,
    normalised,
)
from phongtrao.lib.periods import Period, PeriodType
from phongtrao.lib.vnformat import localized_number, round_half_up
from phongtrao.reports.blocks import Block, Column, Heading, Paragraph, Table
from phongtrao.units.lineage import RECORDED, in_subtree
from phongtrao.units.models import Unit


def as_json_number(value: Decimal | None) -> int | float | None:
    """A total as JSON writes it: a whole number as an integer, else a float with at most 4 decimals."""
    if value is None:
        return None
    value = normalised(Decimal(value))
    if value == value.to_integral_value():
        return int(value)
    return float(round_half_up(value, 4))


def value_rows(root: Unit, first: Period, last: Period | None = None,
               elements: Iterable[DataElement] | None = None, boundaries: str = RECORDED) -> list[dict[str, Any]]:
    """One row per (element, option combo): ``total`` (sum, or the sum of each unit's latest value), ``average``,
    ``values`` (how many values), ``units`` (how many units gave one). One query."""
    last = last or first
    if last.type != first.type or last < first:
        raise ValueError("a range of periods of one type, first to last")
    rows = DataValue.objects.in_periods(first, last).given()
    if elements is not None:
        rows = rows.filter(element__in=[e.pk for e in elements])
    rows = rows.filter(in_subtree(root, boundaries=boundaries, prefix="unit__"))  # none for the country
    latest = (DataValue.objects.in_periods(first, last).given()
              .filter(unit=OuterRef("unit"), element=OuterRef("element"), option_combo=OuterRef("option_combo"))
              .order_by("-period_end").values("period_end")[:1])
    rows = rows.filter(~Q(element__aggregation=Aggregation.LATEST) | Q(period_end=Subquery(latest)))
    grouped = (rows.values("element_id", "option_combo_id")
               .annotate(total=Sum("value"), average=Avg("value"), values=Count("pk"),
                         units=Count("unit", distinct=True))
               .order_by())
    return [dict(r) for r in grouped]


def element_figures(root: Unit, first: Period, last: Period | None = None,
                    elements: Iterable[DataElement] | None = None) -> dict[str, dict[str, Any]]:
    """{element code: {"total", "by_combo": {combo code: n}, "by": {category code: {option code: n}}}} for the
    numeric elements given (default: every element with values in the range)."""
    chosen = list(elements) if elements is not None else None
    rows = value_rows(root, first, last, chosen)
    by_id = {e.pk: e for e in (chosen if chosen is not None else
                               DataElement.objects.filter(pk__in={r["element_id"] for r in rows}))}
    combos = {c.pk: c for c in OptionCombo.objects.filter(pk__in={r["option_combo_id"] for r in rows})}
    categories = _option_categories()
    out: dict[str, dict[str, Any]] = {}
    for element in by_id.values():
        if element.value_type == ValueType.DATE:
            continue
        out[element.code] = {"total": Decimal(0), "by_combo": {}, "by": {}, "_n": 0}
    for r in rows:
        element = by_id[r["element_id"]]
        if element.code not in out:
            continue
        entry = out[element.code]
        combo = combos[r["option_combo_id"]]
        value = r["average"] if element.aggregation == Aggregation.AVERAGE else r["total"]
        value = Decimal(value or 0)
        if element.aggregation == Aggregation.AVERAGE:  # weighted by the number of values
            entry["total"] += value * r["values"]
            entry["_n"] += r["values"]
        else:
            entry["total"] += value
        if combo.code != DEFAULT_COMBO:
            entry["by_combo"][combo.code] = entry["by_combo"].get(combo.code, Decimal(0)) + value
            for option in combo.option_codes:
                cat = categories.get(option, "")
                entry["by"].setdefault(cat, {})
                entry["by"][cat][option] = entry["by"][cat].get(option, Decimal(0)) + value
    averaged = {e.code for e in by_id.values() if e.aggregation == Aggregation.AVERAGE}
    for code, entry in out.items():
        n = entry.pop("_n")
        if code in averaged:
            entry["total"] = entry["total"] / n if n else Decimal(0)
            entry["by"] = {}  # an average's parts do not add up: left out
            entry["by_combo"] = {}
    return out


def _option_categories() -> dict[str, str]:
    return dict(CategoryOption.objects.values_list("code", "category__code"))


# --- the annual report's ``activities`` section ------------------------------------------------------------


def build_activities_section(root: Unit, year: int, boundaries: str = RECORDED) -> dict[str, dict[str, Any]]:
    """{element code: {"total": n, "by": {category code: {option code: n}}}} from the yearly values of ``year``
    in ``root``'s subtree, for every numeric element with a value there: one GROUP BY query.

    A value is joined to each option of its cell (two rows for a channel x language cell), so the sums per
    (category, option) are the breakdowns, and any one category's sums add up to the element's total. Within a
    single period every unit has one value per cell, so a "latest value" element is summed like the others."""
    rows = (DataValue.objects.filter(period_type=PeriodType.YEAR.value, period=Period.year_of(year).id,
                                     value__isnull=False)
            .exclude(element__value_type=ValueType.DATE)
            .filter(in_subtree(root, boundaries=boundaries, prefix="unit__")))
    grouped = (rows.values("element__code", "element__aggregation", "option_combo__options__category__code",
                           "option_combo__options__code")
               .annotate(total=Sum("value"), count=Count("pk"))
               .order_by("element__code", "option_combo__options__category__code", "option_combo__options__code"))
    sums: dict[str, dict[str, Any]] = {}
    for r in grouped:
        entry = sums.setdefault(r["element__code"], {"aggregation": r["element__aggregation"], "first": None,
                                                     "total": Decimal(0), "count": 0, "by": {}})
        category, option = r["option_combo__options__category__code"], r["option_combo__options__code"]
        if entry["first"] is None:
            entry["first"] = category or ""
        if (category or "") == entry["first"]:
            entry["total"] += r["total"] or 0
            entry["count"] += r["count"]
        if category:
            entry["by"].setdefault(category, {})[option] = r["total"] or Decimal(0)
    out: dict[str, dict[str, Any]] = {}
    for code, entry in sums.items():
        if entry["aggregation"] == Aggregation.AVERAGE:
            average = entry["total"] / entry["count"] if entry["count"] else Decimal(0)
            out[code] = {"total": as_json_number(average), "by": {}}
            continue
        by = {cat: {opt: as_json_number(v) for opt, v in opts.items()} for cat, opts in entry["by"].items()}
        out[code] = {"total": as_json_number(entry["total"]), "by": by}
    return out


def _amount(element: DataElement, value: Any) -> str:
    if element.value_type == ValueType.PERCENT:
        return localized_number(value, 2) + "%"
    return localized_number(value)


def activity_phrases(section: dict[str, dict[str, Any]]) -> list[str]:
    """ "tổ chức 1.234 buổi tuyên truyền, trong đó 210 buổi bằng tiếng dân tộc thiểu số", one per element with a
    phrase and a total (the phrases are the catalogue's, in Vietnamese)."""
    elements = {e.code: e for e in DataElement.objects.filter(code__in=section)}
    options = {o.code: o for o in CategoryOption.objects.all()}
    phrases = []
    for code, entry in section.items():
        element = elements.get(code)
        if element is None or not element.phrase or not entry.get("total"):
            continue
        text = element.phrase.replace("{n}", _amount(element, entry["total"]))
        option = options.get(element.highlight)
        part = entry.get("by", {}).get(option.category.code if option else "", {}).get(element.highlight)
        if option is not None and part:
            text += (gettext(", trong đó %(n)s %(measure)s %(option)s") % {
                "n": localized_number(part), "measure": element.measure, "option": option.phrase}).replace("  ", " ")
        phrases.append(text)
    return phrases


def activities_blocks(unit: Unit, year: int, section: dict[str, dict[str, Any]], previous: Any = None) -> list[Block]:
    blocks: list[Block] = [Heading(gettext("Kết quả các hoạt động của phong trào"))]
    phrases = activity_phrases(section)
    if phrases:
        blocks.append(Paragraph(gettext("Năm %(year)s, %(unit)s %(phrases)s.") % {
            "year": year, "unit": unit.name, "phrases": "; ".join(phrases)}))
    else:
        blocks.append(Paragraph(gettext("Năm %(year)s, %(unit)s chưa có số liệu hoạt động được nhập.") % {
            "year": year, "unit": unit.name}))
    elements = {e.code: e for e in DataElement.objects.filter(code__in=section)}
    rows = tuple((element.name + (" (%)" if element.value_type == ValueType.PERCENT else ""), entry["total"] or 0)
                 for code, entry in section.items() if (element := elements.get(code)) is not None)
    blocks.append(Table(columns=(Column(gettext("Chỉ tiêu")), Column(gettext("Tổng số"), "number")), rows=rows))
    return blocks
