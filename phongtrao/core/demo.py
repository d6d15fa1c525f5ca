"""Demo data for ``phongtrao demo``: one real province, made-up units below its communes, one login per role.

The demo takes one current province of the official register (default
Thành phố Đà Nẵng, code 48); the units app's step (``phongtrao/units/demo.py``)
adds, for each of its official communes, residential areas and organisations
with local codes, all valid from 2025-07-01. Then this module creates one login
per role (see ``LOGINS``), all with the password ``DEMO_PASSWORD``, and every
other app's step runs.

Everything is deterministic for a seed: every random choice comes from
``DemoContext.rng(...)``, a generator seeded by the seed *and* the keys given
(for example the step name and a commune code), so one step's data does not
change when another step, or another commune, is added.

Adding a step for another app (recognitions, models, awards, …)
-----------------------------------------------------------------
Give the app's ``AppConfig`` a method ``demo(self, context: DemoContext) -> None``.
``phongtrao demo`` runs every installed app's ``demo`` hook and the built-in
``users`` step, ordered by the AppConfig's ``demo_order`` (default 100; the units
app's is 10, the users step's 50) and then ``INSTALLED_APPS`` order, all inside one
transaction. A hook:

- reads what it needs from the context: ``context.province``,
  ``context.communes`` (the selected official communes, ordered by code),
  ``context.home_commune`` (the commune of the demo commune officer and
  approver), ``context.demo_units(*kinds)`` (the generated units),
  ``context.users`` (username -> ``User``), ``context.years`` (the years of
  history to fill, oldest first), ``context.actor`` (for named actions);
- draws randomness only from ``context.rng("<app label>", …)``;
- must be idempotent: create only what is missing (look for its own records
  first), so that running ``phongtrao demo`` again adds nothing and an app
  added later fills in just its own part of an existing demo;
- reports what it created with ``context.add("<what>", n)`` (the command
  prints the totals and records them in one ``demo.load`` audit entry) and may
  print progress with ``context.say(...)``.

Example::

    class RecognitionConfig(AppConfig):
        name = "phongtrao.recognition"

        def demo(self, context):
            from phongtrao.recognition.demo import add_demo_recognitions
            add_demo_recognitions(context)

Demo units are valid from 2025-07-01 (the current communes did not exist
before); history for earlier years belongs to the pre-reform units, reachable
through ``Succession`` links.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from phongtrao.audit.actions import Actor, record
from phongtrao.units.demo import DEMO_DAY, DEMO_KINDS, in_sentence
from phongtrao.units.models import Kind, SchoolLevel, Source, Unit, UnitQuerySet
from phongtrao.units.official import ROOT_CODE

if TYPE_CHECKING:
    from phongtrao.accounts.models import User

DEMO_PASSWORD = "demo-antq-2025"  # noqa: S105  (documented demo password, printed by --print-logins)
DEFAULT_PROVINCE = "48"  # Thành phố Đà Nẵng
DEFAULT_SEED = 2025
HISTORY_YEARS = 5


class DemoError(Exception):
    """The demo cannot be built (register missing, unknown province, …)."""


# --------------------------------------------------------------------------- context and steps


@dataclass
class DemoContext:
    province: Unit
    communes: list[Unit]
    seed: int
    actor: Actor
    write: Callable[[str], Any] = print
    counts: Counter[str] = field(default_factory=Counter)
    users: dict[str, User] = field(default_factory=dict)

    @property
    def home_commune(self) -> Unit:
        return self.communes[0]

    @property
    def years(self) -> list[int]:
        """The years of history a step may fill, oldest first, ending with the current year."""
        this_year = timezone.localdate().year
        return list(range(this_year - HISTORY_YEARS + 1, this_year + 1))

    def rng(self, *keys: object) -> random.Random:
        """A generator determined by the seed and ``keys`` only (string seeds are hashed with SHA-512)."""
        return random.Random(":".join([str(self.seed), *map(str, keys)]))  # noqa: S311  (demo data, not secrets)

    def say(self, message: str) -> None:
        self.write(message)

    def add(self, what: str, count: int) -> None:
        if count:
            self.counts[what] += count

    def demo_units(self, *kinds: str) -> UnitQuerySet:
        """Generated (local-code) units under the selected communes, of ``kinds`` (default: all)."""
        return (
            Unit.objects.filter(parent__in=self.communes, source=Source.LOCAL, kind__in=kinds or DEMO_KINDS)
            .valid_on(DEMO_DAY)
            .order_by("code")
        )


Step = Callable[[DemoContext], None]


USERS_ORDER = 50  # the built-in users step: after the units (``UnitsConfig.demo_order``), before the rest


def demo_steps() -> list[tuple[str, Step]]:
    """Every installed app's ``AppConfig.demo`` hook and the built-in users step, by ``demo_order``
    (default 100; the units app's is 10, the users step's 50), then INSTALLED_APPS order."""
    ordered: list[tuple[int, int, str, Step]] = [(USERS_ORDER, -1, "users", add_users)]
    for position, config in enumerate(apps.get_app_configs()):
        hook = getattr(config, "demo", None)
        if callable(hook):
            ordered.append((getattr(config, "demo_order", 100), position, config.label, hook))
    return [(name, step) for _order, _position, name, step in sorted(ordered, key=lambda s: s[:2])]


def register_loaded() -> bool:
    if Unit._meta.db_table not in connection.introspection.table_names():
        return False
    return Unit.objects.filter(code=ROOT_CODE, kind=Kind.COUNTRY).exists()


def find_province(code: str) -> Unit:
    if not register_loaded():
        raise DemoError("the official register is not loaded: run `phongtrao setup` first")
    province = Unit.objects.of_kind(Kind.PROVINCE).with_code(code, DEMO_DAY).first()
    if province is None:
        current = Unit.objects.of_kind(Kind.PROVINCE).valid_on(DEMO_DAY).order_by("code")
        choices = ", ".join(f"{p.code} {p.name}" for p in current)
        raise DemoError(f"no current province with code {code!r} (valid on {DEMO_DAY:%d/%m/%Y}); "
                        f"choose one of: {choices}")
    return province


def select_communes(province: Unit, limit: int | None = None) -> list[Unit]:
    """The province's official communes valid on 2025-07-01, by code; the first ``limit`` of them if given."""
    communes = list(
        Unit.objects.in_subtree(province).of_kind(Kind.COMMUNE).filter(source=Source.OFFICIAL)
        .valid_on(DEMO_DAY).order_by("code")
    )
    if not communes:
        raise DemoError(f"{province.name} has no communes valid on {DEMO_DAY:%d/%m/%Y}")
    return communes[:limit] if limit else communes


def build_demo(
    province_code: str = DEFAULT_PROVINCE,
    *,
    seed: int = DEFAULT_SEED,
    commune_limit: int | None = None,
    write: Callable[[str], Any] = print,
) -> DemoContext:
    """Run every step in one transaction; the context's ``counts`` stay empty when nothing was missing."""
    province = find_province(province_code)
    with transaction.atomic():
        context = DemoContext(province=province, communes=select_communes(province, commune_limit), seed=seed,
                              actor=Actor.command(), write=write)
        for _name, step in demo_steps():
            step(context)
        if context.counts:
            record(context.actor, "demo.load", province, unit=province, before=None, after={
                "seed": seed,
                "province": province.code,
                "communes": len(context.communes),
                "created": dict(context.counts),
            })
    return context


# --------------------------------------------------------------------------- logins


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    full_name: str
    title: str  # "{province}" / "{commune}" / "{organisation}" are filled in from the home unit
    home: str  # "", "province", "commune" or "organisation"


LOGINS: Sequence[DemoLogin] = (
    DemoLogin("admin", "admin", "Trần Minh Quân", "Quản trị hệ thống", ""),
    DemoLogin("tinh", "province_officer", "Lê Thị Thu Hà",
              "Cán bộ Phòng Xây dựng phong trào bảo vệ ANTQ, Công an {province}", "province"),
    DemoLogin("xa", "commune_officer", "Nguyễn Văn Hùng", "Cán bộ Công an {commune}", "commune"),
    DemoLogin("coquan", "org_reporter", "Phạm Thị Lan", "Phó Hiệu trưởng {organisation}", "organisation"),
    DemoLogin("chutich", "approver", "Võ Văn Thành", "Chủ tịch UBND {commune}", "commune"),
    DemoLogin("chutichtinh", "approver", "Đặng Quốc Bảo", "Chủ tịch UBND {province}", "province"),
    DemoLogin("xem", "viewer", "Huỳnh Thị Mai",
              "Thành viên Ban Chỉ đạo, Ủy ban MTTQ Việt Nam {province}", "province"),
)


def home_units(context: DemoContext) -> dict[str, Unit | None]:
    """Home unit by ``DemoLogin.home``: the province, the first commune, that commune's first THCS school."""
    commune = context.home_commune
    schools = context.demo_units(Kind.SCHOOL).filter(parent=commune)
    organisation = schools.filter(school_level=SchoolLevel.THCS).first()
    return {"": None, "province": context.province, "commune": commune, "organisation": organisation}


def add_users(context: DemoContext) -> None:
    """One login per role (``LOGINS``), scoped to its home unit; usernames already taken are left alone."""
    from phongtrao.accounts.actions import do_grant_scope
    from phongtrao.accounts.models import User
    from phongtrao.accounts.policies import is_admin_role, scope_kind_for

    homes = home_units(context)
    organisation = homes["organisation"]
    names = {"province": in_sentence(context.province.name),
             "commune": in_sentence(context.home_commune.name),
             "organisation": organisation.name if organisation else ""}
    taken = set(User.objects.filter(username__in=[login.username for login in LOGINS])
                .values_list("username", flat=True))
    created = []
    # One hash for all (PBKDF2 is deliberately slow); the password is published anyway.
    password = make_password(DEMO_PASSWORD)
    for login in LOGINS:
        if login.username in taken:
            context.users[login.username] = User.objects.get(username=login.username)
            continue
        user = User(username=login.username, role=login.role, first_name=login.full_name,
                    title=login.title.format(**names), unit=homes[login.home],
                    is_staff=is_admin_role(login.role), is_superuser=is_admin_role(login.role))
        user.password = password
        user.save()
        if user.unit is not None:  # the home unit's subtree is the user's scope
            do_grant_scope(context.actor, user, user.unit, scope_kind_for(login.role))
        context.users[login.username] = user
        created.append(login.username)
    context.add("logins", len(created))
    context.say(f"users: created {', '.join(created)} (password {DEMO_PASSWORD})" if created
                else "users: all demo logins already present")


def login_rows(province_code: str = DEFAULT_PROVINCE) -> list[tuple[str, str, str, str]]:
    """(username, password, role, home unit) for every demo login, from the database where it exists."""
    from phongtrao.accounts.models import Role, User

    try:
        province = find_province(province_code)
        context = DemoContext(province=province, communes=select_communes(province, 1), seed=DEFAULT_SEED,
                              actor=Actor.system())
        homes: dict[str, Unit | None] = home_units(context)
        plan = {"": "—", "province": province.name, "commune": context.home_commune.name,
                "organisation": f"Trường THCS … ({context.home_commune.name})"}
        users = {u.username: u for u in User.objects.filter(username__in=[lg.username for lg in LOGINS])
                 .select_related("unit")}
    except DemoError:
        homes, users = {}, {}
        plan = {"": "—", "province": "(tỉnh)", "commune": "(xã)", "organisation": "(cơ sở giáo dục)"}
    rows = []
    for login in LOGINS:
        user = users.get(login.username)
        if user is not None:
            where = user.unit.name if user.unit else "—"
        else:
            home = homes.get(login.home)
            where = home.name if home is not None else plan[login.home]
        rows.append((login.username, DEMO_PASSWORD, str(Role(login.role).label), where))
    return rows
