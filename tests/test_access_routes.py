"""Walks EVERY URL pattern and API route as every persona and checks the access rules.

New routes are covered without anyone remembering to add them: a route whose
name is not classified below makes the test fail with instructions. The rules:

- anonymous visitors get the login page (web) or 401 (API), except for public routes;
- a unit (or user, object) outside the persona's view scope is 404 or 403, never shown;
- a visible unit the persona may not change gives 403 on change routes;
- no page, list, export or count shows the marker name of a unit outside the persona's
  view scope, whatever unit id is put in the query string;
- a refused request writes nothing (no audit row, no changed unit);
- nothing answers 500.

Two things keep the walk fast without checking less:

- The world (personas, target units, awards, models) is built once for the module, inside a
  transaction rolled back at its end; each persona's test runs in a savepoint of it (pytest-django's
  ordinary test transaction), so what one persona's requests write is gone before the next one.
- A route is probed with a unit-naming parameter only if its view reads that parameter: the plain
  GET runs with ``request.GET`` replaced by a ``RecordingQueryDict`` that notes every key looked up
  (``get``, ``[]``, ``in``, ``getlist``, a template's ``request.GET.q``); a view that looks at the
  query as a whole (iterates it, takes its length or truth value as ``request.GET or None`` does, copies
  it, ninja parsing its query schema) counts as reading every parameter. A view that never looks at
  ``unit`` answers ``?unit=<id>`` exactly as it answers the plain GET, which is already checked, so
  skipping that probe checks nothing less; a new view reading a leak parameter is probed without anyone
  listing it. A key read that is neither a leak parameter nor listed in ``OTHER_PARAMS`` fails the
  walk: classify it (does it name or search for a unit?). Echoing the query into links (Django's
  ``{% querystring %}``, ``request.get_full_path``) is not reading it: the probe values are ids, codes
  and folded text, never a marker name.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.template import defaulttags
from django.test import override_settings
from django.test.client import ClientHandler
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from phongtrao.audit.models import AuditEntry
from phongtrao.lib.vntext import fold
from phongtrao.units.models import Unit
from tests.conftest import ensure_official_register, import_example_units
from tests.personas import MARKERS, Persona, World, build_world, leaked_markers, persona_names
from tests.test_attachments import ATTACHMENT_ROUTES, check_attachment_route
from tests.test_awards_access import AWARDS_OBJECT_ROUTES, award_objects, check_awards_object_route
from tests.test_budget_access import BUDGET_ROUTES, budget_objects, check_budget_route
from tests.test_classification_access import CLASSIFICATION_ROUTES, check_classification_route
from tests.test_datasets_access import DATASET_ROUTES, check_dataset_route
from tests.test_forces_access import FORCES_ROUTES, check_forces_route, force_objects
from tests.test_models_access import MODEL_ROUTES, check_model_route, model_targets
from tests.test_plans_access import PLANS_ROUTES, check_plans_route, plan_objects
from tests.test_recognition_pages import RECOGNITION_ROUTES, check_recognition_route
from tests.test_report_documents import REPORTS_ROUTES, check_reports_route
from tests.test_reports_record import RECORD_ROUTES, check_record_route

pytestmark = pytest.mark.django_db

# Routes anyone may open without signing in.
PUBLIC = {"accounts:login", "accounts:login_otp", "accounts:logout", "set_language", "api-v1:openapi-json",
          "api-v1:api-root", "core:health"}
# Routes about one unit, and the kwarg naming it: (kwarg, needs "change" rights?).
UNIT_ROUTES: dict[str, tuple[str, bool]] = {
    "units:detail": ("pk", False),
    "units:edit": ("pk", True),
    "units:close": ("pk", True),
    "units:changes": ("pk", False),
    "api-v1:get_unit": ("unit_id", False),
    "api-v1:update_unit": ("unit_id", True),
    "api-v1:close_unit": ("unit_id", True),
}
# Routes about one user account (user management): only admin and the province officer of X, Y manage them.
USER_ROUTES = {"users:edit", "users:scopes", "users:deactivate", "users:reactivate", "users:unlock",
               "users:reset_totp", "users:set_password"}
USER_MANAGERS = {"admin": {"X", "Y", "Z"}, "province": {"X", "Y"}, "other_province": {"Z"}}
# Routes with other arguments, and a value to use.
OTHER_KWARGS = {"kind": "units", "job_id": "00000000-0000-4000-8000-000000000000", "step": "review"}  # no such job: 404
# Routes without arguments: lists, forms, exports, pickers (checked for leaks with every query param below).
PLAIN_PREFIXES = ("core:", "accounts:", "units:", "imports:", "users:", "audit:", "api_tokens:", "api-v1:",
                  "models_registry:", "awards:", "recognition:", "datasets:", "forces:",
                  "classification:", "budget:", "plans:", "dashboard:", "set_language")
# Query parameters the views read that name a unit (by id or code) or search for one.
LEAK_PARAMS = {"unit": ("pk", "code"), "unit_id": ("pk",), "parent": ("pk",), "within": ("pk",),
               "in_subtree": ("pk",), "code": ("code",), "q": ("text",), "unit_q": ("text",),
               "r-0-unit_q": ("text",), "province": ("pk",)}
# Query parameters the views read that name no unit and search for none (pages, sorts, filters by other
# things, dates, formats, where to go next).
OTHER_PARAMS = {"page", "sort", "export", "year", "as_of", "all_dates", "kind", "status", "role", "field",
                "initiator", "award_type", "action", "channel", "start", "end", "user", "object_type",
                "object_id", "proposal", "from", "prefix", "next", "period_type", "dataset", "period", "format",
                "category", "source", "level", "boundaries", "on", "district_rule"}
ALL = "*"  # a read of the query as a whole
ADMIN_SITE = re.compile(r"^admin:")


def walk(resolver: Any = None, ns: str = "") -> Iterator[tuple[str, URLPattern]]:
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            inner = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
            yield from walk(p, inner)
        elif p.name:
            yield (f"{ns}:{p.name}" if ns else p.name), p


def kwarg_names(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The personas and their targets, built once; rolled back after the module's last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_official_register()
        import_example_units()
        world = build_world()
        award_objects(world)  # made here, not lazily inside a persona's savepoint
        model_targets(world)
        force_objects(world)
        budget_objects(world)
        plan_objects(world)
        with override_settings(MIDDLEWARE=["tests.test_access_routes.RecordQueryReads",
                                           *django_settings.MIDDLEWARE]):
            handler = ClientHandler(enforce_csrf_checks=False)  # as Client(); middleware loaded once
            for persona in world.personas.values():
                persona.handler = handler
            yield world
        transaction.set_rollback(True)


class RecordingQueryDict(QueryDict):
    """A ``request.GET`` that notes which keys are read (``ALL`` when the query is read as a whole)."""

    def __init__(self, query_string: str | bytes | None = None, mutable: bool = False,
                 encoding: str | None = None) -> None:
        super().__init__(query_string, mutable, encoding)
        self.reads: set[str] = set()  # after parsing, which looks keys up itself

    def _note(self, key: str) -> None:
        if hasattr(self, "reads"):
            self.reads.add(key)

    def __getitem__(self, key: str) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._note(str(key))
        return super().__contains__(key)

    def _getlist(self, key: str, default: Any = None, force_list: bool = False) -> Any:
        self._note(key)
        return super()._getlist(key, default, force_list)

    def __iter__(self) -> Iterator[str]:
        self._note(ALL)
        return super().__iter__()

    def __len__(self) -> int:
        self._note(ALL)
        return super().__len__()

    def keys(self) -> Any:
        self._note(ALL)
        return super().keys()

    def lists(self) -> Any:
        # Django's {% querystring %} copies the query into a link: an echo, not a read.
        if sys._getframe(1).f_code is not defaulttags.querystring.__code__:
            self._note(ALL)
        return super().lists()

    def __copy__(self) -> Any:
        self._note(ALL)
        return super().__copy__()

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        self._note(ALL)
        return super().__deepcopy__(memo)


class RecordQueryReads:
    """Test-only middleware (first in the chain): ``request.GET`` records its reads onto the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = RecordingQueryDict(request.META.get("QUERY_STRING", ""), encoding=request.encoding)
        request.GET = query
        response = self.get_response(request)
        response.query_reads = query.reads  # type: ignore[attr-defined]
        return response


def is_api(name: str) -> bool:
    return name.startswith("api-v1:")


# Valid API bodies, so that the scope check (not input validation) decides the answer.
API_BODIES: dict[str, dict[str, Any]] = {
    "api-v1:update_unit": {"version": 1, "name": "Tên đã đổi"},
    "api-v1:close_unit": {"valid_to": "2026-01-01"},
    "api-v1:create_unit": {"code": "KDC-WALK", "name": "Thôn Đi Qua", "kind": "residential_area", "parent_id": 0},
}


def request(persona: Persona, name: str, url: str, method: str) -> Any:
    client = persona.api_client() if is_api(name) else persona.client()
    if method == "get":
        return client.get(url)
    if is_api(name):
        return getattr(client, "patch" if "update" in name else "post")(
            url, data=json.dumps(API_BODIES.get(name, {})), content_type="application/json")
    return client.post(url, {})


def body_text(response: Any) -> str:
    """The response as text a person would read (JSON decoded, so escaped Vietnamese is searchable)."""
    if response.get("Content-Type", "").startswith(("application/vnd", "application/octet")):
        return _xlsx_text(response.content)
    text = response.content.decode(errors="replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def assert_anonymous_refused(name: str, response: Any) -> None:
    if is_api(name):
        assert response.status_code in (401, 405), (name, response.status_code)
    else:
        assert response.status_code in (302, 405), (name, response.status_code)
        if response.status_code == 302:
            assert "/tai-khoan/dang-nhap/" in response["Location"], (name, response["Location"])


def snapshot() -> tuple[int, list[tuple[Any, ...]]]:
    return AuditEntry.objects.count(), list(Unit.objects.filter(code__startswith="KDC-MARK-")
                                           .order_by("code").values_list("code", "name", "valid_to", "version"))


@pytest.mark.parametrize("persona_name", persona_names())
def test_every_route_obeys_role_and_scope(world: World, persona_name: str) -> None:
    persona = world.personas[persona_name]
    unclassified = []
    for name, pattern in walk():
        if ADMIN_SITE.match(name):
            check_admin_site(persona, name, pattern)
            continue
        kwargs = kwarg_names(pattern)
        if name in UNIT_ROUTES:
            check_unit_route(world, persona, name)
        elif name in USER_ROUTES:
            check_user_route(world, persona, name)
        elif name in MODEL_ROUTES:
            check_model_route(world, persona, name)
        elif name in RECOGNITION_ROUTES:
            check_recognition_route(world, persona, name)
        elif name == "audit:history":
            check_history(world, persona)
        elif name == "api_tokens:revoke":
            check_foreign_token(world, persona)
        elif name in AWARDS_OBJECT_ROUTES:
            check_awards_object_route(world, persona, name)
        elif name in ATTACHMENT_ROUTES:
            check_attachment_route(world, persona, name)
        elif name in DATASET_ROUTES:
            check_dataset_route(world, persona, name)
        elif name in FORCES_ROUTES:
            check_forces_route(world, persona, name)
        elif name in CLASSIFICATION_ROUTES:
            check_classification_route(world, persona, name)
        elif name in BUDGET_ROUTES:
            check_budget_route(world, persona, name)
        elif name in PLANS_ROUTES:
            check_plans_route(world, persona, name)
        elif name in RECORD_ROUTES:
            check_record_route(world, persona, name)
        elif name in REPORTS_ROUTES:
            check_reports_route(world, persona, name)
        elif set(kwargs) <= set(OTHER_KWARGS) and name.startswith(PLAIN_PREFIXES):
            check_plain_route(persona, name, reverse(name, kwargs={k: OTHER_KWARGS[k] for k in kwargs}), world)
        else:
            unclassified.append(name)
    assert not unclassified, (
        f"routes not covered by the access walk: {unclassified}; classify them in tests/test_access_routes.py"
    )


def check_plain_route(persona: Persona, name: str, url: str, world: World) -> None:
    reads: set[str] = {ALL}
    for method in ("get", "post"):
        before = snapshot()
        response = request(persona, name, url, method)
        assert response.status_code < 500, (persona.name, name, method, response.status_code)
        if persona.user is None and name not in PUBLIC:
            assert_anonymous_refused(name, response)
        if method == "post" and persona.user is None and name not in PUBLIC:
            assert snapshot() == before, (name, "anonymous POST wrote something")
        if method == "get":
            reads = getattr(response, "query_reads", {ALL})
            if response.status_code == 200:
                body = body_text(response)
                assert not leaked_markers(persona, body), (persona.name, name, leaked_markers(persona, body))
    unclassified = reads - set(LEAK_PARAMS) - OTHER_PARAMS - {ALL}
    assert not unclassified, (
        f"{name} reads query parameters {sorted(unclassified)}: add them to LEAK_PARAMS (they name or search "
        "for a unit) or OTHER_PARAMS in tests/test_access_routes.py")
    if persona.user is None:
        return
    # The same list, export or count pointed at units outside the persona's view scope, through every
    # unit-naming parameter the view reads.
    read = LEAK_PARAMS if ALL in reads else {p: sorts for p, sorts in LEAK_PARAMS.items() if p in reads}
    for key, target in world.targets.items():
        if key in persona.sees:
            continue
        # text: the marker without diacritics (found by a search, never echoed back as the marker itself)
        values = {"pk": str(target.pk), "code": target.code, "text": fold(MARKERS[key])}
        for param, value in ((p, values[sort]) for p, sorts in read.items() for sort in sorts):
            response = request(persona, name, f"{url}?{param}={value}", "get")
            assert response.status_code < 500, (persona.name, name, param, response.status_code)
            body = body_text(response) if response.status_code == 200 else ""
            assert not leaked_markers(persona, body), (persona.name, name, param, leaked_markers(persona, body))


def _xlsx_text(data: bytes) -> str:
    import io

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True)
    except Exception:  # not a workbook: nothing to read
        return ""
    return " ".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)


def check_unit_route(world: World, persona: Persona, name: str) -> None:
    kwarg, needs_change = UNIT_ROUTES[name]
    methods = ("get", "post") if not is_api(name) else (("post",) if needs_change else ("get",))
    for key, target in world.targets.items():
        url = reverse(name, kwargs={kwarg: target.pk})
        for method in methods:
            before = snapshot()
            response = request(persona, name, url, method)
            code = response.status_code
            where = (persona.name, name, key, method, code)
            assert code < 500, where
            if persona.user is None:
                assert_anonymous_refused(name, response)
            elif key not in persona.sees:
                assert code in (403, 404), where
            elif needs_change and key not in persona.changes:
                assert code == 403, where
            elif method == "get":
                assert code == 200, where
                assert MARKERS[key] in body_text(response), where
            refused = persona.user is None or key not in persona.sees or (needs_change and key not in persona.changes)
            if refused:
                assert snapshot() == before, (*where, "a refused request wrote something")


def check_user_route(world: World, persona: Persona, name: str) -> None:
    managed = USER_MANAGERS.get(persona.name, set())
    for key, target in world.target_users.items():
        url = reverse(name, kwargs={"user_id": target.pk})
        for method in ("get", "post"):
            before = AuditEntry.objects.count()
            response = request(persona, name, url, method)
            where = (persona.name, name, key, method, response.status_code)
            assert response.status_code < 500, where
            if persona.user is None:
                assert_anonymous_refused(name, response)
            elif key not in managed:
                assert response.status_code in (403, 404, 405), where
                assert AuditEntry.objects.count() == before, (*where, "refused request wrote")
            elif method == "get" and name in ("users:edit",):
                assert response.status_code == 200, where


def check_history(world: World, persona: Persona) -> None:
    for key, target in world.targets.items():
        url = reverse("audit:history", kwargs={"object_type": "units.unit", "object_id": str(target.pk)})
        response = persona.client().get(url)
        where = (persona.name, "audit:history", key, response.status_code)
        assert response.status_code < 500, where
        if persona.user is None:
            assert_anonymous_refused("audit:history", response)
        elif key not in persona.sees:
            assert response.status_code in (403, 404), where
        else:
            assert response.status_code == 200, where


def check_foreign_token(world: World, persona: Persona) -> None:
    from phongtrao.api.actions import do_create_token
    from phongtrao.audit.actions import Actor

    owner = world.personas["admin"].user
    admin_token, _ = do_create_token(Actor(user=owner), owner, name="another")  # not the walk's own token
    url = reverse("api_tokens:revoke", kwargs={"pk": admin_token.pk})
    for method in ("get", "post"):
        response = request(persona, "api_tokens:revoke", url, method)
        if persona.user is None:
            assert_anonymous_refused("api_tokens:revoke", response)
        elif persona.name != "admin":
            assert response.status_code == 404, (persona.name, method, response.status_code)
    if persona.name != "admin":
        admin_token.refresh_from_db()
        assert admin_token.revoked_at is None


def check_admin_site(persona: Persona, name: str, pattern: URLPattern) -> None:
    if kwarg_names(pattern):
        return  # object pages of the admin site follow from its index being closed
    response = persona.client().get(reverse(name))
    assert response.status_code < 500, (persona.name, name)
    if persona.name != "admin" and name not in ("admin:login", "admin:logout"):
        assert response.status_code in (302, 403, 404), (persona.name, name, response.status_code)


def test_the_recorder_notes_keys_read_and_whole_query_reads() -> None:
    from django.forms import CharField, Form
    from django.template import RequestContext, Template

    query = RecordingQueryDict("unit=5&page=2")
    query.get("unit")
    assert "parent" not in query
    query.getlist("within")
    assert query.reads == {"unit", "parent", "within"}
    form = type("F", (Form,), {"q": CharField(required=False)})(query)  # a bound form reads its fields
    assert form.is_valid() and "q" in query.reads and ALL not in query.reads
    request = HttpRequest()
    request.GET = query
    Template("{% querystring page=3 %}").render(RequestContext(request))
    assert ALL not in query.reads  # copying the query into a link is an echo
    for whole in (lambda q: bool(q), lambda q: list(q), lambda q: q.dict(), lambda q: q.copy(),
                  lambda q: q.urlencode()):
        other = RecordingQueryDict("unit=5")
        whole(other)
        assert ALL in other.reads


def test_no_middleware_reads_the_whole_query() -> None:
    """The walk probes a view only with the parameters it reads; a middleware that iterates ``request.GET``
    (as the NUL-byte check once did) would make every route a whole-query reader and the walk three times
    slower without checking more. The login page reads ``next`` and nothing else."""
    from django.test import Client

    with override_settings(MIDDLEWARE=["tests.test_access_routes.RecordQueryReads", *django_settings.MIDDLEWARE]):
        response = Client().get(reverse("accounts:login") + "?next=/&other=1")
    assert response.status_code == 200
    assert ALL not in response.query_reads and "other" not in response.query_reads
