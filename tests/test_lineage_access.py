"""Scopes follow history (issue 14 item 4): a user scoped to a unit of today may read, never change, the records
of the units that preceded it (the old communes, districts and provinces that became it, and their subtrees);
a user scoped elsewhere sees none of them (404, the same as an unknown unit). Route-walk style: every page is
opened through the test client with the user's session, as tests/test_access_routes.py does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from phongtrao.accounts.access import can_change, can_view, capture_units, visible_units
from phongtrao.accounts.models import Role
from phongtrao.recognition.models import Recognition, Status
from phongtrao.units.models import Kind, Source, Succession, Unit, add_closure
from tests.conftest import PASSWORD, create_user

pytestmark = pytest.mark.django_db

LAST_OLD = dt.date(2025, 6, 30)


def old(kind: str, code: str) -> Unit:
    return Unit.objects.get(kind=kind, code=code, valid_to=LAST_OLD)


def new(kind: str, code: str) -> Unit:
    return Unit.objects.get(kind=kind, code=code, valid_from=dt.date(2025, 7, 1))


@pytest.fixture
def world(official_register: None) -> dict[str, Any]:
    old_qn = old(Kind.PROVINCE, "49")  # then Quảng Nam, today part of Đà Nẵng (48)
    commune = Unit.objects.of_kind(Kind.COMMUNE).in_subtree(old_qn).order_by("code").first()
    assert commune is not None
    village = Unit(code="QN-THON-1", name="Thôn Một", kind=Kind.RESIDENTIAL_AREA, parent=commune,
                   valid_to=LAST_OLD, source=Source.LOCAL)
    village.refresh_derived()
    village.save()
    add_closure([village.pk])
    Recognition.objects.create(unit=village, year=2023, status=Status.REGISTERED)
    Recognition.objects.create(unit=commune, year=2023, status=Status.REGISTERED)
    elsewhere = Unit.objects.of_kind(Kind.COMMUNE).in_subtree(old(Kind.PROVINCE, "01")).order_by("code").first()
    return {
        "commune": commune, "village": village, "elsewhere": elsewhere,
        "today_commune": Succession.objects.filter(predecessor=commune).order_by("successor__code")[0].successor,
        "province_officer": create_user("tinh-dn", Role.PROVINCE_OFFICER, new(Kind.PROVINCE, "48")),
        "viewer": create_user("xem-dn", Role.VIEWER, new(Kind.PROVINCE, "48")),
        "other_officer": create_user("tinh-hn", Role.PROVINCE_OFFICER, new(Kind.PROVINCE, "01")),
    }


def client_for(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def pages(world: dict[str, Any]) -> list[str]:
    commune, village = world["commune"], world["village"]
    return [reverse("recognition:commune", args=[commune.code, 2023]),
            reverse("recognition:unit", args=[village.code, 2023]),
            reverse("recognition:unit", args=[commune.code, 2023]),
            reverse("units:detail", args=[village.pk]),
            reverse("units:detail", args=[commune.pk])]


@pytest.mark.parametrize("who", ["province_officer", "viewer"])
def test_todays_province_reads_its_predecessors_records(world: dict[str, Any], who: str) -> None:
    client = client_for(world[who])
    for url in pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
    assert world["village"].name in client.get(pages(world)[0]).content.decode()


def test_but_may_not_change_them(world: dict[str, Any]) -> None:
    user, commune, village = world["province_officer"], world["commune"], world["village"]
    assert can_view(user, village) and not can_change(user, village)
    assert not capture_units(user).filter(pk__in=[commune.pk, village.pk]).exists()
    assert can_change(user, world["today_commune"])  # its own units of today, as before
    client = client_for(user)
    grid = client.post(reverse("recognition:commune", args=[commune.code, 2023]),
                       {f"v-{village.pk}": "1", f"reg-{village.pk}": "on", f"hh-{village.pk}": "12"})
    assert grid.status_code == 403
    for action in ("self_assess", "withdraw", "register"):
        response = client.post(reverse("recognition:unit", args=[village.code, 2023]), {"action": action})
        assert response.status_code == 403, action
    assert Recognition.objects.get(unit=village, year=2023).status == Status.REGISTERED
    assert Recognition.objects.get(unit=village, year=2023).version == 1


def test_another_province_opens_none_of_them(world: dict[str, Any]) -> None:
    client = client_for(world["other_officer"])
    for url in pages(world):
        assert client.get(url).status_code == 404, url
    response = client.post(reverse("recognition:commune", args=[world["commune"].code, 2023]), {})
    assert response.status_code == 404


def test_nothing_beyond_the_predecessors(world: dict[str, Any]) -> None:
    """What a Đà Nẵng user sees is today's Đà Nẵng and exactly the units that preceded a unit in it, with
    their subtrees (computed here by walking successions and parents in Python)."""
    user = world["province_officer"]
    units = {u["id"]: u for u in Unit.objects.values("id", "parent_id")}
    preceded: dict[int, set[int]] = {}
    for a, b in Succession.objects.values_list("predecessor_id", "successor_id"):
        preceded.setdefault(b, set()).add(a)
    root = new(Kind.PROVINCE, "48").pk

    def under(uid: int, roots: set[int]) -> bool:
        current: int | None = uid
        while current is not None:
            if current in roots:
                return True
            current = units[current]["parent_id"]
        return False

    mine = {uid for uid in units if under(uid, {root})}
    before, frontier = set(), set(mine)
    while frontier:
        frontier = {p for uid in frontier for p in preceded.get(uid, ())} - before
        before |= frontier
    expected = mine | {uid for uid in units if under(uid, before)}
    assert set(visible_units(user).values_list("pk", flat=True)) == expected
    assert world["elsewhere"].pk not in expected
    assert old(Kind.PROVINCE, "48").pk in expected and old(Kind.PROVINCE, "49").pk in expected
    assert old(Kind.PROVINCE, "01").pk not in expected


def test_unit_page_draws_the_lineage_of_what_the_user_may_see(world: dict[str, Any]) -> None:
    commune, today_commune = world["commune"], world["today_commune"]
    client = client_for(world["province_officer"])
    page = client.get(reverse("units:detail", args=[commune.pk])).content.decode()
    assert 'id="lineage"' in page and "<svg" in page and "<script" not in page.split('id="lineage"')[1][:4000]
    assert reverse("units:detail", args=[today_commune.pk]) in page  # its unit of today, linked
    page = client.get(reverse("units:detail", args=[today_commune.pk])).content.decode()
    assert 'id="lineage"' in page and commune.name in page
    # A user of another province sees today's commune's page? No: 404; and a Hà Nội commune's page draws no
    # Đà Nẵng unit.
    other = client_for(world["other_officer"])
    assert other.get(reverse("units:detail", args=[today_commune.pk])).status_code == 404
    elsewhere = other.get(reverse("units:detail", args=[world["elsewhere"].pk])).content.decode()
    assert reverse("units:detail", args=[commune.pk]) not in elsewhere


def test_what_changed_on_a_date(world: dict[str, Any]) -> None:
    import io

    from openpyxl import load_workbook

    province = new(Kind.PROVINCE, "48")
    client = client_for(world["viewer"])
    url = reverse("units:changes", args=[province.pk])
    reform = Succession.objects.filter(successor__in=Unit.objects.in_subtree(province))
    expected = reform.count()
    assert expected > 0
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count == expected
    on_day = client.get(url, {"on": "01/07/2025"}).context["page"].paginator.count
    assert on_day == reform.filter(effective_on=dt.date(2025, 7, 1)).count()
    assert client.get(url, {"on": "02/07/2025"}).context["page"].paginator.count == 0
    splits = client.get(url, {"kind": "split"}).context["page"].paginator.count
    assert splits == reform.filter(kind="split").count()
    commune = world["commune"]
    found = client.get(url, {"q": commune.name}).context["page"]
    assert any(s.predecessor == commune for s in found.object_list)
    assert all(commune.name.lower() in (s.predecessor.name + s.successor.name).lower()
               or s.predecessor.code == commune.name or s.successor.code == commune.name for s in found.object_list)
    for bad in ({"on": "31/02/2025"}, {"kind": "x" * 300}, {"page": "-1"}, {"q": "\ufeff" * 101}):
        assert client.get(url, bad).status_code == 200
    export = client.get(url, {"export": "1", "kind": "split"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content), read_only=True).active
    assert sheet is not None and len(list(sheet.iter_rows())) == splits + 1
    assert client_for(world["other_officer"]).get(url).status_code == 404
