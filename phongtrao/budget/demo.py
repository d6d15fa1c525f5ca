"""Demo data (``phongtrao demo``): three years of the demo province's money, through the bulk actions.

For each of the last three years: the province's and every demo commune's estimates and allocations for a few
categories (province and commune budgets); spending entries for most of them (propaganda with the km of fuel,
training, the Ngày hội, reviews, and building and running the communes' models, each model within its 20 million
VND a year except one entry a year over the cap, saved with its override reason); the province's crime-prevention
fund, income from auctions and donations and spending on rewards and support per quarter. The current year stops
at today. Idempotent: nothing is added when the province already has lines for those years.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from phongtrao.budget.actions import (
    FundData,
    LineData,
    SpendingData,
    do_record_funds,
    do_record_spendings,
    do_save_lines,
    fund_balance,
)
from phongtrao.budget.models import BudgetLine, Category, Source
from phongtrao.models_registry.models import Model as MovementModel
from phongtrao.units.models import Unit

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext


def vnd(amount: float, places: int = -5) -> int:
    """A whole amount of đồng, rounded to ``places`` (−5: hundreds of thousands)."""
    return int(round(amount, places))

YEARS = 3
COMMUNE_LINES = {"propaganda": 12_000_000, "training": 8_000_000, "models": 40_000_000, "reviews": 5_000_000}
PROVINCE_LINES = {"propaganda": 150_000_000, "training": 90_000_000, "festival": 200_000_000,
                  "visits": 60_000_000, "rewards": 120_000_000}


def add_demo_budget(context: DemoContext) -> None:
    years = context.years[-YEARS:]
    province, communes = context.province, context.communes
    if BudgetLine.objects.filter(unit=province, year__in=years).exists():
        context.say("budget: lines already present")
        return
    rng = context.rng("budget")
    today = timezone.localdate()
    categories = {c.code: c for c in Category.objects.all()}
    nst, nsx = Source.objects.get(code="nst"), Source.objects.get(code="nsx")
    models: dict[int, list[MovementModel]] = {}
    for model in MovementModel.objects.filter(unit__in=communes).order_by("code"):
        models.setdefault(model.unit_id, []).append(model)  # type: ignore[arg-type]
    lines: list[tuple[Unit, LineData]] = []
    entries: list[tuple[Unit, SpendingData, str]] = []
    funds: list[tuple[Unit, FundData, str]] = []
    balance = fund_balance(province)

    def day(year: int, month: int) -> dt.date | None:
        when = dt.date(year, month, rng.randint(1, 28))
        return when if when <= today else None

    for year in years:
        for code, amount in PROVINCE_LINES.items():
            estimate = vnd(amount * rng.uniform(0.9, 1.2), -5)
            lines.append((province, LineData(year, categories[code], nst, estimate, vnd(estimate * 0.9, -5))))
        for code in ("propaganda", "training", "festival"):
            if (when := day(year, rng.randint(3, 11))) is not None:
                entries.append((province, SpendingData(when, categories[code], nst,
                                                       vnd(PROVINCE_LINES[code] * rng.uniform(0.3, 0.7), -4),
                                                       f"Hoạt động {categories[code].name.lower()} năm {year}"), ""))
        over_done = False
        for commune in communes:
            for code, amount in COMMUNE_LINES.items():
                estimate = vnd(amount * rng.uniform(0.8, 1.3), -5)
                lines.append((commune, LineData(year, categories[code], nsx, estimate, vnd(estimate * 0.85, -5))))
            if (when := day(year, rng.randint(2, 10))) is not None:
                km = rng.randint(40, 300)
                entries.append((commune, SpendingData(when, categories["propaganda"], nsx, km * 12_000,
                                                      "Xăng xe đi vận động quần chúng", km=km), ""))
            if (when := day(year, rng.randint(4, 9))) is not None:
                entries.append((commune, SpendingData(when, categories["training"], nsx,
                                                      vnd(rng.uniform(2, 6) * 1_000_000, -4),
                                                      "Tập huấn nghiệp vụ cho tổ bảo vệ ANTT"), ""))
            for model in models.get(commune.pk, [])[:3]:
                if (when := day(year, rng.randint(1, 6))) is None:
                    continue
                amount = vnd(rng.uniform(6, 14) * 1_000_000, -5)
                entries.append((commune, SpendingData(when, categories["models"], nsx, amount,
                                                      f"Duy trì {model.name}", model=model), ""))
                if not over_done and (late := day(year, 10)) is not None:
                    over_done = True  # one entry a year over the 20M cap, with its reason
                    entries.append((commune, SpendingData(late, categories["models"], nsx, 20_000_000 - amount
                                                          + 3_000_000, f"Sửa chữa {model.name} sau mưa bão",
                                                          model=model),
                                    "UBND xã cho phép bổ sung kinh phí khắc phục hậu quả mưa bão"))
        for quarter in (1, 2, 3, 4):
            if dt.date(year, 3 * quarter, 1) > today:
                continue
            for purpose, low, high in (("auction", 50, 200), ("donation", 10, 40)):
                amount = vnd(rng.uniform(low, high) * 1_000_000)
                balance += amount
                funds.append((province, FundData(year, quarter, "income", purpose, amount), ""))
            for purpose, share in (("reward_collective", rng.uniform(0.3, 0.5)), ("reward_individual",
                                                                                   rng.uniform(0.1, 0.3))):
                amount = vnd(balance * share)  # the fund spends within what it holds
                if amount > 0:
                    balance -= amount
                    funds.append((province, FundData(year, quarter, "spending", purpose, amount), ""))
    created, _updated = do_save_lines(context.actor, [(u, d) for u, d in lines])
    made = do_record_spendings(context.actor, entries)
    fund = do_record_funds(context.actor, funds)
    context.add("budget lines", created)
    context.add("spending entries", len(made))
    context.add("fund entries", len(fund))
    context.say(f"budget: {created} lines, {len(made)} entries ({sum(e.over_cap for e in made)} over a cap), "
                f"{len(fund)} fund totals")
