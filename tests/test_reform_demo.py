"""The reform in ``phongtrao demo`` (issue 14): pre-reform residential areas and organisations under the old
communes of Đà Nẵng and Quảng Nam with their 2023 and 2024 recognitions, carried over to the new communes, and
three residential areas merged into one in 2026."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from phongtrao.recognition.models import Recognition, Status
from phongtrao.units.models import ORGANISATION_KINDS, Kind, Source, Succession, SuccessionKind, Unit
from tests.conftest import ensure_official_register

pytestmark = pytest.mark.django_db
LAST_OLD = dt.date(2025, 6, 30)
REFORM = dt.date(2025, 7, 1)


@pytest.fixture(scope="module")
def small_demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_official_register()
        out = StringIO()
        call_command("demo", "--communes", "6", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def pre_reform() -> Any:
    return Unit.objects.filter(source=Source.LOCAL, kind__in=(Kind.RESIDENTIAL_AREA, *ORGANISATION_KINDS),
                               valid_to=LAST_OLD)


def test_pre_reform_units_under_old_communes_with_their_2023_and_2024_cycles(small_demo: str) -> None:
    olds = list(pre_reform().select_related("parent"))
    assert len(olds) >= 30 and "pre-reform units" in small_demo
    assert {u.parent.kind for u in olds} == {Kind.COMMUNE, Kind.DISTRICT}
    assert all(u.parent.valid_to == LAST_OLD for u in olds)
    province = Unit.objects.of_kind(Kind.PROVINCE).with_code("48", REFORM).get()
    old_provinces = set(Unit.objects.filter(successor_links__successor=province).values_list("code", flat=True))
    assert old_provinces == {"48", "49"}
    for year in (2023, 2024):
        recs = Recognition.objects.filter(unit__in=olds, year=year)
        subject = [u for u in olds if u.subject_to_standard]
        assert 0.8 * len(subject) <= recs.count() <= len(subject)
        assert recs.filter(status=Status.RECOGNISED).count() >= 0.6 * recs.count()


def test_every_pre_reform_unit_is_carried_once_under_a_successor_of_its_old_commune(small_demo: str) -> None:
    for old in pre_reform().select_related("parent"):
        [link] = Succession.objects.filter(predecessor=old).select_related("successor__parent")
        new = link.successor
        assert (new.code, new.name, new.kind, new.valid_from) == (old.code, old.name, old.kind, REFORM)
        assert (link.kind, link.weight, link.effective_on) == (SuccessionKind.RENAME, 1, REFORM)
        if old.parent.kind == Kind.COMMUNE:
            assert Succession.objects.filter(predecessor=old.parent, successor=new.parent).exists()
        else:  # the old district's school: the province, managed by the province (the demo's rule)
            assert new.parent.code == "48" and new.managed_by == "province"
        assert not Recognition.objects.filter(unit=new, year__lt=2025).exists()  # yearly records stay behind


def test_three_areas_merged_in_2026(small_demo: str) -> None:
    day = dt.date(2026, 3, 1)
    assert timezone.localdate() >= day  # the demo merges once that day has come
    [merged] = Unit.objects.filter(kind=Kind.RESIDENTIAL_AREA, predecessor_links__kind=SuccessionKind.MERGE).distinct()
    olds = list(Unit.objects.filter(successor_links__successor=merged))
    assert len(olds) == 3 and merged.valid_from == day
    assert all(u.valid_to == day - dt.timedelta(days=1) and u.parent_id == merged.parent_id for u in olds)
    assert merged.households == sum(u.households for u in olds)
    assert Recognition.objects.filter(unit__in=olds, year=2025).count() >= 2  # 2025 stays on the three


def test_running_again_adds_nothing(small_demo: str) -> None:
    before = (Unit.objects.count(), Succession.objects.count(), Recognition.objects.count())
    call_command("demo", "--communes", "6", stdout=StringIO())
    assert (Unit.objects.count(), Succession.objects.count(), Recognition.objects.count()) == before
