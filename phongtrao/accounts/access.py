"""The one enforcement point for "who may see and change which units".

Every page, export, upload, command acting for a user and API endpoint looks
units up through these functions, so a rule changes in one place:

- a user's **view scope** is the union of the subtrees under their view and
  capture scopes (capture implies view); administrators see everything;
- a user's **capture scope** is the union of the subtrees under their capture scopes;
- what a role may do inside its capture scope is decided by the ``can_*`` functions.

Out-of-scope single objects are 404 (existence must not leak); in-scope objects
the user may see but not change are 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from phongtrao.accounts.models import Role, ScopeKind, UnitScope
from phongtrao.units.models import Kind, Unit, UnitAncestor, UnitQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from phongtrao.accounts.models import User

    AnyUser = User | AnonymousUser

# Roles that may change the unit register inside their capture scope.
REGISTER_EDITORS = frozenset({Role.ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER})
# Roles that may enter yearly data (registrations, self-assessments, imports) inside their capture scope.
DATA_CAPTURERS = frozenset({Role.ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER, Role.ORG_REPORTER})
# Roles that may record decisions inside their capture scope.
DECIDERS = frozenset({Role.ADMIN, Role.APPROVER})
# Roles that may manage users inside their capture scope.
USER_MANAGERS = frozenset({Role.ADMIN, Role.PROVINCE_OFFICER})


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role == Role.ADMIN))


class UnitIdRow(TypedDict):
    """A ``.values("unit_id")`` row: the subqueries below select unit ids only."""

    unit_id: int


def _scope_roots(user: AnyUser, kinds: tuple[str, ...]) -> QuerySet[UnitScope, UnitIdRow]:
    if user.pk is None:  # an anonymous user has no scopes
        return UnitScope.objects.none().values("unit_id")
    return UnitScope.objects.filter(user_id=user.pk, kind__in=kinds).values("unit_id")


def _in_scope_ids(user: AnyUser, kinds: tuple[str, ...]) -> QuerySet[UnitAncestor, UnitIdRow]:
    """Ids of units under the user's scope roots: a semi-join on the closure table, no Python loop."""
    return UnitAncestor.objects.filter(ancestor_id__in=_scope_roots(user, kinds)).values("unit_id")


def visible_units(user: AnyUser) -> UnitQuerySet:
    """Units the user may read (a QuerySet, so lists and totals are filtered in SQL)."""
    if not (user.is_authenticated and user.is_active):
        return Unit.objects.none()
    if is_admin(user):
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=_in_scope_ids(user, (ScopeKind.VIEW, ScopeKind.CAPTURE)))


def capture_units(user: AnyUser) -> UnitQuerySet:
    """Units whose data the user may change (before role rules)."""
    if not (user.is_authenticated and user.is_active):
        return Unit.objects.none()
    if is_admin(user):
        return Unit.objects.all()
    return Unit.objects.filter(pk__in=_in_scope_ids(user, (ScopeKind.CAPTURE,)))


def scope_roots(user: AnyUser) -> UnitQuerySet:
    """The units at the top of the user's view (for a browser's starting page)."""
    if is_admin(user):
        return Unit.objects.filter(kind=Kind.COUNTRY)
    return Unit.objects.filter(pk__in=_scope_roots(user, (ScopeKind.VIEW, ScopeKind.CAPTURE))).vi_ordered()


def can_view(user: AnyUser, unit: Unit) -> bool:
    return visible_units(user).filter(pk=unit.pk).exists()


def _captures(user: AnyUser, unit: Unit) -> bool:
    return capture_units(user).filter(pk=unit.pk).exists()


def can_change(user: AnyUser, unit: Unit) -> bool:
    """May change the register entry of this unit (create children, edit, close)."""
    return bool(user.is_authenticated and user.role in REGISTER_EDITORS and _captures(user, unit)) or is_admin(user)


def can_capture(user: AnyUser, unit: Unit) -> bool:
    """May enter the unit's yearly data (registration, self-assessment, imports)."""
    return bool(user.is_authenticated and user.role in DATA_CAPTURERS and _captures(user, unit)) or is_admin(user)


def can_decide(user: AnyUser, unit: Unit) -> bool:
    """May record decisions (recognition, awards) for this unit."""
    return bool(user.is_authenticated and user.role in DECIDERS and _captures(user, unit)) or is_admin(user)


def can_manage_users(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.role in USER_MANAGERS) or is_admin(user)


def get_unit_for_user(request: HttpRequest, unit_id: Any, *, for_change: bool = False) -> Unit:
    """The unit, or 404 when it does not exist or is out of view scope, 403 when it may not be changed."""
    try:
        pk = int(unit_id)
    except (TypeError, ValueError):
        raise Http404 from None
    unit = visible_units(request.user).filter(pk=pk).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị.")
    if for_change and not can_change(request.user, unit):
        raise PermissionDenied("Bạn không có quyền thay đổi dữ liệu của đơn vị này.")
    return unit


# --- user management -----------------------------------------------------------------------------
# A province officer gives these roles only (never admin or province officer), inside their capture scope.
ROLES_GRANTABLE_BY_MANAGERS = (Role.COMMUNE_OFFICER, Role.ORG_REPORTER, Role.APPROVER, Role.VIEWER)


def grantable_roles(user: AnyUser) -> list[str]:
    """The roles ``user`` may give to the accounts they create or edit."""
    if is_admin(user):
        return list(Role.values)
    if can_manage_users(user):
        return list(ROLES_GRANTABLE_BY_MANAGERS)
    return []


def users_in_scope(user: AnyUser) -> QuerySet[User]:
    """Accounts ``user`` may see on the user pages.

    Administrators see every account. A province officer sees the non-administrator
    accounts whose home unit and scopes all lie inside their capture scope (and at
    least one of them does); an account with a scope elsewhere belongs to someone else.
    """
    from phongtrao.accounts.models import User

    if not can_manage_users(user):
        return User.objects.none()
    if is_admin(user):
        return User.objects.all()
    inside = capture_units(user)
    return (
        User.objects.filter(is_superuser=False).exclude(role=Role.ADMIN)
        .filter(Q(unit__in=inside) | Q(pk__in=UnitScope.objects.filter(unit__in=inside).values("user_id")))
        .exclude(Q(unit__isnull=False) & ~Q(unit__in=inside))
        .exclude(pk__in=UnitScope.objects.exclude(unit__in=inside).values("user_id"))
    )


def manageable_users(user: AnyUser) -> QuerySet[User]:
    """Accounts ``user`` may change: in scope, and holding a role ``user`` may give (never oneself)."""
    if is_admin(user):
        return users_in_scope(user)
    users = users_in_scope(user).filter(role__in=grantable_roles(user))
    return users if user.pk is None else users.exclude(pk=user.pk)


def can_manage_user(user: AnyUser, target: User) -> bool:
    return manageable_users(user).filter(pk=target.pk).exists()


# Which roles may import which kinds (inside their capture scope); other kinds: data capturers.
IMPORT_ROLES: dict[str, frozenset[str]] = {
    "units": REGISTER_EDITORS,
    "recognitions": DATA_CAPTURERS | DECIDERS,
    "models": REGISTER_EDITORS,
    "model_sites": REGISTER_EDITORS,
    "awards": DECIDERS | {Role.PROVINCE_OFFICER},
}


def can_import(user: AnyUser | None, kind: str) -> bool:
    """May run imports of this kind. ``None`` is the system itself (setup, commands without --user)."""
    if user is None:
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    return is_admin(user) or user.role in IMPORT_ROLES.get(kind, DATA_CAPTURERS)


class CaptureScope:
    """Membership test for a user's capture scope, read once (for importers checking many rows).

    ``None`` user (the system) and administrators cover everything.
    """

    def __init__(self, user: AnyUser | None) -> None:
        self.unlimited = user is None or is_admin(user)
        self._ids: set[int] = set()
        if user is not None and not self.unlimited:
            self._ids = set(capture_units(user).values_list("pk", flat=True))

    def __contains__(self, unit_id: object) -> bool:
        return self.unlimited or unit_id in self._ids
