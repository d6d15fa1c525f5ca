"""Synthetic data-set values for ``phongtrao generate``: a year (the last of ``--years``) of the yearly reports
of every commune in scope (``xa_nam``: every element, the sessions by channel and language) and of its
generated residential areas (``SIM-…``, ``kdc_nam``: sessions in two cells, people reached, reports of crime,
self-managed teams, cameras in service). One random stream per commune (``context.rng("datasets", code)``), so a
province run makes exactly that province's share. Rows are bulk-inserted without history or audit rows, like the
rest of the synthetic data; the reports are marked approved (a few complete, a few still open).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from phongtrao.audit.history import history_maintenance
from phongtrao.audit.models import Channel
from phongtrao.datasets.models import (
    DataElement,
    DataSet,
    DataSetReport,
    DataValue,
    OptionCombo,
    ReportEvent,
    ReportStatus,
)
from phongtrao.lib.periods import Period
from phongtrao.units.models import Unit

if TYPE_CHECKING:
    from phongtrao.core.management.commands.generate import GenerateContext

CHUNK = 200  # communes per write batch
AREA_ELEMENTS = ("tuyen_truyen_buoi", "tuyen_truyen_luot", "tin_bao", "to_tu_quan", "camera_hoat_dong")
RANGES = {"tuyen_truyen_buoi": (0, 12), "tuyen_truyen_luot": (200, 900), "ngay_hoi_to_chuc": (1, 1),
          "ngay_hoi_nguoi": (150, 600), "ho_cam_ket": (100, 500), "van_ban_chi_dao": (2, 10),
          "hop_ban_chi_dao": (2, 6), "tap_huan": (1, 5), "so_ket_tong_ket": (1, 3), "kiem_tra": (1, 6),
          "tin_bao": (0, 20), "hoa_giai_thanh": (0, 15), "camera_lap_moi": (0, 10), "camera_hoat_dong": (10, 40),
          "kdc_van_hoa": (2, 10), "kdc_5_khong": (1, 8), "trang_web": (1, 2), "to_tu_quan": (1, 4),
          "kinh_phi": (5_000_000, 50_000_000)}


def _wipe(units: list[int], period: Period) -> None:
    """The values and reports an earlier run left for these units and year (their history goes with them)."""
    for start in range(0, len(units), 900):
        batch = units[start:start + 900]
        DataValue.objects.filter(unit__in=batch, period=period.id).delete()
        reports = DataSetReport.objects.filter(unit__in=batch, period=period.id)
        if reports.exists():
            with history_maintenance():
                ReportEvent.objects.filter(report__in=reports).delete()
                reports.delete()


def _value(period: Period, unit_id: int, element: DataElement, combo: OptionCombo, number: int) -> DataValue:
    value = DataValue(element=element, unit_id=unit_id, option_combo=combo, value=Decimal(number),
                      source=Channel.IMPORT)
    value.set_period(period)
    return value


def _report(period: Period, dataset: DataSet, unit_id: int, draw: float, completed: dt.datetime) -> DataSetReport:
    status = ReportStatus.OPEN if draw < 0.05 else ReportStatus.COMPLETE if draw < 0.15 else ReportStatus.APPROVED
    row = DataSetReport(dataset=dataset, unit_id=unit_id, status=status,
                        completed_at=None if status == ReportStatus.OPEN else completed)
    row.set_period(period)
    return row


def generate_values(context: GenerateContext) -> dict[str, int]:
    period = Period.year_of(context.years[-1])
    datasets = {d.code: d for d in DataSet.objects.filter(code__in=["xa_nam", "kdc_nam"])}
    versions = {code: d.version_for(period) for code, d in datasets.items()}
    if not datasets or None in versions.values():
        return {}
    combos: dict[int, list[OptionCombo]] = {}
    for oc in OptionCombo.objects.order_by("position", "pk"):
        combos.setdefault(oc.combo_id, []).append(oc)
    commune_elements = [e for e in versions["xa_nam"].ordered_elements() if e.code in RANGES]  # type: ignore[union-attr]
    area_elements = list(DataElement.objects.filter(code__in=AREA_ELEMENTS).order_by("code"))
    completed = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=20), dt.time(9)))
    counts = {"values": 0, "reports": 0}
    for start in range(0, len(context.communes), CHUNK):
        chunk = context.communes[start:start + CHUNK]
        areas: dict[int, list[int]] = {}
        for pk, parent_id in (Unit.objects.filter(parent__in=chunk, code__startswith="SIM-", kind="residential_area")
                              .order_by("code").values_list("pk", "parent_id")):
            areas.setdefault(parent_id, []).append(pk)
        _wipe([c.pk for c in chunk] + [pk for pks in areas.values() for pk in pks], period)
        values: list[DataValue] = []
        reports: list[DataSetReport] = []

        for commune in chunk:
            rng = context.rng("datasets", commune.code)
            for element in commune_elements:
                low, high = RANGES[element.code]
                for combo in combos[element.combo_id]:
                    values.append(_value(period, commune.pk, element, combo, rng.randint(low, high)))
            reports.append(_report(period, datasets["xa_nam"], commune.pk, rng.random(), completed))
            for area in areas.get(commune.pk, []):
                for element in area_elements:
                    low, high = RANGES[element.code]
                    cells = combos[element.combo_id]
                    for combo in (rng.sample(cells, 2) if len(cells) > 2 else cells):
                        values.append(_value(period, area, element, combo, rng.randint(low, high)))
                reports.append(_report(period, datasets["kdc_nam"], area, rng.random(), completed))
        DataValue.objects.bulk_create(values, batch_size=5000)
        DataSetReport.objects.bulk_create(reports, batch_size=5000)
        counts["values"] += len(values)
        counts["reports"] += len(reports)
    context.say(f"datasets: {counts['values']} values of {period.id} in {counts['reports']} reports")
    return counts
