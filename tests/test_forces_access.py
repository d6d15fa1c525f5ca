"""The force's routes in the access walk (``tests/test_access_routes.py``): an area's team page and its dissolution,
a commune's ratings, submission and return, as every persona, on the walk's marked residential areas X, Y, Z (each
given a team by ``force_objects``) and their communes.

Out of view is 404; a visible unit the persona may not write to is 403 on a POST; nothing refused (and no empty
POST) writes anything; no page shows a marker the persona may not see.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from phongtrao.audit.actions import Actor
from phongtrao.forces.actions import TeamData, do_establish_team
from phongtrao.forces.models import Team

YEAR = 2025
# route -> (the unit in the address: "area" or "commune", the permission a POST needs on it)
FORCES_ROUTES: dict[str, tuple[str, str]] = {
    "forces:area": ("area", "forces.edit"), "forces:dissolve": ("area", "forces.edit"),
    "forces:ratings": ("commune", "forces.rate"), "forces:submit": ("commune", "forces.rate"),
    "forces:return": ("commune", "forces.review"),
}


def force_objects(world: Any) -> None:
    """A team for each marked area (so lists and pages have a marker to leak, and must not)."""
    for key, target in world.targets.items():
        if not Team.objects.filter(unit=target).exists():
            do_establish_team(Actor.system(), target, TeamData(f"{key}/QĐ-UBND", dt.date(2025, 7, 1),
                                                               dt.date(2025, 7, 2), 1, 0, 2, residents=900))


def check_forces_route(world: Any, persona: Any, name: str) -> None:
    from phongtrao.accounts import access
    from tests.personas import leaked_markers
    from tests.test_access_routes import assert_anonymous_refused, body_text, snapshot

    where_kind, permission = FORCES_ROUTES[name]
    for key, target in world.targets.items():
        unit = target if where_kind == "area" else target.parent
        args = [unit.pk] if where_kind == "area" else [unit.pk, YEAR]
        url = reverse(name, args=args)
        sees = persona.user is not None and access.visible_units(persona.user).filter(pk=unit.pk).exists()
        asked = unit.parent if permission == "forces.review" else unit
        allowed = persona.user is not None and asked is not None and access.may(persona.user, permission, asked)
        for method in ("get", "post"):
            if method == "get" and name in ("forces:dissolve", "forces:submit", "forces:return"):
                continue  # POST only: a GET is 405, checked by the plain rule of no 500
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
            elif method == "post" and not allowed:
                assert code == 403, where
            elif method == "get":
                assert code == 200, where
            if code == 200:
                body = body_text(response)
                assert not leaked_markers(persona, body), (*where, leaked_markers(persona, body))
            assert snapshot() == before, (*where, "a refused request, a read or an empty POST wrote something")
