"""Live evaluation of a plan's objectives (nothing is stored, nothing recomputed by a batch job).

Every measure becomes a formula: an indicator's numerator / denominator × factor (``phongtrao.datasets``), a
built-in figure ``@{key}`` of ``lib.indicators``, or a data element's total ``#{code}``. The values of the data
elements all the objectives name are read in ONE grouped query for every unit measured and every year asked
(the yearly values joined to the closure table, grouped by the measured unit, the year, the element and the
option combo), so an objective measured in each commune costs no query per commune. A built-in figure is asked
through its many-units form (``lib.indicators.evaluate_many``): once per (figure, scope, year) for all the
units measured (the plan's unit, or every commune / organisation in it), one grouped query each whatever the
number of communes; a figure registered without that form falls back to one call per unit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from phongtrao.datasets.expressions import FIGURE_PREFIX, ExpressionError, Node, Num, Ref, evaluate, parse, references
from phongtrao.datasets.models import DataValue, OptionCombo
from phongtrao.lib import indicators as library
from phongtrao.lib.periods import Period, PeriodType, year_end
from phongtrao.plans.models import Comparator, Objective, Plan, Scope
from phongtrao.units.models import ORGANISATION_KINDS, Kind, Unit

MAX_UNITS = 5_000  # communes or organisations measured one by one for a per-unit objective


@dataclass
class Assessment:
    """One objective in one year: its value (the whole unit's, or the number of units meeting it), whether it
    is met (None: no value, not applicable, or not assessed yet), and the units failing a per-unit objective."""

    objective: Objective
    year: int
    value: Decimal | None = None
    met: bool | None = None
    applies: bool = True
    measured_units: int = 0
    failing: list[Unit] = field(default_factory=list)

    @property
    def manual(self) -> bool:
        return not self.objective.measured

    @property
    def per_unit(self) -> bool:
        return self.objective.measured and self.objective.scope != Scope.WHOLE


def formula(objective: Objective) -> tuple[Node, Node, Decimal] | None:
    """(numerator, denominator, factor) of the objective's measure, or None (assessed by hand, or a broken
    formula: never a 500)."""
    try:
        if objective.indicator_id:
            indicator = objective.indicator
            assert indicator is not None
            return parse(indicator.numerator), parse(indicator.denominator or "1"), Decimal(indicator.factor)
        if objective.figure:
            return Ref(FIGURE_PREFIX + objective.figure), Num(Decimal(1)), Decimal(1)
        if objective.element_id:
            element = objective.element
            assert element is not None
            return Ref(element.code), Num(Decimal(1)), Decimal(1)
    except ExpressionError:
        return None
    return None


def compare(value: Decimal | None, comparator: str, target: Decimal | None) -> bool | None:
    if value is None or target is None:
        return None
    if comparator == Comparator.GT:
        return value > target
    if comparator == Comparator.LE:
        return value <= target
    if comparator == Comparator.EQ:
        return round(value, 4) == round(target, 4)
    return value >= target


def measured_units(plan: Plan, scope: str, years: Sequence[int]) -> dict[int, list[Unit]]:
    """The units an objective of ``scope`` is measured in, for each year (those in existence on 31 December):
    the plan's unit itself, or its communes / organisations (one query for all the years)."""
    if scope == Scope.WHOLE:
        return {year: [plan.unit] for year in years}
    kinds = (Kind.COMMUNE,) if scope == Scope.EACH_COMMUNE else ORGANISATION_KINDS
    candidates = list(Unit.objects.in_subtree(plan.unit).of_kind(*kinds).vi_ordered()[:MAX_UNITS])
    return {year: [u for u in candidates if u.is_valid_on(year_end(year))] for year in years}


Key = tuple[int, int]  # (unit id, year)


def _element_totals(codes: set[str], options_needed: bool, units: set[int], years: Sequence[int],
                    ) -> dict[Key, list[tuple[str, set[str], Decimal]]]:
    """{(unit, year): [(element code, options of the cell, total)]}: one grouped query (two with options)."""
    if not codes or not units:
        return {}
    periods = {Period.year_of(y).id: y for y in years}
    rows = list(DataValue.objects.filter(period_type=PeriodType.YEAR.value, period__in=list(periods),
                                     element__code__in=codes, value__isnull=False,
                                     unit__ancestor_links__ancestor_id__in=units)
            .values("unit__ancestor_links__ancestor_id", "period", "element__code", "option_combo_id")
            .annotate(total=Sum("value")).order_by())
    combos: dict[int, set[str]] = {}
    if options_needed and rows:
        combos = {oc.pk: set(oc.option_codes) for oc in OptionCombo.objects.filter(
            pk__in={r["option_combo_id"] for r in rows})}
    out: dict[Key, list[tuple[str, set[str], Decimal]]] = {}
    for r in rows:
        key = (r["unit__ancestor_links__ancestor_id"], periods[r["period"]])
        out.setdefault(key, []).append((r["element__code"], combos.get(r["option_combo_id"], set()),
                                        Decimal(r["total"])))
    return out


def evaluate_plan(plan: Plan, years: Sequence[int], objectives: Iterable[Objective] | None = None,
                  ) -> dict[int, dict[int, Assessment]]:
    """{objective id: {year: Assessment}} for the objectives (default: the plan's) and years asked."""
    chosen = list(objectives if objectives is not None else
                  plan.objectives.select_related("indicator", "element").order_by("number"))
    years = list(years)
    formulas = {o.pk: formula(o) for o in chosen}
    units_of: dict[str, dict[int, list[Unit]]] = {}
    for o in chosen:
        if formulas[o.pk] is not None and o.scope not in units_of:
            units_of[o.scope] = measured_units(plan, o.scope, years)
    refs = [r for f in formulas.values() if f is not None for r in references(f[0]) + references(f[1])]
    codes = {r.element for r in refs if not r.element.startswith(FIGURE_PREFIX)}
    all_units = {u.pk for by_year in units_of.values() for us in by_year.values() for u in us}
    totals = _element_totals(codes, any(r.options for r in refs), all_units, years)
    figures: dict[tuple[str, int, int], Decimal | None] = {}
    asked: dict[str, set[str]] = {}  # scope -> the figure keys its objectives name
    for o in chosen:
        f = formulas[o.pk]
        if f is not None:
            asked.setdefault(o.scope, set()).update(
                r.element[len(FIGURE_PREFIX):] for r in references(f[0]) + references(f[1])
                if r.element.startswith(FIGURE_PREFIX))
    for scope, keys in asked.items():
        for year in years:
            for key in sorted(keys):
                wanted = [u for u in units_of[scope][year] if (key, u.pk, year) not in figures]
                for pk, value in library.evaluate_many(key, wanted, Period.year_of(year)).items():
                    figures[(key, pk, year)] = value

    def value_for(unit: Unit, year: int, f: tuple[Node, Node, Decimal]) -> Decimal | None:
        cells = totals.get((unit.pk, year), [])

        def lookup(ref: Ref) -> Decimal | None:
            if ref.element.startswith(FIGURE_PREFIX):
                key = ref.element[len(FIGURE_PREFIX):]
                if (key, unit.pk, year) not in figures:
                    figures[(key, unit.pk, year)] = library.evaluate(key, unit, Period.year_of(year))
                return figures[(key, unit.pk, year)]
            found = [t for code, options, t in cells if code == ref.element and set(ref.options) <= options]
            return sum(found, Decimal(0)) if found else None

        numerator, denominator = evaluate(f[0], lookup), evaluate(f[1], lookup)
        if numerator is None or not denominator:
            return None
        return numerator / denominator * f[2]

    out: dict[int, dict[int, Assessment]] = {}
    for o in chosen:
        o.plan = plan
        row: dict[int, Assessment] = {}
        for year in years:
            a = Assessment(o, year, applies=o.applies_to(year))
            f = formulas[o.pk]
            if not o.measured:
                a.met = o.manual_met
            elif f is not None and a.applies:
                units = units_of[o.scope][year]
                if o.scope == Scope.WHOLE:
                    a.value = value_for(plan.unit, year, f)
                    a.met = compare(a.value, o.comparator, o.target)
                    a.measured_units = 1
                else:
                    for unit in units:
                        if not compare(value_for(unit, year, f), o.comparator, o.target):
                            a.failing.append(unit)
                    a.measured_units = len(units)
                    a.value = Decimal(len(units) - len(a.failing))
                    a.met = bool(units) and not a.failing and o.target is not None
            row[year] = a
        out[o.pk] = row
    return out


def tally(assessments: Iterable[Assessment]) -> tuple[int, int, int, int]:
    """(met, total, measured met, measured) over one year's assessments: "đạt met/total mục tiêu" counts the
    measured objectives met and those assessed by hand as met."""
    rows = list(assessments)
    met = sum(1 for a in rows if a.met)
    measured = [a for a in rows if not a.manual]
    return met, len(rows), sum(1 for a in measured if a.met), len(measured)
