"""Validation rules checked over a report (when it is marked complete) or over a subtree and period.

A rule compares two expressions (``datasets.expressions``) over one unit's values of one period. The values
of every unit of a subtree come in one query; the rules are then checked per unit in memory (a few numbers
each).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from phongtrao.datasets.expressions import COMPARE, ExpressionError, Node, Ref, evaluate, parse, references
from phongtrao.datasets.models import (
    DEFAULT_COMBO,
    DataElement,
    DataSet,
    DataValue,
    MissingValues,
    Operator,
    ValidationRule,
    normalised,
)
from phongtrao.lib.periods import Period
from phongtrao.lib.vnformat import localized_number
from phongtrao.units.models import Kind, Unit

# (element code, option codes of the cell) -> value
UnitValues = dict[tuple[str, tuple[str, ...]], Decimal]


@dataclass(frozen=True)
class Violation:
    rule: ValidationRule
    unit: Unit
    period: Period
    left: Decimal
    right: Decimal
    message: str


@dataclass(frozen=True)
class CompiledRule:
    rule: ValidationRule
    left: Node
    right: Node
    refs: tuple[Ref, ...]


def compile_rule(rule: ValidationRule) -> CompiledRule:
    left, right = parse(rule.left), parse(rule.right)
    return CompiledRule(rule, left, right, tuple(references(left) + references(right)))


def _lookup(values: UnitValues) -> object:
    def lookup(ref: Ref) -> Decimal | None:
        found = [v for (code, options), v in values.items()
                 if code == ref.element and set(ref.options) <= set(options)]
        return sum(found, Decimal(0)) if found else None

    return lookup


def _described(expression: str, names: dict[str, str], options: dict[str, str]) -> str:
    """ "#{tuyen_truyen_buoi.tieng_dtts}" -> "Số buổi tuyên truyền (Tiếng dân tộc thiểu số)"."""

    def name(m: re.Match[str]) -> str:
        code, *opts = m.group(1).split(".")
        text = names.get(code, code)
        return f"{text} ({', '.join(options.get(o, o) for o in opts)})" if opts else text

    return re.sub(r"#\{([a-z0-9_.-]+)\}", name, expression)


def check_values(compiled: Iterable[CompiledRule], unit: Unit, period: Period, values: UnitValues,
                 names: dict[str, str], options: dict[str, str]) -> list[Violation]:
    out = []
    lookup = _lookup(values)
    for c in compiled:
        present = [lookup(r) is not None for r in c.refs]  # type: ignore[operator]
        if c.rule.missing == MissingValues.SKIP_IF_ALL and not any(present):
            continue
        if c.rule.missing == MissingValues.SKIP_IF_ANY and not all(present):
            continue
        left, right = evaluate(c.left, lookup), evaluate(c.right, lookup)  # type: ignore[arg-type]
        if left is None or right is None or COMPARE[c.rule.operator](left, right):
            continue
        message = gettext("%(rule)s: %(left)s là %(lv)s, %(op)s %(right)s là %(rv)s.") % {
            "rule": c.rule.label, "left": _described(c.rule.left, names, options), "lv": localized_number(
                normalised(left)), "op": gettext("phải %(op)s") % {"op": Operator(c.rule.operator).label},
            "right": _described(c.rule.right, names, options), "rv": localized_number(normalised(right))}
        out.append(Violation(c.rule, unit, period, left, right, message))
    return out


def rules_for(dataset: DataSet, period: Period) -> list[CompiledRule]:
    out = []
    for rule in dataset.rules.order_by("code"):
        if not rule.in_force(period):
            continue
        try:
            out.append(compile_rule(rule))
        except ExpressionError:
            continue  # a rule that does not parse is refused when it is saved; never block entry for it
    return out


def _catalogue(compiled: list[CompiledRule]) -> tuple[dict[str, str], dict[str, str]]:
    codes = {r.element for c in compiled for r in c.refs}
    names = {e.code: e.label for e in DataElement.objects.filter(code__in=codes)}
    from phongtrao.datasets.models import CategoryOption

    options = {o.code: o.label for o in CategoryOption.objects.filter(
        code__in={o for c in compiled for r in c.refs for o in r.options})}
    return names, options


def _rows(units: Any, root: Unit | None, period: Period, codes: set[str]) -> Any:
    rows = DataValue.objects.filter(period=period.id, element__code__in=codes, value__isnull=False)
    if root is not None and root.kind != Kind.COUNTRY:
        rows = rows.in_subtree(root)
    if units is not None:
        rows = rows.filter(unit__in=units)
    return rows


def _values(units: Any, root: Unit | None, period: Period, codes: set[str]) -> dict[int, UnitValues]:
    """``units``: a unit QuerySet (a subquery) or list of ids, or None for every unit under ``root``."""
    rows = _rows(units, root, period, codes)
    out: dict[int, UnitValues] = defaultdict(dict)
    for unit_id, code, combo, value in rows.values_list("unit_id", "element__code", "option_combo__code", "value"):
        options = () if combo == DEFAULT_COMBO else tuple(combo.split("."))
        out[unit_id][(code, options)] = value
    return out


def check_unit(unit: Unit, dataset: DataSet, period: Period) -> list[Violation]:
    """The violations of ``unit``'s report for ``period`` (what marking it complete refuses)."""
    compiled = rules_for(dataset, period)
    if not compiled:
        return []
    codes = {r.element for c in compiled for r in c.refs}
    values = _values([unit.pk], None, period, codes).get(unit.pk, {})
    names, options = _catalogue(compiled)
    return check_values(compiled, unit, period, values, names, options)


def check_units(units: Sequence[Unit], dataset: DataSet, period: Period) -> dict[int, list[Violation]]:
    """``check_unit`` for many units (a bulk load): the rules and the catalogue read once, the values in one
    query per 900 units."""
    compiled = rules_for(dataset, period)
    if not compiled:
        return {u.pk: [] for u in units}
    codes = {r.element for c in compiled for r in c.refs}
    values: dict[int, UnitValues] = {}
    for start in range(0, len(units), 900):
        values.update(_values([u.pk for u in units[start:start + 900]], None, period, codes))
    names, options = _catalogue(compiled)
    return {u.pk: check_values(compiled, u, period, values.get(u.pk, {}), names, options) for u in units}


def run_validation(root: Unit, dataset: DataSet, period: Period, *, visible: Any = None,
                   limit: int = 1000) -> list[Violation]:
    """Every violation of ``dataset``'s rules in ``root``'s subtree for ``period`` (one query for the values),
    in the units' Vietnamese order; ``visible``: only these units (a QuerySet: the reader's scope)."""
    compiled = rules_for(dataset, period)
    if not compiled:
        return []
    codes = {r.element for c in compiled for r in c.refs}
    values = _values(visible, root, period, codes)
    units = (Unit.objects.filter(pk__in=_rows(visible, root, period, codes).values("unit_id"), kind__in=dataset.kinds)
             .order_by("sort_key", "code"))
    names, options = _catalogue(compiled)
    out: list[Violation] = []
    for unit in units.iterator():
        out += check_values(compiled, unit, period, values[unit.pk], names, options)
        if len(out) >= limit:
            break
    return out[:limit]
