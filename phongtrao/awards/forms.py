"""Forms of the awards pages. They parse input; every write goes through ``phongtrao.awards.actions``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import is_admin
from phongtrao.accounts.models import ScopeKind, UnitScope
from phongtrao.awards.actions import RecipientData
from phongtrao.awards.models import AuthorityLevel, AwardType, RecipientKind, RecipientScope
from phongtrao.lib.forms import BootstrapForm, date_field
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR
from phongtrao.units.models import ADMIN_KINDS, Kind, Unit, UnitQuerySet

if TYPE_CHECKING:
    from django.forms.renderers import BaseRenderer

    from phongtrao.accounts.access import AnyUser

YEAR_MIN, YEAR_MAX = FIRST_RECORD_YEAR, LAST_RECORD_YEAR
SORTS = {"-date": gettext_lazy("Mới nhất"), "date": gettext_lazy("Cũ nhất"), "number": gettext_lazy("Số quyết định"),
         "type": gettext_lazy("Hình thức")}


def admin_units_near(user: AnyUser, kinds: tuple[str, ...] = (ScopeKind.CAPTURE,)) -> UnitQuerySet:
    """The administrative units a user acts for: the roots of their scope and the current units just below
    (a province officer's communes). Administrators: the country and the provinces."""
    today = timezone.localdate()
    if is_admin(user):
        roots = Unit.objects.filter(kind=Kind.COUNTRY)
    elif user.pk is None:  # an anonymous user has no scopes
        roots = Unit.objects.none()
    else:
        roots = Unit.objects.filter(pk__in=UnitScope.objects.filter(user_id=user.pk, kind__in=kinds).values("unit_id"))
    children = Unit.objects.filter(parent__in=roots.values("pk"), kind__in=ADMIN_KINDS).valid_on(today)
    return (Unit.objects.filter(Q(pk__in=roots.values("pk")) | Q(pk__in=children.values("pk")))
            .filter(kind__in=ADMIN_KINDS).vi_ordered())


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return f"{obj.name} ({obj.code})"


class ListForm(BootstrapForm):
    """The decisions list's query string; a malformed value is ignored, never a 500."""

    q = forms.CharField(label=gettext_lazy("Số quyết định hoặc tên"), required=False, max_length=200)
    year = forms.IntegerField(label=gettext_lazy("Năm"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)
    award_type = forms.ModelChoiceField(label=gettext_lazy("Hình thức"), required=False,
                                        queryset=AwardType.objects.in_order(), to_field_name="code",
                                        empty_label=gettext_lazy("Tất cả hình thức"))
    sort = forms.ChoiceField(label=gettext_lazy("Sắp xếp"), required=False, choices=list(SORTS.items()))

    def value(self, name: str, default: Any = None) -> Any:
        self.is_valid()
        return self.cleaned_data.get(name) or default


class ProposalListForm(BootstrapForm):
    year = forms.IntegerField(label=gettext_lazy("Năm"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX)
    status = forms.ChoiceField(label=gettext_lazy("Trạng thái"), required=False, choices=[
        ("", gettext_lazy("Tất cả trạng thái")),
        ("draft", gettext_lazy("Dự thảo")), ("submitted", gettext_lazy("Đã gửi đề nghị")),
        ("approved", gettext_lazy("Đã duyệt")), ("returned", gettext_lazy("Trả lại"))])

    def value(self, name: str, default: Any = None) -> Any:
        self.is_valid()
        return self.cleaned_data.get(name) or default


class RecipientForm(BootstrapForm):
    """One recipient row: a collective is a unit (picked); an individual is a name, a title and a unit."""

    kind = forms.ChoiceField(label=gettext_lazy("Đối tượng"), choices=RecipientKind.choices,
                             initial=RecipientKind.COLLECTIVE)
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=gettext_lazy("Tên tập thể / họ tên"), required=False, max_length=255)
    title = forms.CharField(label=gettext_lazy("Chức vụ"), required=False, max_length=255)
    achievement = forms.CharField(label=gettext_lazy("Thành tích"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 1}))

    def __init__(self, *args: Any, units: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = units
        self.picked: Unit | None = None
        initial_unit = self.initial.get("unit")
        if isinstance(initial_unit, Unit):
            self.picked = initial_unit
            self.initial["unit"] = initial_unit.pk

    @property
    def picked_list(self) -> list[Unit]:
        return [self.picked] if self.picked is not None else []

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("unit") and not (data.get("name") or "").strip()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        pk = data.get("unit")
        if pk:
            self.picked = self.units.filter(pk=pk).first()
            if self.picked is None:
                self.add_error(None, gettext("Đơn vị đã chọn không có hoặc nằm ngoài phạm vi của bạn."))
        elif (data.get("name") or "").strip():
            self.add_error(None, gettext("Hãy tìm và chọn đơn vị."))
        return data

    def recipient(self) -> RecipientData:
        data = self.cleaned_data
        return RecipientData(data["kind"], self.picked, data.get("name", ""), data.get("title", ""),
                             data.get("achievement", ""))


class BaseRecipientFormSet(forms.BaseFormSet):
    renderer: BaseRenderer  # set by BaseFormSet.__init__ (missing from django-stubs)

    def __init__(self, *args: Any, units: UnitQuerySet, **kwargs: Any) -> None:
        self.units = units
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"units": self.units}

    @property
    def empty_form(self) -> Any:
        form = self.form(auto_id=self.auto_id, prefix=self.add_prefix("__prefix__"), empty_permitted=True,
                         use_required_attribute=False, units=self.units, renderer=self.renderer)
        self.add_fields(form, None)
        return form

    def recipients(self) -> list[RecipientData]:
        return [f.recipient() for f in self.forms if f.is_valid() and not f.is_blank()]


# formset_factory makes a subclass of ``formset``; the stubs type the result as a plain BaseFormSet.
RecipientFormSet = cast(type[BaseRecipientFormSet], forms.formset_factory(
    RecipientForm, formset=BaseRecipientFormSet, extra=0, max_num=500, validate_max=True))


def recipient_formset(data: Any, units: UnitQuerySet, initial: list[RecipientData] | None = None,
                      rows: int = 6) -> BaseRecipientFormSet:
    listed = [{"kind": r.kind, "unit": r.unit, "name": r.name, "title": r.title, "achievement": r.achievement}
              for r in (initial or [])]
    listed += [{"kind": RecipientKind.COLLECTIVE}] * max(rows - len(listed), 2)
    return RecipientFormSet(data, initial=listed, prefix="r", units=units)


class DecisionForm(BootstrapForm):
    award_type = forms.ModelChoiceField(label=gettext_lazy("Hình thức khen thưởng"),
                                        queryset=AwardType.objects.active().in_order())
    year = forms.IntegerField(label=gettext_lazy("Năm"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    authority = UnitChoiceField(label=gettext_lazy("Đơn vị ban hành / ghi nhận"), queryset=Unit.objects.none())
    number = forms.CharField(label=gettext_lazy("Số quyết định"), max_length=60)
    date = date_field(gettext_lazy("Ngày quyết định"), required=True)
    issuer_name = forms.CharField(label=gettext_lazy("Cơ quan ban hành (nếu khác)"), required=False, max_length=255)
    signer_name = forms.CharField(label=gettext_lazy("Người ký"), required=False, max_length=120)
    signer_title = forms.CharField(label=gettext_lazy("Chức vụ người ký"), required=False, max_length=120)
    confirm_repeats = forms.BooleanField(required=False, label=gettext_lazy(
        "Tôi đã kiểm tra: vẫn ghi quyết định dù có người có thể đã nhận hình thức này"))

    def __init__(self, *args: Any, authorities: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities  # type: ignore[attr-defined]


class ProposalForm(BootstrapForm):
    proposing_unit = UnitChoiceField(label=gettext_lazy("Đơn vị đề nghị"), queryset=Unit.objects.none())
    award_type = forms.ModelChoiceField(label=gettext_lazy("Hình thức đề nghị"),
                                        queryset=AwardType.objects.active().in_order())
    year = forms.IntegerField(label=gettext_lazy("Năm"), min_value=YEAR_MIN, max_value=YEAR_MAX)
    title = forms.CharField(label=gettext_lazy("Trích yếu"), max_length=255)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, proposers: UnitQuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proposing_unit"].queryset = proposers  # type: ignore[attr-defined]


class ReturnForm(BootstrapForm):
    reason = forms.CharField(label=gettext_lazy("Lý do trả lại"), max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AwardTypeForm(BootstrapForm):
    code = forms.SlugField(label=gettext_lazy("Mã"), max_length=60)
    name = forms.CharField(label=gettext_lazy("Hình thức khen thưởng"), max_length=255)
    authority = forms.CharField(label=gettext_lazy("Cấp/người khen thưởng"), max_length=255)
    authority_level = forms.ChoiceField(label=gettext_lazy("Cấp khen thưởng"), choices=AuthorityLevel.choices)
    recipients = forms.ChoiceField(label=gettext_lazy("Đối tượng"), choices=RecipientScope.choices)
    certificate_title = forms.CharField(label=gettext_lazy("Tên trên giấy chứng nhận"), max_length=60)
    once_per_person = forms.BooleanField(label=gettext_lazy("Mỗi người chỉ nhận một lần"), required=False)
    order = forms.IntegerField(label=gettext_lazy("Thứ tự"), min_value=0, max_value=32000)
    active = forms.BooleanField(label=gettext_lazy("Đang dùng"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
