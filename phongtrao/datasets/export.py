"""Files of data values: the XLSX template of a data set (its cells listed, Vietnamese headers) and the export of
entered values as CSV or XLSX, both in the ``data_values`` import format (docs/interchange-data-values.md)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.utils import translation

from phongtrao.datasets.models import (
    DataElement,
    DataSet,
    DataValue,
    OptionCombo,
    ValueType,
    normalised,
)
from phongtrao.lib.periods import Period
from phongtrao.lib.tabular import Column
from phongtrao.lib.xlsx import ListSheet
from phongtrao.units.models import Kind, Unit

COLUMNS = [
    Column("dataset", "Mã biểu mẫu"),
    Column("element", "Mã chỉ tiêu", required=True),
    Column("element_name", "Tên chỉ tiêu"),
    Column("unit_code", "Mã đơn vị", required=True),
    Column("unit_name", "Tên đơn vị"),
    Column("period", "Kỳ", required=True),
    Column("options", "Phân tổ"),
    Column("value", "Giá trị"),
    Column("comment", "Ghi chú"),
]
OPTION_SEPARATOR = "; "
WIDTHS = (14, 22, 48, 14, 30, 9, 40, 14, 30)


def options_text(combo: OptionCombo) -> str:
    """The cell's options by their Vietnamese names ("Trực tiếp; Tiếng dân tộc thiểu số"); empty: no breakdown."""
    if not combo.option_codes:
        return ""
    return OPTION_SEPARATOR.join(o.name for o in sorted(combo.options.all(), key=lambda o: (
        combo.option_codes.index(o.code) if o.code in combo.option_codes else 99)))


def _cells(dataset: DataSet, period: Period) -> list[tuple[DataElement, OptionCombo]]:
    version = dataset.version_for(period)
    if version is None:
        return []
    elements = version.ordered_elements()
    combos: dict[int, list[OptionCombo]] = {}
    for oc in OptionCombo.objects.filter(combo_id__in={e.combo_id for e in elements}).prefetch_related("options") \
            .order_by("position"):
        combos.setdefault(oc.combo_id, []).append(oc)
    return [(e, oc) for e in elements for oc in combos.get(e.combo_id, [])]


def template_workbook(dataset: DataSet, period: Period | None = None) -> bytes:
    """One row per cell of the form in force for the current period (or ``period``), to fill with unit codes and
    values; the headers are the import's Vietnamese labels."""
    from django.utils import timezone

    period = period or Period.containing(timezone.localdate(), dataset.period_type)
    with translation.override("vi"):
        sheet = ListSheet(dataset.code[:31], [c.label for c in COLUMNS], widths=WIDTHS)
        for element, combo in _cells(dataset, period):
            sheet.append([sheet.text(dataset.code), sheet.text(element.code), sheet.text(element.name), sheet.text(""),
                          sheet.text(""), sheet.text(period.id), sheet.text(options_text(combo)), sheet.text(""),
                          sheet.text("")])
        return sheet.to_bytes()


def value_cell(element: DataElement, value: DataValue) -> str:
    """A value as a file holds it: 1234 or 12,5 (no thousands separator), a date as 19/08/2025."""
    if value.date_value is not None:
        return value.date_value.strftime("%d/%m/%Y")
    if value.value is None:
        return ""
    if element.value_type == ValueType.YES_NO:
        return "có" if value.value else "không"
    return format(normalised(value.value), "f").replace(".", ",")


def export_rows(root: Unit, dataset: DataSet, period: Period, *, visible: Any) -> list[list[str]]:
    cells = _cells(dataset, period)
    order = {(e.pk, oc.pk): i for i, (e, oc) in enumerate(cells)}
    values = DataValue.objects.filter(period=period.id, element_id__in={e.pk for e, _ in cells}).given() \
        .filter(unit__in=visible).filter(unit__kind__in=dataset.kinds)
    if root.kind != Kind.COUNTRY:
        values = values.in_subtree(root)
    found = list(values.select_related("element", "unit", "option_combo").prefetch_related("option_combo__options")
                 .order_by("unit__sort_key", "unit__code", "unit_id"))
    found.sort(key=lambda v: (v.unit.sort_key, v.unit.code, v.unit_id, order.get((v.element_id, v.option_combo_id), 0)))
    return [[dataset.code, v.element.code, v.element.name, v.unit.code, v.unit.name, v.period,
             options_text(v.option_combo), value_cell(v.element, v), v.comment] for v in found]


def _not_formula(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (a comment typed as "=1+1")."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export_values(root: Unit, dataset: DataSet, period: Period, fmt: str, *, visible: Any) -> bytes:
    rows = export_rows(root, dataset, period, visible=visible)
    headers = [c.label for c in COLUMNS]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerows([[_not_formula(c) for c in row] for row in rows])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    sheet = ListSheet(dataset.code[:31], headers, widths=WIDTHS)
    for row in rows:
        sheet.append([sheet.text(c) for c in row])
    return sheet.to_bytes()
