"""Template helpers of the awards pages (figures come from ``awards.figures``, never from the template)."""

from __future__ import annotations

from typing import Any

from django import template

from phongtrao.awards.figures import annual_context

register = template.Library()


@register.simple_tag
def awards_figures(section: list[dict[str, Any]], year: int) -> dict[str, Any]:
    """``{% awards_figures section year as figures %}``: rows with names and totals, and the summary sentence."""
    return annual_context(section, year)
