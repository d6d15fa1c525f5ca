"""Template helpers of the models pages: the annual section's breakdowns (computed in ``figures``)."""

from __future__ import annotations

from typing import Any

from django import template

from phongtrao.models_registry.figures import (
    communes_without_effective_model,
    models_by_field,
    models_by_initiator,
)
from phongtrao.units.models import Unit

register = template.Library()

STATUS_BADGES = {"proposed": "text-bg-secondary", "approved": "text-bg-info", "operating": "text-bg-success",
                 "retired": "text-bg-dark", "active": "text-bg-success", "effective": "text-bg-success",
                 "needs_improvement": "text-bg-warning", "ineffective": "text-bg-danger"}


@register.inclusion_tag("models_registry/_breakdowns.html")
def models_breakdowns(unit: Unit, year: int) -> dict[str, Any]:
    """By field, by initiator, and the communes without an effective model (three queries)."""
    return {"by_field": models_by_field(unit, year), "by_initiator": models_by_initiator(unit, year),
            "communes": list(communes_without_effective_model(unit, year)), "unit": unit, "year": year}


@register.filter
def badge(value: str) -> str:
    """The Bootstrap badge class of a status or result."""
    return STATUS_BADGES.get(value, "text-bg-light")
