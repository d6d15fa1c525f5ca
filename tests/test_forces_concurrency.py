"""Two doors writing the force's records at the same moment (real threads, one real database), on SQLite and
PostgreSQL alike: two officers establishing a team for one area, two saving one team's new rating, an officer
saving while another submits. One wins, the other is refused; nothing is lost or doubled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.forces.actions import (
    ActionError,
    RatingInput,
    StaleVersion,
    TeamData,
    do_establish_team,
    do_save_ratings,
    do_submit_ratings,
)
from phongtrao.forces.models import RatingSheet, SheetStatus, Team, TeamRating
from phongtrao.forces.rules import seed_rules
from phongtrao.lib.importing import run_import
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Unit
from tests.concurrency import real_database, run_together

pytestmark = pytest.mark.django_db(transaction=True)
YEAR = 2025


@pytest.fixture
def world(transactional_db: None, example_dir: Path, tmp_path: Path, make_user: Any) -> Iterator[dict[str, Any]]:
    system = Actor.system()
    if not Unit.objects.filter(code="VN").exists():
        do_create_unit(system, code="VN", name="Việt Nam", kind=Kind.COUNTRY)
    if not Unit.objects.filter(code="T99").exists():
        assert run_import("units", "units.csv", (example_dir / "units.csv").read_bytes(), actor=system).ok
    seed_rules()  # the flush of an earlier transactional test removed the migration's rows
    commune = Unit.objects.get(code="T99001", kind=Kind.COMMUNE)
    areas = list(Unit.objects.filter(parent=commune, kind=Kind.RESIDENTIAL_AREA).order_by("code"))
    people = {"a": make_user("xa-a", Role.COMMUNE_OFFICER, commune),
              "b": make_user("tinh-b", Role.PROVINCE_OFFICER, Unit.objects.get(code="T99", kind=Kind.PROVINCE))}
    with real_database(tmp_path):
        yield {"commune": commune, "areas": areas, **people}


def data(number: str) -> TeamData:
    return TeamData(number, dt.date(2024, 8, 1), dt.date(2024, 8, 2), 1, 1, 2, residents=1000)


def test_two_officers_establishing_a_team_for_one_area_one_wins(world: dict[str, Any]) -> None:
    area = world["areas"][0]
    results = run_together(lambda: do_establish_team(Actor(world["a"]), area, data("1/QĐ")),
                           lambda: do_establish_team(Actor(world["b"]), area, data("2/QĐ")))
    refused = [r for r in results if isinstance(r, ActionError)]
    assert len(refused) == 1 and Team.objects.filter(unit=area).count() == 1, results
    assert AuditEntry.objects.filter(action="force_team.establish").count() == 1


def test_two_officers_saving_one_new_rating_one_is_stale_and_a_submit_waits_for_the_save(
        world: dict[str, Any]) -> None:
    area = world["areas"][1]
    team = do_establish_team(Actor.system(), area, data("3/QĐ"))

    def save(who: str, good: int) -> Any:
        return do_save_ratings(Actor(world[who]), world["commune"], YEAR,
                               [RatingInput(team, {"good": good}, expected_version=0)])

    results = run_together(lambda: save("a", 3), lambda: save("b", 4))
    stale = [r for r in results if isinstance(r, StaleVersion)]
    saved = [r for r in results if not isinstance(r, BaseException)]
    assert len(stale) == 1 and len(saved) == 1, results
    rating = TeamRating.objects.get(team=team, year=YEAR)
    assert rating.version == 1 and rating.good == saved[0].created[0].good  # the winner's, not overwritten
    sheet = RatingSheet.objects.get(commune=world["commune"], year=YEAR)
    version = sheet.version

    # One submits the sheet as read while the other saves an edit: the one behind is refused as stale.
    results = run_together(
        lambda: do_submit_ratings(Actor(world["a"]), world["commune"], YEAR, expected_version=version),
        lambda: do_save_ratings(Actor(world["b"]), world["commune"], YEAR,
                                [RatingInput(team, {"good": 5}, expected_version=rating.version)]))
    errors = [r for r in results if isinstance(r, ActionError)]
    assert len(errors) == 1, results
    sheet.refresh_from_db()
    rating.refresh_from_db()
    if isinstance(results[0], ActionError):  # the save won: the submit read an older sheet
        assert isinstance(results[0], StaleVersion) and sheet.status == SheetStatus.OPEN and rating.good == 5
    else:  # the submit won: the sheet is locked, the save refused
        assert sheet.status == SheetStatus.SUBMITTED and rating.good == saved[0].created[0].good
