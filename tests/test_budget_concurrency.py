"""Two doors writing the money at the same moment (real threads, one real database), on SQLite and PostgreSQL
alike: two entries for one model that each fit under the 20M cap but not together, two officers saving one new
line, two spendings of the fund that each fit its balance but not together. One wins, the other is refused; nothing
slips under a cap or below zero unnoticed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.budget.actions import (
    CapExceeded,
    FundData,
    LineData,
    NegativeBalance,
    SpendingData,
    StaleVersion,
    do_record_fund,
    do_record_spending,
    do_save_line,
)
from phongtrao.budget.models import BudgetLine, Category, FundEntry, Source, Spending
from phongtrao.budget.rules import seed_catalogues
from phongtrao.lib.importing import run_import
from phongtrao.models_registry.actions import do_create_model
from phongtrao.models_registry.catalogue import seed_catalogues as seed_model_catalogues
from phongtrao.models_registry.models import Field, Initiator
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Unit
from tests.concurrency import real_database, run_together

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = 2025


@pytest.fixture
def world(transactional_db: None, example_dir: Path, tmp_path: Path, make_user: Any) -> Iterator[dict[str, Any]]:
    system = Actor.system()
    if not Unit.objects.filter(code="VN").exists():
        do_create_unit(system, code="VN", name="Việt Nam", kind=Kind.COUNTRY)
    if not Unit.objects.filter(code="T99").exists():
        assert run_import("units", "units.csv", (example_dir / "units.csv").read_bytes(), actor=system).ok
    seed_catalogues()  # the flush of an earlier transactional test removed the migration's rows
    seed_model_catalogues()
    commune = Unit.objects.get(code="T99001", kind=Kind.COMMUNE)
    province = Unit.objects.get(code="T99", kind=Kind.PROVINCE)
    model = do_create_model(system, code="MH-CONCURRENT", name="Mô hình hai người cùng chi",
                            field=Field.objects.get(code="giao_thong", province__isnull=True),
                            initiator=Initiator.objects.get(code="cap_xa"), unit=commune)
    people = {"a": make_user("xa-a", Role.COMMUNE_OFFICER, commune),
              "b": make_user("tinh-b", Role.PROVINCE_OFFICER, province)}
    with real_database(tmp_path):
        yield {"commune": commune, "province": province, "model": model, **people}


def test_two_entries_that_fit_the_cap_alone_but_not_together_one_is_refused(world: dict[str, Any]) -> None:
    def spend(who: str) -> Any:
        return do_record_spending(Actor(world[who]), world["commune"], SpendingData(
            dt.date(YEAR, 4, 1), Category.objects.get(code="models"), Source.objects.get(code="nsx"), 12_000_000,
            f"Chi của {who}", model=world["model"]))

    results = run_together(lambda: spend("a"), lambda: spend("b"))
    refused = [r for r in results if isinstance(r, CapExceeded)]
    assert len(refused) == 1, results
    assert Spending.objects.filter(model=world["model"]).count() == 1
    assert not Spending.objects.filter(over_cap=True).exists()


def test_two_officers_saving_one_new_line_one_is_stale(world: dict[str, Any]) -> None:
    def save(who: str, allocated: int) -> Any:
        return do_save_line(Actor(world[who]), world["commune"], LineData(
            YEAR, Category.objects.get(code="training"), Source.objects.get(code="nsx"), allocated, allocated),
            expected_version=0)

    results = run_together(lambda: save("a", 1_000_000), lambda: save("b", 2_000_000))
    stale = [r for r in results if isinstance(r, StaleVersion)]
    saved = [r for r in results if isinstance(r, BudgetLine)]
    assert len(stale) == 1 and len(saved) == 1, results
    line = BudgetLine.objects.get(unit=world["commune"], year=YEAR)
    assert (line.version, line.allocated) == (1, saved[0].allocated)  # the winner's, not overwritten


def test_two_fund_spendings_that_fit_the_balance_alone_but_not_together(world: dict[str, Any]) -> None:
    province = world["province"]
    do_record_fund(Actor.system(), province, FundData(YEAR, 1, "income", "donation", 10_000_000))

    def spend() -> Any:
        return do_record_fund(Actor(world["b"]), province, FundData(YEAR, 2, "spending", "support", 6_000_000))

    results = run_together(spend, spend)
    assert len([r for r in results if isinstance(r, NegativeBalance)]) == 1, results
    assert FundEntry.objects.filter(province=province, flow="spending").count() == 1
