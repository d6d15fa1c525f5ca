"""Forms of the money pages. They parse input and show errors; every write goes through ``actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from phongtrao.budget.actions import MAX_AMOUNT, FundData, LineData, SpendingData
from phongtrao.budget.models import Category, Flow, FundPurpose, Source
from phongtrao.lib.forms import BootstrapForm, date_field
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR
from phongtrao.models_registry.models import Model as MovementModel

LINE_SORTS = {
    "unit": ("unit__sort_key", "category__sort", "source__sort", "pk"),
    "-allocated": ("-allocated", "unit__sort_key", "pk"),
    "-estimate": ("-estimate", "unit__sort_key", "pk"),
    "category": ("category__sort", "unit__sort_key", "pk"),
}
LINE_SORT_CHOICES = [("unit", gettext_lazy("Đơn vị (A–Z)")), ("category", gettext_lazy("Nội dung chi")),
                     ("-allocated", gettext_lazy("Được giao nhiều trước")),
                     ("-estimate", gettext_lazy("Dự toán nhiều trước"))]
SPENDING_SORTS = {
    "-date": ("-spent_on", "-pk"),
    "date": ("spent_on", "pk"),
    "-amount": ("-amount", "-pk"),
    "unit": ("unit__sort_key", "-spent_on", "-pk"),
}
SPENDING_SORT_CHOICES = [("-date", gettext_lazy("Mới chi trước")), ("date", gettext_lazy("Chi lâu nhất trước")),
                         ("-amount", gettext_lazy("Số tiền lớn trước")), ("unit", gettext_lazy("Đơn vị (A–Z)"))]
OVER = "over_cap"


class CatalogueChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class ListForm(BootstrapForm):
    """The query string of the lists: ``?q=...&unit=12&year=2025&category=3&source=2&sort=unit&page=2``."""

    q = forms.CharField(label=gettext_lazy("Tìm theo đơn vị hoặc nội dung"), required=False, max_length=200)
    year = forms.IntegerField(label=gettext_lazy("Năm"), required=False, min_value=FIRST_RECORD_YEAR,
                              max_value=LAST_RECORD_YEAR)
    category = CatalogueChoice(label=gettext_lazy("Nội dung chi"), required=False, queryset=Category.objects.all(),
                               empty_label=gettext_lazy("Mọi nội dung chi"))
    source = CatalogueChoice(label=gettext_lazy("Nguồn kinh phí"), required=False, queryset=Source.objects.all(),
                             empty_label=gettext_lazy("Mọi nguồn"))
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(label=gettext_lazy("Sắp xếp"), required=False, choices=LINE_SORT_CHOICES)

    def values(self) -> dict[str, Any]:
        """The valid filters (an invalid one is ignored)."""
        if self.is_valid():
            return self.cleaned_data
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}


class SpendingListForm(ListForm):
    status = forms.ChoiceField(label=gettext_lazy("Mức chi"), required=False, choices=[
        ("", gettext_lazy("Mọi khoản chi")), (OVER, gettext_lazy("Vượt mức chi tối đa"))])
    sort = forms.ChoiceField(label=gettext_lazy("Sắp xếp"), required=False, choices=SPENDING_SORT_CHOICES)


def amount_field(label: Any, *, minimum: int = 0) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=minimum, max_value=MAX_AMOUNT,
                              help_text=gettext_lazy("Số nguyên, đơn vị đồng."))


CHOOSE = gettext_lazy("— Chọn —")


class LineForm(BootstrapForm):
    category = CatalogueChoice(label=gettext_lazy("Nội dung chi"), queryset=Category.objects.all(), empty_label=CHOOSE)
    source = CatalogueChoice(label=gettext_lazy("Nguồn kinh phí"), queryset=Source.objects.all(), empty_label=CHOOSE)
    estimate = amount_field(gettext_lazy("Dự toán (đồng)"))
    allocated = amount_field(gettext_lazy("Được giao (đồng)"))
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=255, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def line_data(self, year: int) -> LineData:
        c = self.cleaned_data
        return LineData(year=year, category=c["category"], source=c["source"], estimate=c["estimate"],
                        allocated=c["allocated"], note=c.get("note") or "")


class ModelChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} · {obj.name}"


class SpendingForm(BootstrapForm):
    spent_on = date_field(gettext_lazy("Ngày chi"), required=True)
    category = CatalogueChoice(label=gettext_lazy("Nội dung chi"), queryset=Category.objects.all(), empty_label=CHOOSE)
    source = CatalogueChoice(label=gettext_lazy("Nguồn kinh phí"), queryset=Source.objects.all(), empty_label=CHOOSE)
    amount = amount_field(gettext_lazy("Số tiền (đồng)"), minimum=1)
    purpose = forms.CharField(label=gettext_lazy("Chi cho việc gì"), max_length=500)
    model = ModelChoice(label=gettext_lazy("Mô hình được hỗ trợ"), required=False,
                        queryset=MovementModel.objects.none(), empty_label=gettext_lazy("Không gắn mô hình"))
    km = forms.IntegerField(label=gettext_lazy("Số km (xăng xe)"), required=False, min_value=1, max_value=1_000_000)
    visits = forms.IntegerField(label=gettext_lazy("Số lượt thăm"), required=False, min_value=1, max_value=10_000)
    override_reason = forms.CharField(
        label=gettext_lazy("Lý do chi vượt mức"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Chỉ cần khi khoản chi vượt mức chi tối đa."))

    def __init__(self, *args: Any, models: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["model"]
        assert isinstance(field, forms.ModelChoiceField)
        if models is not None:
            field.queryset = models

    def spending_data(self) -> SpendingData:
        c = self.cleaned_data
        return SpendingData(spent_on=c["spent_on"], category=c["category"], source=c["source"], amount=c["amount"],
                            purpose=c["purpose"], model=c.get("model"), km=c.get("km"), visits=c.get("visits"))


class SpendingEditForm(SpendingForm):
    """The correction of an entry: the same fields and the version it was read at (a stale one is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @staticmethod
    def initial_of(entry: Any) -> dict[str, Any]:
        return {"spent_on": entry.spent_on, "category": entry.category_id, "source": entry.source_id,
                "amount": entry.amount, "purpose": entry.purpose, "model": entry.model_id, "km": entry.km,
                "visits": entry.visits, "override_reason": entry.override_reason, "version": entry.version}


class DeleteForm(BootstrapForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class FundForm(BootstrapForm):
    quarter = forms.TypedChoiceField(label=gettext_lazy("Quý"), coerce=int,
                                     choices=[(q, q) for q in (1, 2, 3, 4)])
    flow = forms.ChoiceField(label=gettext_lazy("Thu/chi"), choices=Flow.choices)
    purpose = forms.ChoiceField(label=gettext_lazy("Nguồn thu/mục chi"), choices=FundPurpose.choices)
    amount = amount_field(gettext_lazy("Số tiền (đồng)"), minimum=1)
    note = forms.CharField(label=gettext_lazy("Ghi chú"), max_length=255, required=False)
    negative_reason = forms.CharField(
        label=gettext_lazy("Lý do chi quá số dư"), required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Chỉ cần khi khoản chi làm số dư Quỹ âm."))

    def fund_data(self, year: int) -> FundData:
        c = self.cleaned_data
        return FundData(year=year, quarter=c["quarter"], flow=c["flow"], purpose=c["purpose"], amount=c["amount"],
                        note=c.get("note") or "")
