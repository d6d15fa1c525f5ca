"""Indicators evaluated for any unit (its subtree) and period: numerator / denominator × factor.

A formula's data elements are read in one query for all the indicators shown (``figures.value_rows``: the
period's values in the subtree, by element and option combo); each built-in figure (``@{key}``) is asked of
``lib.indicators`` once per key (the apps' set-based figure functions).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from phongtrao.datasets.expressions import FIGURE_PREFIX, Node, Ref, evaluate, parse, references
from phongtrao.datasets.figures import value_rows
from phongtrao.datasets.models import DataElement, Indicator, OptionCombo
from phongtrao.lib import indicators as library
from phongtrao.lib.periods import Period
from phongtrao.units.models import Unit


@dataclass
class Result:
    indicator: Indicator
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None


def _parsed(indicator: Indicator) -> tuple[Node, Node]:
    return parse(indicator.numerator), parse(indicator.denominator or "1")


def evaluate_indicators(unit: Unit, period: Period, indicators: Iterable[Indicator] | None = None) -> list[Result]:
    chosen = list(indicators if indicators is not None else Indicator.objects.all())
    parsed = {i.pk: _parsed(i) for i in chosen}
    refs = [r for num, den in parsed.values() for r in references(num) + references(den)]
    codes = {r.element for r in refs if not r.element.startswith(FIGURE_PREFIX)}
    elements = {e.code: e for e in DataElement.objects.filter(code__in=codes)}
    rows = value_rows(unit, period, elements=elements.values()) if elements else []
    combo_options = {oc.pk: set(oc.option_codes) for oc in OptionCombo.objects.filter(
        pk__in={r["option_combo_id"] for r in rows})}
    by_element: dict[int, list[tuple[set[str], Decimal]]] = {}
    for row in rows:
        if row["total"] is not None:
            by_element.setdefault(row["element_id"], []).append(
                (combo_options.get(row["option_combo_id"], set()), Decimal(row["total"])))
    figures: dict[str, Decimal | None] = {}

    def lookup(ref: Ref) -> Decimal | None:
        if ref.element.startswith(FIGURE_PREFIX):
            key = ref.element[len(FIGURE_PREFIX):]
            if key not in figures:
                figures[key] = library.evaluate(key, unit, period)
            return figures[key]
        element = elements.get(ref.element)
        if element is None:
            return None
        cells = [total for options, total in by_element.get(element.pk, []) if set(ref.options) <= options]
        return sum(cells, Decimal(0)) if cells else None

    out = []
    for indicator in chosen:
        num_node, den_node = parsed[indicator.pk]
        numerator, denominator = evaluate(num_node, lookup), evaluate(den_node, lookup)
        value = None
        if numerator is not None and denominator:
            value = numerator / denominator * indicator.factor
        out.append(Result(indicator, numerator, denominator, value))
    return out


@dataclass(frozen=True)
class IndicatorSeed:
    code: str
    name: str
    name_en: str
    numerator: str
    denominator: str
    factor: int
    measure: str


SEEDED: tuple[IndicatorSeed, ...] = (
    IndicatorSeed("ty_le_kdc_dat_chuan", "Tỷ lệ khu dân cư đạt chuẩn ANTT", "Share of residential areas recognised",
                  "@{recognition.residential_area.recognised}", "@{recognition.residential_area.total}", 100, "%"),
    IndicatorSeed("ty_le_xa_dat_chuan", "Tỷ lệ xã, phường đạt chuẩn ANTT", "Share of communes recognised",
                  "@{recognition.commune.recognised}", "@{recognition.commune.total}", 100, "%"),
    IndicatorSeed("buoi_tuyen_truyen_moi_kdc", "Số buổi tuyên truyền bình quân mỗi khu dân cư",
                  "Propaganda sessions per residential area", "#{tuyen_truyen_buoi}",
                  "@{recognition.residential_area.total}", 1, "buổi"),
    IndicatorSeed("ty_le_tuyen_truyen_tieng_dtts", "Tỷ lệ buổi tuyên truyền bằng tiếng dân tộc thiểu số",
                  "Share of sessions in minority languages", "#{tuyen_truyen_buoi.tieng_dtts}", "#{tuyen_truyen_buoi}",
                  100, "%"),
    IndicatorSeed("mo_hinh_moi_xa", "Số mô hình bình quân mỗi xã, phường", "Models per commune", "@{models.models}",
                  "@{recognition.commune.total}", 1, "mô hình"),
    IndicatorSeed("khen_thuong_tap_the_moi_100_kdc", "Tập thể được khen thưởng trên 100 khu dân cư",
                  "Collectives awarded per 100 residential areas", "@{awards.collective}",
                  "@{recognition.residential_area.total}", 100, ""),
)


def seed_indicators(model: type[Indicator] | None = None) -> int:
    """The seeded indicators (idempotent; ``model``: the historical model of a data migration)."""
    model = model or Indicator
    created = 0
    for position, seed in enumerate(SEEDED, start=1):
        _obj, new = model.objects.get_or_create(code=seed.code, defaults={
            "name": seed.name, "name_en": seed.name_en, "numerator": seed.numerator, "denominator": seed.denominator,
            "factor": Decimal(seed.factor), "measure": seed.measure, "position": position * 10})
        created += new
    return created
