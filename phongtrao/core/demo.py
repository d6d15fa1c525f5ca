"""Demo data for ``phongtrao demo``: one real province, made-up units below its communes, one login per role.

The demo takes one current province of the official register (default
Thành phố Đà Nẵng, code 48) and, for each of its official communes, adds
residential areas (thôn / tổ dân phố) and agencies, enterprises and schools with
local codes (``KDC-<commune>-01``, ``CQ-…``, ``DN-…``, ``TH-…``), all valid from
2025-07-01. Some organisations are deliberately outside the ANTT standard
(armed-forces agencies, micro and small enterprises, preschools and primary
schools). Then it creates one login per role (see ``LOGINS``), all with the
password ``DEMO_PASSWORD``.

Everything is deterministic for a seed: every random choice comes from
``DemoContext.rng(...)``, a generator seeded by the seed *and* the keys given
(for example the step name and a commune code), so one step's data does not
change when another step, or another commune, is added.

Adding a step for another app (recognitions, models, awards, …)
-----------------------------------------------------------------
Give the app's ``AppConfig`` a method ``demo(self, context: DemoContext) -> None``.
``phongtrao demo`` runs the built-in steps (``units``, then ``users``) and then
every installed app's ``demo`` hook in ``INSTALLED_APPS`` order, all inside one
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
from phongtrao.units.models import (
    ORGANISATION_KINDS,
    EnterpriseSize,
    Kind,
    ManagingLevel,
    SchoolLevel,
    Source,
    Unit,
    UnitQuerySet,
    rebuild_closure,
)
from phongtrao.units.official import REFORM_DATE, ROOT_CODE

if TYPE_CHECKING:
    from phongtrao.accounts.models import User

DEMO_PASSWORD = "demo-antq-2025"  # noqa: S105  (documented demo password, printed by --print-logins)
DEFAULT_PROVINCE = "48"  # Thành phố Đà Nẵng
DEFAULT_SEED = 2025
DEMO_DAY = REFORM_DATE  # demo units are valid from 2025-07-01
HISTORY_YEARS = 5
DEMO_KINDS = (Kind.RESIDENTIAL_AREA, *ORGANISATION_KINDS)


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


def demo_steps() -> list[tuple[str, Step]]:
    """The built-in steps, then every installed app's ``AppConfig.demo`` hook (INSTALLED_APPS order)."""
    steps: list[tuple[str, Step]] = [("units", add_units), ("users", add_users)]
    for config in apps.get_app_configs():
        hook = getattr(config, "demo", None)
        if callable(hook):
            steps.append((config.label, hook))
    return steps


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


# --------------------------------------------------------------------------- names

VILLAGE_NAMES = (
    "An Phước", "An Lợi", "Phú Sơn", "Thạch Bồ", "Trung Phước", "Bình Yên", "Hòa Mỹ", "Tân An",
    "Phước Thuận", "Đông Lâm", "Tây An", "Mỹ Thạnh", "Cẩm Sa", "La Bông", "Phong Nam", "Quan Nam",
    "Lộc Mỹ", "Thái Lai", "Hưởng Phước", "Đại La", "Giáng Nam", "Phú Túc", "Thanh Vinh", "Xuân Phú",
    "Bồ Bản", "Trà Kiệu", "Hà Nha", "Phú Thạnh", "Vĩnh Phước", "Đông Hòa",
)
SCHOOL_PATRONS = (
    "Nguyễn Trãi", "Lê Lợi", "Trần Hưng Đạo", "Quang Trung", "Lý Thường Kiệt", "Nguyễn Du",
    "Phan Châu Trinh", "Huỳnh Thúc Kháng", "Lê Quý Đôn", "Nguyễn Bỉnh Khiêm", "Chu Văn An", "Võ Thị Sáu",
    "Kim Đồng", "Lê Văn Tám",
    "Trần Phú", "Hoàng Diệu", "Ông Ích Khiêm", "Nguyễn Văn Trỗi", "Phan Bội Châu", "Lương Thế Vinh",
    "Hùng Vương", "Lê Hồng Phong", "Nguyễn Thị Minh Khai", "Trần Quốc Toản", "Ngô Quyền", "Lý Tự Trọng",
    "Hoàng Văn Thụ", "Mạc Đĩnh Chi", "Nguyễn Khuyến", "Trưng Vương", "Bà Triệu", "Đinh Tiên Hoàng",
    "Nguyễn Thái Học", "Trần Cao Vân", "Nguyễn Duy Hiệu", "Thái Phiên", "Trần Quý Cáp", "Nguyễn Đình Chiểu",
)
KINDERGARTEN_NAMES = ("Sơn Ca", "Họa Mi", "Hoa Sen", "Hoa Mai", "Bình Minh", "Tuổi Thơ", "Vành Khuyên",
                      "Hoa Hồng", "Sao Mai", "Măng Non")
BUSINESS_SECTORS = (
    "Xây dựng", "Thương mại", "Thương mại và Dịch vụ", "Vận tải", "Thủy sản", "May mặc", "Chế biến gỗ",
    "Du lịch", "Cơ khí", "Thực phẩm", "Nông sản", "Vật liệu xây dựng", "Điện tử", "Logistics", "Khách sạn",
    "In ấn", "Môi trường", "Dược phẩm",
)
BUSINESS_BRANDS = (
    "An Phú", "Minh Khang", "Thành Đạt", "Hưng Thịnh", "Phước Lộc", "Tân Tiến", "Việt Hàn", "Sông Hàn",
    "Trường Sơn", "Hải Âu", "Bạch Đằng", "Hòa Bình", "Thiên Phú", "Đại Dương", "Kim Long", "Phú Gia",
    "Ngọc Linh", "Bình An", "Hoàng Gia", "Sao Việt", "Đông Á", "Miền Trung", "Nam Hải", "Thuận Phát",
    "Vĩnh Hưng", "Quang Minh", "Tường An", "Mỹ Sơn", "Hội Phố", "Lam Sơn",
)
PROVINCE_AGENCIES = (
    "Chi cục Thuế cơ sở {short}", "Bảo hiểm xã hội cơ sở {short}", "Trung tâm Y tế khu vực {short}",
    "Kho bạc Nhà nước khu vực {short}", "Đội Quản lý thị trường {short}",
    "Chi nhánh Văn phòng đăng ký đất đai {short}",
)
COMMUNE_AGENCIES = ("Ủy ban MTTQ Việt Nam {commune}", "Trạm Y tế {commune}",
                    "Trung tâm Phục vụ hành chính công {commune}")
_LEVEL_WORDS = ("Thành phố", "Tỉnh", "Xã", "Phường", "Thị trấn", "Đặc khu")


def short_name(name: str) -> str:
    """ "Phường Hải Vân" -> "Hải Vân"."""
    for word in _LEVEL_WORDS:
        if name.startswith(word + " "):
            return name[len(word) + 1:]
    return name


def in_sentence(name: str) -> str:
    """ "Phường Hải Vân" -> "phường Hải Vân" (the level word is lower-case inside a sentence or name)."""
    for word in _LEVEL_WORDS:
        if name.startswith(word + " "):
            return word.lower() + name[len(word):]
    return name


# --------------------------------------------------------------------------- units


def plan_units(commune: Unit, rng: random.Random) -> list[Unit]:
    """The demo units of one commune (unsaved, deterministic for ``rng``), residential areas first."""
    code, short, where = commune.code, short_name(commune.name), in_sentence(commune.name)
    is_xa = commune.subtype == "xa"
    units: list[Unit] = []

    def unit(prefix: str, kind: str, name: str, **fields: Any) -> None:
        number = sum(1 for u in units if u.code.startswith(f"{prefix}-")) + 1
        units.append(Unit(code=f"{prefix}-{code}-{number:02d}", name=name, kind=kind, parent=commune,
                          valid_from=DEMO_DAY, source=Source.LOCAL, **fields))

    # Residential areas: "Thôn 1".. in a xã (some xã name their thôn), "Tổ dân phố 1".. elsewhere.
    count = rng.randint(4, 12)
    if is_xa:
        names = ([f"Thôn {n}" for n in rng.sample(VILLAGE_NAMES, count)] if rng.random() < 0.3
                 else [f"Thôn {i}" for i in range(1, count + 1)])
        subtype, households = "thon", (80, 450)
    else:
        names = [f"Tổ dân phố {i}" for i in range(1, count + 1)]
        subtype, households = "to_dan_pho", (120, 600)
    for name in names:
        unit("KDC", Kind.RESIDENTIAL_AREA, name, subtype=subtype, households=rng.randint(*households))

    # Agencies: the People's Committee and one or two other commune bodies; some province bodies
    # located here; an armed-forces agency (outside the standard) in about one commune in three.
    unit("CQ", Kind.AGENCY, f"UBND {where}", managed_by=ManagingLevel.COMMUNE)
    for pattern in rng.sample(COMMUNE_AGENCIES, rng.randint(1, 2)):
        unit("CQ", Kind.AGENCY, pattern.format(commune=where), managed_by=ManagingLevel.COMMUNE)
    for pattern in rng.sample(PROVINCE_AGENCIES, rng.choice((0, 0, 1, 1, 2))):
        unit("CQ", Kind.AGENCY, pattern.format(short=short), managed_by=ManagingLevel.PROVINCE)
    if rng.random() < 1 / 3:
        unit("CQ", Kind.AGENCY, f"Ban Chỉ huy Quân sự {where}", managed_by=ManagingLevel.COMMUNE,
             armed_forces=True)

    # Enterprises of mixed sizes; micro and small ones are outside the standard.
    seen: set[str] = set()
    for _ in range(rng.randint(2, 6)):
        size = rng.choices(EnterpriseSize.values, weights=(35, 30, 25, 10))[0]
        sector, brand = rng.choice(BUSINESS_SECTORS), rng.choice(BUSINESS_BRANDS)
        if size == EnterpriseSize.MICRO and rng.random() < 0.4:
            form, subtype = "Doanh nghiệp tư nhân", "doanh_nghiep_tu_nhan"
        elif size == EnterpriseSize.LARGE or (size == EnterpriseSize.MEDIUM and rng.random() < 0.5):
            form, subtype = "Công ty Cổ phần", "cong_ty_co_phan"
        else:
            form, subtype = "Công ty TNHH", "cong_ty_tnhh"
        name = f"{form} {sector} {brand}"
        if name in seen:
            name = f"{name} {short}"
        seen.add(name)
        managed = ManagingLevel.PROVINCE if size == EnterpriseSize.LARGE else ManagingLevel.COMMUNE
        unit("DN", Kind.ENTERPRISE, name, subtype=subtype, size=size, managed_by=managed)

    # Schools: preschools and primary schools (outside the standard), a lower-secondary school,
    # sometimes an upper-secondary school or a provincial centre.
    patrons = iter(rng.sample(SCHOOL_PATRONS, 8))
    for name in rng.sample((short, *KINDERGARTEN_NAMES), rng.randint(1, 2)):
        unit("TH", Kind.SCHOOL, f"Trường Mầm non {name}", school_level=SchoolLevel.MAM_NON,
             managed_by=ManagingLevel.COMMUNE)
    for _ in range(rng.randint(1, 2)):
        unit("TH", Kind.SCHOOL, f"Trường Tiểu học {next(patrons)}", school_level=SchoolLevel.TIEU_HOC,
             managed_by=ManagingLevel.COMMUNE)
    unit("TH", Kind.SCHOOL, f"Trường THCS {next(patrons)}", school_level=SchoolLevel.THCS,
         managed_by=ManagingLevel.COMMUNE)
    if is_xa and rng.random() < 0.15:
        unit("TH", Kind.SCHOOL, f"Trường Tiểu học và THCS {next(patrons)}", school_level=SchoolLevel.LIEN_CAP,
             managed_by=ManagingLevel.COMMUNE)
    if rng.random() < 0.4:
        unit("TH", Kind.SCHOOL, f"Trường THPT {next(patrons)}", school_level=SchoolLevel.THPT,
             managed_by=ManagingLevel.PROVINCE)
    if rng.random() < 0.06:
        unit("TH", Kind.SCHOOL, f"Trung tâm GDNN-GDTX {short}", school_level=SchoolLevel.GDNN_GDTX,
             managed_by=ManagingLevel.PROVINCE)
    if not is_xa and rng.random() < 0.04:
        unit("TH", Kind.SCHOOL, f"Trường Cao đẳng Nghề {short}", school_level=SchoolLevel.CAO_DANG,
             managed_by=ManagingLevel.PROVINCE)
    return units


UNIT_COUNT_NAMES = {Kind.RESIDENTIAL_AREA: "residential areas", Kind.AGENCY: "agencies",
                    Kind.ENTERPRISE: "enterprises", Kind.SCHOOL: "schools"}


def add_units(context: DemoContext) -> None:
    """Residential areas and organisations under every selected commune; units already present are kept."""
    existing = set(
        Unit.objects.filter(parent__in=context.communes, kind__in=DEMO_KINDS, source=Source.LOCAL)
        .values_list("code", flat=True)
    )
    batch: list[Unit] = []
    for commune in context.communes:
        for unit in plan_units(commune, context.rng("units", commune.code)):
            if unit.code not in existing:
                unit.refresh_derived()
                batch.append(unit)
    Unit.objects.bulk_create(batch, batch_size=1000)
    rebuild_closure(batch)
    if batch and connection.vendor == "postgresql":
        # Thousands of new rows: fresh planner statistics before the apps' steps query them
        # (allowed inside a transaction, unlike VACUUM).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE units_unit, units_unitancestor")
    kinds = Counter(u.kind for u in batch)
    for kind, what in UNIT_COUNT_NAMES.items():
        context.add(what, kinds[kind])
    if batch:
        outside = sum(1 for u in batch if u.kind in ORGANISATION_KINDS and not u.subject_to_standard)
        context.say(f"units: {len(batch)} created under {len(context.communes)} communes "
                    f"of {context.province.name} "
                    f"({kinds[Kind.RESIDENTIAL_AREA]} residential areas, {kinds[Kind.AGENCY]} agencies, "
                    f"{kinds[Kind.ENTERPRISE]} enterprises, {kinds[Kind.SCHOOL]} schools; "
                    f"{outside} organisations outside the ANTT standard)")
    else:
        context.say("units: all demo units already present")


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
    from phongtrao.accounts.models import Role, ScopeKind, User

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
                    is_staff=login.role == "admin", is_superuser=login.role == "admin")
        user.password = password
        user.save()
        if user.unit is not None:  # the home unit's subtree is the user's scope
            do_grant_scope(context.actor, user, user.unit,
                           ScopeKind.VIEW if login.role == Role.VIEWER else ScopeKind.CAPTURE)
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
