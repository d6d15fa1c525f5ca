"""Figures of the movement's money for any subtree and year, and the ``budget`` section of ``report annual``. Each
figure is one set-based query (the closure table for the subtree, none for the country):

- the estimate (dự toán) and allocation of the year's lines, by category and source;
- the year's spending by category and source, and the entries saved over a cap;
- the average spent per model (kinh phí bình quân trên mỗi mô hình): the year's entries tied to a model, divided
  by the number of models they supported (rounded half up to the đồng);
- the crime-prevention fund of the provinces in the subtree: the year's income by source and spending by purpose,
  and the balance at the end of the year (everything received less everything spent up to it), with the number of
  provinces whose balance is below zero (a warning).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

from phongtrao.budget.models import BudgetLine, Flow, FundEntry, FundPurpose, Spending
from phongtrao.lib.vnformat import localized_number, localized_percent, percent
from phongtrao.reports.blocks import Block, Column, Heading, Paragraph, Table
from phongtrao.reports.compare import compared
from phongtrao.units.lineage import RECORDED, in_subtree
from phongtrao.units.models import Unit

BUDGET_QUERIES = 4  # the lines, the spending, the per-model average, the fund


def _scoped(qs: Any, root: Unit, boundaries: str = RECORDED, prefix: str = "unit__") -> QuerySet[Any]:
    return qs.filter(in_subtree(root, boundaries=boundaries, prefix=prefix))  # none for the country


def _add(into: dict[str, dict[str, Any]], code: str, name: str, sort: int, **values: int) -> None:
    row = into.setdefault(code, {"name": name, "sort": sort, "estimate": 0, "allocated": 0, "spent": 0,
                                 "entries": 0})
    for key, value in values.items():
        row[key] += int(value or 0)


def _ordered(rows: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {code: {k: v for k, v in row.items() if k != "sort"}
            for code, row in sorted(rows.items(), key=lambda item: (item[1]["sort"], item[0]))}


def money_figures(root: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Any]:
    """Estimate, allocated and spent of the year, by category and source (two queries)."""
    by_category: dict[str, dict[str, Any]] = {}
    by_source: dict[str, dict[str, Any]] = {}
    lines = (_scoped(BudgetLine.objects.filter(year=year), root, boundaries)
             .values_list("category__code", "category__name", "category__sort", "source__code", "source__name",
                          "source__sort")
             .annotate(estimate=Coalesce(Sum("estimate"), 0), allocated=Coalesce(Sum("allocated"), 0)))
    for c_code, c_name, c_sort, s_code, s_name, s_sort, estimate, allocated in lines:
        _add(by_category, c_code, c_name, c_sort, estimate=estimate, allocated=allocated)
        _add(by_source, s_code, s_name, s_sort, estimate=estimate, allocated=allocated)
    over = {"entries": 0, "amount": 0}
    spent = (_scoped(Spending.objects.filter(year=year), root, boundaries)
             .values_list("category__code", "category__name", "category__sort", "source__code", "source__name",
                          "source__sort")
             .annotate(spent=Coalesce(Sum("amount"), 0), entries=Count("pk"),
                       over=Count("pk", filter=Q(over_cap=True)),
                       over_amount=Coalesce(Sum("amount", filter=Q(over_cap=True)), 0)))
    for c_code, c_name, c_sort, s_code, s_name, s_sort, total, entries, n_over, over_amount in spent:
        _add(by_category, c_code, c_name, c_sort, spent=total, entries=entries)
        _add(by_source, s_code, s_name, s_sort, spent=total, entries=entries)
        over["entries"] += n_over
        over["amount"] += int(over_amount)
    estimate = sum(r["estimate"] for r in by_category.values())
    allocated = sum(r["allocated"] for r in by_category.values())
    total_spent = sum(r["spent"] for r in by_category.values())
    return {"estimate": estimate, "allocated": allocated, "spent": total_spent,
            "spent_percent_of_allocated": percent(total_spent, allocated),
            "entries": sum(r["entries"] for r in by_category.values()),
            "by_category": _ordered(by_category), "by_source": _ordered(by_source), "over_cap": over}


def per_model(root: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Any]:
    """What the year's entries tied to a model came to, the models they supported and the average per model."""
    row = (_scoped(Spending.objects.filter(year=year, model__isnull=False), root, boundaries)
           .aggregate(spent=Coalesce(Sum("amount"), 0), models=Count("model", distinct=True)))
    spent, models = int(row["spent"]), int(row["models"])
    return {"models": models, "spent": spent, "average": (2 * spent + models) // (2 * models) if models else 0}


def fund_figures(root: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Any]:
    """The fund of the provinces in ``root``'s subtree: the year's flows by purpose, the balance at the year's end."""
    rows = (_scoped(FundEntry.objects.filter(year__lte=year), root, boundaries, "province__")
            .values_list("province_id", "flow", "purpose")
            .annotate(in_year=Coalesce(Sum("amount", filter=Q(year=year)), 0), to_date=Coalesce(Sum("amount"), 0)))
    income = {p.value: 0 for p in FundPurpose if p.value in ("auction", "donation", "other_income")}
    spending = {p.value: 0 for p in FundPurpose if p.value not in income}
    balances: dict[int, int] = {}
    for province_id, flow, purpose, in_year, to_date in rows:
        (income if flow == Flow.INCOME else spending)[purpose] += int(in_year)
        balances[province_id] = balances.get(province_id, 0) + (int(to_date) if flow == Flow.INCOME
                                                                else -int(to_date))
    return {"provinces": len(balances), "income": sum(income.values()), "spending": sum(spending.values()),
            "income_by_source": income, "spending_by_purpose": spending, "balance": sum(balances.values()),
            "negative_provinces": sum(1 for b in balances.values() if b < 0)}


def build_budget_section(unit: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Any]:
    return {**money_figures(unit, year, boundaries), "per_model": per_model(unit, year, boundaries),
            "fund": fund_figures(unit, year, boundaries)}


# The fund's words in the report (translated where used).
FUND_WORDS = {"auction": gettext_noop("bán đấu giá tài sản tịch thu"), "donation": gettext_noop("tài trợ, ủng hộ"),
              "other_income": gettext_noop("nguồn hợp pháp khác"),
              "reward_collective": gettext_noop("khen thưởng tập thể"),
              "reward_individual": gettext_noop("khen thưởng cá nhân"), "support": gettext_noop("hỗ trợ, động viên"),
              "other_spending": gettext_noop("chi khác")}


def dong(value: int) -> str:
    """ "1.234.000 đồng" in the active language."""
    return gettext("%(amount)s đồng") % {"amount": localized_number(value)}


def _lines_table(first: str, rows: dict[str, dict[str, Any]]) -> Table:
    return Table(columns=(Column(first), Column(gettext("Dự toán"), "vnd"), Column(gettext("Được giao"), "vnd"),
                          Column(gettext("Đã chi"), "vnd")),
                 rows=tuple((r["name"], r["estimate"], r["allocated"], r["spent"]) for r in rows.values()))


def budget_blocks(unit: Unit, year: int, section: dict[str, Any],
                  previous: dict[str, Any] | None = None) -> list[Block]:
    blocks: list[Block] = [
        Heading(gettext("Kinh phí phong trào (Thông tư 40/2023/TT-BTC) và Quỹ phòng, chống tội phạm")),
        Paragraph(gettext("Năm %(year)s, %(unit)s: dự toán %(estimate)s, được giao %(allocated)s, đã chi %(spent)s "
                          "(%(percent)s kinh phí được giao) qua %(entries)s khoản chi.") % {
            "year": year, "unit": unit.name, "estimate": dong(section["estimate"]),
            "allocated": dong(section["allocated"]), "spent": dong(section["spent"]),
            "percent": localized_percent(section["spent_percent_of_allocated"]),
            "entries": localized_number(section["entries"])})]
    if previous is not None:
        blocks.append(Paragraph(gettext("Kinh phí đã chi %(change)s.") % {
            "change": compared(section["spent"], previous["spent"], year - 1, gettext("đồng"))}))
    blocks += [_lines_table(gettext("Nội dung chi"), section["by_category"]),
               _lines_table(gettext("Nguồn kinh phí"), section["by_source"])]
    model = section["per_model"]
    blocks.append(Paragraph(gettext("Kinh phí bình quân trên mỗi mô hình: %(average)s (%(spent)s cho %(models)s mô "
                                    "hình).") % {"average": dong(model["average"]), "spent": dong(model["spent"]),
                                                 "models": localized_number(model["models"])}))
    over = section["over_cap"]
    if over["entries"]:
        blocks.append(Paragraph(gettext("%(entries)s khoản chi vượt mức chi tối đa (có lý do), tổng %(amount)s.") % {
            "entries": localized_number(over["entries"]), "amount": dong(over["amount"])}))
    fund = section["fund"]
    income = "; ".join(f"{gettext(FUND_WORDS[k])} {localized_number(v)}" for k, v in fund["income_by_source"].items())
    spent = "; ".join(f"{gettext(FUND_WORDS[k])} {localized_number(v)}" for k, v in fund["spending_by_purpose"].items())
    blocks.append(Paragraph(gettext("Quỹ phòng, chống tội phạm (%(provinces)s tỉnh): thu %(income)s (%(by_source)s); "
                                    "chi %(spending)s (%(by_purpose)s); số dư cuối năm %(balance)s.") % {
        "provinces": localized_number(fund["provinces"]), "income": dong(fund["income"]), "by_source": income,
        "spending": dong(fund["spending"]), "by_purpose": spent, "balance": dong(fund["balance"])}))
    if fund["negative_provinces"]:
        blocks.append(Paragraph(gettext("Cảnh báo: %(n)s tỉnh có số dư Quỹ âm.") % {
            "n": localized_number(fund["negative_provinces"])}))
    return blocks


def budget_links(unit: Unit, year: int, section: dict[str, Any]) -> list[tuple[str, str]]:
    """Under the section on the web: the year's spending entries over a cap."""
    return [(gettext("Khoản chi vượt mức: %(n)s") % {"n": localized_number(section["over_cap"]["entries"])},
             f"{reverse('budget:over_cap')}?unit={unit.pk}&year={year}")]
