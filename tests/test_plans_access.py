"""The plans' routes in the access walk (``tests/test_access_routes.py``): a plan's page and export, its forms
(plan, objectives, tasks), its status moves, a task's report and history, the commune's steering committee and
its re-constitution form, as every persona, on a plan of the
commune of each marked residential area X, Y, Z (made by ``plan_objects``, titled with the area's marker).

Out of view is 404; a visible plan the persona may not edit is 403 on its forms and moves (a task's report is
404 to whoever may not report it); nothing refused (and no empty POST) writes anything; no page shows a marker
the persona may not see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from phongtrao.audit.actions import Actor
from phongtrao.plans.actions import ObjectiveData, PlanData, TaskData, do_create_plan, do_save_objective, do_save_task
from phongtrao.plans.committees import CompositionData, MemberData, do_constitute
from phongtrao.plans.models import CommitteePosition, Organisation, Plan, PlanKind, SteeringCommittee
from phongtrao.units.models import Kind

# route -> (the arguments: "plan", "objective" or "task"; GET-only, POST-only or both; needs plans.edit?)
PLANS_ROUTES: dict[str, tuple[str, str, bool]] = {
    "plans:detail": ("plan", "get", False), "plans:plan_export": ("plan", "get", False),
    "plans:edit": ("plan", "both", True), "plans:move": ("plan", "post", True),
    "plans:objective_create": ("plan", "both", True), "plans:objective": ("objective", "both", True),
    "plans:task_create": ("plan", "both", True), "plans:task": ("task", "both", True),
    "plans:report": ("report", "post", True), "plans:task_history": ("history", "get", False),
    "api-v1:get_plan": ("api", "get", False),
    "plans:committee": ("committee", "get", False), "plans:committee_reconstitute": ("committee", "both", True),
    "api-v1:get_committee": ("committee", "get", False),
}


def plan_objects(world: Any) -> None:
    """A plan of each marked area's commune, with an objective and a task (made once, in the world's transaction)."""
    from phongtrao.plans.catalogue import seed_catalogues

    seed_catalogues(PlanKind, Organisation)
    system = Actor.system()
    police = Organisation.objects.get(code="cong_an", province__isnull=True)
    for key, target in world.targets.items():
        commune = target.parent
        if Plan.objects.filter(unit=commune, number=f"{key}/KH-UBND").exists():
            continue
        plan = do_create_plan(system, PlanData(
            kind=PlanKind.objects.get(code="ke_hoach"), number=f"{key}/KH-UBND", issued_on=dt.date(2025, 1, 10),
            title=f"Kế hoạch của {target.name}", issuing_unit=commune, unit=commune, from_year=2025, to_year=2026))
        do_save_objective(system, plan.pk, ObjectiveData(1, f"Mục tiêu {target.name}", manual_met=True))
        do_save_task(system, plan.pk, TaskData(1, f"Nhiệm vụ {target.name}", due_on=dt.date(2025, 6, 30),
                                               organisations=[police]))
        do_constitute(system, commune, CompositionData(f"{key}/QĐ-UBND", dt.date(2025, 1, 5), "UBND", [MemberData(
            police, CommitteePosition.objects.get(code="truong_ban"), f"Trưởng ban {target.name}")]),
            name=f"Ban Chỉ đạo {target.name}")
        province = commune.parent
        if not Plan.objects.filter(unit=province, number="COVER/QĐ-UBND").exists():  # covers X and Y (or Z)
            cover = do_create_plan(system, PlanData(
                kind=PlanKind.objects.get(code="de_an"), number="COVER/QĐ-UBND", issued_on=dt.date(2025, 1, 5),
                title="Đề án của tỉnh", issuing_unit=province, unit=province, from_year=2025, to_year=2026))
            do_save_task(system, cover.pk, TaskData(1, "Nhiệm vụ của tỉnh", organisations=[police]))


def _url(name: str, plan: Plan) -> str:
    args_of, _methods, _edit = PLANS_ROUTES[name]
    if args_of == "committee":
        return reverse(name, args=[SteeringCommittee.objects.get(unit=plan.unit).pk])
    if args_of in ("plan", "api"):
        return reverse(name, args=[plan.pk])
    if args_of == "objective":
        return reverse(name, args=[plan.pk, plan.objectives.get().pk])
    if args_of == "task":
        return reverse(name, args=[plan.pk, plan.tasks.get().pk])
    return reverse(name, args=[plan.tasks.get().pk])


def check_plans_route(world: Any, persona: Any, name: str) -> None:
    from phongtrao.accounts import access
    from tests.personas import leaked_markers
    from tests.test_access_routes import assert_anonymous_refused, body_text, snapshot

    _args_of, methods, needs_edit = PLANS_ROUTES[name]
    for key, target in world.targets.items():
        plan = Plan.objects.select_related("unit").get(unit=target.parent, number=f"{key}/KH-UBND")
        url = _url(name, plan)
        sees = persona.user is not None and access.visible_units(persona.user).filter(pk=plan.unit_id).exists()
        needed = "plans.committees" if _args_of == "committee" else "plans.edit"
        allowed = persona.user is not None and access.may(persona.user, needed, plan.unit)
        for method in ("get", "post"):
            if methods != "both" and method != methods:
                continue  # the other method is 405, checked by the plain rule of no 500
            before = snapshot()
            client = persona.client()
            response = client.get(url) if method == "get" else client.post(url, {})
            code = response.status_code
            where = (persona.name, name, key, method, code)
            assert code < 500, where
            if persona.user is None:
                assert_anonymous_refused(name, response)
            elif name == "plans:report":
                assert code == (302 if allowed else 404), where  # an empty report: refused, back to the list
            elif not sees:
                assert code == 404, where
            elif needs_edit and not allowed:
                assert code == 403, where
            elif method == "get":
                assert code == 200, where
            if code == 200:
                body = body_text(response)
                assert not leaked_markers(persona, body), (*where, leaked_markers(persona, body))
            assert snapshot() == before, (*where, "a refused request, a read or an empty POST wrote something")
    if name in COVER_ROUTES:
        check_covering_plans(persona, name)


# The routes of a plan checked on the provinces' plans too (those cover the communes of X, Y and Z).
COVER_ROUTES = {"plans:detail": 200, "plans:plan_export": 200, "plans:edit": 403, "plans:task_history": 200}


def check_covering_plans(persona: Any, name: str) -> None:
    """A province's plan is seen (read-only: its forms 403) by whoever sees the province or whose scope is a
    commune of it (a commune officer of X sees the plan of X's province), and is 404 to the others (an
    organisation's account included)."""
    from phongtrao.accounts import access

    for plan in Plan.objects.filter(number="COVER/QĐ-UBND").select_related("unit"):
        url = reverse(name, args=[plan.tasks.get().pk if name == "plans:task_history" else plan.pk])
        code = persona.client().get(url).status_code
        if persona.user is None:
            assert code == 302, (persona.name, name, code)
            continue
        roots = access.scope_roots(persona.user).filter(kind__in=(Kind.PROVINCE, Kind.COMMUNE))
        covers = (access.visible_units(persona.user).filter(pk=plan.unit_id).exists()
                  or roots.filter(ancestor_links__ancestor_id=plan.unit_id).exists())
        may_edit = access.may(persona.user, "plans.edit", plan.unit)
        expected = (200 if may_edit or COVER_ROUTES[name] == 200 else 403) if covers else 404
        assert code == expected, (persona.name, name, plan.unit.code, code)
