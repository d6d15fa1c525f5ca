"""The one enforcement point for "who may see and change which units", and who may do what there.

Every page, export, upload, command acting for a user and API endpoint looks
units up through these functions, so a rule changes in one place:

- a user's **view scope** is the union of the subtrees under their view and
  capture scopes (capture implies view); administrators see everything;
- a user's **capture scope** is the union of the subtrees under their capture scopes;
- what a role may do, and whether inside its capture scope, is the table of
  ``phongtrao.accounts.policies``, asked through ``may``, ``holds``, ``require`` and
  ``allowed_on`` (and the ``can_*`` functions, each one permission of that table).

Out-of-scope single objects are 404 (existence must not leak); in-scope objects
the user may see but not change are 403.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from phongtrao.accounts.models import Role, ScopeKind, UnitScope
from phongtrao.accounts.policies import Scope, effective_role, grantable_by, import_policy, is_admin_role, policy
from phongtrao.units.lineage import predecessors_subtree_sql
from phongtrao.units.models import Kind, Unit, UnitAncestor, UnitQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpRequest

    from phongtrao.accounts.models import User

    AnyUser = User | AnonymousUser


def _active(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _role(user: AnyUser) -> str:
    """The role the policy table reads: a superuser's is administrator."""
    return effective_role(getattr(user, "role", ""), superuser=bool(user.is_superuser))


def is_admin(user: AnyUser) -> bool:
    return _active(user) and is_admin_role(_role(user))


class UnitIdRow(TypedDict):
    """A ``.values("unit_id")`` row: the subqueries below select unit ids only."""

    unit_id: int


def _scope_roots(user: AnyUser, kinds: tuple[str, ...]) -> QuerySet[UnitScope, UnitIdRow]:
    if user.pk is None:  # an anonymous user has no scopes
        return UnitScope.objects.none().values("unit_id")
    return UnitScope.objects.filter(user_id=user.pk, kind__in=kinds).values("unit_id")


# The user's scopes read in this request, by user id, as (unit id, kind) pairs: ``ScopeCacheMiddleware`` gives
# each request its own dict (outside a request there is none, and every call reads them); the actions that
# change scopes empty it (``forget_scope_roots``).
_request_scopes: ContextVar[dict[int, list[tuple[int, str]]] | None] = ContextVar(
    "phongtrao_scopes", default=None)


def _scope_root_ids(user: AnyUser, kinds: tuple[str, ...]) -> list[int]:
    """The ids of the user's scope roots of these kinds (one small query, once per request)."""
    if user.pk is None:
        return []
    cache = _request_scopes.get()
    pairs = None if cache is None else cache.get(int(user.pk))
    if pairs is None:
        pairs = list(UnitScope.objects.filter(user_id=user.pk).order_by().values_list("unit_id", "kind"))
        if cache is not None:
            cache[int(user.pk)] = pairs
    return sorted({unit_id for unit_id, kind in pairs if kind in kinds})


def forget_scope_roots() -> None:
    """Scopes changed: the next ``visible_units`` or ``capture_units`` of this request reads them again."""
    cache = _request_scopes.get()
    if cache is not None:
        cache.clear()


@contextmanager
def scope_roots_read_once() -> Iterator[None]:
    """Within the block (a request), each user's scope roots are read once."""
    token = _request_scopes.set({})
    try:
        yield
    finally:
        _request_scopes.reset(token)


def _in_scope_ids(user: AnyUser, kinds: tuple[str, ...]) -> QuerySet[UnitAncestor, UnitIdRow]:
    """Ids of units under the user's scope roots: a semi-join on the closure table, no Python loop.

    The roots are literal ids, not a subquery on ``accounts_unitscope``: PostgreSQL then estimates the subtree
    from the statistics of ``ancestor_id`` (11,454 rows for the largest province) instead of the closure
    table's average per ancestor (9 to 64 rows), and no longer plans nested loops that run the subtree's
    expansion once per row (``units:browse`` on province 79: 1.7 s -> see bench/README.md).
    """
    return UnitAncestor.objects.filter(ancestor_id__in=_scope_root_ids(user, kinds)).values("unit_id")


def visible_units(user: AnyUser) -> UnitQuerySet:
    """Units the user may read (a QuerySet, so lists and totals are filtered in SQL)."""
    if not (user.is_authenticated and user.is_active):
        return Unit.objects.none()
    if is_admin(user):
        return Unit.objects.all()
    kinds = (ScopeKind.VIEW, ScopeKind.CAPTURE)
    return Unit.objects.filter(Q(pk__in=_in_scope_ids(user, kinds)) | Q(pk__in=_history_ids(user, kinds)))


def _history_ids(user: AnyUser, kinds: tuple[str, ...]) -> RawSQL:
    """Scopes follow history: the units that preceded a unit in scope (the old communes, districts, provinces
    that became it) and their subtrees, read-only (``capture_units`` leaves them out). A semi-join too."""
    roots_sql, roots_params = _scope_roots(user, kinds).query.sql_with_params()
    return RawSQL(*predecessors_subtree_sql(roots_sql, roots_params))  # noqa: S611 - table names from _meta


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
    return Unit.objects.filter(pk__in=_scope_root_ids(user, (ScopeKind.VIEW, ScopeKind.CAPTURE))).vi_ordered()


def can_view(user: AnyUser, unit: Unit) -> bool:
    return visible_units(user).filter(pk=unit.pk).exists()


def _captures(user: AnyUser, unit: Unit) -> bool:
    return capture_units(user).filter(pk=unit.pk).exists()


def holds(user: AnyUser | None, name: str) -> bool:
    """The user's role holds the permission ``name`` (for a capture-scoped one: somewhere in their capture
    scope). Menus and the buttons of list pages ask this; ``None`` is the system, which may do everything."""
    if user is None:
        return True
    return _active(user) and policy(name).held_by(_role(user))


def may(user: AnyUser | None, name: str, unit: Unit | None = None) -> bool:
    """May ``user`` use the permission ``name`` (on ``unit``, which a capture-scoped permission needs and a
    role-only one refuses: asking the wrong way round is a programming error, not a refusal)."""
    rule = policy(name)
    if (rule.scope == Scope.CAPTURE) != (unit is not None):
        raise TypeError(f"{name} applies {'to a unit' if rule.scope == Scope.CAPTURE else 'to no unit'}")
    if user is None:
        return True
    if not holds(user, name):
        return False
    if rule.scope == Scope.ROLE or is_admin(user):
        return True
    kinds = rule.kinds_for(_role(user))
    return unit is not None and (kinds is None or unit.kind in kinds) and _captures(user, unit)


def require(user: AnyUser | None, name: str, unit: Unit | None = None, *, message: str,
            error: Callable[[str], Exception] = PermissionDenied) -> None:
    """Raise ``error(message)`` (a 403 by default; an action passes ``ActionError``) unless ``may`` (without a
    unit, unless ``holds``: a page where the user then chooses among their units)."""
    if not (holds(user, name) if unit is None else may(user, name, unit)):
        raise error(message)


def allowed_on(user: AnyUser | None, names: Iterable[str], units: Sequence[Unit]) -> dict[int, frozenset[str]]:
    """Which of the capture-scoped permissions ``names`` the user may use on each unit (one query for all)."""
    names = frozenset(names)
    if any(policy(name).scope != Scope.CAPTURE for name in names):
        raise TypeError("allowed_on answers capture-scoped permissions only")
    if user is None or is_admin(user):
        return {u.pk: names for u in units}
    held = frozenset(name for name in names if holds(user, name))
    captured: set[int] = set()
    if held:
        captured = set(capture_units(user).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True))
    kinds = {name: policy(name).kinds_for(_role(user)) for name in held}

    def on(unit: Unit) -> frozenset[str]:
        if unit.pk not in captured:
            return frozenset()
        return frozenset(name for name, only in kinds.items() if only is None or unit.kind in only)

    return {u.pk: on(u) for u in units}


def units_where(user: AnyUser | None, name: str) -> UnitQuerySet:
    """The units on which ``user`` may use the capture-scoped permission ``name``, as a QuerySet."""
    rule = policy(name)
    if rule.scope != Scope.CAPTURE:
        raise TypeError(f"{name} applies to no unit")
    if user is None or is_admin(user):
        return Unit.objects.all()
    if not holds(user, name):
        return Unit.objects.none()
    kinds = rule.kinds_for(_role(user))
    units = capture_units(user)
    return units if kinds is None else units.filter(kind__in=kinds)


def can_change(user: AnyUser, unit: Unit) -> bool:
    """May change the register entry of this unit (create children, edit, close)."""
    return may(user, "units.edit", unit)


def can_capture(user: AnyUser, unit: Unit) -> bool:
    """May enter the unit's yearly data (registration, self-assessment, proposals, files)."""
    return may(user, "data.capture", unit)


def can_decide(user: AnyUser, unit: Unit) -> bool:
    """May record decisions (recognition, awards) for this unit."""
    return may(user, "decisions.record", unit)


def can_manage_users(user: AnyUser) -> bool:
    return holds(user, "users.manage")


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


def grantable_roles(user: AnyUser) -> list[str]:
    """The roles ``user`` may give to the accounts they create or edit (``policies.grantable_by``)."""
    return grantable_by(_role(user)) if can_manage_users(user) else []


def may_grant(user: AnyUser, role: str) -> bool:
    return role in grantable_roles(user)


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


def can_import(user: AnyUser | None, kind: str) -> bool:
    """May run imports of this kind (``import.<kind>``, declared by the kind's app; the importer checks every
    row against the capture scope). ``None`` is the system itself (setup, commands without --user)."""
    if user is None:
        return True
    return _active(user) and import_policy(kind).held_by(_role(user))


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
