"""Named changes of residential areas and organisations (issue 14 item 5): merge (into a new unit or one that
continues), split with weights, rename, move. The old versions end the day before, nothing recorded is rewritten,
the links carry their weights, and an undecided recognition of the year follows the primary successor."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.recognition.models import Recognition, RecognitionEvent, Status
from phongtrao.units.actions import do_create_unit
from phongtrao.units.changes import NewUnit, do_merge, do_move, do_rename, do_split, preview_change
from phongtrao.units.models import Kind, Succession, SuccessionKind, Unit

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
REFORM = dt.date(2025, 7, 1)
DAY = dt.date(2026, 3, 1)
LAST = dt.date(2026, 2, 28)


@pytest.fixture
def world(official_register: None) -> dict[str, Any]:
    communes = list(Unit.objects.of_kind(Kind.COMMUNE).valid_on(REFORM).filter(parent__code="48",
                                                                               valid_from=REFORM).order_by("code")[:2])
    areas = [do_create_unit(SYSTEM, code=f"KDC-X-{n}", name=f"Thôn {n}", kind=Kind.RESIDENTIAL_AREA,
                            parent_id=communes[0].pk, subtype="thon", households=100 * n, valid_from=REFORM)
             for n in range(1, 5)]
    return {"communes": communes, "areas": areas}


def reload(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


def test_merging_three_areas_into_a_new_one(world: dict[str, Any]) -> None:
    a, b, c, _d = world["areas"]
    decided = Recognition.objects.create(unit=a, year=2025, status=Status.RECOGNISED)
    open_a = Recognition.objects.create(unit=a, year=2026, status=Status.REGISTERED)
    open_b = Recognition.objects.create(unit=b, year=2026, status=Status.SUBMITTED)
    result = do_merge(SYSTEM, [a.pk, b.pk, c.pk], day=DAY, new=NewUnit("KDC-X-M", "Thôn Hợp Nhất"))
    [new] = result.opened
    assert (new.valid_from, new.valid_to, new.households, new.parent_id) == (DAY, None, 600, a.parent_id)
    for old in (a, b, c):
        stored = reload(old)
        assert (stored.valid_to, stored.name, stored.households) == (LAST, old.name, old.households)
        link = Succession.objects.get(predecessor=old)
        assert (link.successor_id, link.kind, link.weight, link.effective_on) == (new.pk, SuccessionKind.MERGE, 1, DAY)
    # The most advanced undecided 2026 record follows; the other stays; 2025's decided record never moves.
    assert Recognition.objects.get(pk=open_b.pk).unit_id == new.pk
    assert Recognition.objects.get(pk=open_a.pk).unit_id == a.pk
    assert Recognition.objects.get(pk=decided.pk).unit_id == a.pk
    assert RecognitionEvent.objects.filter(recognition=open_b, action="carry").count() == 1
    assert len(result.notes) == 2 and AuditEntry.objects.filter(action="recognition.carry").count() == 1
    assert AuditEntry.objects.filter(action="unit.merge").count() == 1


def test_merging_into_one_that_continues(world: dict[str, Any]) -> None:
    a, b, c, _d = world["areas"]
    result = do_merge(SYSTEM, [a.pk, b.pk, c.pk], day=DAY, continuing_id=b.pk)
    assert result.opened == [] and reload(b).valid_to is None
    assert {u.pk for u in result.closed} == {a.pk, c.pk}
    assert set(Succession.objects.filter(successor=b).values_list("predecessor_id", flat=True)) == {a.pk, c.pk}


def test_a_merge_across_communes_or_of_one_unit_is_refused(world: dict[str, Any]) -> None:
    a, b = world["areas"][:2]
    other = do_create_unit(SYSTEM, code="KDC-Y-1", name="Thôn Y", kind=Kind.RESIDENTIAL_AREA,
                           parent_id=world["communes"][1].pk, subtype="thon", valid_from=REFORM)
    with pytest.raises(ActionError):
        do_merge(SYSTEM, [a.pk, other.pk], day=DAY, continuing_id=a.pk)
    with pytest.raises(ActionError):
        do_merge(SYSTEM, [a.pk], day=DAY, continuing_id=a.pk)
    with pytest.raises(StaleVersion):
        do_merge(SYSTEM, [a.pk, b.pk], day=DAY, continuing_id=a.pk, versions={b.pk: b.version + 5})
    assert reload(a).valid_to is None and reload(b).valid_to is None


def test_splitting_with_weights(world: dict[str, Any]) -> None:
    d = world["areas"][3]
    rec = Recognition.objects.create(unit=d, year=2026, status=Status.SELF_ASSESSED)
    with pytest.raises(ActionError):
        do_split(SYSTEM, d.pk, day=DAY, parts=[NewUnit("KDC-X-4A", "Thôn 4A", 100, Decimal("0.5")),
                                                NewUnit("KDC-X-4B", "Thôn 4B", 100, Decimal("0.4"))])
    result = do_split(SYSTEM, d.pk, day=DAY, parts=[NewUnit("KDC-X-4A", "Thôn 4A", 150, Decimal("0.4")),
                                                     NewUnit("KDC-X-4B", "Thôn 4B", 250, Decimal("0.6"))])
    weights = dict(Succession.objects.filter(predecessor=d).values_list("successor__code", "weight"))
    assert weights == {"KDC-X-4A": Decimal("0.4"), "KDC-X-4B": Decimal("0.6")}
    assert reload(d).valid_to == LAST and len(result.opened) == 2
    assert Recognition.objects.get(pk=rec.pk).unit.code == "KDC-X-4B"


def test_renaming_keeps_the_old_name_on_the_old_version(world: dict[str, Any]) -> None:
    a = world["areas"][0]
    result = do_rename(SYSTEM, a.pk, day=DAY, name="Thôn Phú Hòa")
    [new] = result.opened
    assert (new.code, new.name, new.valid_from) == (a.code, "Thôn Phú Hòa", DAY)
    assert (reload(a).name, reload(a).valid_to) == ("Thôn 1", LAST)
    assert Unit.objects.with_code(a.code, LAST).get().pk == a.pk
    assert Unit.objects.with_code(a.code, DAY).get().pk == new.pk
    assert Succession.objects.get(predecessor=a).kind == SuccessionKind.RENAME


def test_moving_to_another_commune(world: dict[str, Any]) -> None:
    a = world["areas"][0]
    target = world["communes"][1]
    result = do_move(SYSTEM, a.pk, day=DAY, parent_id=target.pk)
    [new] = result.opened
    assert new.parent_id == target.pk and Unit.objects.in_subtree(target).filter(pk=new.pk).exists()
    assert reload(a).parent_id == world["communes"][0].pk


def test_the_preview_writes_nothing(world: dict[str, Any]) -> None:
    a, b, c, _d = world["areas"]
    before = (Unit.objects.count(), Succession.objects.count(), AuditEntry.objects.count())
    shown = preview_change(lambda: do_merge(SYSTEM, [a.pk, b.pk, c.pk], day=DAY,
                                            new=NewUnit("KDC-X-M", "Thôn Hợp Nhất")))
    assert len(shown.closed) == 3 and len(shown.opened) == 1
    assert (Unit.objects.count(), Succession.objects.count(), AuditEntry.objects.count()) == before
    assert reload(a).valid_to is None
