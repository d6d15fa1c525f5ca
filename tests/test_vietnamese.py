"""Vietnamese text: collation, diacritic-insensitive search, number and date formats."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

from phongtrao.audit.actions import Actor
from phongtrao.lib import vnformat
from phongtrao.lib.vntext import fold, sort_key, vi_sorted
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Unit

VIETNAMESE_ORDER = ["An Bình", "Anh Sơn", "Ân Thi", "Bạch Mai", "Dương", "Đà Nẵng"]


def test_collation_puts_names_in_vietnamese_order() -> None:
    shuffled = ["Đà Nẵng", "Bạch Mai", "Ân Thi", "Dương", "An Bình", "Anh Sơn"]
    assert vi_sorted(shuffled) == VIETNAMESE_ORDER
    # Plain code-point order gets it wrong: that is why a collation key is stored.
    assert sorted(shuffled) != VIETNAMESE_ORDER


def test_sort_key_is_ascii_hex() -> None:
    key = sort_key("Đà Nẵng")
    assert key and set(key) <= set("0123456789abcdef")


@pytest.mark.parametrize("text", ["da nang", "Đà Nẵng", "DA NANG", "  đà   nẵng ", "ĐÀ NẴNG"])
def test_fold_ignores_diacritics_case_and_spacing(text: str) -> None:
    assert fold(text) == "da nang"


@pytest.mark.django_db
def test_database_sorts_in_vietnamese_order(official_register: None) -> None:
    commune = Unit.objects.with_code("00004", dt.date(2025, 12, 31)).get()
    for i, name in enumerate(reversed(VIETNAMESE_ORDER)):
        do_create_unit(Actor.system(), code=f"KDC-S{i}", name=name, kind=Kind.RESIDENTIAL_AREA, parent=commune,
                       valid_from=dt.date(2025, 7, 1))
    names = list(Unit.objects.filter(parent=commune, code__startswith="KDC-S").vi_ordered()
                 .values_list("name", flat=True))
    assert names == VIETNAMESE_ORDER


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["da nang", "Đà Nẵng", "DA NANG", "Da Nẵng"])
def test_search_ignores_diacritics_and_case(official_register: None, query: str) -> None:
    found = Unit.objects.search(query).valid_on(dt.date(2025, 12, 31)).of_kind(Kind.PROVINCE)
    assert list(found.values_list("name", flat=True)) == ["Thành phố Đà Nẵng"]


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [(1234567, None, "1.234.567"), (1234.5, None, "1.234,5"), (507361, None, "507.361"),
     (95.81, 2, "95,81"), (90, 2, "90,00"), (0, None, "0"), (-1234.25, 1, "-1.234,3"), (999, None, "999")],
)
def test_vietnamese_number_format(value: float, places: int | None, expected: str) -> None:
    assert vnformat.number(value, places) == expected


@pytest.mark.parametrize(
    ("part", "whole", "expected"),
    [(412, 430, 95.81), (27, 30, 90.0), (5, 6, 83.33), (2, 3, 66.67), (1, 8, 12.5), (0, 0, 0.0), (1, 200, 0.5)],
)
def test_percent_rounds_half_up(part: int, whole: int, expected: float) -> None:
    assert vnformat.percent(part, whole) == expected


def test_percent_half_up_not_bankers() -> None:
    # 100 * 1/16 = 6.25 exactly at 1 place -> 6.3 (banker's rounding would give 6.2)
    assert vnformat.percent(1, 16, places=1) == 6.3


def test_template_filters_format_vietnamese() -> None:
    html = Template("{{ n|vn_number }} {{ p|vn_percent }} {{ d|vn_date }}").render(
        Context({"n": 507361, "p": 94.75, "d": dt.date(2023, 12, 15)})
    )
    assert html == "507.361 94,75% 15/12/2023"


def test_template_filters_follow_the_active_language_for_numbers_only() -> None:
    """1.234,5 in Vietnamese, 1,234.5 in English; dates stay 15/12/2023; Python's vnformat.number stays Vietnamese
    (documents and Markdown reports are Vietnamese whatever the page's language)."""
    template = Template("{{ n|vn_number }} {{ x|vn_number:1 }} {{ p|vn_percent }} {{ d|vn_date }}")
    context = {"n": 507361, "x": 1234.5, "p": 94.75, "d": dt.date(2023, 12, 15)}
    with translation.override("en"):
        assert template.render(Context(context)) == "507,361 1,234.5 94.75% 15/12/2023"
        assert vnformat.number(1234.5) == "1.234,5"
        assert vnformat.localized_number(-1234567.25, 1) == "-1,234,567.3"
    with translation.override("vi"):
        assert template.render(Context(context)) == "507.361 1.234,5 94,75% 15/12/2023"
        assert vnformat.localized_percent(5) == "5,00%"
