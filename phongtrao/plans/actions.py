"""Named actions of plans: create, edit and move a plan; save an objective (and assess one by hand); save a task
and its assignments; report a task's progress; add a province's own participating organisation. Views,
importers, the demo and commands call these.

Who acts: ``plans.edit`` on the plan's unit (capture scope) writes plans, objectives and tasks; a task's progress
is reported by the reporter of an assigned organisation (an account holding ``plans.report_task`` whose home
unit is the organisation's reporting unit, ``Organisation.unit``) or by whoever may edit the plan. Plans and
tasks move through ``PLANS`` / ``TASKS`` (``lib.workflow``); an objective carries its own version. A stale
version is refused (``StaleVersion``), never overwritten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from phongtrao.accounts import access
from phongtrao.audit.actions import Actor, record
from phongtrao.datasets.models import DataElement, Indicator
from phongtrao.lib import indicators as library
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR
from phongtrao.lib.workflow import ActionError, StaleVersion, acting_user
from phongtrao.plans.models import (
    PLANS,
    TASKS,
    Assignment,
    Comparator,
    Objective,
    Organisation,
    OrganisationCategory,
    Plan,
    PlanKind,
    PlanStatus,
    Scope,
    Task,
    TaskKind,
    TaskStatus,
)
from phongtrao.units.models import Kind, Unit

__all__ = ["ActionError", "ObjectiveData", "PlanData", "StaleVersion", "TaskData", "can_report", "do_add_organisation",
           "do_create_plan", "do_move_plan", "do_report_task", "do_save_objective", "do_save_task",
           "do_update_plan"]


def _require_edit(actor: Actor, unit: Unit) -> None:
    access.require(acting_user(actor), "plans.edit", unit, error=ActionError,
                   message=gettext("Bạn không có quyền lập, sửa kế hoạch của %(name)s.") % {"name": unit.name})


def _years_error(first: int | None, last: int | None) -> str | None:
    if first is None or last is None:
        return gettext("Nhập đủ năm bắt đầu và năm kết thúc.")
    if not FIRST_RECORD_YEAR <= first <= LAST_RECORD_YEAR or not FIRST_RECORD_YEAR <= last <= LAST_RECORD_YEAR:
        return gettext("Năm phải từ %(first)s đến %(last)s.") % {"first": FIRST_RECORD_YEAR, "last": LAST_RECORD_YEAR}
    if last < first:
        return gettext("Năm kết thúc không được trước năm bắt đầu.")
    return None


@dataclass
class PlanData:
    """What a plan's form, an import row or the demo gives."""

    kind: PlanKind
    number: str
    issued_on: dt.date
    title: str
    issuing_unit: Unit
    unit: Unit
    from_year: int
    to_year: int
    issuers: Sequence[Organisation] = ()
    parent: Plan | None = None
    note: str = ""

    def errors(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        self.number = " ".join(self.number.split())
        self.title = " ".join(self.title.split())
        if not self.number:
            errors["number"] = [gettext("Nhập số văn bản ban hành kế hoạch.")]
        elif len(self.number) > 60:
            errors["number"] = [gettext("Số văn bản dài quá 60 ký tự.")]
        if not self.title:
            errors["title"] = [gettext("Nhập tên kế hoạch.")]
        elif len(self.title) > 500:
            errors["title"] = [gettext("Tên kế hoạch dài quá 500 ký tự.")]
        if (message := _years_error(self.from_year, self.to_year)) is not None:
            errors["to_year"] = [message]
        if self.unit.kind in (Kind.RESIDENTIAL_AREA, Kind.AGENCY, Kind.ENTERPRISE, Kind.SCHOOL):
            errors["unit"] = [gettext("Kế hoạch được lập cho tỉnh, xã, phường (hoặc cả nước).")]
        if self.parent is not None and self.parent.unit_id != self.unit.pk and not Unit.objects.filter(
                pk=self.unit.pk, ancestor_links__ancestor_id=self.parent.unit_id).exists():
            errors["parent"] = [gettext("Kế hoạch cấp trên phải bao trùm địa bàn của kế hoạch này.")]
        return errors

    def fields(self) -> dict[str, Any]:
        return {"kind": self.kind, "number": self.number, "issued_on": self.issued_on, "title": self.title,
                "issuing_unit": self.issuing_unit, "unit": self.unit, "from_year": self.from_year,
                "to_year": self.to_year, "parent": self.parent, "note": self.note}


def do_create_plan(actor: Actor, data: PlanData, *, status: str = PlanStatus.DRAFT) -> Plan:
    _require_edit(actor, data.unit)
    errors = data.errors()
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        plan = Plan(**data.fields(), status=status)
        plan.save()
        plan.issuers.set(data.issuers)
        PLANS.created(plan, actor=actor, audit_after={"issuers": sorted(o.pk for o in data.issuers)})
    return plan


def do_update_plan(actor: Actor, pk: int, data: PlanData, *, expected_version: int | None) -> Plan:
    """Change a plan's details; refused if someone saved it after ``expected_version`` was read."""
    with transaction.atomic():
        plan = PLANS.lock(pk)
        _require_edit(actor, plan.unit)
        _require_edit(actor, data.unit)
        PLANS.refuse(plan, "update", expected_version)
        errors = data.errors()
        if data.parent is not None and data.parent.pk == plan.pk:
            errors["parent"] = [gettext("Kế hoạch không thể thực hiện chính nó.")]
        if errors:
            raise ActionError(errors)
        PLANS.move(plan, "update", actor=actor, expected_version=expected_version, changes=data.fields(),
                   audit_after={"issuers": sorted(o.pk for o in data.issuers)})
        plan.issuers.set(data.issuers)
    return plan


def do_move_plan(actor: Actor, pk: int, action: str, *, expected_version: int | None, reason: str = "") -> Plan:
    """Bring a plan into force, end it, or mark it replaced (with a reason)."""
    if action not in ("activate", "end", "replace"):
        raise ActionError(gettext("Thao tác không hợp lệ."))
    with transaction.atomic():
        plan = PLANS.lock(pk)
        _require_edit(actor, plan.unit)
        PLANS.refuse(plan, action, expected_version)
        PLANS.move(plan, action, actor=actor, expected_version=expected_version, reason=reason)
    return plan


# --- objectives ----------------------------------------------------------------------------------


@dataclass
class ObjectiveData:
    number: int
    text: str
    indicator: Indicator | None = None
    figure: str = ""
    element: DataElement | None = None
    comparator: str = Comparator.GE
    target: Decimal | None = None
    from_year: int | None = None
    to_year: int | None = None
    scope: str = Scope.WHOLE
    manual_met: bool | None = None
    manual_note: str = ""

    def errors(self, plan: Plan) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        self.text = self.text.strip()
        self.figure = self.figure.strip()
        if not 1 <= self.number <= 999:
            errors["number"] = [gettext("Số thứ tự mục tiêu phải từ 1 đến 999.")]
        if not self.text:
            errors["text"] = [gettext("Nhập nội dung mục tiêu.")]
        measures = sum(1 for m in (self.indicator, self.figure, self.element) if m)
        if measures > 1:
            errors["indicator"] = [gettext("Chọn một cách đo: chỉ số, số liệu có sẵn hoặc chỉ tiêu số liệu.")]
        if self.figure and library.figure(self.figure) is None:
            errors["figure"] = [gettext("Không có số liệu có sẵn mã “%(key)s”.") % {"key": self.figure}]
        if measures and self.target is None:
            errors["target"] = [gettext("Mục tiêu đo bằng số liệu phải có chỉ tiêu.")]
        if self.comparator not in Comparator.values:
            errors["comparator"] = [gettext("Cách so sánh không hợp lệ.")]
        if self.scope not in Scope.values:
            errors["scope"] = [gettext("Nơi đo không hợp lệ.")]
        if not measures:
            self.scope, self.target = Scope.WHOLE, None
        else:
            self.manual_met = None
        if self.from_year is not None or self.to_year is not None:
            first, last = self.from_year or plan.from_year, self.to_year or plan.to_year
            if (message := _years_error(first, last)) is not None:
                errors["to_year"] = [message]
            elif first < plan.from_year or last > plan.to_year:
                errors["to_year"] = [gettext("Năm áp dụng phải nằm trong thời gian của kế hoạch (%(a)s–%(b)s).")
                                     % {"a": plan.from_year, "b": plan.to_year}]
        return errors

    def fields(self) -> dict[str, Any]:
        return {"number": self.number, "text": self.text, "indicator": self.indicator, "figure": self.figure,
                "element": self.element, "comparator": self.comparator, "target": self.target,
                "from_year": self.from_year, "to_year": self.to_year, "scope": self.scope,
                "manual_met": self.manual_met, "manual_note": self.manual_note.strip()}


def do_save_objective(actor: Actor, plan_pk: int, data: ObjectiveData, *, pk: int | None = None,
                      expected_version: int | None = None) -> Objective:
    """Add an objective to the plan (``pk`` None) or change one (refused when stale); a hand assessment is a
    change of ``manual_met`` / ``manual_note``."""
    with transaction.atomic():
        plan = PLANS.lock(plan_pk)
        _require_edit(actor, plan.unit)
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.IN_FORCE):
            raise ActionError(gettext("Kế hoạch đã kết thúc hoặc đã được thay thế: không sửa mục tiêu được nữa."))
        errors = data.errors(plan)
        taken = Objective.objects.filter(plan=plan, number=data.number).exclude(pk=pk or 0).exists()
        if taken:
            errors["number"] = [gettext("Kế hoạch đã có mục tiêu số %(n)s.") % {"n": data.number}]
        if pk is None:
            if errors:
                raise ActionError(errors)
            objective = Objective(plan=plan, **data.fields())
            objective.save()
            record(actor, "plan_objective.save", objective, unit=plan.unit, before=None, after=objective.snapshot())
            return objective
        found = Objective.objects.select_for_update().filter(pk=pk, plan=plan).first()
        if found is None:
            raise ActionError(gettext("Không tìm thấy mục tiêu."))
        objective = found
        if expected_version is not None and objective.version != expected_version:
            raise StaleVersion(gettext("Mục tiêu %(n)s vừa được người khác cập nhật sau khi bạn mở trang; thay đổi "
                                       "của bạn chưa được lưu. Hãy tải lại trang rồi làm lại.")
                               % {"n": objective.number})
        if errors:
            raise ActionError(errors)
        before = objective.snapshot()
        for name, value in data.fields().items():
            setattr(objective, name, value)
        objective.version += 1
        objective.save()
        record(actor, "plan_objective.save", objective, unit=plan.unit, before=before, after=objective.snapshot())
    return objective


# --- tasks -------------------------------------------------------------------------------------


@dataclass
class TaskData:
    number: int
    text: str
    kind: str = TaskKind.KEY
    year: int | None = None
    due_on: dt.date | None = None
    element: DataElement | None = None
    organisations: Sequence[Organisation] = field(default_factory=list)
    lead: Organisation | None = None

    def errors(self, plan: Plan) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        self.text = self.text.strip()
        if not 1 <= self.number <= 999:
            errors["number"] = [gettext("Số thứ tự nhiệm vụ phải từ 1 đến 999.")]
        if not self.text:
            errors["text"] = [gettext("Nhập nội dung nhiệm vụ.")]
        if self.kind not in TaskKind.values:
            errors["kind"] = [gettext("Loại nhiệm vụ không hợp lệ.")]
        if self.kind == TaskKind.YEARLY and self.year is None:
            errors["year"] = [gettext("Nhiệm vụ hằng năm phải có năm thực hiện.")]
        if self.year is not None and not plan.from_year <= self.year <= plan.to_year:
            errors["year"] = [gettext("Năm thực hiện phải nằm trong thời gian của kế hoạch (%(a)s–%(b)s).")
                              % {"a": plan.from_year, "b": plan.to_year}]
        if self.lead is not None and self.lead not in self.organisations:
            self.organisations = [*self.organisations, self.lead]
        if not self.organisations:
            errors["organisations"] = [gettext("Giao nhiệm vụ cho ít nhất một cơ quan, tổ chức.")]
        return errors

    def fields(self) -> dict[str, Any]:
        return {"number": self.number, "text": self.text, "kind": self.kind, "year": self.year,
                "due_on": self.due_on, "element": self.element}


def _assign(task: Task, data: TaskData) -> None:
    task.assignments.all().delete()
    Assignment.objects.bulk_create([Assignment(task=task, organisation=o, lead=data.lead is not None and o == data.lead)
                                    for o in dict.fromkeys(data.organisations)])


def do_save_task(actor: Actor, plan_pk: int, data: TaskData, *, pk: int | None = None,
                 expected_version: int | None = None) -> Task:
    with transaction.atomic():
        plan = PLANS.lock(plan_pk)
        _require_edit(actor, plan.unit)
        errors = data.errors(plan)
        if Task.objects.filter(plan=plan, number=data.number).exclude(pk=pk or 0).exists():
            errors["number"] = [gettext("Kế hoạch đã có nhiệm vụ số %(n)s.") % {"n": data.number}]
        after = {"organisations": sorted(o.pk for o in data.organisations),
                 "lead": data.lead.pk if data.lead else None}
        if pk is None:
            if errors:
                raise ActionError(errors)
            task = Task(plan=plan, **data.fields())
            task.save()
            _assign(task, data)
            TASKS.created(task, actor=actor, audit_after=after)
            return task
        task = TASKS.lock(pk)
        if task.plan_id != plan.pk:
            raise ActionError(gettext("Không tìm thấy nhiệm vụ."))
        TASKS.refuse(task, "update", expected_version)
        if errors:
            raise ActionError(errors)
        TASKS.move(task, "update", actor=actor, expected_version=expected_version, changes=data.fields(),
                   audit_after=after)
        _assign(task, data)
    return task


def can_report(user: Any, task: Task) -> bool:
    """Whether ``user`` may report the task's progress: the reporter of an assigned organisation (home unit =
    the organisation's reporting unit), or whoever may edit the plan."""
    if user is None:
        return True
    if access.may(user, "plans.edit", task.plan.unit):
        return True
    home = getattr(user, "unit_id", None)
    return (home is not None and access.holds(user, "plans.report_task")
            and task.assignments.filter(organisation__unit_id=home).exists())


def do_report_task(actor: Actor, pk: int, *, status: str, result_note: str = "",
                   expected_version: int | None) -> Task:
    """The assignee reports: not started, in progress or done, with a short result note."""
    if status not in TaskStatus.values:
        raise ActionError({"status": [gettext("Tình trạng không hợp lệ.")]})
    if len(result_note) > 2000:
        raise ActionError({"result_note": [gettext("Kết quả thực hiện dài quá 2.000 ký tự.")]})
    with transaction.atomic():
        task = TASKS.lock(pk)
        if not can_report(acting_user(actor), task):
            raise ActionError(gettext("Nhiệm vụ này không giao cho cơ quan, tổ chức của bạn."))
        TASKS.refuse(task, "report", expected_version)
        TASKS.move(task, "report", actor=actor, expected_version=expected_version,
                   changes={"status": status, "result_note": result_note.strip()})
    return task


# --- the catalogue -------------------------------------------------------------------------------


def do_add_organisation(actor: Actor, province: Unit, *, code: str, name: str, name_en: str = "",
                        category: str = OrganisationCategory.OTHER, unit: Unit | None = None) -> Organisation:
    """A province's own participating organisation (optionally with the register unit that reports for it)."""
    access.require(acting_user(actor), "plans.organisations", province, error=ActionError,
                   message=gettext("Bạn không có quyền thêm cơ quan, tổ chức phối hợp của %(name)s.")
                   % {"name": province.name})
    code, name = code.strip(), " ".join(name.split())
    errors: dict[str, list[str]] = {}
    if province.kind != Kind.PROVINCE:
        errors["province"] = [gettext("Cơ quan, tổ chức phối hợp riêng được thêm cho tỉnh, thành phố.")]
    if not code or len(code) > 60:
        errors["code"] = [gettext("Nhập mã (tối đa 60 ký tự).")]
    if not name:
        errors["name"] = [gettext("Nhập tên cơ quan, tổ chức.")]
    if category not in OrganisationCategory.values:
        errors["category"] = [gettext("Nhóm không hợp lệ.")]
    if Organisation.objects.filter(province=province, code=code).exists():
        errors["code"] = [gettext("Tỉnh đã có cơ quan, tổ chức mã “%(code)s”.") % {"code": code}]
    if unit is not None and not Unit.objects.filter(pk=unit.pk, ancestor_links__ancestor_id=province.pk).exists():
        errors["unit"] = [gettext("Đơn vị báo cáo phải thuộc tỉnh.")]
    if errors:
        raise ActionError(errors)
    with transaction.atomic():
        organisation = Organisation.objects.create(code=code, name=name, name_en=name_en, category=category,
                                                   province=province, unit=unit)
        record(actor, "plan_organisation.create", organisation, unit=province, before=None,
               after=organisation.snapshot())
    return organisation
