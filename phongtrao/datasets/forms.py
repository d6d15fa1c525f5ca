"""Forms of the data-set pages: the entry grid's posted cells, and the list and validation filters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from phongtrao.datasets.actions import ValueInput
from phongtrao.datasets.entry import Cell, english
from phongtrao.datasets.models import DataSet, ValueType
from phongtrao.datasets.values import InvalidValue, check_comment, parse_value
from phongtrao.lib.forms import BootstrapForm
from phongtrao.lib.periods import PERIOD_TYPE_CHOICES, Period
from phongtrao.units.models import Kind


def _stored(cell: Cell) -> Any:
    if cell.value is None:
        return None
    return cell.value.date_value if cell.element.value_type == ValueType.DATE else cell.value.value


def read_cells(data: Any, cells: Iterable[Cell], *, only_changed: bool = True) -> list[ValueInput]:
    """The posted cells as value inputs (changed ones only); a refused text is put on its cell's ``errors``."""
    out: list[ValueInput] = []
    for cell in cells:
        if cell.name not in data:
            continue
        text = str(data.get(cell.name, ""))[:200]
        comment = str(data.get("c" + cell.name[1:], cell.comment))[:4000]
        cell.posted, cell.posted_comment = text, comment
        try:
            value = parse_value(cell.element, text, english=english())
            comment = check_comment(comment)
        except InvalidValue as exc:
            cell.errors.append(str(exc))
            continue
        if only_changed and value == _stored(cell) and comment == (cell.value.comment if cell.value else ""):
            cell.posted = cell.posted_comment = None
            continue
        try:
            version = int(str(data.get("ver" + cell.name[1:], cell.version)))
        except ValueError:
            version = -1  # a mangled version is never the current one: refused as stale
        out.append(ValueInput(cell.element, cell.combo, value, comment, version))
    return out


class ListForm(BootstrapForm):
    q = forms.CharField(label=gettext_lazy("Tìm"), required=False, max_length=100)
    period_type = forms.ChoiceField(label=gettext_lazy("Kỳ báo cáo"), required=False,
                                    choices=[("", gettext_lazy("Tất cả")), *list(PERIOD_TYPE_CHOICES)])

    def value(self, name: str) -> str:
        return str(self.cleaned_data.get(name) or "") if self.is_valid() else ""


ENTRY_KINDS = [(k.value, k.label) for k in (Kind.PROVINCE, Kind.COMMUNE, Kind.RESIDENTIAL_AREA, Kind.AGENCY,
                                              Kind.ENTERPRISE, Kind.SCHOOL)]


class UnitListForm(BootstrapForm):
    q = forms.CharField(label=gettext_lazy("Tìm đơn vị"), required=False, max_length=100)
    kind = forms.ChoiceField(label=gettext_lazy("Loại đơn vị"), required=False,
                             choices=[("", gettext_lazy("Tất cả")), *ENTRY_KINDS])

    def value(self, name: str) -> str:
        return str(self.cleaned_data.get(name) or "") if self.is_valid() else ""


class ValidationForm(BootstrapForm):
    dataset = forms.ModelChoiceField(label=gettext_lazy("Biểu mẫu"), queryset=DataSet.objects.all(),
                                     to_field_name="code", empty_label=None)
    period = forms.CharField(label=gettext_lazy("Kỳ"), max_length=8,
                             help_text=gettext_lazy("Ví dụ 2025 (năm), 2025Q3 (quý)."))

    def clean_period(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["period"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        dataset, period = data.get("dataset"), data.get("period")
        if dataset is not None and isinstance(period, Period) and period.type.value != dataset.period_type:
            self.add_error("period", gettext_lazy("Kỳ không đúng loại kỳ của biểu mẫu."))
        return data


class IndicatorForm(BootstrapForm):
    period = forms.CharField(label=gettext_lazy("Kỳ"), max_length=8,
                             help_text=gettext_lazy("Ví dụ 2025 (năm), 2025Q3 (quý)."))

    def clean_period(self) -> Period:
        try:
            return Period.parse(self.cleaned_data["period"])
        except ValueError:
            raise forms.ValidationError(gettext_lazy("Kỳ không hợp lệ.")) from None
