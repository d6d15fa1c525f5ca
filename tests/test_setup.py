"""``phongtrao setup``: idempotent, and a changed package gives a reviewable diff, not silent changes."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from phongtrao.units.models import RegisterLoad, Source, Succession, Unit, UnitAncestor

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int]:
    return Unit.objects.count(), UnitAncestor.objects.count(), Succession.objects.count()


def test_setup_twice_changes_nothing(official_register: None) -> None:
    before = counts()
    loads = RegisterLoad.objects.count()
    out = io.StringIO()
    call_command("setup", stdout=out)
    call_command("setup", stdout=out)
    assert counts() == before
    assert RegisterLoad.objects.count() == loads
    assert "up to date" in out.getvalue()


def test_package_differences_are_listed_and_applied_only_when_asked(official_register: None) -> None:
    # Simulate a newer package: the database still has an old name and lacks one unit and one link.
    unit = Unit.objects.get(source=Source.OFFICIAL, code="00004", valid_from=dt.date(2025, 7, 1))
    Unit.objects.filter(pk=unit.pk).update(name="Phường Tên Cũ")
    link = Succession.objects.filter(source=Source.OFFICIAL).first()
    assert link is not None
    Succession.objects.filter(pk=link.pk).delete()

    out = io.StringIO()
    call_command("setup", stdout=out)
    text = out.getvalue()
    assert "--apply-official-changes" in text
    assert "Phường Tên Cũ" in text and "Phường Ba Đình" in text
    unit.refresh_from_db()
    assert unit.name == "Phường Tên Cũ"  # not changed silently

    call_command("setup", "--apply-official-changes", stdout=io.StringIO())
    unit.refresh_from_db()
    assert unit.name == "Phường Ba Đình"
    assert Succession.objects.filter(predecessor=link.predecessor_id, successor=link.successor_id).exists()
    out = io.StringIO()
    call_command("setup", stdout=out)
    assert "up to date" in out.getvalue()
