"""Template filters for formatting numbers and dates. Templates never format numbers themselves.

Numbers follow the active language (1.234,5 in Vietnamese, 1,234.5 in English); dates are always
15/12/2023. A year is not a number: write ``{{ year }}``, never ``{{ year|vn_number }}``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from phongtrao.lib import vnformat

register = template.Library()


@register.filter
def vn_number(value: int | float | Decimal | None, places: int | None = None) -> str:
    """{{ 1234567|vn_number }} -> 1.234.567; {{ 1234.5|vn_number:1 }} -> 1.234,5 (1,234.5 in English)"""
    if value in (None, ""):
        return ""
    return vnformat.localized_number(value, places)


@register.filter
def vn_percent(value: float | Decimal | None, places: int = 2) -> str:
    """{{ 95.81|vn_percent }} -> 95,81% (95.81% in English)"""
    if value in (None, ""):
        return ""
    return vnformat.localized_percent(value, places)


@register.filter
def vn_date(value: dt.date | None) -> str:
    """{{ d|vn_date }} -> 15/12/2023"""
    return vnformat.date_text(value)


@register.filter
def iso_date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""
