"""The personas every access test uses (STYLE.md §9), built through the real actions.

Province T99 (from shared/examples) with communes X = T99001 and Y = T99002; Z is
a unit of another province (Đà Nẵng, code 48). Each target unit gets a
distinctive marker name so a page that leaks it can be caught by a text search.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.utils import timezone

from phongtrao.accounts.actions import do_grant_scope
from phongtrao.accounts.models import Role, ScopeKind, User
from phongtrao.audit.actions import Actor
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Unit

MARKERS = {"X": "Thôn Dấu Vết Xanh", "Y": "Thôn Dấu Vết Vàng", "Z": "Thôn Dấu Vết Đỏ"}


@dataclass
class Persona:
    name: str
    user: User | None
    sees: set[str]  # which of X, Y, Z this persona may read
    changes: set[str]  # which it may change in the register
    token: str = ""
    # A request handler shared by this persona's clients (its middleware loaded once, as in a server
    # process); each client still starts with no cookies and a session of its own.
    handler: Any = None
    # What a login puts in the session, taken from the persona's first real login: each later client gets a
    # new session holding the same (what ``force_login`` would write, without its 9 ms of signals and writes).
    login_data: dict[str, Any] = field(default_factory=dict)

    def client(self) -> Client:
        from django.conf import settings
        from django.contrib.sessions.backends.db import SessionStore

        client = self._with_handler(Client())
        if self.user is None:
            return client
        if not self.login_data:
            client.force_login(self.user)
            self.login_data = dict(client.session.items())
            return client
        session = SessionStore()
        session.update(self.login_data)
        session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        return client

    def api_client(self) -> Client:
        return self._with_handler(Client(headers={"authorization": f"Bearer {self.token}"} if self.token else {}))

    def _with_handler(self, client: Client) -> Client:
        if self.handler is not None:
            client.handler = self.handler
        return client


@dataclass
class World:
    targets: dict[str, Unit] = field(default_factory=dict)
    target_users: dict[str, User] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)


def build_world() -> World:
    from phongtrao.api.actions import do_create_token

    today = timezone.localdate()
    on = dt.date(2025, 12, 31)
    province = Unit.objects.with_code("T99", on).get()
    commune_x = Unit.objects.with_code("T99001", on).get()
    commune_y = Unit.objects.with_code("T99002", on).get()
    da_nang = Unit.objects.with_code("48", today).get()
    commune_z = Unit.objects.filter(parent=da_nang, kind=Kind.COMMUNE).vi_ordered().first()
    assert commune_z is not None
    agency_x = Unit.objects.with_code("AG-T99001-001", on).get()
    world = World()
    system = Actor.system()
    for key, parent in (("X", commune_x), ("Y", commune_y), ("Z", commune_z)):
        world.targets[key] = do_create_unit(system, code=f"KDC-MARK-{key}", name=MARKERS[key],
                                            kind=Kind.RESIDENTIAL_AREA, parent=parent,
                                            valid_from=dt.date(2025, 7, 1))

    def user(username: str, role: str, scopes: list[tuple[Unit, str]]) -> User:
        u = User.objects.create_user(username=username, password="x-Pass-word-123", role=role,
                                     first_name=username, is_superuser=role == Role.ADMIN)
        for unit, kind in scopes:
            do_grant_scope(Actor.system(), u, unit, kind)
        return u

    # Accounts that user-management routes act on.
    world.target_users["X"] = user("target_x", Role.COMMUNE_OFFICER, [(commune_x, ScopeKind.CAPTURE)])
    world.target_users["Y"] = user("target_y", Role.COMMUNE_OFFICER, [(commune_y, ScopeKind.CAPTURE)])
    world.target_users["Z"] = user("target_z", Role.COMMUNE_OFFICER, [(commune_z, ScopeKind.CAPTURE)])

    specs = [
        ("admin", Role.ADMIN, [], {"X", "Y", "Z"}, {"X", "Y", "Z"}),
        ("province", Role.PROVINCE_OFFICER, [(province, ScopeKind.CAPTURE)], {"X", "Y"}, {"X", "Y"}),
        ("commune", Role.COMMUNE_OFFICER, [(commune_x, ScopeKind.CAPTURE)], {"X"}, {"X"}),
        ("other_province", Role.PROVINCE_OFFICER, [(da_nang, ScopeKind.CAPTURE)], {"Z"}, {"Z"}),
        ("approver", Role.APPROVER, [(commune_x, ScopeKind.CAPTURE)], {"X"}, set()),
        ("reporter", Role.ORG_REPORTER, [(agency_x, ScopeKind.CAPTURE)], set(), set()),
        ("viewer", Role.VIEWER, [(province, ScopeKind.VIEW)], {"X", "Y"}, set()),
    ]
    for name, role, scopes, sees, changes in specs:
        account = user(name, role, scopes)
        _, key = do_create_token(Actor(user=account), account, name="walk")
        world.personas[name] = Persona(name, account, sees, changes, key)
    world.personas["anonymous"] = Persona("anonymous", None, set(), set())
    return world


def persona_names() -> list[str]:
    return ["anonymous", "admin", "province", "commune", "other_province", "approver", "reporter", "viewer"]


def leaked_markers(persona: Persona, body: str) -> set[str]:
    return {key for key, marker in MARKERS.items() if key not in persona.sees and marker in body}


