"""Pages of plans: the list (search, filters, sort, pages, Excel), a plan's page (its objectives measured live for
the chosen year with the trend over the plan's years and "đạt x/y mục tiêu", the communes failing a per-commune
objective, its tasks), forms to create and edit plans, objectives and tasks, a plan's status moves, "my tasks"
of an organisation's reporter and the overdue tasks of the plans a user may edit.

Plans are seen by whoever sees their unit, and by whoever sees a unit they cover (a commune officer sees the
province's plans, read-only, with only the failing units they see; 404 otherwise); who may write is the
``plans.*`` policies, asked by the actions (which refuse with ``ActionError``) and by the pages to show or hide a form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from phongtrao.accounts.access import holds, may, scope_roots, units_where, visible_units
from phongtrao.audit.actions import Actor
from phongtrao.lib.workflow import ActionError
from phongtrao.plans import actions
from phongtrao.plans.actions import PlanData
from phongtrao.plans.evaluation import Assessment, evaluate_plan, tally
from phongtrao.plans.export import plan_workbook, plans_workbook
from phongtrao.plans.figures import done_by_data, effective_status, objective_count_text, value_text
from phongtrao.plans.forms import SORTS, MoveForm, ObjectiveForm, PlanForm, PlanListForm, ReportForm, TaskForm
from phongtrao.plans.models import (
    PLANS,
    Assignment,
    Objective,
    Organisation,
    Plan,
    PlanEvent,
    PlanQuerySet,
    PlanStatus,
    Task,
    TaskEvent,
    TaskQuerySet,
    TaskStatus,
)
from phongtrao.units.models import Kind, Unit

PER_PAGE = 50
EXPORT_LIMIT = 10_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _visible(request: HttpRequest) -> PlanQuerySet:
    """The plans of the units the user sees, and for a user whose scope is a commune (or a province) the plans of
    the units above that cover it (a commune officer sees the province's scheme; read-only, as ``plans.edit`` is
    asked on the plan's unit). An organisation's account (its scope an agency) sees only what is in its scope."""
    user = request.user
    roots = scope_roots(user).filter(kind__in=(Kind.COUNTRY, Kind.PROVINCE, Kind.COMMUNE)) if (
        user.is_authenticated) else Unit.objects.none()
    above = Unit.objects.filter(descendant_links__unit__in=roots)
    return Plan.objects.filter(Q(unit__in=visible_units(user)) | Q(unit__in=above))


def _plan(request: HttpRequest, pk: int) -> Plan:
    plan = _visible(request).select_related("kind", "unit", "issuing_unit", "parent").filter(pk=pk).first()
    if plan is None:
        raise Http404(gettext("Không tìm thấy kế hoạch."))
    return plan


def _province_of(unit: Unit) -> Unit | None:
    if unit.kind == Kind.PROVINCE:
        return unit
    return Unit.objects.filter(descendant_links__unit=unit, kind=Kind.PROVINCE).first()


def organisations_for(unit: Unit | None) -> QuerySet[Organisation]:
    return Organisation.objects.for_province(_province_of(unit) if unit is not None else None).filter(active=True)


def _filtered(request: HttpRequest) -> tuple[PlanListForm, QuerySet[Plan]]:
    form = PlanListForm(request.GET)
    values = form.values()
    plans = _visible(request).select_related("kind", "unit").search(values.get("q") or "")
    if values.get("kind"):
        plans = plans.filter(kind=values["kind"])
    if values.get("status"):
        plans = plans.filter(status=values["status"])
    return form, plans.order_by(*SORTS.get(values.get("sort") or "issued", SORTS["issued"]))


def nav_context(request: HttpRequest) -> dict[str, Any]:
    return {"can_create": holds(request.user, "plans.edit"), "can_report": holds(request.user, "plans.report_task")}


@require_GET
@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    form, plans = _filtered(request)
    page = Paginator(plans, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "plans/list.html", {"form": form, "page": page, "active": "list", **nav_context(request)})


@require_GET
@login_required
def export(request: HttpRequest) -> HttpResponse:
    _form, plans = _filtered(request)
    response = HttpResponse(plans_workbook(plans[:EXPORT_LIMIT]), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response


def chosen_year(request: HttpRequest, plan: Plan) -> int:
    text = request.GET.get("nam", "")
    if text.isdigit() and plan.from_year <= int(text) <= plan.to_year:
        return int(text)
    return min(max(timezone.localdate().year, plan.from_year), plan.to_year)


def _value(a: Assessment) -> str:
    if a.per_unit and a.applies and a.measured_units:
        return f"{int(a.value or 0)}/{a.measured_units}"
    return value_text(a.value)


def _objective_rows(request: HttpRequest, plan: Plan, year: int,
                    ) -> tuple[list[dict[str, Any]], tuple[int, int, int, int]]:
    objectives = list(plan.objectives.select_related("indicator", "element").order_by("number"))
    assessed = evaluate_plan(plan, plan.years, objectives)
    _only_visible_failing(request, plan, assessed)
    rows: list[dict[str, Any]] = []
    for o in objectives:
        by_year: dict[int, Assessment] = assessed[o.pk]
        rows.append({"objective": o, "a": by_year[year], "value_text": _value(by_year[year]),
                     "target_text": value_text(o.target),
                     "trend": [{"year": y, "text": _value(by_year[y]), "met": by_year[y].met}
                               for y in plan.years if by_year[y].applies and o.measured]})
    return rows, tally(r["a"] for r in rows)


def _only_visible_failing(request: HttpRequest, plan: Plan, assessed: dict[int, dict[int, Assessment]]) -> None:
    """A plan of a unit above the user's (the province's scheme seen by a commune officer): the lists of failing
    units keep only the units the user sees (one query; the counts stay the plan's)."""
    if visible_units(request.user).filter(pk=plan.unit_id).exists():
        return
    failing = {u.pk for by_year in assessed.values() for a in by_year.values() for u in a.failing}
    seen = set(visible_units(request.user).filter(pk__in=failing).values_list("pk", flat=True)) if failing else set()
    for by_year in assessed.values():
        for a in by_year.values():
            a.failing = [u for u in a.failing if u.pk in seen]


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    year = chosen_year(request, plan)
    rows, (met, total, measured_met, measured) = _objective_rows(request, plan, year)
    tasks = list(plan.tasks.select_related("element").prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("organisation"))).order_by("number"))
    for t in tasks:
        t.plan = plan
    by_data = done_by_data(tasks)
    today = timezone.localdate()
    task_rows = [{"task": t, "status": effective_status(t, by_data), "by_data": t.pk in by_data,
                  "overdue": effective_status(t, by_data) != TaskStatus.DONE and t.due_on is not None
                  and t.due_on < today} for t in tasks]
    can_edit = may(request.user, "plans.edit", plan.unit)
    moves = [m for m in PLANS.moves_from(plan) if m.action in ("activate", "end", "replace")] if can_edit else []
    events = PlanEvent.objects.filter(plan=plan).select_related("user").order_by("-at", "-pk")[:30]
    return render(request, "plans/detail.html", {
        "plan": plan, "year": year, "rows": rows, "met": met, "total": total, "measured_met": measured_met,
        "measured": measured, "count_text": objective_count_text(met, total), "task_rows": task_rows,
        "can_edit": can_edit, "moves": moves, "events": events, "issuers": list(plan.issuers.all()),
        "move_form": MoveForm(initial={"version": plan.version})})


@require_GET
@login_required
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    year = chosen_year(request, plan)
    rows, _ = _objective_rows(request, plan, year)
    response = HttpResponse(plan_workbook(plan, year, [r["a"] for r in rows]), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{plan.pk}-{year}.xlsx"'
    return response


def _parents(request: HttpRequest, plan: Plan | None) -> QuerySet[Plan]:
    parents = _visible(request).exclude(status=PlanStatus.REPLACED).order_by("-issued_on")
    return parents.exclude(pk=plan.pk) if plan is not None else parents


def _plan_data(request: HttpRequest, form: PlanForm) -> PlanData | None:
    d = form.cleaned_data
    day = timezone.localdate()
    unit = visible_units(request.user).with_code(d["unit_code"].strip(), day).first()
    if unit is None:
        form.add_error("unit_code", gettext("Không có đơn vị mã “%(code)s” trong phạm vi của bạn.")
                       % {"code": d["unit_code"]})
        return None
    return PlanData(kind=d["kind"], number=d["number"], issued_on=d["issued_on"], title=d["title"],
                    issuing_unit=unit, unit=unit, from_year=d["from_year"], to_year=d["to_year"],
                    issuers=list(d["issuers"]), parent=d.get("parent"), note=d.get("note") or "")


@login_required
def edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a plan (``pk`` None; a draft) or edit one."""
    plan = _plan(request, pk) if pk is not None else None
    home: Unit | None = plan.unit if plan is not None else getattr(request.user, "unit", None)
    if plan is not None and not may(request.user, "plans.edit", plan.unit):
        return HttpResponse(gettext("Bạn không có quyền sửa kế hoạch này."), status=403)
    if plan is None and not units_where(request.user, "plans.edit").exists():
        return HttpResponse(gettext("Bạn không có quyền lập kế hoạch."), status=403)
    initial = PlanForm.initial_for(plan) if plan is not None else {
        "unit_code": home.code if isinstance(home, Unit) else "", "from_year": timezone.localdate().year,
        "to_year": timezone.localdate().year}
    form = PlanForm(request.POST or None, initial=initial, organisations=organisations_for(home),
                    parents=_parents(request, plan))
    if request.method == "POST" and form.is_valid():
        data = _plan_data(request, form)
        if data is not None:
            actor = Actor.of_request(request)
            try:
                if plan is None:
                    plan = actions.do_create_plan(actor, data)
                else:
                    actions.do_update_plan(actor, plan.pk, data, expected_version=form.cleaned_data.get("version"))
            except ActionError as exc:
                form.add_action_error(exc)
            else:
                messages.success(request, gettext("Đã lưu kế hoạch %(number)s.") % {"number": data.number})
                return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"form": form, "plan": plan})


@require_POST
@login_required
def move(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _editable(request, pk)
    if isinstance(plan, HttpResponse):
        return plan
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            actions.do_move_plan(Actor.of_request(request), plan.pk, form.cleaned_data["action"],
                                 expected_version=form.cleaned_data.get("version"),
                                 reason=form.cleaned_data.get("reason") or "")
        except ActionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext("Đã cập nhật trạng thái kế hoạch."))
    else:
        messages.error(request, gettext("Thao tác không hợp lệ."))
    return redirect("plans:detail", pk=plan.pk)


def _editable(request: HttpRequest, pk: int) -> Plan | HttpResponse:
    plan = _plan(request, pk)
    if not may(request.user, "plans.edit", plan.unit):
        return HttpResponse(gettext("Bạn không có quyền sửa kế hoạch này."), status=403)
    return plan


@login_required
def objective(request: HttpRequest, pk: int, objective_pk: int | None = None) -> HttpResponse:
    plan = _editable(request, pk)
    if isinstance(plan, HttpResponse):
        return plan
    current = None
    if objective_pk is not None:
        current = Objective.objects.filter(plan=plan, pk=objective_pk).first()
        if current is None:
            raise Http404(gettext("Không tìm thấy mục tiêu."))
    next_number = (max(plan.objectives.values_list("number", flat=True), default=0) or 0) + 1
    initial = ObjectiveForm.initial_for(current) if current is not None else {"number": next_number}
    form = ObjectiveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_objective(Actor.of_request(request), plan.pk, form.objective_data(),
                                      pk=current.pk if current else None,
                                      expected_version=form.cleaned_data.get("version"))
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã lưu mục tiêu %(n)s.") % {"n": form.cleaned_data["number"]})
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/objective_form.html", {"form": form, "plan": plan, "current": current})


@login_required
def task(request: HttpRequest, pk: int, task_pk: int | None = None) -> HttpResponse:
    plan = _editable(request, pk)
    if isinstance(plan, HttpResponse):
        return plan
    current = None
    if task_pk is not None:
        current = Task.objects.filter(plan=plan, pk=task_pk).first()
        if current is None:
            raise Http404(gettext("Không tìm thấy nhiệm vụ."))
    next_number = (max(plan.tasks.values_list("number", flat=True), default=0) or 0) + 1
    initial = TaskForm.initial_for(current) if current is not None else {"number": next_number}
    form = TaskForm(request.POST or None, initial=initial, organisations=organisations_for(plan.unit))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_task(Actor.of_request(request), plan.pk, form.task_data(),
                                 pk=current.pk if current else None,
                                 expected_version=form.cleaned_data.get("version"))
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã lưu nhiệm vụ %(n)s.") % {"n": form.cleaned_data["number"]})
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/task_form.html", {"form": form, "plan": plan, "current": current})


def _task_rows(tasks: list[Task]) -> list[dict[str, Any]]:
    by_data = done_by_data(tasks)
    today = timezone.localdate()
    rows = []
    for t in tasks:
        status = effective_status(t, by_data)
        rows.append({"task": t, "status": status, "by_data": t.pk in by_data,
                     "overdue": status != TaskStatus.DONE and t.due_on is not None and t.due_on < today,
                     "form": ReportForm(initial={"status": t.status, "result_note": t.result_note,
                                                 "version": t.version}, prefix=f"t{t.pk}")})
    return rows


def _tasks_query() -> TaskQuerySet:
    return (Task.objects.select_related("plan", "plan__unit", "plan__kind", "element")
            .prefetch_related(Prefetch("assignments", queryset=Assignment.objects.select_related("organisation")))
            .order_by("due_on", "plan__issued_on", "number", "pk"))


@require_GET
@login_required
def my_tasks(request: HttpRequest) -> HttpResponse:
    """The tasks assigned to the organisations the user reports for (their home unit is the organisation's
    reporting unit)."""
    home = getattr(request.user, "unit_id", None)
    tasks = _tasks_query().for_reporter_unit(home) if holds(request.user, "plans.report_task") else Task.objects.none()
    page = Paginator(tasks, PER_PAGE).get_page(request.GET.get("page"))
    organisations = Organisation.objects.filter(unit_id=home) if home else Organisation.objects.none()
    return render(request, "plans/my_tasks.html", {"page": page, "rows": _task_rows(list(page)),
                                                   "organisations": organisations, "active": "mine",
                                                   **nav_context(request)})


@require_GET
@login_required
def overdue(request: HttpRequest) -> HttpResponse:
    """The tasks past their due date and not done, of the plans whose unit the user may edit."""
    tasks = (_tasks_query().filter(plan__unit__in=units_where(request.user, "plans.edit"),
                                   plan__status__in=(PlanStatus.DRAFT, PlanStatus.IN_FORCE))
             .overdue(timezone.localdate()))
    rows = [r for r in _task_rows(list(tasks[:2000])) if r["overdue"]]  # done by data: not overdue
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "plans/overdue.html", {"page": page, "active": "overdue", **nav_context(request)})


@require_POST
@login_required
def report(request: HttpRequest, task_pk: int) -> HttpResponse:
    found = Task.objects.select_related("plan", "plan__unit").filter(pk=task_pk).first()
    if found is None or not actions.can_report(request.user, found):
        raise Http404(gettext("Không tìm thấy nhiệm vụ."))
    form = ReportForm(request.POST, prefix=f"t{found.pk}")
    if form.is_valid():
        try:
            actions.do_report_task(Actor.of_request(request), found.pk, status=form.cleaned_data["status"],
                                   result_note=form.cleaned_data.get("result_note") or "",
                                   expected_version=form.cleaned_data.get("version"))
        except ActionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext("Đã báo cáo nhiệm vụ %(n)s.") % {"n": found.number})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    target = request.POST.get("next", "")
    if target == "plan" and may(request.user, "plans.edit", found.plan.unit):
        return redirect("plans:detail", pk=found.plan_id)
    return redirect("plans:my_tasks")


@require_GET
@login_required
def task_history(request: HttpRequest, task_pk: int) -> HttpResponse:
    found = Task.objects.select_related("plan", "plan__unit").filter(pk=task_pk).first()
    if found is None or not (_visible(request).filter(pk=found.plan_id).exists()
                             or actions.can_report(request.user, found)):
        raise Http404(gettext("Không tìm thấy nhiệm vụ."))
    events = TaskEvent.objects.filter(task=found).select_related("user").order_by("-at", "-pk")[:50]
    return render(request, "plans/task_history.html", {"task": found, "events": events})
