"""Two officers saving the same cell of a report at the same moment (real threads, one real database): one value
is saved, the other writer is told it is stale; nothing is overwritten, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.datasets.actions import StaleVersion, ValueInput, do_save_values
from phongtrao.datasets.catalogue import seed_catalogue
from phongtrao.datasets.models import DataElement, DataSet, DataValue, OptionCombo
from phongtrao.lib.importing import run_import
from phongtrao.lib.periods import Period
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Unit
from tests.concurrency import real_database, run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db: None, example_dir: Path, tmp_path: Path, make_user: Any) -> Iterator[dict[str, Any]]:
    system = Actor.system()
    if not Unit.objects.filter(code="VN").exists():
        do_create_unit(system, code="VN", name="Việt Nam", kind=Kind.COUNTRY)
    if not Unit.objects.filter(code="T99").exists():
        assert run_import("units", "units.csv", (example_dir / "units.csv").read_bytes(), actor=system).ok
    seed_catalogue()  # the flush of an earlier transactional test removed the migration's rows
    commune = Unit.objects.get(code="T99001", kind=Kind.COMMUNE)
    people = {"a": make_user("xa-a", Role.COMMUNE_OFFICER, commune),
              "b": make_user("tinh-b", Role.PROVINCE_OFFICER, Unit.objects.get(code="T99", kind=Kind.PROVINCE))}
    with real_database(tmp_path):
        yield {"commune": commune, **people}


def test_two_writers_of_one_new_cell_one_wins_the_other_is_stale(world: dict[str, Any]) -> None:
    element = DataElement.objects.get(code="tin_bao")
    combo = OptionCombo.objects.get(combo=element.combo)
    dataset = DataSet.objects.get(code="xa_nam")
    period = Period.year_of(timezone.localdate().year)

    def writer(who: str, value: int) -> Any:
        return do_save_values(Actor(user=world[who]), world["commune"], dataset, period,
                              [ValueInput(element, combo, Decimal(value), "", expected_version=0)])

    results = run_together(lambda: writer("a", 4), lambda: writer("b", 9))
    stale = [r for r in results if isinstance(r, StaleVersion)]
    saved = [r for r in results if not isinstance(r, BaseException)]
    assert len(stale) == 1 and len(saved) == 1, results
    value = DataValue.objects.get(unit=world["commune"], element=element)
    assert value.version == 1 and value.value == saved[0].created[0].value  # the winner's, not overwritten
    assert AuditEntry.objects.filter(action="datavalue.save").count() == 1
