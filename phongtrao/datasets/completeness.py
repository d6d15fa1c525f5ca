"""Completeness and timeliness of a data set's reports in a subtree for one period.

- **expected**: the units of the data set's kinds (inside its ``root`` when it has one) valid on the period's
  reference date, in the subtree;
- **received**: their reports complete or later (complete, submitted, approved);
- **on time**: received, and marked complete no later than the data set's closing date (every received report
  is on time when the data set never closes);
- **approved**: approved by the level above.

Set-based: one query for the totals, one GROUP BY over the closure table for the children of the subtree's
root, one for the late units' page; no loop over units.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext

from phongtrao.datasets.models import RECEIVED_STATUSES, DataSet, DataSetReport, ReportStatus
from phongtrao.lib.periods import Period
from phongtrao.reports.blocks import Block, Column, Heading, Paragraph, Table
from phongtrao.units.lineage import RECORDED, in_subtree
from phongtrao.units.models import Unit, UnitAncestor, UnitQuerySet


@dataclass
class Counts:
    expected: int
    received: int
    on_time: int
    approved: int

    @property
    def late(self) -> int:
        return self.expected - self.on_time

    def share(self, part: int) -> float | None:
        return part / self.expected if self.expected else None

    def as_dict(self) -> dict[str, Any]:
        return {"expected": self.expected, "received": self.received, "on_time": self.on_time,
                "approved": self.approved, "late": self.late}


def expected_units(dataset: DataSet, period: Period, root: Unit) -> UnitQuerySet:
    units = Unit.objects.in_subtree(root).valid_on(period.reference_date).filter(kind__in=list(dataset.kinds))
    if dataset.root_id is not None:
        units = units.filter(pk__in=UnitAncestor.objects.filter(ancestor_id=dataset.root_id).values("unit_id"))
    return units


def _figures(dataset: DataSet, period: Period) -> dict[str, Any]:
    """The conditional counts over a unit's report (used with a join prefix)."""
    closing = dataset.closing_date(period)
    received = Q(status__in=RECEIVED_STATUSES)
    on_time = received if closing is None else received & Q(completed_day__lte=closing)
    return {"received": Count("pk", filter=received), "on_time": Count("pk", filter=on_time),
            "approved": Count("pk", filter=Q(status=ReportStatus.APPROVED))}


def _reports(dataset: DataSet, period: Period, units: UnitQuerySet) -> QuerySet[DataSetReport]:
    return (DataSetReport.objects.filter(dataset=dataset, period=period.id, unit__in=units.values("pk"))
            .annotate(completed_day=TruncDate("completed_at")))


def totals(dataset: DataSet, period: Period, root: Unit, *, visible: Any = None) -> Counts:
    units = expected_units(dataset, period, root)
    if visible is not None:
        units = units.filter(pk__in=visible)
    expected = units.count()
    got = _reports(dataset, period, units).aggregate(**_figures(dataset, period))
    return Counts(expected, got["received"], got["on_time"], got["approved"])


def by_child(dataset: DataSet, period: Period, root: Unit, *, visible: Any = None) -> list[tuple[Unit, Counts]]:
    """Per child of ``root`` (valid on the reference date) holding expected units: the four counts. Two GROUP BY
    queries over the closure table (expected units; their reports) and one for the children."""
    units = expected_units(dataset, period, root)
    if visible is not None:
        units = units.filter(pk__in=visible)
    expected = dict(UnitAncestor.objects.filter(ancestor__parent=root, unit__in=units.values("pk"))
                    .values_list("ancestor_id").annotate(n=Count("unit_id")).order_by())
    figures = {f"r_{k}": v for k, v in _figures(dataset, period).items()}
    rows = (_reports(dataset, period, units).filter(unit__ancestor_links__ancestor__parent=root)
            .values("unit__ancestor_links__ancestor_id").annotate(**figures).order_by())
    got: dict[int, dict[str, Any]] = {r["unit__ancestor_links__ancestor_id"]: dict(r) for r in rows}
    children = Unit.objects.filter(pk__in=list(expected)).vi_ordered()
    out = []
    for child in children:
        r: dict[str, Any] = got.get(child.pk, {})
        out.append((child, Counts(expected[child.pk], int(r.get("r_received", 0)), int(r.get("r_on_time", 0)),
                                  int(r.get("r_approved", 0)))))
    return out


def late_units(dataset: DataSet, period: Period, root: Unit, *, visible: Any = None) -> UnitQuerySet:
    """The expected units without a report received on time (none, still open, or completed after the closing
    date), in Vietnamese order."""
    units = expected_units(dataset, period, root)
    if visible is not None:
        units = units.filter(pk__in=visible)
    closing = dataset.closing_date(period)
    on_time = _reports(dataset, period, units).filter(status__in=RECEIVED_STATUSES)
    if closing is not None:
        on_time = on_time.filter(**{"completed_day__lte": closing})  # an annotation
    return units.exclude(pk__in=on_time.values("unit_id")).select_related("parent").vi_ordered()


def report_statuses(dataset: DataSet, period: Period, units: list[Unit]) -> dict[int, DataSetReport]:
    return {r.unit_id: r for r in DataSetReport.objects.filter(dataset=dataset, period=period.id,
                                                               unit__in=[u.pk for u in units])}


def _next_midnight(day: dt.date) -> dt.datetime:
    """The start of the day after ``day`` in the current time zone (TruncDate's), as an aware instant."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


COMPLETENESS_QUERIES = 3  # the yearly data sets, the expected units by kind, the reports by data set


def annual_completeness(unit: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Any]:
    """The annual report's ``completeness`` section: per yearly data set with expected reports in the subtree,
    expected / received / on time / approved / late. Three queries whatever the number of data sets: the yearly
    catalogue, one GROUP BY kind of the units valid on 31 December, one GROUP BY data set of their reports (a
    data set assigned to a subtree, a province's own, adds one count of its own)."""
    period = Period.year_of(year)
    datasets = list(DataSet.objects.filter(period_type=period.type.value).order_by("position", "code"))
    kinds = sorted({k for d in datasets for k in d.kinds})
    units = Unit.objects.valid_on(period.reference_date).filter(kind__in=kinds).filter(
        in_subtree(unit, boundaries=boundaries))
    by_kind = dict(units.values_list("kind").annotate(n=Count("pk")).order_by())
    figures: dict[str, Any] = {}
    for d in datasets:
        closing = d.closing_date(period)
        mine = Q(dataset_id=d.pk, unit__kind__in=list(d.kinds))
        received = mine & Q(status__in=RECEIVED_STATUSES)
        # Completed on or before the closing day (local time): before the next day's local midnight, a range
        # on the stored instant (no per-row date conversion, which costs SQLite a Python call per report).
        on_time = received if closing is None else received & Q(completed_at__lt=_next_midnight(closing))
        figures |= {f"received_{d.pk}": Count("pk", filter=received), f"on_time_{d.pk}": Count("pk", filter=on_time),
                    f"approved_{d.pk}": Count("pk", filter=mine & Q(status=ReportStatus.APPROVED))}
    reports = DataSetReport.objects.filter(period=period.id, unit__in=units.values("pk"))
    got = reports.aggregate(**figures) if figures else {}
    out = []
    for d in datasets:
        expected = sum(by_kind.get(k, 0) for k in d.kinds)
        if d.root_id is not None:  # a province's own form: only its subtree's units are expected
            expected = units.filter(kind__in=list(d.kinds), pk__in=UnitAncestor.objects.filter(
                ancestor_id=d.root_id).values("unit_id")).count()
        if expected:
            counts = Counts(expected, got[f"received_{d.pk}"], got[f"on_time_{d.pk}"], got[f"approved_{d.pk}"])
            out.append({"dataset": d.code, "name": d.name, **counts.as_dict()})
    return {"period": period.id, "datasets": out}


def completeness_blocks(unit: Unit, year: int, section: dict[str, Any], previous: Any = None) -> list[Block]:
    blocks: list[Block] = [Heading(gettext("Tiến độ báo cáo theo biểu mẫu"))]
    if not section["datasets"]:
        return [*blocks, Paragraph(gettext("Không có báo cáo nào phải nộp."))]
    blocks.append(Table(
        columns=(Column(gettext("Biểu mẫu")), Column(gettext("Phải nộp"), "integer"),
                 Column(gettext("Đã nộp"), "integer"), Column(gettext("Đúng hạn"), "integer"),
                 Column(gettext("Đã duyệt"), "integer")),
        rows=tuple((d["name"], d["expected"], d["received"], d["on_time"], d["approved"])
                   for d in section["datasets"])))
    return blocks
