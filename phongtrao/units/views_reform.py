"""The guided carry-over page (issue 14 item 1): a province officer or administrator previews how the province's
residential areas and organisations go to the new communes, assigns the units of split communes (one by one,
for a whole old commune at once, or from a CSV), confirms the rule for district-managed organisations, and
confirms. Nothing is written before the confirmation; the confirmation carries the preview's fingerprint, so a
register changed in between is refused (``units.reform``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from phongtrao.accounts.access import holds, may, visible_units
from phongtrao.audit.actions import Actor
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.units.models import Kind, Unit
from phongtrao.units.official import REFORM_DATE
from phongtrao.units.reform import (
    DISTRICT_RULES,
    HOW_LABELS,
    CarryItem,
    CarryPlan,
    check_plan,
    do_carry_over,
    parse_assignments,
    plan_carry_over,
)

SHOWN_GROUPS = 300  # whole-commune groups listed on the page (the totals count them all)


def _provinces(request: HttpRequest) -> list[Unit]:
    if not holds(request.user, "units.carry_over"):
        return []
    provinces = visible_units(request.user).of_kind(Kind.PROVINCE).valid_on(REFORM_DATE).vi_ordered()
    return [p for p in provinces if may(request.user, "units.carry_over", p)]


def _pk(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None


def _posted_assignments(data: Any, plan: CarryPlan) -> dict[int, int]:
    """The choices of the form: a whole old commune's choice (``bulk-<old commune>``) wins over its units' own."""
    out: dict[int, int] = {}
    for item in plan.items:
        if not item.needs_choice:
            continue
        bulk = _pk(data.get(f"bulk-{item.old.parent_id}"))
        own = _pk(data.get(f"a-{item.old.pk}"))
        chosen = bulk if bulk is not None else own
        if chosen is not None and any(c.pk == chosen for c in item.candidates):
            out[item.old.pk] = chosen
    return out


def _groups(plan: CarryPlan) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(groups whose units the officer chooses for, groups that go automatically), by old parent."""
    by_parent: dict[int, list[CarryItem]] = defaultdict(list)
    for item in plan.items:
        by_parent[item.old.parent_id or 0].append(item)
    choose: list[dict[str, Any]] = []
    automatic: list[dict[str, Any]] = []
    for items in by_parent.values():
        first = items[0]
        group = {"old_parent": first.old.parent, "how": HOW_LABELS[first.how], "items": items,
                 "candidates": first.candidates, "target": first.target, "count": len(items)}
        (choose if first.needs_choice else automatic).append(group)
    return choose, automatic[:SHOWN_GROUPS]


@login_required
def carry_over(request: HttpRequest) -> HttpResponse:
    provinces = _provinces(request)
    if not provinces:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(gettext("Tài khoản này không có quyền chuyển đơn vị sang đơn vị hành chính mới."))
    data = request.POST if request.method == "POST" else request.GET
    chosen = _pk(data.get("province"))
    province = next((p for p in provinces if p.pk == chosen), None) if chosen is not None else provinces[0]
    if province is None:
        raise Http404
    rule = data.get("district_rule") or None
    if rule not in DISTRICT_RULES:
        rule = None
    errors: list[str] = []
    row_errors: list[str] = []
    plan = plan_carry_over(province, district_rule=rule)
    assignments = _posted_assignments(data, plan) if request.method == "POST" else {}
    upload = request.FILES.get("assignments_file") if request.method == "POST" else None
    if upload is not None:
        from_file, file_errors = parse_assignments(plan, upload.name or "assignments.csv", upload)
        row_errors = [str(e) for e in file_errors]
        assignments.update(from_file)
    if assignments:
        plan = plan_carry_over(province, district_rule=rule, assignments=assignments)
    if request.method == "POST" and request.POST.get("step") == "confirm" and not row_errors:
        try:
            result = do_carry_over(Actor.of_request(request), province.pk, district_rule=rule,
                                   assignments=assignments, expected_fingerprint=request.POST.get("fingerprint", ""))
        except StaleVersion as exc:
            errors += [m for ms in exc.errors.values() for m in ms]
            plan = plan_carry_over(province, district_rule=rule, assignments=assignments)
        except ActionError as exc:
            errors += [m for ms in exc.errors.values() for m in ms]
        else:
            messages.success(request, gettext(
                "Đã chuyển %(carried)s đơn vị của %(province)s sang đơn vị hành chính mới; %(skipped)s đơn vị đã "
                "chuyển từ trước.") % {"carried": result.carried, "province": province.name,
                                       "skipped": result.plan.skipped})
            return redirect(f"{reverse('units:reform_carry_over')}?province={province.pk}")
    blocking = check_plan(plan)
    choose, automatic = _groups(plan)
    return render(request, "units/reform_carry_over.html", {
        "provinces": provinces, "province": province, "plan": plan, "rule": rule, "rules": DISTRICT_RULES,
        "choose": choose, "automatic": automatic, "errors": errors, "row_errors": row_errors,
        "blocking": [m for ms in blocking.values() for m in ms], "assignments": assignments,
        "by_how": [(HOW_LABELS[how], n) for how, n in plan.by_how().items() if n],
        "kinds": [(Kind(kind).label, n) for kind, n in plan.counts().items() if n],
        "assigned": sum(1 for i in plan.items if i.assigned),
    })
