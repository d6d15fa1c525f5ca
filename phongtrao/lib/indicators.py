"""The library of built-in figures that indicators may name: a registry filled by each app at ``ready()``.

An app registers a named figure function ``(unit, period, boundaries="recorded") -> number | None`` (the figure
for the unit's subtree in that period, on the period's recorded boundaries or, ``"today"``, on today's: the units
attributed to the unit of today, ``units.lineage``)::

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

from django.utils.translation import gettext, gettext_noop

from phongtrao.lib.periods import Period

# (unit, lib.periods.Period, boundaries="recorded") -> number
FigureFunction = Callable[..., "int | float | Decimal | None"]
RECORDED, TODAY = "recorded", "today"  # the two ways to read a past period (units.lineage)
# Said under every trend drawn on today's boundaries.
TODAY_NOTE = gettext_noop("Số liệu các năm trước 2025 tính theo địa giới hiện nay.")


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


def evaluate(key: str, unit: Any, period: Any, boundaries: str = RECORDED) -> Decimal | None:
    """The figure's value for the unit's subtree and the period; None for an unknown key or no value."""
    found = _FIGURES.get(key)
    if found is None:
        return None
    value = found.function(unit, period) if boundaries == RECORDED else found.function(unit, period,
                                                                                        boundaries=boundaries)
    return None if value is None else Decimal(str(value))


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
