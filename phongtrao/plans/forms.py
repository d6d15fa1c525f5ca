"""Forms of the plans' pages. They parse input and show errors; every write goes through ``actions``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from phongtrao.datasets.models import DataElement, Indicator
from phongtrao.lib import indicators as library
from phongtrao.lib.forms import BootstrapForm, date_field
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR
from phongtrao.plans.actions import ObjectiveData, TaskData
from phongtrao.plans.committees import CompositionData, MemberData
from phongtrao.plans.models import (
    CommitteePosition,
    Comparator,
    Objective,
    Organisation,
    Plan,
    PlanKind,
    PlanStatus,
    Scope,
    Task,
    TaskKind,
    TaskStatus,
)

SORTS = {
    "issued": ("-issued_on", "-pk"),
    "-issued": ("issued_on", "pk"),
    "number": ("number", "pk"),
    "period": ("-from_year", "-to_year", "pk"),
}
SORT_CHOICES = [("issued", gettext_lazy("Ban hành mới nhất trước")),
                ("-issued", gettext_lazy("Ban hành cũ nhất trước")),
                ("number", gettext_lazy("Số văn bản (A–Z)")), ("period", gettext_lazy("Thời gian thực hiện"))]


def year_field(label: Any, *, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, min_value=FIRST_RECORD_YEAR, max_value=LAST_RECORD_YEAR)


class PlanListForm(BootstrapForm):
    """The query string of the list: ``?q=2631&kind=3&status=in_force&sort=issued&page=2``."""

    q = forms.CharField(label=gettext_lazy("Tên, số văn bản hoặc địa bàn"), required=False, max_length=200)
    kind = forms.ModelChoiceField(label=gettext_lazy("Loại"), required=False, queryset=PlanKind.objects.all(),
                                  empty_label=gettext_lazy("Mọi loại"))
    status = forms.ChoiceField(label=gettext_lazy("Trạng thái"), required=False,
                               choices=[("", gettext_lazy("Mọi trạng thái")), *PlanStatus.choices])
    sort = forms.ChoiceField(label=gettext_lazy("Sắp xếp"), required=False, choices=SORT_CHOICES)

    def values(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}


class PlanForm(BootstrapForm):
    kind = forms.ModelChoiceField(label=gettext_lazy("Loại"), queryset=PlanKind.objects.all())
    number = forms.CharField(label=gettext_lazy("Số văn bản ban hành"), max_length=60)
    issued_on = date_field(gettext_lazy("Ngày ban hành"), required=True)
    title = forms.CharField(label=gettext_lazy("Tên kế hoạch, đề án"), max_length=500)
    unit_code = forms.CharField(label=gettext_lazy("Mã đơn vị thực hiện (tỉnh, xã)"), max_length=40)
    from_year = year_field(gettext_lazy("Từ năm"))
    to_year = year_field(gettext_lazy("Đến năm"))
    issuers = forms.ModelMultipleChoiceField(label=gettext_lazy("Cơ quan ban hành (kế hoạch liên tịch)"),
                                             required=False, queryset=Organisation.objects.none(),
                                             widget=forms.CheckboxSelectMultiple)
    parent = forms.ModelChoiceField(label=gettext_lazy("Thực hiện kế hoạch cấp trên"), required=False,
                                    queryset=Plan.objects.none(), empty_label=gettext_lazy("Không có"))
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisations: Any, parents: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuers"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["issuers"].widget.attrs["class"] = "list-unstyled mb-0"
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, plan: Plan) -> dict[str, Any]:
        return {"kind": plan.kind_id, "number": plan.number, "issued_on": plan.issued_on, "title": plan.title,
                "unit_code": plan.unit.code, "from_year": plan.from_year, "to_year": plan.to_year,
                "issuers": list(plan.issuers.values_list("pk", flat=True)), "parent": plan.parent_id,
                "note": plan.note, "version": plan.version}


def measure_choices() -> list[tuple[str, Any]]:
    """One select for the measure: by hand, an indicator (``i:<id>``), a built-in figure (``f:<key>``) or a data
    element's total (``e:<id>``)."""
    indicators = [(f"i:{i.pk}", i.label) for i in Indicator.objects.order_by("position", "code")]
    figures = [(f"f:{f.key}", f.name) for f in library.figures()]
    elements = [(f"e:{e.pk}", e.label) for e in DataElement.objects.exclude(value_type="date").order_by("code")]
    return [("", gettext("Đánh giá thủ công (không đo bằng số liệu)")),
            (gettext("Chỉ số"), indicators), (gettext("Số liệu có sẵn"), figures),
            (gettext("Tổng của chỉ tiêu số liệu"), elements)]


MANUAL_CHOICES = [("", gettext_lazy("Chưa đánh giá")), ("yes", gettext_lazy("Đạt")), ("no", gettext_lazy("Chưa đạt"))]


class ObjectiveForm(BootstrapForm):
    number = forms.IntegerField(label=gettext_lazy("Mục tiêu số"), min_value=1, max_value=999)
    text = forms.CharField(label=gettext_lazy("Nội dung mục tiêu"), widget=forms.Textarea(attrs={"rows": 2}))
    measure = forms.ChoiceField(label=gettext_lazy("Đo bằng"), required=False)
    comparator = forms.ChoiceField(label=gettext_lazy("So sánh"), choices=Comparator.choices, initial=Comparator.GE)
    target = forms.DecimalField(label=gettext_lazy("Chỉ tiêu"), required=False, max_digits=18, decimal_places=4)
    from_year = year_field(gettext_lazy("Áp dụng từ năm"), required=False)
    to_year = year_field(gettext_lazy("Áp dụng đến năm"), required=False)
    scope = forms.ChoiceField(label=gettext_lazy("Nơi đo"), choices=Scope.choices, initial=Scope.WHOLE)
    manual_met = forms.ChoiceField(label=gettext_lazy("Kết quả đánh giá thủ công"), required=False,
                                   choices=MANUAL_CHOICES)
    manual_note = forms.CharField(label=gettext_lazy("Nhận xét, căn cứ đánh giá"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = measure_choices()  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, objective: Objective) -> dict[str, Any]:
        measure = (f"i:{objective.indicator_id}" if objective.indicator_id else f"f:{objective.figure}"
                   if objective.figure else f"e:{objective.element_id}" if objective.element_id else "")
        manual = "" if objective.manual_met is None else "yes" if objective.manual_met else "no"
        return {"number": objective.number, "text": objective.text, "measure": measure,
                "comparator": objective.comparator, "target": objective.target, "from_year": objective.from_year,
                "to_year": objective.to_year, "scope": objective.scope, "manual_met": manual,
                "manual_note": objective.manual_note, "version": objective.version}

    def objective_data(self) -> ObjectiveData:
        d = self.cleaned_data
        measure: str = d.get("measure") or ""
        prefix, _, key = measure.partition(":")
        indicator = Indicator.objects.filter(pk=int(key)).first() if prefix == "i" and key.isdigit() else None
        element = DataElement.objects.filter(pk=int(key)).first() if prefix == "e" and key.isdigit() else None
        target: Decimal | None = d.get("target")
        return ObjectiveData(number=d["number"], text=d["text"], indicator=indicator,
                             figure=key if prefix == "f" else "", element=element, comparator=d["comparator"],
                             target=target, from_year=d.get("from_year"), to_year=d.get("to_year"),
                             scope=d["scope"], manual_met={"yes": True, "no": False}.get(d.get("manual_met") or ""),
                             manual_note=d.get("manual_note") or "")


class TaskForm(BootstrapForm):
    number = forms.IntegerField(label=gettext_lazy("Nhiệm vụ số"), min_value=1, max_value=999)
    kind = forms.ChoiceField(label=gettext_lazy("Loại nhiệm vụ"), choices=TaskKind.choices, initial=TaskKind.KEY)
    year = year_field(gettext_lazy("Năm thực hiện (nhiệm vụ hằng năm)"), required=False)
    text = forms.CharField(label=gettext_lazy("Nội dung nhiệm vụ"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = date_field(gettext_lazy("Hạn hoàn thành"))
    organisations = forms.ModelMultipleChoiceField(label=gettext_lazy("Cơ quan, tổ chức thực hiện"),
                                                   queryset=Organisation.objects.none(),
                                                   widget=forms.CheckboxSelectMultiple)
    lead = forms.ModelChoiceField(label=gettext_lazy("Cơ quan chủ trì"), required=False,
                                  queryset=Organisation.objects.none(), empty_label=gettext_lazy("Không ghi"))
    element = forms.ModelChoiceField(label=gettext_lazy("Hoàn thành khi chỉ tiêu số liệu của năm đạt ít nhất 1"),
                                     required=False, queryset=DataElement.objects.exclude(value_type="date"),
                                     empty_label=gettext_lazy("Không gắn"))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = organisations  # type: ignore[attr-defined]
        self.fields["organisations"].widget.attrs["class"] = "list-unstyled mb-0"
        self.fields["lead"].queryset = organisations  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, task: Task) -> dict[str, Any]:
        assignments = list(task.assignments.all())
        lead = next((a.organisation_id for a in assignments if a.lead), None)
        return {"number": task.number, "kind": task.kind, "year": task.year, "text": task.text,
                "due_on": task.due_on, "organisations": [a.organisation_id for a in assignments], "lead": lead,
                "element": task.element_id, "version": task.version}

    def task_data(self) -> TaskData:
        d = self.cleaned_data
        return TaskData(number=d["number"], text=d["text"], kind=d["kind"], year=d.get("year"),
                        due_on=d.get("due_on"), element=d.get("element"), organisations=list(d["organisations"]),
                        lead=d.get("lead"))


class ReportForm(BootstrapForm):
    status = forms.ChoiceField(label=gettext_lazy("Tình trạng"), choices=TaskStatus.choices)
    result_note = forms.CharField(label=gettext_lazy("Kết quả thực hiện"), required=False, max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class MoveForm(BootstrapForm):
    action = forms.ChoiceField(choices=[("activate", "activate"), ("end", "end"), ("replace", "replace")],
                               widget=forms.HiddenInput)
    reason = forms.CharField(label=gettext_lazy("Lý do"), required=False, max_length=500)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


# --- steering committees ---------------------------------------------------------------------------

COMMITTEE_SORTS = {
    "unit": ("unit__sort_key", "pk"),
    "decided": ("-current__decided_on", "-pk"),
    "-decided": ("current__decided_on", "pk"),
    "version": ("-version", "unit__sort_key", "pk"),
}
COMMITTEE_SORT_CHOICES = [("unit", gettext_lazy("Theo đơn vị")),
                          ("decided", gettext_lazy("Quyết định mới nhất trước")),
                          ("-decided", gettext_lazy("Quyết định cũ nhất trước")),
                          ("version", gettext_lazy("Kiện toàn nhiều lần nhất trước"))]
LEVEL_CHOICES = [("", gettext_lazy("Mọi cấp")), ("province", gettext_lazy("Cấp tỉnh")),
                 ("commune", gettext_lazy("Cấp xã"))]
MEMBER_ROWS = 20  # rows of the members table on the form (the current members and empty rows)


class CommitteeListForm(BootstrapForm):
    """The query string of the committees' list: ``?q=T99&level=commune&sort=decided&page=2``."""

    q = forms.CharField(label=gettext_lazy("Đơn vị, tên hoặc số quyết định"), required=False, max_length=200)
    level = forms.ChoiceField(label=gettext_lazy("Cấp"), required=False, choices=LEVEL_CHOICES)
    sort = forms.ChoiceField(label=gettext_lazy("Sắp xếp"), required=False, choices=COMMITTEE_SORT_CHOICES)

    def values(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}


class CompositionForm(BootstrapForm):
    """The decision of a constitution (with the unit and the committee's name) or a re-constitution, and the
    members: ``MEMBER_ROWS`` rows ``m<i>-organisation``, ``m<i>-position``, ``m<i>-title``, ``m<i>-name``; an empty
    row is skipped, a half-filled one is an error."""

    unit_code = forms.CharField(label=gettext_lazy("Mã đơn vị (tỉnh, xã)"), max_length=40)
    name = forms.CharField(label=gettext_lazy("Tên Ban Chỉ đạo"), max_length=255, required=False)
    decision_number = forms.CharField(label=gettext_lazy("Số quyết định"), max_length=60)
    decided_on = date_field(gettext_lazy("Ngày quyết định"), required=True)
    issuer = forms.CharField(label=gettext_lazy("Cơ quan ban hành quyết định"), max_length=255)
    note = forms.CharField(label=gettext_lazy("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organisations: Any, creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["unit_code"], self.fields["name"]
        self.organisations = {o.pk: o for o in organisations}
        self.positions = {p.pk: p for p in CommitteePosition.objects.all()}
        self.rows: list[dict[str, Any]] = []
        self.members: list[MemberData] = []

    def member_rows(self, initial: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows to render: what was posted, else ``initial`` (the current members), padded with empty rows."""
        if self.is_bound:
            rows = [{"organisation": self.data.get(f"m{i}-organisation", ""), "position": self.data.get(
                f"m{i}-position", ""), "title": self.data.get(f"m{i}-title", ""),
                "name": self.data.get(f"m{i}-name", "")} for i in range(MEMBER_ROWS)]
        else:
            rows = [*initial[:MEMBER_ROWS]] + [{} for _ in range(MEMBER_ROWS - min(len(initial), MEMBER_ROWS))]
        return [{"i": i, **row} for i, row in enumerate(rows)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        members: list[MemberData] = []
        bad = False
        for i in range(MEMBER_ROWS):
            org, position = self.data.get(f"m{i}-organisation", ""), self.data.get(f"m{i}-position", "")
            title, name = self.data.get(f"m{i}-title", "").strip(), self.data.get(f"m{i}-name", "").strip()
            if not (org or title or name):
                continue
            o = self.organisations.get(int(org)) if str(org).isdigit() else None
            p = self.positions.get(int(position)) if str(position).isdigit() else None
            if o is None or p is None or not title:
                bad = True
                continue
            members.append(MemberData(o, p, title[:255], name[:120]))
        if bad:
            self.add_error(None, gettext("Mỗi dòng thành viên phải có cơ quan, tổ chức, chức danh và chức vụ."))
        self.members = members
        return cleaned

    def composition(self) -> CompositionData:
        d = self.cleaned_data
        return CompositionData(decision_number=d["decision_number"], decided_on=d["decided_on"], issuer=d["issuer"],
                               members=self.members, note=d.get("note") or "")
