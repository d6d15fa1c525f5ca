"""The library of built-in figures that indicators may name: a registry filled by each app at ``ready()``.

An app registers a named figure function ``(unit, period, boundaries="recorded") -> number | None`` (the figure
for the unit's subtree in that period, on the period's recorded boundaries or, ``"today"``, on today's: the units
attributed to the unit of today, ``units.lineage``)::

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

from django.utils.translation import gettext, gettext_noop

from phongtrao.lib.periods import Period

# (unit, lib.periods.Period, boundaries="recorded") -> number
FigureFunction = Callable[..., "int | float | Decimal | None"]
RECORDED, TODAY = "recorded", "today"  # the two ways to read a past period (units.lineage)
# Said under every trend drawn on today's boundaries.
TODAY_NOTE = gettext_noop("Số liệu các năm trước 2025 tính theo địa giới hiện nay.")
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


def evaluate(key: str, unit: Any, period: Any, boundaries: str = RECORDED) -> Decimal | None:
    """The figure's value for the unit's subtree and the period; None for an unknown key or no value."""
    found = _FIGURES.get(key)
    if found is None:
        return None
    value = found.function(unit, period) if boundaries == RECORDED else found.function(unit, period,
                                                                                        boundaries=boundaries)
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


@dataclass(frozen=True)
class Trend:
    """A figure over consecutive years: ``points`` [(year, value)], and the note to print under its chart."""

    key: str
    points: list[tuple[int, Decimal | None]]
    boundaries: str

    @property
    def note(self) -> str:
        return gettext(TODAY_NOTE) if self.boundaries == TODAY else ""


def trend(key: str, unit: Any, last_year: int, *, years: int = 5, boundaries: str = TODAY) -> Trend:
    """The figure for each of the ``years`` years up to ``last_year``. For a unit of today the default reads
    every year on today's boundaries, so a five-year trend does not break at the 2025 reform: the years
    before it count the units that became this one. ``lib.periods.Period`` gives each year."""
    points = [(year, evaluate(key, unit, Period.year_of(year), boundaries))
              for year in range(last_year - years + 1, last_year + 1)]
    return Trend(key, points, boundaries)
