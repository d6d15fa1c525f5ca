"""Read endpoints of plans in API v1: the plans a caller may see (their unit in view scope), and one plan with its
objectives evaluated live for a year (target, value, met, the units failing a per-unit objective) and its tasks.
A plan out of view scope is 404 as if unknown. Pages are a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Path, Query, Router, Schema

from phongtrao.accounts.access import get_unit_for_user, visible_units
from phongtrao.api.schemas import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, ErrorOut, UnitId, Year
from phongtrao.datasets.figures import as_json_number
from phongtrao.plans.evaluation import evaluate_plan, tally
from phongtrao.plans.figures import done_by_data, effective_status
from phongtrao.plans.models import Assignment, Plan, Task

if TYPE_CHECKING:
    from django.http import HttpRequest

router = Router(tags=["kế hoạch"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class PlanFilters(Schema):
    """Query parameters of ``GET /plans``."""

    in_subtree: UnitId | None = Field(None, description="Kế hoạch của đơn vị này và các đơn vị bên dưới (phải "
                                                        "được xem).")
    year: Year | None = Field(None, description="Kế hoạch có thời gian thực hiện gồm năm này.")
    status: str | None = Field(None, max_length=12, description="Trạng thái: draft, in_force, ended, replaced.")
    kind: str | None = Field(None, max_length=60, description="Loại: de_an, ke_hoach, chuong_trinh_phoi_hop, ...")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class PlanOut(Schema):
    id: int
    kind: str
    number: str
    issued_on: dt.date
    title: str
    unit_id: int
    unit_code: str
    unit_name: str
    from_year: int
    to_year: int
    parent_id: int | None
    status: str
    version: int


class PlanPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[PlanOut]


class FailingUnit(Schema):
    id: int
    code: str
    name: str


class ObjectiveOut(Schema):
    id: int
    number: int
    text: str
    measure: str | None = Field(description="i:<chỉ số>, f:<số liệu có sẵn>, e:<chỉ tiêu>; null: đánh giá thủ công.")
    comparator: str
    target: float | int | None
    scope: str
    applies: bool
    value: float | int | None
    met: bool | None
    measured_units: int
    failing: list[FailingUnit]
    manual_note: str


class TaskOut(Schema):
    id: int
    number: int
    kind: str
    year: int | None
    text: str
    due_on: dt.date | None
    status: str
    done_by_data: bool
    result_note: str
    organisations: list[str]
    lead: str | None


class PlanDetail(PlanOut):
    year: int
    objectives_met: int
    objectives_total: int
    objectives: list[ObjectiveOut]
    tasks: list[TaskOut]


class PlanYear(Schema):
    year: Year | None = Field(None, description="Năm đánh giá mục tiêu (mặc định: năm cuối trong thời gian, "
                                                 "hoặc năm nay nếu còn trong thời gian).")


def _plan_out(p: Plan) -> dict[str, Any]:
    return {"id": p.pk, "kind": p.kind.code, "number": p.number, "issued_on": p.issued_on, "title": p.title,
            "unit_id": p.unit_id, "unit_code": p.unit.code, "unit_name": p.unit.name, "from_year": p.from_year,
            "to_year": p.to_year, "parent_id": p.parent_id, "status": p.status, "version": p.version}


def _number(value: Decimal | None) -> float | int | None:
    return as_json_number(value)


@router.get("/plans", response={200: PlanPage, **ERRORS}, summary="Danh sách kế hoạch, đề án")
def list_plans(request: HttpRequest, filters: Query[PlanFilters]) -> dict[str, Any]:
    """Plans whose unit the caller may see, the latest issued first."""
    f = filters
    plans = Plan.objects.filter(unit__in=visible_units(request.user).values("pk"))
    if f.in_subtree is not None:
        plans = plans.in_subtree(get_unit_for_user(request, f.in_subtree))
    if f.year is not None:
        plans = plans.covering_year(f.year)
    if f.status:
        plans = plans.filter(status=f.status)
    if f.kind:
        plans = plans.filter(kind__code=f.kind)
    count = plans.count()
    page = list(plans.select_related("kind", "unit").order_by("-issued_on", "-pk")[f.offset:f.offset + f.limit])
    return {"count": count, "limit": f.limit, "offset": f.offset, "items": [_plan_out(p) for p in page]}


@router.get("/plans/{plan_id}", response={200: PlanDetail, **ERRORS}, summary="Một kế hoạch: mục tiêu và nhiệm vụ")
def get_plan(request: HttpRequest, plan_id: Path[UnitId], filters: Query[PlanYear]) -> dict[str, Any]:
    """The plan's objectives evaluated live for the year (never stored) and its tasks."""
    plan = (Plan.objects.filter(pk=plan_id, unit__in=visible_units(request.user).values("pk"))
            .select_related("kind", "unit").first())
    if plan is None:
        raise Http404(gettext("Không tìm thấy kế hoạch."))
    year = filters.year if filters.year is not None and plan.from_year <= filters.year <= plan.to_year else min(
        max(timezone.localdate().year, plan.from_year), plan.to_year)
    objectives = list(plan.objectives.select_related("indicator", "element").order_by("number"))
    assessed = evaluate_plan(plan, [year], objectives)
    met, total, _mm, _m = tally(row[year] for row in assessed.values())
    tasks = list(Task.objects.filter(plan=plan).prefetch_related(
        Prefetch("assignments", queryset=Assignment.objects.select_related("organisation"))).order_by("number"))
    for t in tasks:
        t.plan = plan
    by_data = done_by_data(tasks)
    out = _plan_out(plan)
    out.update({
        "year": year, "objectives_met": met, "objectives_total": total,
        "objectives": [{
            "id": o.pk, "number": o.number, "text": o.text,
            "measure": (f"i:{o.indicator.code}" if o.indicator else f"f:{o.figure}" if o.figure
                        else f"e:{o.element.code}" if o.element else None),
            "comparator": o.comparator, "target": _number(o.target), "scope": o.scope,
            "applies": assessed[o.pk][year].applies, "value": _number(assessed[o.pk][year].value),
            "met": assessed[o.pk][year].met, "measured_units": assessed[o.pk][year].measured_units,
            "failing": [{"id": u.pk, "code": u.code, "name": u.name} for u in assessed[o.pk][year].failing],
            "manual_note": o.manual_note,
        } for o in objectives],
        "tasks": [{
            "id": t.pk, "number": t.number, "kind": t.kind, "year": t.year, "text": t.text, "due_on": t.due_on,
            "status": effective_status(t, by_data), "done_by_data": t.pk in by_data, "result_note": t.result_note,
            "organisations": [a.organisation.code for a in t.assignments.all()],
            "lead": next((a.organisation.code for a in t.assignments.all() if a.lead), None),
        } for t in tasks],
    })
    return out
