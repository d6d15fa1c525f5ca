"""Two doors writing one plan at the same moment (real threads, one real database), on SQLite and PostgreSQL
alike: two officers adding objective 1 to one plan, two saving one objective from the same version, two
reporting one task from the same version. One wins, the other is refused; nothing is lost or doubled."""

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
from phongtrao.plans.actions import (
    ActionError,
    ObjectiveData,
    PlanData,
    StaleVersion,
    TaskData,
    do_create_plan,
    do_report_task,
    do_save_objective,
    do_save_task,
)
from phongtrao.plans.catalogue import seed_catalogues
from phongtrao.plans.models import Objective, Organisation, PlanKind, Task, TaskEvent, TaskStatus
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Unit
from tests.concurrency import real_database, run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db: None, example_dir: Path, tmp_path: Path, make_user: Any) -> Iterator[dict[str, Any]]:
    system = Actor.system()
    if not Unit.objects.filter(code="VN").exists():
        do_create_unit(system, code="VN", name="Việt Nam", kind=Kind.COUNTRY)
    if not Unit.objects.filter(code="T99").exists():
        assert run_import("units", "units.csv", (example_dir / "units.csv").read_bytes(), actor=system).ok
    seed_catalogues(PlanKind, Organisation)  # the flush of an earlier transactional test removed the seeds
    province = Unit.objects.get(code="T99", kind=Kind.PROVINCE)
    plan = do_create_plan(system, PlanData(PlanKind.objects.get(code="de_an"), "1/QĐ-UBND", dt.date(2021, 1, 5),
                                           "Đề án", province, province, 2021, 2025))
    people = {"a": make_user("tinh-a", Role.PROVINCE_OFFICER, province),
              "b": make_user("tinh-b", Role.PROVINCE_OFFICER, province)}
    with real_database(tmp_path):
        yield {"plan": plan, "province": province, **people}


def test_two_officers_adding_objective_one_to_one_plan_one_wins(world: dict[str, Any]) -> None:
    plan = world["plan"]
    results = run_together(lambda: do_save_objective(Actor(world["a"]), plan.pk, ObjectiveData(1, "Của A")),
                           lambda: do_save_objective(Actor(world["b"]), plan.pk, ObjectiveData(1, "Của B")))
    refused = [r for r in results if isinstance(r, ActionError)]
    assert len(refused) == 1 and Objective.objects.filter(plan=plan).count() == 1, results
    assert AuditEntry.objects.filter(action="plan_objective.save").count() == 1


def test_two_officers_saving_one_objective_from_one_version_one_is_stale(world: dict[str, Any]) -> None:
    plan = world["plan"]
    objective = do_save_objective(Actor.system(), plan.pk, ObjectiveData(1, "Thủ công"))
    version = objective.version
    results = run_together(
        lambda: do_save_objective(Actor(world["a"]), plan.pk, ObjectiveData(1, "Thủ công", manual_met=True),
                                  pk=objective.pk, expected_version=version),
        lambda: do_save_objective(Actor(world["b"]), plan.pk, ObjectiveData(1, "Thủ công", manual_met=False),
                                  pk=objective.pk, expected_version=version))
    stale = [r for r in results if isinstance(r, StaleVersion)]
    saved = [r for r in results if isinstance(r, Objective)]
    assert len(stale) == 1 and len(saved) == 1, results
    stored = Objective.objects.get(pk=objective.pk)
    assert stored.version == version + 1 and stored.manual_met is saved[0].manual_met


def test_two_reports_of_one_task_from_one_version_one_is_stale(world: dict[str, Any]) -> None:
    plan = world["plan"]
    police = Organisation.objects.get(code="cong_an", province__isnull=True)
    task = do_save_task(Actor.system(), plan.pk, TaskData(1, "Nhiệm vụ", organisations=[police]))
    results = run_together(
        lambda: do_report_task(Actor(world["a"]), task.pk, status=TaskStatus.DONE, result_note="A",
                               expected_version=task.version),
        lambda: do_report_task(Actor(world["b"]), task.pk, status=TaskStatus.IN_PROGRESS, result_note="B",
                               expected_version=task.version))
    stale = [r for r in results if isinstance(r, StaleVersion)]
    reported = [r for r in results if isinstance(r, Task)]
    assert len(stale) == 1 and len(reported) == 1, results
    stored = Task.objects.get(pk=task.pk)
    assert (stored.status, stored.result_note) == (reported[0].status, reported[0].result_note)
    assert TaskEvent.objects.filter(task=task, action="report").count() == 1


def test_two_officers_reconstituting_one_committee_from_one_version_one_is_stale(world: dict[str, Any]) -> None:
    from phongtrao.plans.catalogue import seed_positions
    from phongtrao.plans.committees import CompositionData, MemberData, do_constitute, do_reconstitute
    from phongtrao.plans.models import CommitteeMember, CommitteePosition, CommitteeVersion, SteeringCommittee

    seed_positions(CommitteePosition)  # the flush of an earlier transactional test removed the seeds
    head = CommitteePosition.objects.get(code="truong_ban")
    police = Organisation.objects.get(code="cong_an", province__isnull=True)

    def composition(number: str, title: str) -> CompositionData:
        return CompositionData(number, dt.date(2025, 1, 10), "UBND tỉnh", [MemberData(police, head, title)])

    committee = do_constitute(Actor.system(), world["province"], composition("1/QĐ-UBND", "Chủ tịch"))
    results = run_together(
        lambda: do_reconstitute(Actor(world["a"]), committee.pk, composition("2/QĐ-UBND", "Của A"),
                                expected_version=1),
        lambda: do_reconstitute(Actor(world["b"]), committee.pk, composition("3/QĐ-UBND", "Của B"),
                                expected_version=1))
    stale = [r for r in results if isinstance(r, StaleVersion)]
    saved = [r for r in results if isinstance(r, CommitteeVersion)]
    assert len(stale) == 1 and len(saved) == 1, results
    stored = SteeringCommittee.objects.get(pk=committee.pk)
    assert stored.version == 2 and stored.current_id == saved[0].pk
    assert CommitteeVersion.objects.filter(committee=committee).count() == 2
    assert CommitteeMember.objects.filter(version__committee=committee).count() == 2  # nothing doubled or lost
