"""The ``successions`` import kind: named changes from a file, each through its action, all or nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.importing import run_import
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Succession, SuccessionKind, Unit

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
REFORM = dt.date(2025, 7, 1)


@pytest.fixture
def world(official_register: None) -> dict[str, Any]:
    communes = list(Unit.objects.of_kind(Kind.COMMUNE).filter(parent__code="48", valid_from=REFORM)
                    .order_by("code")[:2])
    for n in range(1, 8):
        do_create_unit(SYSTEM, code=f"KDC-I-{n}", name=f"Thôn {n}", kind=Kind.RESIDENTIAL_AREA,
                       parent_id=communes[0].pk, subtype="thon", households=100, valid_from=REFORM)
    return {"communes": communes}


def run(text: str, **kwargs: Any) -> Any:
    return run_import("successions", "s.csv", text.encode(), actor=SYSTEM, **kwargs)


def state() -> tuple[int, int, int]:
    return Unit.objects.count(), Succession.objects.count(), AuditEntry.objects.count()


def test_every_kind_of_change_from_one_file(world: dict[str, Any]) -> None:
    target = world["communes"][1].code
    text = ("old_code,new_code,date,kind,weight,new_name,new_parent_code\n"
            "KDC-I-1,KDC-I-M,01/03/2026,merge,,Thôn Tân Hợp,\n"
            "KDC-I-2,KDC-I-M,01/03/2026,sáp nhập,,Thôn Tân Hợp,\n"
            "KDC-I-3,KDC-I-M,01/03/2026,merge,,Thôn Tân Hợp,\n"
            "KDC-I-4,KDC-I-4A,01/03/2026,split,\"0,3\",Thôn 4A,\n"
            "KDC-I-4,KDC-I-4B,01/03/2026,split,0.7,Thôn 4B,\n"
            "KDC-I-5,KDC-I-5,01/03/2026,rename,,Thôn Phú Mỹ,\n"
            f"KDC-I-6,KDC-I-6,01/03/2026,move,,,{target}\n")
    before = state()
    dry = run(text, dry_run=True)
    assert dry.ok, [str(e) for e in dry.errors]
    assert state() == before
    result = run(text)
    assert result.ok and result.created == 5 and result.updated == 6
    day = dt.date(2026, 3, 1)
    merged = Unit.objects.with_code("KDC-I-M", day).get()
    assert merged.households == 300
    assert set(Succession.objects.filter(successor=merged).values_list("predecessor__code", flat=True)) == {
        "KDC-I-1", "KDC-I-2", "KDC-I-3"}
    assert dict(Succession.objects.filter(predecessor__code="KDC-I-4").values_list("successor__code", "weight")) == {
        "KDC-I-4A": Decimal("0.3"), "KDC-I-4B": Decimal("0.7")}
    assert Unit.objects.with_code("KDC-I-5", day).get().name == "Thôn Phú Mỹ"
    assert Unit.objects.with_code("KDC-I-5", day - dt.timedelta(days=1)).get().name == "Thôn 5"
    assert Unit.objects.with_code("KDC-I-6", day).get().parent.code == target
    assert Succession.objects.get(predecessor__code="KDC-I-6").kind == SuccessionKind.RENAME


def test_any_error_and_nothing_is_written(world: dict[str, Any]) -> None:
    text = ("old_code,new_code,date,kind,weight,new_name\n"
            "KDC-I-1,KDC-I-M,01/03/2026,merge,,Thôn Tân Hợp\n"
            "KDC-I-2,KDC-I-M,01/03/2026,merge,,Thôn Tân Hợp\n"
            "NOPE,KDC-X,01/03/2026,rename,,Thôn X\n"
            "KDC-I-4,KDC-I-4A,01/03/2026,split,0.5,Thôn 4A\n"
            "KDC-I-4,KDC-I-4B,01/03/2026,split,0.2,Thôn 4B\n"
            "KDC-I-5,KDC-I-5,31/02/2026,rename,,Thôn Y\n"
            "KDC-I-6,KDC-I-6,01/03/2026,gộp,,\n"
            "KDC-I-7,KDC-I-7,01/03/2026,rename,2,Thôn Z\n")
    before = state()
    result = run(text)
    assert not result.ok and state() == before
    assert [(e.row, e.column) for e in result.errors] == [
        (4, "unit_code"), (5, "weight"), (7, "date"), (8, "kind"), (9, "weight")]
    assert "NOPE" in result.errors[0].message
    assert result.created == 0
    missing = run("old_code,new_code,date\nA,B,01/03/2026\n")
    assert [str(e) for e in missing.errors] == ["row 1: kind: thiếu cột bắt buộc “kind” (Hình thức)"]
