"""Names with numbers sort by the numbers' value ("Tổ dân phố 2" before "Tổ dân phố 10") in Python and
in the database (the stored ICU key), and the data migration recomputes the keys stored before."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from phongtrao.audit.actions import Actor
from phongtrao.lib.vntext import sort_key, vi_sorted
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Unit

# The order an officer expects: numbers by value, letters after the same number, Vietnamese letters.
NATURAL_ORDER = ["Khu phố 1", "Khu phố 2", "Khu phố 9", "Khu phố 10", "Khu phố 10A", "Khu phố 11", "Khu phố 100",
                 "Tổ dân phố 2", "Tổ dân phố 10", "Tổ dân phố Đông 3", "Tổ dân phố Đông 12"]


def test_sort_key_orders_numbers_by_value() -> None:
    assert vi_sorted(list(reversed(NATURAL_ORDER))) == NATURAL_ORDER
    assert sort_key("Tổ dân phố 2") < sort_key("Tổ dân phố 10")
    # Without numeric collation (the keys stored before), "10" came before "2".
    assert sort_key("Tổ dân phố 10", numeric=False) < sort_key("Tổ dân phố 2", numeric=False)


def test_sort_key_keeps_vietnamese_letter_order() -> None:
    assert vi_sorted(["Đà Nẵng", "Ân Thi", "An Bình", "Anh Sơn", "Bạch Mai"]) == \
        ["An Bình", "Anh Sơn", "Ân Thi", "Bạch Mai", "Đà Nẵng"]


def _make_areas(names: list[str]) -> Unit:
    commune = Unit.objects.with_code("00004", dt.date(2025, 12, 31)).get()
    for i, name in enumerate(names):
        do_create_unit(Actor.system(), code=f"KDC-N{i}", name=name, kind=Kind.RESIDENTIAL_AREA, parent=commune,
                       valid_from=dt.date(2025, 7, 1))
    return commune


def _listed(commune: Unit) -> list[str]:
    return list(Unit.objects.filter(parent=commune, code__startswith="KDC-N").vi_ordered()
                .values_list("name", flat=True))


@pytest.mark.django_db
def test_database_lists_numbered_names_in_natural_order(official_register: None) -> None:
    commune = _make_areas(list(reversed(NATURAL_ORDER)))
    assert _listed(commune) == NATURAL_ORDER


@pytest.mark.django_db
def test_migration_recomputes_the_keys_stored_before(official_register: None) -> None:
    commune = _make_areas(list(reversed(NATURAL_ORDER)))
    areas = Unit.objects.filter(parent=commune, code__startswith="KDC-N")
    migration = importlib.import_module("phongtrao.units.migrations.0004_natural_sort_keys")

    migration.plain_keys(apps, None)  # the keys as the previous code stored them
    assert _listed(commune) != NATURAL_ORDER
    assert _listed(commune).index("Khu phố 10") < _listed(commune).index("Khu phố 2")
    assert set(areas.values_list("sort_key", flat=True)) == {sort_key(n, numeric=False) for n in NATURAL_ORDER}

    migration.numeric_keys(apps, None)
    assert _listed(commune) == NATURAL_ORDER
    assert set(areas.values_list("sort_key", flat=True)) == {sort_key(n) for n in NATURAL_ORDER}
    # Every unit's key is the one refresh_derived would store now (official units too).
    sample = list(Unit.objects.order_by("pk")[:200])
    assert all(u.sort_key == sort_key(u.name)[:600] for u in sample)


@pytest.mark.django_db
def test_model_registry_migration_recomputes_catalogue_keys() -> None:
    from phongtrao.models_registry.models import Field

    migration = importlib.import_module("phongtrao.models_registry.migrations.0004_natural_sort_keys")
    Field.objects.update(sort_key="")
    migration.numeric_keys(apps, None)
    assert all(f.sort_key == sort_key(f.name) for f in Field.objects.all())
    assert Field.objects.exists()
