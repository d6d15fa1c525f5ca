"""The classification's routes in the access walk (``tests/test_access_routes.py``) and the page-text walk: a
commune's grid and its export, a unit's scoring page, a province's figures and list and their export, as every
persona, on the walk's marked residential areas X, Y, Z (each scored and sent by ``classification_objects``), their
communes and provinces.

Out of view is 404; a visible unit the persona may neither score nor review is 403 on a POST; nothing refused (and
no empty POST) writes anything; no page shows a marker the persona may not see.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from phongtrao.audit.actions import Actor
from phongtrao.classification.actions import do_score, do_submit, scorecard_for
from phongtrao.classification.models import Classification

YEAR = 2025
# route -> the unit in the address ("area", "commune" or "province")
CLASSIFICATION_ROUTES: dict[str, str] = {
    "classification:commune": "commune", "classification:commune_export": "commune",
    "classification:unit": "area", "classification:overview": "province",
    "classification:overview_export": "province",
}


def classification_objects(world: Any) -> None:
    """Each marked area scored and sent for review (so lists and pages have a marker to leak, and must not)."""
    for target in world.targets.values():
        if Classification.objects.filter(unit=target, year=YEAR).exists():
            continue
        card = scorecard_for(target, YEAR)
        assert card is not None
        done = do_score(Actor.system(), target, YEAR, {c.pk: c.points - 1 for c in card.criteria.all()},
                        expected_version=0)
        do_submit(Actor.system(), target, YEAR, expected_version=done.version)


def address(name: str, target: Any) -> str:
    where = CLASSIFICATION_ROUTES[name]
    unit = target if where == "area" else target.parent if where == "commune" else target.parent.parent
    return reverse(name, args=[unit.code, YEAR])


def check_classification_route(world: Any, persona: Any, name: str) -> None:
    from phongtrao.accounts import access
    from phongtrao.classification.actions import may_review
    from tests.personas import leaked_markers
    from tests.test_access_routes import assert_anonymous_refused, body_text, snapshot

    classification_objects(world)
    where = CLASSIFICATION_ROUTES[name]
    for key, target in world.targets.items():
        unit = target if where == "area" else target.parent if where == "commune" else target.parent.parent
        url = address(name, target)
        sees = persona.user is not None and access.visible_units(persona.user).filter(pk=unit.pk).exists()
        allowed = persona.user is not None and (access.may(persona.user, "classification.score", unit)
                                                or may_review(persona.user, unit))
        methods = ("get", "post") if name == "classification:unit" else ("get",)
        for method in methods:
            before = snapshot()
            client = persona.client()
            response = client.get(url) if method == "get" else client.post(url, {})
            code = response.status_code
            at = (persona.name, name, key, method, code)
            assert code < 500, at
            if persona.user is None:
                assert_anonymous_refused(name, response)
            elif not sees:
                assert code == 404, at
            elif method == "post":
                assert code == (400 if allowed else 403), at
            else:
                assert code == 200, at
            if code == 200 and not name.endswith("_export"):
                body = body_text(response)
                assert not leaked_markers(persona, body), (*at, leaked_markers(persona, body))
            assert snapshot() == before, (*at, "a refused request, a read or an empty POST wrote something")
