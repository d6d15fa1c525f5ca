from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext

from phongtrao.datasets.models import CategoryOption, DataElement, ValueType
from phongtrao.lib.vnformat import localized_number
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


@register.simple_tag
def activities_rows(section: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``activities`` section as table rows in the reader's language: element, total, its parts."""
    elements = {e.code: e for e in DataElement.objects.filter(code__in=section)}
    options = {o.code: o.label for o in CategoryOption.objects.all()}
    rows = []
    for code, entry in section.items():
        element = elements.get(code)
        if element is None:
            continue
        total = entry.get("total") or 0
        text = localized_number(total, 2) + "%" if element.value_type == ValueType.PERCENT else localized_number(total)
        parts = [(options.get(opt, opt), localized_number(v)) for opts in entry.get("by", {}).values()
                 for opt, v in opts.items() if v]
        rows.append({"label": element.label, "total": text, "parts": parts})
    return rows
