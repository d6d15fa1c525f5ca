"""Who may enter a unit's data sets: the one place of the app's role rule (to move into accounts' policies).

- an administrator: every unit;
- a province officer: every unit in their capture scope;
- a commune officer: the communes and residential areas in their capture scope;
- an organisation's reporter: the organisations (agencies, enterprises, schools) in their capture scope.

A report is submitted by whoever may enter for its unit and reviewed (approved, returned, un-approved) by a
province officer or an approver whose capture scope holds the level above (the unit's parent).

Everyone reads what ``access.visible_units`` lets them see. Only province officers and administrators may
still enter after a data set's closing date.
"""

from __future__ import annotations

from typing import Any

from phongtrao.accounts import access
from phongtrao.accounts.models import Role
from phongtrao.units.models import ORGANISATION_KINDS, Kind, Unit

ENTRY_KINDS: dict[str, frozenset[str]] = {
    Role.COMMUNE_OFFICER: frozenset({Kind.COMMUNE, Kind.RESIDENTIAL_AREA}),
    Role.ORG_REPORTER: frozenset(ORGANISATION_KINDS),
}
LATE_ENTRY_ROLES = frozenset({Role.ADMIN, Role.PROVINCE_OFFICER})
# Who reviews (approves, returns, un-approves) a report: these roles with the unit's parent, the level above,
# in their capture scope.
REVIEW_ROLES = frozenset({Role.PROVINCE_OFFICER, Role.APPROVER})


def may_enter(user: Any, unit: Unit) -> bool:
    """May ``user`` (``None``: the system) enter and complete ``unit``'s data sets?"""
    if user is None or access.is_admin(user):
        return True
    if not access.can_capture(user, unit):
        return False
    kinds = ENTRY_KINDS.get(user.role)
    return kinds is None or unit.kind in kinds


def may_enter_late(user: Any) -> bool:
    return user is None or access.is_admin(user) or getattr(user, "role", None) in LATE_ENTRY_ROLES


def entry_units(user: Any) -> Any:
    """The units ``user`` may enter for, as a QuerySet (the role's kinds inside the capture scope)."""
    units = access.capture_units(user)
    if access.is_admin(user):
        return units
    if getattr(user, "role", None) not in access.DATA_CAPTURERS:
        return units.none()
    kinds = ENTRY_KINDS.get(user.role)
    return units.filter(kind__in=kinds) if kinds is not None else units


def may_review(user: Any, unit: Unit) -> bool:
    """May ``user`` approve or return ``unit``'s reports (the level above: the unit's parent in their scope)?"""
    if user is None or access.is_admin(user):
        return True
    if getattr(user, "role", None) not in REVIEW_ROLES or unit.parent_id is None:
        return False
    return access.capture_units(user).filter(pk=unit.parent_id).exists()


def review_units(user: Any) -> Any:
    """The units whose reports ``user`` reviews: the children of the units in their capture scope."""
    if access.is_admin(user):
        return Unit.objects.all()
    if getattr(user, "role", None) not in REVIEW_ROLES:
        return Unit.objects.none()
    return Unit.objects.filter(parent_id__in=access.capture_units(user).values("pk"))
