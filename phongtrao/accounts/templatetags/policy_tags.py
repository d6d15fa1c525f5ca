"""Templates ask the policy table the same way views do (``phongtrao.accounts.access``)::

    {% load policy_tags %}
    {% if user|holds:"models.edit" %}…{% endif %}
    {% may user "units.edit" unit as may_edit %}{% if may_edit %}…{% endif %}
"""

from __future__ import annotations

from typing import Any

from django import template

from phongtrao.accounts import access

register = template.Library()


def _signed_in(user: Any) -> bool:
    """A template's missing ``user`` is never the system (which ``access`` reads ``None`` as)."""
    return bool(getattr(user, "is_authenticated", False))


@register.filter
def holds(user: Any, name: str) -> bool:
    """The user's role holds the permission (a capture-scoped one: somewhere in their scope)."""
    return _signed_in(user) and access.holds(user, name)


@register.simple_tag
def may(user: Any, name: str, unit: Any = None) -> bool:
    """The user may use the permission (on ``unit`` for a capture-scoped one)."""
    return _signed_in(user) and access.may(user, name, unit or None)
