"""Forms of the ANTT pages. They parse input and show errors; every write goes through ``recognition.actions``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from phongtrao.lib.forms import BootstrapForm, date_field
from phongtrao.recognition.actions import GridRow
from phongtrao.recognition.models import Criterion, CriterionType, Derivation, Status
from phongtrao.units.models import STANDARD_KINDS, Kind, Unit

KIND_CHOICES = [("", gettext_lazy("Tất cả loại")), *[(k, Kind(k).label) for k in STANDARD_KINDS]]
STATUS_CHOICES = [("", gettext_lazy("Tất cả trạng thái")), *Status.choices]


class GridFilterForm(BootstrapForm):
    """The grid's query string: ``?kind=residential_area&status=registered&q=thon&page=2``."""

    q = forms.CharField(label=gettext_lazy("Tên hoặc mã"), required=False, max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), required=False, choices=KIND_CHOICES)
    status = forms.ChoiceField(label=gettext_lazy("Trạng thái"), required=False, choices=STATUS_CHOICES)

    def value(self, name: str) -> str:
        """The cleaned value, or "" when missing or malformed (a bad filter is ignored, never a 500)."""
        self.is_valid()
        return self.cleaned_data.get(name) or ""


def parse_grid(post: QueryDict, units: dict[int, Unit]) -> tuple[list[GridRow], dict[str, list[str]]]:
    """The edited rows of a posted grid. Each listed row sends ``v-<id>`` (its version) and may send
    ``reg-<id>`` (register), ``hh-<id>`` (households committed: implies register) and ``adv-<id>``.
    Rows of units not in ``units`` are ignored; untouched rows are left out."""
    rows: list[GridRow] = []
    errors: dict[str, list[str]] = {}
    for pk, unit in units.items():
        try:
            version = int(post.get(f"v-{pk}", ""))
        except ValueError:
            continue  # not on the posted page
        households_text = post.get(f"hh-{pk}", "").strip().replace(".", "")
        households = None
        if households_text:
            if not households_text.isdigit() or len(households_text) > 9:
                errors[str(pk)] = [gettext("Số hộ ký cam kết phải là số nguyên không âm.")]
                continue
            households = int(households_text)
        register = bool(post.get(f"reg-{pk}")) or households is not None
        advance = post.get(f"adv-{pk}", "")
        if register or advance:
            rows.append(GridRow(unit=unit, version=version, register=register, households_committed=households,
                                advance=advance))
    return rows, errors


class VersionForm(BootstrapForm):
    """A move that needs nothing but the version the page was read at (submit, start review)."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)


class RegisterForm(VersionForm):
    households_committed = forms.IntegerField(label=gettext_lazy("Số hộ ký cam kết"), required=False, min_value=0,
                                              max_value=10**8)
    registered_on = date_field(gettext_lazy("Ngày đăng ký"))

    def __init__(self, *args: Any, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if unit.kind != Kind.RESIDENTIAL_AREA:
            del self.fields["households_committed"]
        elif unit.households is not None:
            self.fields["households_committed"].help_text = gettext("Khu dân cư có %(n)s hộ.") % {
                "n": f"{unit.households:,}".replace(",", ".")}


YES_NO_CHOICES = [("", "—"), ("yes", gettext_lazy("Có")), ("no", gettext_lazy("Không"))]


class ChecklistForm(VersionForm):
    """One input per criterion, by its type; ``answers()`` gives what ``do_self_assess`` takes."""

    review_meeting_on = date_field(gettext_lazy("Ngày họp bình xét"), required=True)

    def __init__(self, *args: Any, criteria: list[Criterion], lines: dict[str, dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.lines = lines
        for c in criteria:
            value = lines.get(c.key, {}).get("value")
            for name, fld in self._fields_for(c, value):
                self.fields[name] = fld
        # BootstrapForm styled the fields present at its __init__; style the criterion inputs too.
        for fld in self.fields.values():
            widget = fld.widget
            if not isinstance(widget, forms.HiddenInput) and "class" not in widget.attrs:
                widget.attrs["class"] = "form-select" if isinstance(widget, forms.Select) else "form-control"

    @staticmethod
    def _fields_for(c: Criterion, value: Any) -> list[tuple[str, forms.Field]]:
        name = f"c{c.pk}"
        if c.type == CriterionType.YES_NO:
            initial = {True: "yes", False: "no"}.get(value, "") if isinstance(value, bool) else ""
            return [(name, forms.ChoiceField(choices=YES_NO_CHOICES, required=False, initial=initial,
                                             label=gettext("Trả lời")))]
        if c.type in (CriterionType.NO_EVENT, CriterionType.AT_LEAST_N):
            label = gettext("Số vụ") if c.type == CriterionType.NO_EVENT else gettext("Số lượng")
            return [(name, forms.IntegerField(required=False, min_value=0, max_value=10**8, label=label,
                                              initial=value if isinstance(value, int) else None))]
        if c.type == CriterionType.PERCENT_THRESHOLD:
            percent: Decimal | None = None
            if isinstance(value, dict) and value.get("whole"):
                percent = (Decimal(100) * value["part"] / value["whole"]).quantize(Decimal("0.01"))
            elif value is not None:
                percent = Decimal(str(value))
            help_text = (gettext("Để trống: tính từ số hộ ký cam kết.")
                         if c.derived_from == Derivation.HOUSEHOLDS_COMMITTED else "")
            return [(name, forms.DecimalField(required=False, min_value=0, max_value=100, max_digits=6,
                                              decimal_places=2, label=gettext("Tỷ lệ (%)"), help_text=help_text,
                                              initial=percent, localize=True))]
        if c.type == CriterionType.NOT_WORSE:
            current = value.get("current") if isinstance(value, dict) else None
            previous = value.get("previous") if isinstance(value, dict) else None
            return [
                (f"{name}_current", forms.IntegerField(required=False, min_value=0, max_value=10**8,
                                                       label=gettext("Số vụ năm nay"), initial=current)),
                (f"{name}_previous", forms.IntegerField(
                    required=False, min_value=0, max_value=10**8, label=gettext("Số vụ năm trước"), initial=previous,
                    help_text=gettext("Để trống: lấy từ kết quả năm trước."))),
            ]
        return []  # share_recognised: computed from the register

    def criteria_rows(self) -> list[dict[str, Any]]:
        """(criterion, its bound fields, its last recorded line) for the template, in order."""
        rows = []
        for c in self.criteria:
            names = [n for n in self.fields if n == f"c{c.pk}" or n.startswith(f"c{c.pk}_")]
            rows.append({"criterion": c, "fields": [self[n] for n in names], "line": self.lines.get(c.key)})
        return rows

    def answers(self) -> dict[str, Any]:
        """Answers keyed by criterion key; empty inputs are left out (the action names what is missing)."""
        data = self.cleaned_data
        answers: dict[str, Any] = {}
        for c in self.criteria:
            name = f"c{c.pk}"
            if c.type == CriterionType.YES_NO and data.get(name):
                answers[c.key] = data[name] == "yes"
            elif c.type in (CriterionType.NO_EVENT, CriterionType.AT_LEAST_N) and data.get(name) is not None:
                answers[c.key] = data[name]
            elif c.type == CriterionType.PERCENT_THRESHOLD and data.get(name) is not None:
                answers[c.key] = str(data[name])
            elif c.type == CriterionType.NOT_WORSE and data.get(f"{name}_current") is not None:
                previous = data.get(f"{name}_previous")
                current = data[f"{name}_current"]
                answers[c.key] = current if previous is None else {"current": current, "previous": previous}
        return answers


class DecideForm(VersionForm):
    result = forms.ChoiceField(label=gettext_lazy("Kết quả"), widget=forms.RadioSelect,
                               choices=[("dat", gettext_lazy("Đạt")), ("chua_dat", gettext_lazy("Chưa đạt"))])
    decision_no = forms.CharField(label=gettext_lazy("Số quyết định"), required=False, max_length=60)
    decision_date = date_field(gettext_lazy("Ngày quyết định"))
    signer_name = forms.CharField(label=gettext_lazy("Người ký"), required=False, max_length=120)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, signer: tuple[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["result"].widget.attrs["class"] = "form-check-input"
        self.fields["decision_date"].initial = timezone.localdate()
        prefill_signer(self, signer)


def prefill_signer(form: forms.Form, signer: tuple[str, str] | None) -> None:
    """The signer field starts with the competent chairman's name (from their latest decision) and says
    whose signature the decision needs."""
    if signer is None:
        return
    name, title = signer
    form.fields["signer_name"].initial = name
    form.fields["signer_name"].help_text = gettext("Người có thẩm quyền ký: %(title)s.") % {"title": title}


class WithdrawForm(VersionForm):
    reason = forms.CharField(label=gettext_lazy("Lý do rút/thu hồi"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)


class BulkForm(BootstrapForm):
    """One decision for many units: the ticked records, the decision's number, date and signer."""

    decision_no = forms.CharField(label=gettext_lazy("Số quyết định"), max_length=60)
    decision_date = date_field(gettext_lazy("Ngày quyết định"), required=True)
    signer_name = forms.CharField(label=gettext_lazy("Người ký"), max_length=120)
    units = forms.TypedMultipleChoiceField(label=gettext_lazy("Đơn vị"), coerce=int, required=True,
                                           widget=forms.CheckboxSelectMultiple,
                                           error_messages={"required": gettext_lazy("Chưa chọn đơn vị nào.")})

    def __init__(self, *args: Any, choices: list[tuple[int, str]], signer: tuple[str, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedMultipleChoiceField, self.fields["units"]).choices = choices
        self.fields["decision_date"].initial = timezone.localdate()
        prefill_signer(self, signer)
