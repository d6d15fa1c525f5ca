"""Two officers saving one slot of the annual report at the same moment (real threads, one real database), on
SQLite and PostgreSQL alike: both opened the page at the same revision; one wins, the other gets the stale
message and nothing of theirs is written. Two first saves of different slots make one record; a save and an
issue at once: the issue from the older version is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.importing import run_import
from phongtrao.lib.workflow import StaleVersion
from phongtrao.reports.actions import do_issue_report, do_save_slot
from phongtrao.reports.models import AnnualReport, ReportStatus, SlotRevision
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
    province = Unit.objects.get(code="T99", kind=Kind.PROVINCE)
    people = {"a": make_user("tinh-a", Role.PROVINCE_OFFICER, province),
              "b": make_user("tinh-b", Role.PROVINCE_OFFICER, province),
              "signer": make_user("chutich", Role.APPROVER, province)}
    with real_database(tmp_path):
        yield {"province": province, **people}


def test_two_officers_saving_one_slot_from_the_same_revision_one_wins(world: dict[str, Any]) -> None:
    province = world["province"]
    do_save_slot(Actor(world["a"]), province, YEAR, "shortcomings", "Bản đầu", expected_number=0)
    results = run_together(
        lambda: do_save_slot(Actor(world["a"]), province, YEAR, "shortcomings", "Bản của A", expected_number=1),
        lambda: do_save_slot(Actor(world["b"]), province, YEAR, "shortcomings", "Bản của B", expected_number=1))
    stale = [r for r in results if isinstance(r, StaleVersion)]
    assert len(stale) == 1, results
    assert "vừa được người khác lưu" in str(stale[0])
    winner = "Bản của A" if isinstance(results[1], StaleVersion) else "Bản của B"
    report = AnnualReport.objects.get(unit=province, year=YEAR)
    assert report.texts == {"shortcomings": winner}
    assert list(SlotRevision.objects.filter(report=report).order_by("number").values_list("number", "text")) == [
        (1, "Bản đầu"), (2, winner)]
    assert AuditEntry.objects.filter(action="annual_report.write").count() == 2


def test_two_first_saves_make_one_record_and_keep_both_slots(world: dict[str, Any]) -> None:
    province = world["province"]
    results = run_together(
        lambda: do_save_slot(Actor(world["a"]), province, YEAR, "situation", "Tình hình", expected_number=0),
        lambda: do_save_slot(Actor(world["b"]), province, YEAR, "lessons", "Bài học", expected_number=0))
    assert not [r for r in results if isinstance(r, BaseException)], results
    report = AnnualReport.objects.get(unit=province, year=YEAR)
    assert report.texts == {"situation": "Tình hình", "lessons": "Bài học"}
    assert AuditEntry.objects.filter(action="annual_report.create").count() == 1


def test_an_issue_from_the_version_before_a_save_is_refused(world: dict[str, Any]) -> None:
    province = world["province"]
    report = do_save_slot(Actor(world["a"]), province, YEAR, "tasks", "Nhiệm vụ", expected_number=0)
    seen = report.version
    results = run_together(
        lambda: do_save_slot(Actor(world["a"]), province, YEAR, "tasks", "Nhiệm vụ mới", expected_number=1),
        lambda: do_issue_report(Actor(world["signer"]), province, YEAR, number="1/BC-UBND",
                                issued_on=dt.date(2025, 12, 20), signer_lines=["CHỦ TỊCH"], signer_name="Trần Văn Bình",
                                expected_version=seen))
    report.refresh_from_db()
    # Whichever ran first, the other is refused: an issue never freezes texts its signer did not see.
    assert sum(isinstance(r, BaseException) for r in results) == 1, results
    if report.status == ReportStatus.ISSUED:
        assert report.texts == {"tasks": "Nhiệm vụ"}
    else:
        assert report.texts == {"tasks": "Nhiệm vụ mới"} and isinstance(results[1], StaleVersion)
