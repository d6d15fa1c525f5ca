"""Indicators: numerator / denominator x factor over data elements and the built-in figures the apps register in
``lib.indicators`` (recognition, models, awards); the library is open to any app; the page lists them."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.datasets.actions import ValueInput, do_save_values
from phongtrao.datasets.indicators import evaluate_indicators
from phongtrao.datasets.models import DataElement, DataSet, Indicator, OptionCombo
from phongtrao.lib import indicators as library
from phongtrao.lib.importing import run_import
from phongtrao.lib.periods import Period
from phongtrao.units.models import Unit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
YEAR = 2025
PERIOD = Period.year_of(YEAR)


@pytest.fixture
def world(example_units: None, example_dir: Path) -> dict[str, Any]:
    result = run_import("recognitions", "recognitions.csv", (example_dir / "recognitions.csv").read_bytes(),
                        actor=Actor.system())
    assert result.ok
    expected = json.loads((example_dir / "expected.json").read_text())[str(YEAR)]
    return {"province": Unit.objects.with_code("T99", PERIOD.end).get(), "expected": expected}


def save(code: str, cells: list[tuple[str, str, int]]) -> None:
    unit = Unit.objects.with_code(code, PERIOD.end).get()
    dataset = DataSet.objects.get(code="xa_nam" if unit.kind == "commune" else "kdc_nam")
    inputs = []
    for element_code, combo, value in cells:
        element = DataElement.objects.get(code=element_code)
        inputs.append(ValueInput(element, OptionCombo.objects.get(combo=element.combo, code=combo), Decimal(value)))
    do_save_values(Actor.system(), unit, dataset, PERIOD, inputs)


def test_seeded_indicators_over_values_and_builtin_figures(world: dict[str, Any]) -> None:
    save("T99001", [("tuyen_truyen_buoi", "truc_tiep.tieng_viet", 40),
                    ("tuyen_truyen_buoi", "truc_tiep.tieng_dtts", 12)])
    save("KDC-T99001-03", [("tuyen_truyen_buoi", "loa.tieng_dtts", 8)])
    results = {r.indicator.code: r for r in evaluate_indicators(world["province"], PERIOD)}
    areas = world["expected"]["recognition"]["residential_area"]
    share = results["ty_le_kdc_dat_chuan"]
    assert (share.numerator, share.denominator) == (areas["recognised"], areas["total"])
    assert round(share.value, 2) == Decimal(str(areas["percent"]))
    sessions = results["buoi_tuyen_truyen_moi_kdc"]
    assert sessions.numerator == 40 + 12 + 8 and sessions.value == Decimal(60) / areas["total"]
    minority = results["ty_le_tuyen_truyen_tieng_dtts"]
    assert (minority.numerator, minority.denominator) == (12 + 8, 60)
    assert minority.value == Decimal(20) / 60 * 100
    communes = world["expected"]["recognition"]["commune"]["total"]
    assert results["mo_hinh_moi_xa"].denominator == communes and results["mo_hinh_moi_xa"].numerator == 0


def test_an_app_registers_its_own_figure(world: dict[str, Any]) -> None:
    library.register_figure("test.constant", "Hằng số thử", lambda unit, period: 4 if period.id == "2025" else None)
    try:
        mine = Indicator.objects.create(code="thu", name="Thử", numerator="#{tuyen_truyen_buoi} * 2",
                                        denominator="@{test.constant}", factor=Decimal(1))
        save("T99001", [("tuyen_truyen_buoi", "truc_tiep.tieng_viet", 10)])
        [result] = evaluate_indicators(world["province"], PERIOD, [mine])
        assert (result.numerator, result.denominator, result.value) == (20, 4, 5)
        [empty] = evaluate_indicators(world["province"], PERIOD.previous(), [mine])
        assert empty.value is None  # no denominator that year
        assert "test.constant" in {f.key for f in library.figures()}
        assert {"recognition.residential_area.recognised", "models.models", "awards.collective"} <= {
            f.key for f in library.figures()}
    finally:
        library.unregister_figure("test.constant")


def test_the_page_lists_the_indicators(world: dict[str, Any], make_user: Any) -> None:
    make_user("tinh", Role.PROVINCE_OFFICER, world["province"])
    page = Client()
    page.login(username="tinh", password=PASSWORD)
    text = page.get(reverse("datasets:indicators"), {"unit": world["province"].pk, "period": "2025"}).content.decode()
    assert "Tỷ lệ khu dân cư đạt chuẩn ANTT" in text and 'id="indicator-ty_le_kdc_dat_chuan"' in text
    assert "90%" in text or "90 %" in text
