"""Reading history on today's boundaries (issue 14 items 2 and 4): every recorded unit is attributed to one
unit of today through ``Succession`` and its ancestors, and ``report annual --boundaries today`` of a unit of
today holds exactly what its predecessors recorded, each unit once.

The expected figures are computed here in plain Python over the fixture (parent walks over every unit, no
closure table, no recursive query), never read from the code under test."""

from __future__ import annotations

import datetime as dt
import inspect
import io
import json
import random
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from phongtrao.recognition.figures import recognition_figures
from phongtrao.recognition.models import REGISTERED_STATUSES, Recognition, Status
from phongtrao.reports.annual import SECTIONS, build_annual
from phongtrao.units.lineage import TODAY, attributed, in_subtree, parse_boundaries, today_unit
from phongtrao.units.models import Kind, Source, Succession, SuccessionKind, Unit, add_closure

pytestmark = pytest.mark.django_db

REFORM = dt.date(2025, 7, 1)
LAST_OLD = dt.date(2025, 6, 30)


def make_unit(code: str, parent: Unit, *, kind: str = Kind.RESIDENTIAL_AREA, valid_from: dt.date | None = None,
              valid_to: dt.date | None = None, name: str | None = None) -> Unit:
    unit = Unit(code=code, name=name or f"Thôn {code}", kind=kind, parent=parent, valid_from=valid_from,
                valid_to=valid_to, source=Source.LOCAL)
    unit.refresh_derived()
    unit.save()
    add_closure([unit.pk])
    return unit


def link(old: Unit, new: Unit, on: dt.date, weight: str | None = None, kind: str = SuccessionKind.MERGE) -> None:
    Succession.objects.create(predecessor=old, successor=new, effective_on=on, kind=kind,
                              weight=Decimal(weight) if weight is not None else None)


def recognise(unit: Unit, year: int, status: str = Status.RECOGNISED) -> None:
    Recognition.objects.create(unit=unit, year=year, status=status)


def report(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("report", "annual", *args, stdout=out)
    return json.loads(out.getvalue())


def old_province(code: str) -> Unit:
    return Unit.objects.get(kind=Kind.PROVINCE, code=code, valid_to=LAST_OLD)


def new_province(code: str) -> Unit:
    return Unit.objects.get(kind=Kind.PROVINCE, code=code, valid_from=REFORM)


def valid(unit: dict[str, Any], day: dt.date) -> bool:
    return (unit["valid_from"] is None or unit["valid_from"] <= day) and (
        unit["valid_to"] is None or unit["valid_to"] >= day)


def expected_recognition(roots: set[int], year: int) -> dict[str, tuple[int, int, int]]:
    """{kind: (total, recognised, registered)} of the units under ``roots`` valid on 31/12 of ``year``, by
    walking every unit's parents in Python."""
    day = dt.date(year, 12, 31)
    units = {u["id"]: u for u in Unit.objects.values("id", "parent_id", "kind", "subject_to_standard",
                                                      "valid_from", "valid_to")}
    status = dict(Recognition.objects.filter(year=year).values_list("unit_id", "status"))

    def under(uid: int) -> bool:
        current: int | None = uid
        while current is not None:
            if current in roots:
                return True
            current = units[current]["parent_id"]
        return False

    out: dict[str, list[int]] = {}
    for uid, u in units.items():
        if u["subject_to_standard"] and valid(u, day) and under(uid):
            row = out.setdefault(u["kind"], [0, 0, 0])
            row[0] += 1
            row[1] += status.get(uid) == Status.RECOGNISED
            row[2] += status.get(uid) in REGISTERED_STATUSES
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def as_rows(section: dict[str, Any]) -> dict[str, tuple[int, int, int]]:
    return {k: (v["total"], v["recognised"], v["registered"]) for k, v in section.items()
            if k != "organisation" and v["total"]}


@pytest.fixture
def da_nang_history(official_register: None) -> dict[str, Any]:
    """2023-2024 records on pre-reform units of Đà Nẵng (48) and Quảng Nam (49), villages carried over the way
    the carry-over writes them (a new version under the new commune, linked by ``Succession``), others not."""
    rng = random.Random(14)
    old_dn, old_qn = old_province("48"), old_province("49")
    communes = list(Unit.objects.of_kind(Kind.COMMUNE).in_subtree(old_dn).order_by("code")[:4]) + list(
        Unit.objects.of_kind(Kind.COMMUNE).in_subtree(old_qn).order_by("code")[:4])
    villages = []
    for i, commune in enumerate(communes):
        for j in range(3):
            village = make_unit(f"DN{i}V{j}", commune, valid_to=LAST_OLD)
            villages.append(village)
            new_commune = Succession.objects.filter(predecessor=commune).order_by("successor__code")[0].successor
            if j < 2:  # carried over; the third is not (attributed through its old commune)
                link(village, make_unit(f"DN{i}V{j}", new_commune, valid_from=REFORM), REFORM)
    for year in (2023, 2024):
        for unit in [*communes, *villages]:
            roll = rng.random()
            if roll < 0.5:
                recognise(unit, year)
            elif roll < 0.7:
                recognise(unit, year, Status.REGISTERED)
    return {"old": {old_dn.pk, old_qn.pk}, "communes": communes, "villages": villages}


def test_today_report_of_da_nang_is_the_sum_of_its_predecessors(da_nang_history: dict[str, Any]) -> None:
    for year in (2023, 2024):
        data = report("--unit", "48", "--year", str(year), "--boundaries", "today")
        assert data["boundaries"] == TODAY
        assert data["unit"]["code"] == "48"
        assert as_rows(data["recognition"]) == expected_recognition(da_nang_history["old"], year)
        assert data["recognition"]["residential_area"]["total"] == 24
        # And it is the recorded reports of then-Đà Nẵng and then-Quảng Nam added up.
        recorded = [build_annual(old_province(code), year)["recognition"] for code in ("48", "49")]
        summed = {k: tuple(a + b for a, b in zip(recorded[0][k].values(), recorded[1][k].values(), strict=True))
                  for k in recorded[0]}
        assert {k: (v["recognised"], v["registered"], v["total"]) for k, v in data["recognition"].items()} == {
            k: v[:3] for k, v in summed.items()}


def test_recorded_is_the_default_and_keeps_the_years_own_units(da_nang_history: dict[str, Any]) -> None:
    data = report("--unit", "48", "--year", "2024")
    assert data["boundaries"] == "recorded"
    assert as_rows(data["recognition"]) == expected_recognition({old_province("48").pk}, 2024)
    # Today's Đà Nẵng did not exist in 2024: on recorded boundaries it has nothing.
    assert build_annual(new_province("48"), 2024)["recognition"]["commune"]["total"] == 0


def test_attribution_follows_successions_and_ancestors(da_nang_history: dict[str, Any]) -> None:
    mapping = attributed(new_province("48"))
    for village in da_nang_history["villages"]:
        target = Unit.objects.get(pk=mapping[village.pk])
        assert target == today_unit(village)
        assert target.valid_from == REFORM
        if village.code.endswith("V2"):  # not carried over: goes with its old commune's successor
            assert target.kind == Kind.COMMUNE
            assert target == today_unit(village.parent)
        else:
            assert target.kind == Kind.RESIDENTIAL_AREA and target.code == village.code
    # A current unit is its own.
    commune = Unit.objects.get(pk=mapping[da_nang_history["communes"][0].pk])
    assert mapping[commune.pk] == commune.pk and today_unit(commune) == commune


def test_a_2026_merge_of_three_areas(official_register: None) -> None:
    province = new_province("48")
    commune = Unit.objects.of_kind(Kind.COMMUNE).filter(parent=province).order_by("code")[0]
    merged_on = dt.date(2026, 3, 1)
    areas = [make_unit(f"TDP{i}", commune, valid_from=REFORM) for i in range(3)]
    for area, status in zip(areas, (Status.RECOGNISED, Status.RECOGNISED, Status.REGISTERED), strict=True):
        recognise(area, 2025, status)
    before = build_annual(commune, 2025)
    assert before["recognition"]["residential_area"]["total"] == 3
    new = make_unit("TDP9", commune, valid_from=merged_on)
    for area in areas:
        area.valid_to = merged_on - dt.timedelta(days=1)
        area.save(update_fields=["valid_to"])
        link(area, new, merged_on)
    assert build_annual(commune, 2025) == before  # recorded boundaries: unchanged
    on_today = build_annual(new, 2025, TODAY)["recognition"]["residential_area"]
    assert (on_today["total"], on_today["recognised"], on_today["registered"]) == (3, 2, 3)
    assert build_annual(new, 2025)["recognition"]["residential_area"]["total"] == 0
    # The commune holds the three once, not four times with the new area (not valid in 2025).
    assert build_annual(commune, 2025, TODAY)["recognition"] == before["recognition"]


@pytest.mark.parametrize("seed", range(12))
def test_splits_never_double_count(official_register: None, seed: int) -> None:
    """Random splits and merges with random weights: every recorded unit lands under exactly one of today's
    units, the one of largest weight (ties: lowest code), and the parts add up to the whole."""
    rng = random.Random(seed)
    province = new_province("48")
    communes = list(Unit.objects.of_kind(Kind.COMMUNE).filter(parent=province).order_by("code")[:3])
    old = [make_unit(f"O{seed}-{i}", rng.choice(communes), valid_to=dt.date(2026, 1, 31)) for i in range(8)]
    new = [make_unit(f"N{seed}-{i}", rng.choice(communes), valid_from=dt.date(2026, 2, 1)) for i in range(4)]
    expected: dict[int, Unit] = {}
    for unit in old:
        targets = rng.sample(new, rng.randint(0, 3))
        weights = [rng.choice(["0.2500", "0.5000", "0.3000", None]) for _ in targets]
        for target, weight in zip(targets, weights, strict=True):
            link(unit, target, dt.date(2026, 2, 1), weight, SuccessionKind.SPLIT)
        if targets:
            ranked = sorted(zip(targets, weights, strict=True),
                            key=lambda tw: (-(Decimal(tw[1]) if tw[1] else Decimal(1)), tw[0].code))
            expected[unit.pk] = ranked[0][0]
        else:
            expected[unit.pk] = unit.parent  # no successor: goes with its commune
        recognise(unit, 2025)
    found: dict[int, int] = {}
    for root in [*communes, *new]:
        for uid, target in attributed(root).items():
            if uid in expected:
                assert uid not in found or found[uid] == target
                found[uid] = target
    assert found == {uid: unit.pk for uid, unit in expected.items()}
    totals = [recognition_figures(c, 2025, TODAY)["residential_area"]["recognised"] for c in communes]
    recorded = [recognition_figures(c, 2025)["residential_area"]["recognised"] for c in communes]
    assert sum(totals) == sum(recorded)  # moved between communes, never counted twice
    for target in new:
        got = Unit.objects.filter(in_subtree(target, boundaries=TODAY)).filter(pk__in=[u.pk for u in old]).count()
        assert got == sum(1 for unit in expected.values() if unit == target)


def test_boundaries_parameter_reads_anything() -> None:
    assert parse_boundaries("today") == TODAY
    assert parse_boundaries(" Today ") == TODAY
    for value in (None, "", "x" * 500, "recorded", ["today"], "\x00"):
        assert parse_boundaries(value) == "recorded"


def test_every_section_takes_the_boundaries() -> None:
    for section in SECTIONS.values():
        parameter = inspect.signature(section.build).parameters.get("boundaries")
        assert parameter is not None and parameter.default == "recorded", section.key


def test_api_and_pages_take_the_switch(da_nang_history: dict[str, Any]) -> None:
    from django.test import Client

    from phongtrao.accounts.models import Role
    from phongtrao.api.actions import do_create_token
    from phongtrao.audit.actions import Actor
    from tests.conftest import PASSWORD, create_user

    today_dn = new_province("48")
    user = create_user("xem-dn-api", Role.VIEWER, today_dn)
    _, key = do_create_token(Actor(user=user), user, name="test")
    api = Client(headers={"authorization": f"Bearer {key}"})
    url = f"/api/v1/reports/annual?unit_id={today_dn.pk}&year=2024"
    today_data = api.get(url + "&boundaries=today").json()
    assert today_data["boundaries"] == TODAY
    assert as_rows(today_data["recognition"]) == expected_recognition(da_nang_history["old"], 2024)
    assert api.get(url).json()["boundaries"] == "recorded"
    assert api.get(url + "&boundaries=yesterday").status_code == 422
    page = Client()
    assert page.login(username=user.username, password=PASSWORD)
    response = page.get("/antt/tinh/48/2024/?boundaries=today")
    assert response.status_code == 200
    assert "Số liệu các năm trước 2025 tính theo địa giới hiện nay." in response.content.decode()
    assert response.context["headline"] == today_data["recognition"]
    # On recorded boundaries, 48 in 2024 is then-Đà Nẵng, a predecessor: readable, and its own figures.
    recorded = page.get("/antt/tinh/48/2024/")
    assert recorded.status_code == 200 and recorded.context["unit"] == old_province("48")
