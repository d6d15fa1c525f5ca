"""Template filters of the audit pages (no logic in templates)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


def local_datetime_text(value: dt.datetime | None) -> str:
    """An aware moment as 15/12/2023 14:05 in the site's time zone (Asia/Ho_Chi_Minh)."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%d/%m/%Y %H:%M")


@register.filter
def vn_datetime(value: dt.datetime | None) -> str:
    """{{ entry.at|vn_datetime }} -> 15/12/2023 14:05"""
    return local_datetime_text(value)
