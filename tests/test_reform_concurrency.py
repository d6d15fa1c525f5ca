"""Two carry-overs of one province at the same moment (real threads, one real database, SQLite and
PostgreSQL): the province's lock lets one write; the other waits, then finds everything carried and
carries nothing twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Succession, Unit
from phongtrao.units.reform import do_carry_over
from tests.concurrency import real_database, run_together
from tests.conftest import ensure_official_register

pytestmark = pytest.mark.django_db(transaction=True)
LAST_OLD = dt.date(2025, 6, 30)


@pytest.fixture
def world(transactional_db: None, tmp_path: Path) -> Iterator[dict[str, Any]]:
    ensure_official_register()
    province = Unit.objects.of_kind(Kind.PROVINCE).with_code("48", dt.date(2025, 7, 1)).get()
    communes = list(Unit.objects.of_kind(Kind.COMMUNE).filter(successor_links__successor__parent=province)
                    .valid_on(LAST_OLD).distinct().order_by("code")[:5])
    areas = [do_create_unit(Actor.system(), code=f"T-{c.code}-{n}", name=f"Thôn {n}", kind=Kind.RESIDENTIAL_AREA,
                            parent_id=c.pk, subtype="thon", valid_to=LAST_OLD)
             for c in communes for n in range(1, 4)]
    with real_database(tmp_path):
        yield {"province": province, "areas": areas}


def test_two_carry_overs_at_once_carry_each_unit_once(world: dict[str, Any]) -> None:
    province = world["province"]
    results = run_together(lambda: do_carry_over(Actor.system(), province.pk),
                           lambda: do_carry_over(Actor.system(), province.pk))
    assert not [r for r in results if isinstance(r, BaseException)], results
    carried = sorted(r.carried for r in results)
    assert carried == [0, len(world["areas"])]
    assert sorted(r.plan.skipped for r in results) == [0, len(world["areas"])]
    assert Succession.objects.filter(predecessor__in=[a.pk for a in world["areas"]]).count() == len(world["areas"])
    assert AuditEntry.objects.filter(action="unit.carry_over").count() == len(world["areas"])
