"""Forms of the models pages. They parse input and show errors; every write goes through ``actions``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from phongtrao.lib.forms import BootstrapForm, date_field
from phongtrao.models_registry.models import Field, Initiator, Result, Site, Status
from phongtrao.units.forms import BrowseForm, ParentChoiceField
from phongtrao.units.models import Unit, UnitQuerySet

if TYPE_CHECKING:
    from phongtrao.models_registry.models import CatalogueQuerySet

SORTS = {
    "name": ("sort_key", "code"),
    "-name": ("-sort_key", "-code"),
    "code": ("code",),
    "started": ("started_on", "code"),
    "-started": ("-started_on", "code"),
    "evaluated": ("last_evaluated_on", "code"),
}
SORT_CHOICES = [("name", gettext_lazy("Tên (A–Z)")), ("-name", gettext_lazy("Tên (Z–A)")),
                ("code", gettext_lazy("Mã")), ("-started", gettext_lazy("Mới xây dựng trước")),
                ("started", gettext_lazy("Xây dựng lâu nhất trước")),
                ("evaluated", gettext_lazy("Lâu chưa đánh giá trước"))]


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class ModelListForm(BrowseForm):
    """The query string of the list: ``?q=an ninh&field=3&status=operating&unit=12&sort=name&page=2``."""

    q = forms.CharField(label=gettext_lazy("Tên hoặc mã mô hình"), required=False, max_length=200)
    field = EntryChoiceField(label=gettext_lazy("Lĩnh vực"), required=False, queryset=Field.objects.none(),
                             empty_label=gettext_lazy("Mọi lĩnh vực"))
    initiator = EntryChoiceField(label=gettext_lazy("Cấp phát động"), required=False,
                                 queryset=Initiator.objects.none(), empty_label=gettext_lazy("Mọi cấp"))
    status = forms.ChoiceField(label=gettext_lazy("Trạng thái"), required=False,
                               choices=[("", gettext_lazy("Mọi trạng thái")), *Status.choices])
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(label=gettext_lazy("Sắp xếp"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, fields: CatalogueQuerySet, initiators: CatalogueQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["field"]).queryset = fields
        cast(forms.ModelChoiceField, self.fields["initiator"]).queryset = initiators
        del self.fields["as_of"], self.fields["kind"]


class ModelForm(BootstrapForm):
    code = forms.CharField(label=gettext_lazy("Mã mô hình"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Tên mô hình"), max_length=255)
    field = EntryChoiceField(label=gettext_lazy("Lĩnh vực"), queryset=Field.objects.none())
    initiator = EntryChoiceField(label=gettext_lazy("Cấp/cơ quan phát động"), queryset=Initiator.objects.none())
    unit = ParentChoiceField(label=gettext_lazy("Đơn vị quản lý"), queryset=Unit.objects.none())
    started_on = date_field(gettext_lazy("Ngày xây dựng"))
    description = forms.CharField(label=gettext_lazy("Mô tả"), required=False, max_length=4000,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=gettext_lazy("Nội dung, cách làm của mô hình; không ghi thông tin "
                                                         "về cá nhân."))

    def __init__(self, *args: Any, owners: UnitQuerySet, fields: CatalogueQuerySet, initiators: CatalogueQuerySet,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = owners
        cast(forms.ModelChoiceField, self.fields["field"]).queryset = fields
        cast(forms.ModelChoiceField, self.fields["initiator"]).queryset = initiators

    def model_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class CreateModelForm(ModelForm):
    status = forms.ChoiceField(label=gettext_lazy("Trạng thái ban đầu"), choices=[
        c for c in Status.choices if c[0] != Status.RETIRED], initial=Status.PROPOSED)


class EditModelForm(ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReplicateForm(BootstrapForm):
    """The units come from the picker as checkboxes named ``units`` (ids, checked against scope)."""

    units = forms.ModelMultipleChoiceField(label=gettext_lazy("Đơn vị triển khai"), queryset=Unit.objects.none(),
                                           widget=forms.MultipleHiddenInput,
                                           error_messages={"invalid_choice": gettext_lazy(
                                               "Có đơn vị không thuộc phạm vi bạn được quản lý.")})
    started_on = date_field(gettext_lazy("Ngày triển khai"), required=True)
    teams = forms.IntegerField(label=gettext_lazy("Số tổ/nhóm mỗi điểm"), min_value=1, max_value=10_000, initial=1)

    def __init__(self, *args: Any, units: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelMultipleChoiceField, self.fields["units"]).queryset = units
        self.fields["started_on"].initial = timezone.localdate()


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        # The commune too: "Khu phố 1" exists in many communes.
        parent = f" · {obj.unit.parent.name}" if obj.unit.parent_id and obj.unit.parent else ""
        return f"{obj.unit.name}{parent} ({obj.unit.code})"


class EvaluationForm(BootstrapForm):
    site = SiteChoiceField(label=gettext_lazy("Đánh giá"), required=False, queryset=Site.objects.none(),
                           empty_label=gettext_lazy("Toàn bộ mô hình"))
    evaluated_on = date_field(gettext_lazy("Ngày đánh giá"), required=True)
    evaluator = forms.CharField(label=gettext_lazy("Cơ quan đánh giá"), max_length=255)
    result = forms.ChoiceField(label=gettext_lazy("Kết quả"), choices=Result.choices)
    notes = forms.CharField(label=gettext_lazy("Nhận xét"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["site"]).queryset = sites
        self.fields["evaluated_on"].initial = timezone.localdate()


class RetireForm(BootstrapForm):
    """Two steps: the date and reason, then a confirmation (``confirm`` set by the confirmation page)."""

    retired_on = date_field(gettext_lazy("Ngày thanh loại"), required=True)
    reason = forms.CharField(label=gettext_lazy("Lý do thanh loại"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class LeadingForm(BootstrapForm):
    decision_no = forms.CharField(label=gettext_lazy("Số quyết định"), max_length=60)
    decision_date = date_field(gettext_lazy("Ngày quyết định"), required=True)
    issuer = forms.CharField(label=gettext_lazy("Cơ quan ra quyết định"), max_length=255,
                             help_text=gettext_lazy("Ví dụ: UBND tỉnh, Công an tỉnh."))


class CatalogueAddForm(BootstrapForm):
    catalogue = forms.ChoiceField(label=gettext_lazy("Danh mục"), choices=[
        ("field", gettext_lazy("Lĩnh vực")), ("initiator", gettext_lazy("Cấp/cơ quan phát động"))])
    name = forms.CharField(label=gettext_lazy("Tên"), max_length=255)
    code = forms.CharField(label=gettext_lazy("Mã"), max_length=60, required=False,
                           help_text=gettext_lazy("Để trống để tự đặt theo tên."))


class CatalogueRenameForm(BootstrapForm):
    catalogue = forms.ChoiceField(choices=[("field", "field"), ("initiator", "initiator")],
                                  widget=forms.HiddenInput)
    entry = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("Tên mới"), max_length=255)


class UnitYearForm(BrowseForm):
    """``?unit=<pk>&year=2025`` of the overdue and figures pages."""

    unit = forms.IntegerField(required=False, min_value=1, max_value=10**18)
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
