"""The library of built-in figures that indicators may name: a registry filled by each app at ``ready()``.

An app registers a named figure function ``(unit, period) -> number | None`` (the figure for the unit's subtree in
that period)::

    register_figure("recognition.residential_area.recognised", gettext_noop("Khu dân cư đạt chuẩn ANTT"),
                    lambda unit, period: ...)

and an indicator's formula names it as ``@{recognition.residential_area.recognised}`` (the data sets app reads
the formulas). ``lib`` imports nothing from the apps: what is registered is all it knows.

A figure may also be registered with its many-units form, ``many=`` a function ``(units, period) -> {unit id:
number | None}`` answering for all the units at once with one grouped query; ``evaluate_many`` uses it (an
objective measured in every commune of a province asks once, not once per commune), and falls back to asking
the one-unit form for each unit when a figure has none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

FigureFunction = Callable[[Any, Any], "int | float | Decimal | None"]  # (unit, lib.periods.Period) -> number
# (units, lib.periods.Period) -> {unit id: number}: a unit missing from the answer has the value None
ManyFunction = Callable[[Sequence[Any], Any], "Mapping[int, int | float | Decimal | None]"]


@dataclass(frozen=True)
class Figure:
    key: str
    label: str  # a gettext_noop Vietnamese label
    function: FigureFunction
    app: str = ""
    many: ManyFunction | None = None

    @property
    def name(self) -> str:
        return gettext(self.label)


_FIGURES: dict[str, Figure] = {}


def register_figure(key: str, label: str, function: FigureFunction, *, app: str = "",
                    many: ManyFunction | None = None) -> None:
    """Add (or replace, on a reload) the figure ``key`` (with its many-units form ``many``, if it has one)."""
    _FIGURES[key] = Figure(key, label, function, app, many)


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


def evaluate_many(key: str, units: Sequence[Any], period: Any) -> dict[int, Decimal | None]:
    """{unit id: the figure's value for the unit's subtree} for every unit of ``units``: one call of the
    figure's many-units form (one grouped query), else one call of its one-unit form per unit."""
    found = _FIGURES.get(key)
    if found is None or not units:
        return {u.pk: None for u in units}
    if found.many is not None:
        values = found.many(units, period)
        return {u.pk: None if values.get(u.pk) is None else Decimal(str(values[u.pk])) for u in units}
    return {u.pk: evaluate(key, u, period) for u in units}
