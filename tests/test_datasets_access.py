"""The data-set routes in the walk of every route as every persona (``tests/test_access_routes.py``): a unit
outside the persona's view scope is 404, a visible unit the persona may not enter for is 403 on writes, a
refused request writes nothing, no answer shows a marker the persona may not see."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

YEAR = timezone.localdate().year
# route -> what it writes (None: a read)
DATASET_ROUTES: dict[str, str | None] = {
    "datasets:unit": None, "datasets:entry": "values", "datasets:cell": "values", "datasets:complete": "report",
    "datasets:reopen": "report", "datasets:dataset": None, "datasets:template": None, "datasets:submit": "report",
    # reviewed by the level above (an approver changes no register entry, yet reviews: refused or told so)
    "datasets:review": "review",
}


def check_dataset_route(world: Any, persona: Any, name: str) -> None:
    from tests.personas import MARKERS, leaked_markers
    from tests.test_access_routes import assert_anonymous_refused, body_text, check_plain_route, snapshot

    if name in ("datasets:dataset", "datasets:template"):  # the catalogue: no unit in the address
        check_plain_route(persona, name, reverse(name, args=["kdc_nam"]), world)
        return
    for key, target in world.targets.items():
        args = [target.pk] if name == "datasets:unit" else [target.pk, "kdc_nam", str(YEAR)]
        url = reverse(name, args=args)
        for method in ("get", "post"):
            before = snapshot()
            client = persona.client()
            response = client.get(url) if method == "get" else client.post(url, {})
            code = response.status_code
            where = (persona.name, name, key, method, code)
            assert code < 500, where
            enters = key in persona.changes  # the walk's personas enter data exactly where they change the register
            if persona.user is None:
                assert_anonymous_refused(name, response)
            elif key not in persona.sees:
                assert code in (404, 405), where
            elif method == "get" and name in ("datasets:unit", "datasets:entry"):
                assert code == 200 and MARKERS[key] in body_text(response), where
            elif method == "post" and DATASET_ROUTES[name] == "review" and not enters:
                assert code in (302, 403), where
            elif method == "post" and DATASET_ROUTES[name] and not enters:
                assert code == 403, where
            if code == 200:
                body = body_text(response)
                assert not leaked_markers(persona, body), (*where, leaked_markers(persona, body))
            if persona.user is None or key not in persona.sees or (method == "post" and not enters) \
                    or method == "get":
                assert snapshot() == before, (*where, "a refused request or a read wrote something")


def entered_for_walk(world: Any) -> None:
    """Values on the walk's residential area X (this year and last, with a comment and a date), last year's report
    complete: the entry page and the annual sections have something to show."""
    from decimal import Decimal

    from phongtrao.audit.actions import Actor
    from phongtrao.datasets.actions import ValueInput, do_complete_report, do_save_values
    from phongtrao.datasets.models import DataElement, DataSet, OptionCombo
    from phongtrao.lib.periods import Period

    dataset = DataSet.objects.get(code="kdc_nam")
    target = world.targets["X"]
    for year, sessions in ((YEAR - 1, 3), (YEAR, 5)):
        cells = []
        for code, combo, value in (("tuyen_truyen_buoi", "truc_tiep.tieng_dtts", sessions),
                                   ("tuyen_truyen_luot", "default", 120), ("ngay_hoi_to_chuc", "default", 1),
                                   ("ngay_hoi_nguoi", "default", 300)):
            element = DataElement.objects.get(code=code)
            cells.append(ValueInput(element, OptionCombo.objects.get(combo=element.combo, code=combo), Decimal(value),
                                    "Số liệu thử" if year == YEAR else ""))
        do_save_values(Actor.system(), target, dataset, Period.year_of(year), cells)
    do_complete_report(Actor.system(), target, dataset, Period.year_of(YEAR - 1))
