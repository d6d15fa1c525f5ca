"""Who may enter a unit's data sets: the app's questions, answered by the policy table
(``phongtrao/accounts/policies.py``: ``datasets.enter``, ``datasets.enter_late``):

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
from phongtrao.units.models import Unit


def may_enter(user: Any, unit: Unit) -> bool:
    """May ``user`` (``None``: the system) enter and complete ``unit``'s data sets?"""
    return access.may(user, "datasets.enter", unit)


def may_enter_late(user: Any) -> bool:
    return access.holds(user, "datasets.enter_late")


def entry_units(user: Any) -> Any:
    """The units ``user`` may enter for, as a QuerySet (the role's kinds inside the capture scope)."""
    return access.units_where(user, "datasets.enter")


def may_review(user: Any, unit: Unit) -> bool:
    """May ``user`` approve, return or un-approve ``unit``'s reports? ``datasets.review`` (province officers and
    approvers) with the unit's parent, the level above, in their capture scope; the system and administrators
    always."""
    if user is None or access.is_admin(user):
        return True
    if not access.holds(user, "datasets.review") or unit.parent_id is None:
        return False
    return access.capture_units(user).filter(pk=unit.parent_id).exists()


def review_units(user: Any) -> Any:
    """The units whose reports ``user`` reviews: the children of the units in their capture scope."""
    if access.is_admin(user):
        return Unit.objects.all()
    if not access.holds(user, "datasets.review"):
        return Unit.objects.none()
    return Unit.objects.filter(parent_id__in=access.capture_units(user).values("pk"))
