"""Demo data: three years of yearly reports of the demo province, through the bulk action ``do_fill_reports``
(values, then the reports' moves on the workflow): the communes' reports (the pre-reform communes that preceded
the selected ones for the years before the reform), the home commune's residential areas in the reform year.
Most reports are completed on time, submitted and approved; a few are late, a few returned with a reason, a few
left open or never entered. Idempotent: a unit with a report or values of the year is left as it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from phongtrao.datasets.actions import ReportFill, ValueInput, do_fill_reports
from phongtrao.datasets.models import DataElement, DataSet, OptionCombo
from phongtrao.lib.periods import Period
from phongtrao.units.models import Kind, Succession, Unit

if TYPE_CHECKING:
    import random

    from phongtrao.core.demo import DemoContext

RANGES = {"tuyen_truyen_buoi": (0, 12), "tuyen_truyen_luot": (200, 900), "ngay_hoi_to_chuc": (1, 1),
          "ngay_hoi_nguoi": (150, 600), "ho_cam_ket": (100, 500), "van_ban_chi_dao": (2, 10),
          "hop_ban_chi_dao": (2, 6), "tap_huan": (1, 5), "so_ket_tong_ket": (1, 3), "kiem_tra": (1, 6),
          "tin_bao": (0, 20), "hoa_giai_thanh": (0, 15), "camera_lap_moi": (0, 10), "camera_hoat_dong": (10, 40),
          "kdc_van_hoa": (2, 10), "kdc_5_khong": (1, 8), "trang_web": (1, 2), "to_tu_quan": (1, 4),
          "kinh_phi": (5_000_000, 50_000_000)}
RETURN_REASON = "Đề nghị bổ sung số liệu tuyên truyền qua loa truyền thanh và kinh phí."
DEMO_YEARS = 3


def _inputs(rng: random.Random, elements: list[DataElement], combos: dict[int, list[OptionCombo]]) -> list[ValueInput]:
    out = []
    for element in elements:
        if element.code not in RANGES:
            continue
        low, high = RANGES[element.code]
        for combo in combos[element.combo_id]:
            out.append(ValueInput(element, combo, Decimal(rng.randint(low, high))))
    return out


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))


Fate = tuple[dt.datetime | None, list[str | tuple[str, str]]]


def _fate(rng: random.Random, dataset: DataSet, period: Period) -> Fate:
    """When the report was completed and what followed: mostly on time and approved; some late, some returned."""
    closing = dataset.closing_date(period) or period.end + dt.timedelta(days=30)
    draw = rng.random()
    if draw < 0.05:
        return None, []  # never entered in time: values only, still open
    late = draw < 0.15
    day = closing + dt.timedelta(days=rng.randint(3, 40)) if late else period.end + dt.timedelta(
        days=rng.randint(1, max((closing - period.end).days, 1)))
    if day > timezone.localdate():
        day = timezone.localdate()
    if draw > 0.92:
        return _at(day), ["submit", ("return", RETURN_REASON)]
    if draw > 0.85:
        return _at(day), ["submit"]
    return _at(day), ["submit", "approve"]


def _communes_of(context: DemoContext, year: int) -> list[Unit]:
    """The selected communes for a year after the reform; before it, the communes that preceded them."""
    day = Period.year_of(year).reference_date
    current = [c for c in context.communes if c.valid_from is None or c.valid_from <= day]
    if current:
        return current
    old = Succession.objects.filter(successor__in=context.communes).values("predecessor_id")
    return list(Unit.objects.filter(pk__in=old, kind=Kind.COMMUNE).valid_on(day).order_by("code"))


def add_demo_values(context: DemoContext) -> None:
    years = [y for y in context.years if y < timezone.localdate().year][-DEMO_YEARS:]
    datasets = {d.code: d for d in DataSet.objects.filter(code__in=["xa_nam", "kdc_nam"])}
    combos: dict[int, list[OptionCombo]] = {}
    for oc in OptionCombo.objects.order_by("position", "pk"):
        combos.setdefault(oc.combo_id, []).append(oc)
    totals: dict[str, int] = {}
    for year in years:
        period = Period.year_of(year)
        day = period.reference_date
        groups = [("xa_nam", _communes_of(context, year))]
        areas = list(context.demo_units(Kind.RESIDENTIAL_AREA).filter(parent=context.home_commune)
                     .valid_on(day).order_by("code"))
        if areas:
            groups.append(("kdc_nam", areas))
        for code, units in groups:
            dataset = datasets.get(code)
            version = dataset.version_for(period) if dataset else None
            if dataset is None or version is None or not units:
                continue
            elements = version.ordered_elements()
            fills = []
            for unit in units:
                rng = context.rng("datasets", unit.code, year)
                completed_at, moves = _fate(rng, dataset, period)
                fills.append(ReportFill(unit, _inputs(rng, elements, combos), completed_at, moves))
            for key, n in do_fill_reports(context.actor, dataset, period, fills).items():
                totals[key] = totals.get(key, 0) + n
    context.add("data values", totals.get("values", 0))
    context.add("data-set reports", totals.get("reports", 0))
    context.say(f"datasets: {totals.get('reports', 0)} reports of {', '.join(map(str, years))} "
                f"({totals.get('approve', 0)} approved, {totals.get('return', 0)} returned), "
                f"{totals.get('values', 0)} values")
