"""The entry grid of one data set for one unit and period: tables of elements by disaggregation, each cell with
its saved value, the previous period's value, and the range learned from the unit's history and its peers.

Built in a fixed number of queries: the form's elements, their option combos, the values of this period and of
the previous one, and one GROUP BY for the ranges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, FloatField, Max, Min, Q
from django.db.models.functions import Cast
from django.utils.translation import get_language

from phongtrao.datasets.models import (
    DataElement,
    DataSet,
    DataSetReport,
    DataSetVersion,
    DataValue,
    OptionCombo,
    ValueType,
    normalised,
)
from phongtrao.datasets.values import value_text
from phongtrao.lib.periods import Period
from phongtrao.lib.vnformat import localized_number
from phongtrao.units.models import Unit

MIN_SAMPLES = 3  # values needed before a range is learned
SPREAD = 3  # standard deviations either side of the mean


def english() -> bool:
    return (get_language() or "vi").startswith("en")


@dataclass
class Bounds:
    low: Decimal
    high: Decimal

    def outside(self, value: Decimal | None) -> bool:
        return value is not None and not (self.low <= value <= self.high)

    @property
    def text(self) -> str:
        return f"{localized_number(self.low)}–{localized_number(self.high)}"


@dataclass
class Cell:
    element: DataElement
    combo: OptionCombo
    value: DataValue | None
    previous: DataValue | None
    bounds: Bounds | None
    posted: str | None = None  # the text typed, shown again with an error
    posted_comment: str | None = None
    errors: list[str] = field(default_factory=list)
    saved: bool = False

    @property
    def name(self) -> str:
        return f"v-{self.element.pk}-{self.combo.pk}"

    @property
    def version(self) -> int:
        return self.value.version if self.value is not None else 0

    @property
    def text(self) -> str:
        if self.posted is not None:
            return self.posted
        if self.value is None:
            return ""
        stored = self.value.date_value if self.element.value_type == ValueType.DATE else self.value.value
        return value_text(self.element, stored, english=english())

    @property
    def comment(self) -> str:
        if self.posted_comment is not None:
            return self.posted_comment
        return self.value.comment if self.value is not None else ""

    @property
    def previous_text(self) -> str:
        if self.previous is None or self.previous.is_empty:
            return ""
        if self.previous.date_value is not None:
            return self.previous.date_value.strftime("%d/%m/%Y")
        return localized_number(self.previous.value) if self.previous.value is not None else ""

    @property
    def warning(self) -> bool:
        return bool(self.bounds and self.value is not None and self.bounds.outside(self.value.value))

    @property
    def is_yes_no(self) -> bool:
        return self.element.value_type == ValueType.YES_NO


@dataclass
class Row:
    element: DataElement
    cells: list[Cell]

    @property
    def total(self) -> Decimal | None:
        """The saved cells' sum (a count's or an amount's row; nothing for percentages, yes/no and dates)."""
        if self.element.value_type not in (ValueType.COUNT, ValueType.AMOUNT, ValueType.NUMBER):
            return None
        values = [c.value.value for c in self.cells if c.value is not None and c.value.value is not None]
        return normalised(sum(values, Decimal(0))) if values else None


@dataclass
class Table:
    section: str
    combos: list[OptionCombo]
    header: list[list[tuple[str, int]]]  # rows of (label, colspan) for the combo's categories
    rows: list[Row] = field(default_factory=list)


@dataclass
class Grid:
    dataset: DataSet
    version: DataSetVersion
    unit: Unit
    period: Period
    report: DataSetReport | None
    tables: list[Table]

    def cells(self) -> list[Cell]:
        return [c for t in self.tables for r in t.rows for c in r.cells]

    def cell(self, name: str) -> Cell | None:
        return next((c for c in self.cells() if c.name == name), None)

    def row_of(self, name: str) -> Row | None:
        """The row holding the cell ``name`` (its total is sent back with the cell, out of band)."""
        return next((r for t in self.tables if t.header for r in t.rows if any(c.name == name for c in r.cells)),
                    None)


def _header(combos: list[OptionCombo], categories: list[Any]) -> list[list[tuple[str, int]]]:
    if not categories:
        return []
    rows: list[list[tuple[str, int]]] = []
    span = len(combos)
    repeat = 1
    for cat in categories:
        options = list(cat.options.all())
        span //= max(len(options), 1)
        rows.append([(o.label, span) for _ in range(repeat) for o in options])
        repeat *= max(len(options), 1)
    return rows


def build_grid(dataset: DataSet, version: DataSetVersion, unit: Unit, period: Period) -> Grid:
    links = list(version.element_links.select_related("element", "element__combo").order_by("position", "pk"))
    combo_ids = {link.element.combo_id for link in links}
    combos: dict[int, list[OptionCombo]] = {}
    for oc in OptionCombo.objects.filter(combo_id__in=combo_ids).order_by("position", "pk"):
        combos.setdefault(oc.combo_id, []).append(oc)
    elements = [link.element for link in links]
    current = {(v.element_id, v.option_combo_id): v for v in DataValue.objects.filter(
        unit=unit, period=period.id, element__in=elements)}
    before = period.previous()
    previous = {(v.element_id, v.option_combo_id): v for v in DataValue.objects.filter(
        unit=unit, period=before.id, element__in=elements)}
    bounds = learned_bounds(unit, period, elements)
    report = DataSetReport.objects.filter(dataset=dataset, unit=unit, period=period.id).first()
    tables: list[Table] = []
    for link in links:
        element = link.element
        ocs = combos.get(element.combo_id, [])
        if not tables or tables[-1].section != link.section or tables[-1].combos != ocs:
            categories = [c.category for c in element.combo.category_links.select_related("category")
                          .prefetch_related("category__options").order_by("position")]
            tables.append(Table(link.section, ocs, _header(ocs, categories)))
        cells = [Cell(element, oc, current.get((element.pk, oc.pk)), previous.get((element.pk, oc.pk)),
                      bounds.get((element.pk, oc.pk))) for oc in ocs]
        tables[-1].rows.append(Row(element, cells))
    return Grid(dataset, version, unit, period, report, tables)


def learned_bounds(unit: Unit, period: Period, elements: list[DataElement]) -> dict[tuple[int, int], Bounds]:
    """Per (element, option combo): mean ± 3 standard deviations (not below 0) of the unit's earlier values of
    this period type and of its peers' (same kind, same parent) values of this period and the one before; only
    where there are at least three values. One GROUP BY query (the variance from the mean of the squares), after
    reading the peers' keys: as a list they make both branches of the OR index look-ups (unit, period); as a
    subquery PostgreSQL scanned every yearly value of the country instead (230 ms nationally, bench/load.py)."""
    counted = [e.pk for e in elements if e.value_type in (ValueType.COUNT, ValueType.AMOUNT, ValueType.NUMBER)]
    if not counted:
        return {}
    peers = list(Unit.objects.filter(parent_id=unit.parent_id, kind=unit.kind).exclude(pk=unit.pk)
                 .values_list("pk", flat=True))
    value = Cast("value", FloatField())
    rows = (DataValue.objects.filter(element_id__in=counted, period_type=period.type.value, value__isnull=False)
            .filter(Q(unit=unit, period_end__lt=period.start)
                    | Q(unit_id__in=peers, period__in=[period.id, period.previous().id]))
            .values("element_id", "option_combo_id")
            .annotate(n=Count("pk"), mean=Avg(value), square=Avg(value * value), low=Min("value"), high=Max("value"))
            .order_by())
    out = {}
    for r in rows:
        if r["n"] < MIN_SAMPLES:
            continue
        sd = math.sqrt(max(r["square"] - r["mean"] ** 2, 0.0))
        low = max(0.0, r["mean"] - SPREAD * sd)
        high = r["mean"] + SPREAD * sd
        out[(r["element_id"], r["option_combo_id"])] = Bounds(Decimal(math.floor(low)), Decimal(math.ceil(high)))
    return out


