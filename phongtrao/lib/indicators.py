"""The library of built-in figures that indicators may name: a registry filled by each app at ``ready()``.

An app registers a named figure function ``(unit, period) -> number | None`` (the figure for the unit's subtree in
that period)::

    register_figure("recognition.residential_area.recognised", gettext_noop("Khu dân cư đạt chuẩn ANTT"),
                    lambda unit, period: ...)

and an indicator's formula names it as ``@{recognition.residential_area.recognised}`` (the data sets app reads
the formulas). ``lib`` imports nothing from the apps: what is registered is all it knows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

FigureFunction = Callable[[Any, Any], "int | float | Decimal | None"]  # (unit, lib.periods.Period) -> number


@dataclass(frozen=True)
class Figure:
    key: str
    label: str  # a gettext_noop Vietnamese label
    function: FigureFunction
    app: str = ""

    @property
    def name(self) -> str:
        return gettext(self.label)


_FIGURES: dict[str, Figure] = {}


def register_figure(key: str, label: str, function: FigureFunction, *, app: str = "") -> None:
    """Add (or replace, on a reload) the figure ``key``."""
    _FIGURES[key] = Figure(key, label, function, app)


def unregister_figure(key: str) -> None:
    _FIGURES.pop(key, None)


def figures() -> list[Figure]:
    return sorted(_FIGURES.values(), key=lambda f: f.key)


def figure(key: str) -> Figure | None:
    return _FIGURES.get(key)


def evaluate(key: str, unit: Any, period: Any) -> Decimal | None:
    """The figure's value for the unit's subtree and the period; None for an unknown key or no value."""
    found = _FIGURES.get(key)
    if found is None:
        return None
    value = found.function(unit, period)
    return None if value is None else Decimal(str(value))
