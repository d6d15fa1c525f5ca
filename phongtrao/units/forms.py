"""Forms of the unit pages. They parse input and show errors; every write goes through ``units.actions``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import can_change, capture_units
from phongtrao.lib.forms import BootstrapForm, date_field
from phongtrao.lib.vnformat import date_text
from phongtrao.units.models import (
    ALLOWED_PARENT_KINDS,
    MAX_HOUSEHOLDS,
    ORGANISATION_KINDS,
    EnterpriseSize,
    Kind,
    ManagingLevel,
    SchoolLevel,
    Unit,
    UnitQuerySet,
    subtype_choices,
)

if TYPE_CHECKING:
    from phongtrao.accounts.models import User

KIND_CHOICES = [("", gettext_lazy("Tất cả loại")), *Kind.choices]
# Fields that only make sense for some kinds; the form page hides (and disables) them for the others.
FIELD_KINDS: dict[str, tuple[str, ...]] = {
    "managed_by": ORGANISATION_KINDS,
    "size": (Kind.ENTERPRISE,),
    "school_level": (Kind.SCHOOL,),
    "armed_forces": (Kind.AGENCY,),
    "households": (Kind.RESIDENTIAL_AREA, Kind.COMMUNE),
}


class KindOptionSelect(forms.Select):
    """A select whose options carry ``data-for="<kind>"``: ``core/js/forms.js`` offers only the options
    of the kind chosen in the field named by ``data-depends-on``."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.option_kinds: dict[str, str] = {}

    def create_option(self, name: str, value: Any, label: Any, selected: Any, index: int,
                      subindex: int | None = None, attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if kind := self.option_kinds.get(str(value)):
            option["attrs"]["data-for"] = kind
        return option


class BrowseForm(BootstrapForm):
    """The query string of the browser and the unit page: ``?as_of=2024-12-31&kind=commune&page=2``."""

    as_of = date_field(gettext_lazy("Ngày xem"))
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), required=False, choices=KIND_CHOICES)

    def value(self, name: str, default: Any = None) -> Any:
        """The cleaned value, or ``default`` when the parameter is missing or malformed."""
        self.is_valid()
        return self.cleaned_data.get(name) or default


class SearchForm(BrowseForm):
    q = forms.CharField(label=gettext_lazy("Tên hoặc mã"), required=False, max_length=200)
    all_dates = forms.BooleanField(label=gettext_lazy("Mọi thời điểm"), required=False)
    within = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = ("q", "kind", "as_of", "all_dates", "within")

    def wants_results(self) -> bool:
        return bool(self.value("q", "").strip() or self.value("kind") or self.value("within"))


class ParentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        label = f"{obj.name} ({obj.code})"
        if obj.valid_to:
            label += " · " + gettext("đến %(date)s") % {"date": date_text(obj.valid_to)}
        return label


def parent_choices(user: User, anchor: Unit, kinds: tuple[str, ...], day: dt.date) -> UnitQuerySet:
    """Sensible parents around ``anchor`` (the proposed parent, or the current one when editing).

    ``anchor`` itself, even outside the user's scope (keeping a commune in its
    province is no move), and, within the user's capture scope, its siblings of
    ``kinds`` valid on ``day`` and its own parent when of ``kinds``.
    """
    wanted = Q(pk=anchor.pk)
    if anchor.parent_id is not None:
        capture = capture_units(user)
        siblings = capture.filter(parent_id=anchor.parent_id).of_kind(*kinds).valid_on(day)
        # Each branch also names its rows by an indexed column (the parent, the key), so PostgreSQL combines
        # three index look-ups; with the subqueries alone it scanned every unit (770 ms nationally, bench/load.py).
        wanted |= Q(parent_id=anchor.parent_id, pk__in=siblings.values("pk"))
        wanted |= Q(pk=anchor.parent_id, pk__in=capture.filter(pk=anchor.parent_id, kind__in=kinds).values("pk"))
    return Unit.objects.filter(wanted).vi_ordered()


class UnitForm(BootstrapForm):
    """Fields shared by the create and edit pages. ``unit_fields()`` gives the action's keyword arguments."""

    code = forms.CharField(
        label=gettext_lazy("Mã"), max_length=40,
        help_text=gettext_lazy("Mã thống kê, hoặc mã địa phương với khu dân cư và tổ chức."))
    name = forms.CharField(label=gettext_lazy("Tên"), max_length=255)
    kind = forms.ChoiceField(label=gettext_lazy("Loại đơn vị"))
    parent = ParentChoiceField(label=gettext_lazy("Đơn vị cấp trên"), queryset=Unit.objects.none())
    subtype = forms.ChoiceField(label=gettext_lazy("Loại hình"), required=False, widget=KindOptionSelect)
    managed_by = forms.ChoiceField(label=gettext_lazy("Cấp quản lý"), required=False,
                                   choices=[("", "—"), *ManagingLevel.choices])
    size = forms.ChoiceField(label=gettext_lazy("Quy mô doanh nghiệp"), required=False,
                             choices=[("", "—"), *EnterpriseSize.choices])
    school_level = forms.ChoiceField(label=gettext_lazy("Cấp học"), required=False,
                                     choices=[("", "—"), *SchoolLevel.choices])
    armed_forces = forms.BooleanField(label=gettext_lazy("Thuộc lực lượng vũ trang"), required=False)
    households = forms.IntegerField(label=gettext_lazy("Số hộ"), required=False, min_value=0,
                                    max_value=MAX_HOUSEHOLDS)
    valid_from = date_field(gettext_lazy("Hiệu lực từ"),
                            help_text=gettext_lazy("Để trống nếu không rõ ngày thành lập."))

    def __init__(self, *args: Any, user: User, parents: UnitQuerySet | None, kinds: list[str],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.saved_values: dict[str, str] = {}
        if parents is None:  # the root stays the root
            del self.fields["parent"]
            del self.fields["kind"]
        else:
            cast(forms.ModelChoiceField, self.fields["parent"]).queryset = parents
            cast(forms.ChoiceField, self.fields["kind"]).choices = [(k, Kind(k).label) for k in kinds]
        for name, field_kinds in FIELD_KINDS.items():
            self.fields[name].widget.attrs["data-kinds"] = " ".join(field_kinds)
        self._subtype_options(kinds if parents is not None else [self.initial.get("kind", "")])

    def _subtype_options(self, kinds: list[str]) -> None:
        """Every subtype of the offered kinds, each option tagged with its kind (the page offers those of
        the chosen kind); a unit's stored subtype outside the list stays selectable for its own kind."""
        options = [(value, label, kind) for kind in kinds for value, label in subtype_choices(kind)]
        current, current_kind = self.initial.get("subtype") or "", self.initial.get("kind", "")
        if current and (current, current_kind) not in {(v, k) for v, _, k in options}:
            options.append((current, current, current_kind))
        field = self.fields["subtype"]
        assert isinstance(field, forms.ChoiceField) and isinstance(field.widget, KindOptionSelect)
        field.choices = [("", "—"), *[(value, label) for value, label, _ in options]]
        field.widget.option_kinds = {value: kind for value, _, kind in options}
        if "kind" in self.fields:
            field.widget.attrs["data-depends-on"] = self["kind"].auto_id

    def clean(self) -> dict[str, Any] | None:
        """The subtype must be one of the chosen kind's (or the one the unit already has)."""
        data = super().clean() or {}
        kind, subtype = data.get("kind", self.initial.get("kind", "")), data.get("subtype", "")
        kept = subtype == self.initial.get("subtype") and kind == self.initial.get("kind")
        if subtype and not kept and subtype not in dict(subtype_choices(kind)):
            self.add_error("subtype", gettext(
                "Loại hình này không dùng cho loại đơn vị đã chọn; chọn một loại hình trong danh sách."))
        return data

    def clean_parent(self) -> Unit | None:
        """Moving a unit into (or creating it in) a parent needs the right to change that parent."""
        parent: Unit | None = self.cleaned_data.get("parent")
        if parent is not None and parent.pk != self.initial.get("parent") and not can_change(self.user, parent):
            raise forms.ValidationError(
                gettext("Bạn không có quyền đặt đơn vị vào %(name)s.") % {"name": parent.name})
        return parent

    def unit_fields(self) -> dict[str, Any]:
        fields = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        if "parent" in fields:
            parent = fields.pop("parent")
            fields["parent_id"] = parent.pk if parent is not None else None
        return fields


class CreateUnitForm(UnitForm):
    valid_to = date_field(gettext_lazy("Hiệu lực đến"), help_text=gettext_lazy("Để trống nếu còn hiệu lực."))


class EditUnitForm(UnitForm):
    """Carries the version it was read at, so a concurrent save is refused instead of overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def mark_stale(self, saved: Unit, message: str) -> None:
        """Keep the user's input, note the saved value under each field that differs, take the new version.

        Submitting again is then a deliberate overwrite by someone who has seen the other change.
        """
        data: QueryDict | dict[str, Any] = (self.data.copy() if isinstance(self.data, QueryDict)
                                            else dict(self.data))
        data["version"] = str(saved.version)
        self.data = data
        for name, value in self.unit_fields().items():
            field = "parent" if name == "parent_id" else name
            if getattr(saved, name) != value:
                self.saved_values[field] = _display(saved, name)
        self.add_error(None, message)


def _display(unit: Unit, name: str) -> str:
    value = getattr(unit, name)
    if name == "parent_id":
        return str(unit.parent) if unit.parent_id else "—"
    if isinstance(value, bool):
        return gettext("Có") if value else gettext("Không")
    if isinstance(value, dt.date):
        return date_text(value)
    if value in (None, ""):
        return "—"
    display = getattr(unit, f"get_{name}_display", None)
    return str(display() if display else value)


class CloseForm(BootstrapForm):
    """Two steps: the date, then a confirmation (``confirm`` set by the confirmation page)."""

    valid_to = date_field(gettext_lazy("Ngày cuối cùng còn hiệu lực"), required=True,
                          help_text=gettext_lazy("Đơn vị không bị xoá: lịch sử và số liệu cũ vẫn được giữ."))
    version = forms.IntegerField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


def child_kinds(parent_kind: str) -> list[str]:
    """Kinds that may lie directly in a unit of ``parent_kind``."""
    return [kind for kind, parents in ALLOWED_PARENT_KINDS.items() if parent_kind in parents]
