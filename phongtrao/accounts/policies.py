"""Who may do what: the role rules of every app, as data, in one place.

Each ``Policy`` names one permission (``"units.edit"``), the roles that hold it, where it applies
(``Scope``) and what it allows, in Vietnamese (so a page lists what each role may do). The apps never
compare roles themselves; they ask ``phongtrao.accounts.access``, which reads this table:

- ``access.may(user, "units.edit", unit)``: the user's role holds the permission and, for a
  capture-scoped one, the unit lies in their capture scope;
- ``access.holds(user, "models.edit")``: the role holds it (somewhere in their scope, for a
  capture-scoped one): menus and the buttons of list pages, so an entry never drifts from the view's rule;
- ``access.require(...)`` raises the refusal (403, or the action's ``ActionError``);
- ``access.allowed_on(user, names, units)``: which of ``names`` the user may use on each unit (one query);
- ``access.units_where(user, name)``: the units the user may use ``name`` on, as a QuerySet;
- templates: ``{% load policy_tags %}`` (``user|holds:"…"``, ``{% may user "…" unit as x %}``).

A capture-scoped permission may hold for some roles on some kinds of unit only (``unit_kinds``: a
commune officer enters the data sets of communes and residential areas, not of organisations).

The system itself (``None``: commands, setup, the demo) may do everything; administrators hold every
permission everywhere (their capture scope is the whole country), so every policy lists them.

Apps declare their own entries at ``ready()`` with ``declare``: each import kind's ``import.<kind>``
(an import kind nobody declared is for the data capturers, ``IMPORT_DEFAULT_ROLES``), and the
permissions of an app added later, without touching this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.models import Role, ScopeKind
from phongtrao.units.models import ORGANISATION_KINDS, Kind


class Scope(StrEnum):
    """Where a permission applies."""

    ROLE = "role"  # the role alone: a page, a catalogue, a kind of import (an importer checks each row's unit)
    CAPTURE = "capture"  # on a unit inside the user's capture scope


SCOPE_LABELS: dict[Scope, str | Promise] = {
    Scope.ROLE: gettext_lazy("Theo vai trò"),
    Scope.CAPTURE: gettext_lazy("Trong phạm vi được nhập/sửa"),
}


@dataclass(frozen=True)
class Policy:
    name: str  # "<app>.<what>", e.g. "units.edit", "import.awards"
    roles: frozenset[str]
    description: str | Promise  # gettext_lazy: what the permission allows, in the reader's language
    scope: Scope = Scope.CAPTURE
    # A capture-scoped permission some roles hold on some kinds of unit only (role -> unit kinds);
    # a role not named here holds it on every unit of its capture scope.
    unit_kinds: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def held_by(self, role: str) -> bool:
        return role in self.roles

    def kinds_for(self, role: str) -> frozenset[str] | None:
        """The kinds of unit ``role`` holds the permission on (``None``: every kind)."""
        return self.unit_kinds.get(role)


# The groups of roles the table is written with.
REGISTER_EDITORS = frozenset({Role.ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER})
DATA_CAPTURERS = frozenset({Role.ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.ORG_REPORTER})
DECIDERS = frozenset({Role.ADMIN, Role.APPROVER})
USER_MANAGERS = frozenset({Role.ADMIN, Role.PROVINCE_OFFICER})
PROVINCE_LEVEL = frozenset({Role.ADMIN, Role.PROVINCE_OFFICER})  # administrators and province officers
ADMINS = frozenset({Role.ADMIN})
# An import kind whose app declared no ``import.<kind>`` policy.
IMPORT_DEFAULT_ROLES = DATA_CAPTURERS

POLICIES: dict[str, Policy] = {}


def declare(policy: Policy) -> Policy:
    """Add a permission to the table (an app's at ``ready()``). Declaring the same policy again is a no-op;
    a different one under a taken name, an unknown role or a policy administrators lack is refused."""
    unknown = policy.roles - set(Role.values)
    if unknown:
        raise ValueError(f"policy {policy.name}: unknown roles {sorted(unknown)}")
    if Role.ADMIN not in policy.roles or Role.ADMIN in policy.unit_kinds:
        raise ValueError(f"policy {policy.name}: administrators hold every permission; list Role.ADMIN")
    if policy.unit_kinds and (policy.scope != Scope.CAPTURE or not set(policy.unit_kinds) <= policy.roles):
        raise ValueError(f"policy {policy.name}: unit kinds restrict the capture scope of roles holding it")
    taken = POLICIES.get(policy.name)
    if taken is not None and taken != policy:
        raise ValueError(f"policy {policy.name} is already declared differently")
    POLICIES[policy.name] = policy
    return policy


def _declare_all(policies: Iterable[Policy]) -> None:
    for policy in policies:
        declare(policy)


_declare_all([
    Policy("units.edit", REGISTER_EDITORS,
           gettext_lazy("Thêm, sửa, đóng đơn vị trong danh mục đơn vị")),
    Policy("data.capture", DATA_CAPTURERS,
           gettext_lazy("Nhập dữ liệu của đơn vị: đăng ký, tự đánh giá và gửi hồ sơ tiêu chuẩn ANTT, tệp đính kèm "
                        "hồ sơ, đề nghị khen thưởng")),
    Policy("decisions.record", DECIDERS,
           gettext_lazy("Ghi quyết định: công nhận đạt tiêu chuẩn ANTT, duyệt hoặc trả lại đề nghị khen thưởng, "
                        "quyết định khen thưởng")),
    Policy("recognition.start_review", (DATA_CAPTURERS - {Role.ORG_REPORTER}) | DECIDERS,
           gettext_lazy("Bắt đầu thẩm định hồ sơ tiêu chuẩn ANTT (cơ quan, doanh nghiệp không tự thẩm định)")),
    Policy("recognition.withdraw", DATA_CAPTURERS | DECIDERS,
           gettext_lazy("Rút hồ sơ hoặc thu hồi công nhận tiêu chuẩn ANTT")),
    Policy("models.edit", REGISTER_EDITORS,
           gettext_lazy("Thêm, sửa, nhân rộng, đánh giá, thanh loại mô hình; sửa danh mục lĩnh vực, cấp/cơ quan "
                        "phát động của tỉnh")),
    Policy("models.national_catalogue", ADMINS,
           gettext_lazy("Đổi tên mục dùng chung toàn quốc trong danh mục lĩnh vực, cấp/cơ quan phát động"),
           Scope.ROLE),
    Policy("awards.catalogue", PROVINCE_LEVEL,
           gettext_lazy("Sửa danh mục hình thức khen thưởng"), Scope.ROLE),
    Policy("users.manage", USER_MANAGERS,
           gettext_lazy("Quản lý tài khoản người dùng trong phạm vi của mình"), Scope.ROLE),
    Policy("users.reset_totp", ADMINS,
           gettext_lazy("Tắt xác thực hai bước của tài khoản khác"), Scope.ROLE),
    Policy("accounts.totp", PROVINCE_LEVEL,
           gettext_lazy("Dùng xác thực hai bước"), Scope.ROLE),
    Policy("datasets.enter", DATA_CAPTURERS,
           gettext_lazy("Nhập số liệu biểu mẫu báo cáo định kỳ và đánh dấu hoàn thành (cán bộ xã: xã và khu dân "
                        "cư; cơ quan, doanh nghiệp, cơ sở giáo dục: đơn vị của mình)"),
           unit_kinds={Role.COMMUNE_OFFICER: frozenset({Kind.COMMUNE, Kind.RESIDENTIAL_AREA}),
                       Role.ORG_REPORTER: frozenset(ORGANISATION_KINDS)}),
    Policy("datasets.enter_late", PROVINCE_LEVEL,
           gettext_lazy("Nhập số liệu biểu mẫu sau ngày chốt"), Scope.ROLE),
    Policy("datasets.province_catalogue", PROVINCE_LEVEL,
           gettext_lazy("Thêm chỉ tiêu, biểu mẫu riêng của tỉnh")),
    Policy("datasets.national_catalogue", ADMINS,
           gettext_lazy("Thêm chỉ tiêu, biểu mẫu dùng chung toàn quốc"), Scope.ROLE),
])

# The moves of the yearly ANTT cycle and the permission each needs on the unit's record.
RECOGNITION_MOVES: dict[str, str] = {
    "register": "data.capture",
    "self_assess": "data.capture",
    "submit": "data.capture",
    "start_review": "recognition.start_review",
    "decide": "decisions.record",
    "withdraw": "recognition.withdraw",
}

# The roles a user manager other than an administrator may give (never administrator or province officer).
ROLES_GRANTABLE_BY_MANAGERS = (Role.COMMUNE_OFFICER, Role.ORG_REPORTER, Role.APPROVER, Role.VIEWER)


def policy(name: str) -> Policy:
    """The permission ``name``; an unknown name is a programming error (a typo must not read as "refused")."""
    try:
        return POLICIES[name]
    except KeyError:
        raise LookupError(f"no policy named {name!r} (declare it in phongtrao/accounts/policies.py "
                          "or at the app's ready())") from None


def import_policy(kind: str) -> Policy:
    """The permission to import ``kind``: its app's ``import.<kind>``, else the data capturers' default."""
    return POLICIES.get(f"import.{kind}") or Policy(
        f"import.{kind}", IMPORT_DEFAULT_ROLES, gettext_lazy("Nhập dữ liệu loại này từ tệp"), Scope.ROLE)


def is_admin_role(role: str) -> bool:
    return role == Role.ADMIN


def effective_role(role: str, *, superuser: bool) -> str:
    """A superuser acts as an administrator whatever role the account names."""
    return Role.ADMIN if superuser else role


def needs_home_unit(role: str) -> bool:
    """Every account but an administrator's has a home unit (the unit it works for)."""
    return not is_admin_role(role)


def scope_kind_for(role: str) -> str:
    """The kind of scope an account of ``role`` is given over its own unit: viewers read, the others enter data."""
    return ScopeKind.VIEW if role == Role.VIEWER else ScopeKind.CAPTURE


def grantable_by(role: str) -> list[str]:
    """The roles a user manager of ``role`` may give to the accounts they create or edit."""
    if is_admin_role(role):
        return list(Role.values)
    if policy("users.manage").held_by(role):
        return list(ROLES_GRANTABLE_BY_MANAGERS)
    return []


@dataclass(frozen=True)
class TableRow:
    policy: Policy
    holders: list[bool]  # one per role, in ``Role`` order


def table(import_kinds: Mapping[str, str | Promise] | None = None) -> list[TableRow]:
    """Every permission, each with whether each role (in ``Role`` order) holds it; the import kinds last.
    ``import_kinds`` (kind -> label) adds the kinds whose app declared no policy, with their default."""
    listed = dict(POLICIES)
    for kind, label in (import_kinds or {}).items():
        if f"import.{kind}" not in listed:
            default = import_policy(kind)
            listed[default.name] = replace(default, description=gettext("Nhập “%(label)s” từ tệp") % {"label": label})
    ordered = sorted(listed.values(), key=lambda p: p.name.startswith("import."))
    return [TableRow(p, [p.held_by(role) for role in Role.values]) for p in ordered]
