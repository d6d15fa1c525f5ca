from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext

from phongtrao.units.models import Kind

register = template.Library()


@register.filter
def person(user: Any) -> str:
    """Who did it: the account's full name, else its user name, or "Hệ thống" when no account did (the
    generator and set-based writes leave ``completed_by`` and ``approved_by`` empty). A filter on the main
    variable, since a missing user in a filter's argument (``|default:x.user.username``) raises, a 500."""
    if user is None or not getattr(user, "pk", None):
        return gettext("Hệ thống")
    return str(user.get_full_name() or user.username)


@register.simple_tag
def kind_label(kind: str) -> str:
    """A unit kind's label (a data set's ``kinds`` are keys)."""
    try:
        return str(Kind(kind).label)
    except ValueError:
        return ""
