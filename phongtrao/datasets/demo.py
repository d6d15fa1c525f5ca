"""Demo data: last year's yearly report of the home commune and of its residential areas, entered through the
named action and marked complete (idempotent: a unit that has values for the year is left as it is)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from phongtrao.datasets.actions import ValueInput, do_complete_report, do_save_values
from phongtrao.datasets.models import DataSet, DataValue, OptionCombo
from phongtrao.datasets.validation import check_unit
from phongtrao.lib.periods import Period
from phongtrao.units.models import Kind

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext

RANGES = {"tuyen_truyen_buoi": (0, 12), "tuyen_truyen_luot": (200, 900), "ngay_hoi_to_chuc": (1, 1),
          "ngay_hoi_nguoi": (150, 600), "ho_cam_ket": (100, 500), "van_ban_chi_dao": (2, 10),
          "hop_ban_chi_dao": (2, 6), "tap_huan": (1, 5), "so_ket_tong_ket": (1, 3), "kiem_tra": (1, 6),
          "tin_bao": (0, 20), "hoa_giai_thanh": (0, 15), "camera_lap_moi": (0, 10), "camera_hoat_dong": (10, 40),
          "kdc_van_hoa": (2, 10), "kdc_5_khong": (1, 8), "trang_web": (1, 2), "to_tu_quan": (1, 4),
          "kinh_phi": (5_000_000, 50_000_000)}


def add_demo_values(context: DemoContext) -> None:
    year = context.years[-2] if len(context.years) > 1 else context.years[-1]
    period = Period.year_of(year)
    home = context.home_commune
    targets = [(home, "xa_nam"), *[(u, "kdc_nam") for u in context.demo_units(Kind.RESIDENTIAL_AREA)
                                   .filter(parent=home).order_by("code")[:10]]]
    saved = 0
    for unit, code in targets:
        if DataValue.objects.filter(unit=unit, period=period.id).exists():
            continue
        dataset = DataSet.objects.get(code=code)
        version = dataset.version_for(period)
        if version is None:
            continue
        rng = context.rng("datasets", unit.code, year)
        inputs = []
        for element in version.ordered_elements():
            if element.code not in RANGES:
                continue
            low, high = RANGES[element.code]
            for combo in OptionCombo.objects.filter(combo=element.combo).order_by("position"):
                inputs.append(ValueInput(element, combo, Decimal(rng.randint(low, high))))
        result = do_save_values(context.actor, unit, dataset, period, inputs)
        saved += len(result.saved)
        if not check_unit(unit, dataset, period):
            do_complete_report(context.actor, unit, dataset, period)
    context.add("data values", saved)
    context.say(f"datasets: {saved} values of {year} for {home.name} and its residential areas")
