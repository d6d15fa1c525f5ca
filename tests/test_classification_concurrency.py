"""Two doors writing one unit's classification at the same moment (real threads, one real database), on SQLite and
PostgreSQL alike: two reviewers adjusting one submitted scoring as read, two officers opening one unit's scoring.
One wins, the other gets the stale message; nothing is lost or doubled."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.classification.actions import StaleVersion, do_adjust, do_classify, do_score, do_submit, scorecard_for
from phongtrao.classification.models import Classification, ClassificationEvent, Status
from phongtrao.classification.rules import seed_cards
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
    seed_cards()  # the flush of an earlier transactional test removed the migration's rows
    province = Unit.objects.get(code="T99", kind=Kind.PROVINCE)
    commune = Unit.objects.get(code="T99001", kind=Kind.COMMUNE)
    area = Unit.objects.filter(parent=commune, kind=Kind.RESIDENTIAL_AREA).order_by("code").first()
    people = {"xa": make_user("xa-c", Role.COMMUNE_OFFICER, commune),
              "xa2": make_user("xa-c2", Role.COMMUNE_OFFICER, commune),
              "a": make_user("tinh-a", Role.PROVINCE_OFFICER, province),
              "b": make_user("tinh-b", Role.PROVINCE_OFFICER, province)}
    with real_database(tmp_path):
        yield {"area": area, **people}


def test_two_officers_opening_one_units_scoring_one_is_stale(world: dict[str, Any]) -> None:
    area = world["area"]
    card = scorecard_for(area, YEAR)
    assert card is not None
    first = card.criteria.order_by("order").first()
    assert first is not None
    results = run_together(
        lambda: do_score(Actor(world["xa"]), area, YEAR, {first.pk: 1}, expected_version=0),
        lambda: do_score(Actor(world["xa2"]), area, YEAR, {first.pk: 2}, expected_version=0))
    stale = [r for r in results if isinstance(r, StaleVersion)]
    saved = [r for r in results if isinstance(r, Classification)]
    assert len(stale) == 1 and len(saved) == 1, results
    assert "người khác cập nhật" in str(stale[0])
    assert Classification.objects.filter(unit=area, year=YEAR).count() == 1
    assert Classification.objects.get(unit=area, year=YEAR).self_points == saved[0].self_points


def test_two_reviewers_at_once_one_wins_the_other_gets_the_stale_message(world: dict[str, Any]) -> None:
    area = world["area"]
    card = scorecard_for(area, YEAR)
    assert card is not None
    criteria = list(card.criteria.order_by("order"))
    done = do_score(Actor(world["xa"]), area, YEAR, {c.pk: c.points for c in criteria}, expected_version=0)
    done = do_submit(Actor(world["xa"]), area, YEAR, expected_version=done.version)
    version = done.version
    results = run_together(
        lambda: do_adjust(Actor(world["a"]), area, YEAR, criteria[0].pk, 0, reason="Thiếu kế hoạch",
                          expected_version=version),
        lambda: do_adjust(Actor(world["b"]), area, YEAR, criteria[1].pk, 1, reason="Thiếu phân công",
                          expected_version=version))
    stale = [r for r in results if isinstance(r, StaleVersion)]
    won = [r for r in results if isinstance(r, Classification)]
    assert len(stale) == 1 and len(won) == 1, results
    assert "người khác cập nhật" in str(stale[0])
    stored = Classification.objects.get(pk=done.pk)
    assert stored.status == Status.REVIEWED and stored.version == version + 1 and stored.points == won[0].points
    assert ClassificationEvent.objects.filter(classification=done, action="adjust").count() == 1
    assert AuditEntry.objects.filter(action="classification.adjust").count() == 1
    # One classifies as read while the other adjusts: one of them is refused as stale, nothing doubled.
    version = stored.version
    results = run_together(
        lambda: do_classify(Actor(world["a"]), area, YEAR, expected_version=version),
        lambda: do_adjust(Actor(world["b"]), area, YEAR, criteria[2].pk, 0, reason="Thiếu minh chứng",
                          expected_version=version))
    assert len([r for r in results if isinstance(r, StaleVersion)]) == 1, results
    stored.refresh_from_db()
    assert stored.version == version + 1
