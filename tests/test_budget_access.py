"""The money's routes in the access walk (``tests/test_access_routes.py``): a commune's year of lines and entries
and a province's crime-prevention fund, as every persona, on the communes and provinces of the walk's marked
residential areas X, Y, Z (each commune given an entry naming its marker by ``budget_objects``).

Out of view is 404; a visible unit the persona may not write to is 403 on a POST (and on a GET of an entry's
correction or removal page); nothing refused (and no empty
POST) writes anything; no page shows a marker the persona may not see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from phongtrao.audit.actions import Actor
from phongtrao.budget.actions import SpendingData, do_record_spending
from phongtrao.budget.models import Category, Source, Spending
from phongtrao.units.models import Unit

YEAR = 2025
# route -> (the unit in the address: "commune" or "province", the permission a POST needs on it)
BUDGET_ROUTES: dict[str, tuple[str, str]] = {
    "budget:unit": ("commune", "budget.edit"), "budget:fund": ("province", "budget.fund"),
    "budget:spending_edit": ("commune", "budget.edit"), "budget:spending_delete": ("commune", "budget.edit"),
}
# routes of one entry (the marked commune's): a user who sees it but may not write is refused on GET too
ENTRY_ROUTES = frozenset({"budget:spending_edit", "budget:spending_delete"})


def budget_objects(world: Any) -> None:
    """An entry of each marked area's commune whose purpose names the marker (so lists have one to leak)."""
    for target in world.targets.values():
        purpose = f"Hỗ trợ {target.name}"
        if not Spending.objects.filter(purpose=purpose).exists():
            do_record_spending(Actor.system(), target.parent, SpendingData(
                spent_on=dt.date(YEAR, 6, 1), category=Category.objects.get(code="training"),
                source=Source.objects.get(code="nsx"), amount=1_000_000, purpose=purpose))


def budget_unit(target: Unit, where: str) -> Unit:
    commune = target.parent
    assert commune is not None
    if where == "commune":
        return commune
    assert commune.parent is not None
    return commune.parent


def address(name: str, target: Unit) -> str:
    if name in ENTRY_ROUTES:
        return reverse(name, args=[Spending.objects.get(purpose=f"Hỗ trợ {target.name}").pk])
    return reverse(name, args=[budget_unit(target, BUDGET_ROUTES[name][0]).pk, YEAR])


def check_budget_route(world: Any, persona: Any, name: str) -> None:
    from phongtrao.accounts import access
    from tests.personas import leaked_markers
    from tests.test_access_routes import assert_anonymous_refused, body_text, snapshot

    budget_objects(world)
    where_kind, permission = BUDGET_ROUTES[name]
    for key, target in world.targets.items():
        unit = budget_unit(target, where_kind)
        url = address(name, target)
        sees = persona.user is not None and access.visible_units(persona.user).filter(pk=unit.pk).exists()
        allowed = persona.user is not None and access.may(persona.user, permission, unit)
        for method in ("get", "post"):
            before = snapshot()
            client = persona.client()
            response = client.get(url) if method == "get" else client.post(url, {})
            code = response.status_code
            where = (persona.name, name, key, method, code)
            assert code < 500, where
            if persona.user is None:
                assert_anonymous_refused(name, response)
            elif not sees:
                assert code == 404, where
            elif (method == "post" or name in ENTRY_ROUTES) and not allowed:
                assert code == 403, where
            else:
                assert code == 200, where
            if code == 200:
                body = body_text(response)
                assert not leaked_markers(persona, body), (*where, leaked_markers(persona, body))
            assert snapshot() == before, (*where, "a refused request, a read or an empty POST wrote something")
