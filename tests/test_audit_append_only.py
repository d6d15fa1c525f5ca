"""Audit and workflow history rows cannot be changed or erased, not even by raw SQL, on PostgreSQL.

The ORM refuses it on every database (tests/test_audit.py); on PostgreSQL a row trigger refuses it for
every client. SQLite has no such trigger (its flush is DELETE, and it has no session settings for the
maintenance path), which the last test pins.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from phongtrao.audit.actions import Actor
from phongtrao.audit.history import history_maintenance
from phongtrao.awards.actions import RecipientData, do_create_proposal
from phongtrao.awards.models import AwardType, ProposalEvent, RecipientKind
from phongtrao.lib.importing import run_import
from phongtrao.models_registry.models import ModelEvent
from phongtrao.recognition.models import RecognitionEvent
from phongtrao.units.models import Unit

pytestmark = pytest.mark.usefixtures("example_units")

TABLES = ["audit_auditentry", "recognition_recognitionevent", "models_registry_modelevent",
          "awards_proposalevent", "classification_classificationevent", "datasets_reportevent", "forces_sheetevent",
          "forces_teamevent", "plans_committeemember", "plans_committeeversion", "plans_planevent", "plans_taskevent",
          "reports_annualreportevent"]
# History tables that are not workflow events (no "action" column): the column a raw update tries to change.
OTHER_TABLES = {"reports_slotrevision": "text"}
# Rows other rows point at: SQLite (no trigger) would delete them and then fail its foreign-key check.
REFERENCED = {"plans_committeeversion"}
# The text column an UPDATE tries to change (``action`` where the table has one).
COLUMN = {"plans_committeemember": "title", "plans_committeeversion": "decision_number"}


@pytest.fixture
def history(example_units: None, example_dir: Path) -> None:
    """A row in every history table, written by the real importers and actions."""
    system = Actor.system()
    for kind in ("recognitions", "models"):
        result = run_import(kind, f"{kind}.csv", (example_dir / f"{kind}.csv").read_bytes(), actor=system)
        assert result.ok, [str(e) for e in result.errors]
    commune = Unit.objects.with_code("T99001", dt.date(2025, 12, 31)).get()
    do_create_proposal(system, proposing_unit=commune, award_type=AwardType.objects.get(code="bang_khen_ubnd_tinh"),
                       year=2025, title="Đề nghị khen thưởng",
                       recipients=[RecipientData(RecipientKind.COLLECTIVE, commune, commune.name, "", "Thành tích")])
    from phongtrao.datasets.actions import do_complete_report
    from phongtrao.datasets.models import DataSet, ReportEvent
    from phongtrao.lib.periods import Period

    do_complete_report(system, commune, DataSet.objects.get(code="xa_nam"), Period.year_of(2025))
    from phongtrao.forces.actions import RatingInput, TeamData, do_establish_team, do_save_ratings, do_submit_ratings
    from phongtrao.forces.models import SheetEvent, TeamEvent
    from phongtrao.units.models import Kind

    area = Unit.objects.filter(parent=commune, kind=Kind.RESIDENTIAL_AREA).order_by("code").first()
    assert area is not None
    team = do_establish_team(system, area, TeamData("1/QĐ-UBND", dt.date(2024, 1, 5), dt.date(2024, 1, 10), 1, 1, 3))
    do_save_ratings(system, commune, 2025, [RatingInput(team, {"good": 4})])
    do_submit_ratings(system, commune, 2025, expected_version=None)
    from phongtrao.classification.actions import do_score, scorecard_for
    from phongtrao.classification.models import ClassificationEvent

    card = scorecard_for(commune, 2025)
    assert card is not None
    first = card.criteria.order_by("order").first()
    assert first is not None
    do_score(system, commune, 2025, {first.pk: first.points}, expected_version=0)
    assert RecognitionEvent.objects.exists() and ModelEvent.objects.exists() and ProposalEvent.objects.exists()
    assert ReportEvent.objects.exists() and TeamEvent.objects.exists() and SheetEvent.objects.exists()
    assert ClassificationEvent.objects.exists()
    from phongtrao.plans.actions import PlanData, TaskData, do_create_plan, do_save_task
    from phongtrao.plans.catalogue import seed_catalogues
    from phongtrao.plans.models import Organisation, PlanEvent, PlanKind, TaskEvent

    seed_catalogues(PlanKind, Organisation)
    plan = do_create_plan(system, PlanData(PlanKind.objects.get(code="ke_hoach"), "1/KH-UBND", dt.date(2025, 1, 5),
                                           "Kế hoạch", commune, commune, 2025, 2025))
    do_save_task(system, plan.pk, TaskData(1, "Nhiệm vụ", organisations=[Organisation.objects.get(code="cong_an")]))
    assert PlanEvent.objects.exists() and TaskEvent.objects.exists()
    from phongtrao.reports.actions import do_save_slot
    from phongtrao.reports.models import AnnualReportEvent

    do_save_slot(system, commune, 2025, "lessons", "Bài học", expected_number=0)
    assert AnnualReportEvent.objects.exists()
    from phongtrao.plans.committees import CompositionData, MemberData, do_constitute
    from phongtrao.plans.models import CommitteeMember, CommitteePosition, CommitteeVersion

    do_constitute(system, commune, CompositionData("2/QĐ-UBND", dt.date(2025, 1, 5), "UBND xã", [MemberData(
        Organisation.objects.get(code="cong_an"), CommitteePosition.objects.get(code="truong_ban"), "Chủ tịch")]))
    assert CommitteeVersion.objects.exists() and CommitteeMember.objects.exists()


def first_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT min(id) FROM {table}")  # noqa: S608 - fixed table names
        return cursor.fetchone()[0]


def refused(sql: str, params: list[object]) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as exc:
        assert "append-only" in str(exc)
        return True
    return False


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize("table", TABLES)
def test_raw_update_and_delete_of_history_rows_are_refused_on_postgresql(table: str) -> None:
    row = first_id(table)
    column = COLUMN.get(table, "action")
    update = f"UPDATE {table} SET {column} = 'hacked' WHERE id = %s"  # noqa: S608
    delete = f"DELETE FROM {table} WHERE id = %s"  # noqa: S608
    on_postgresql = connection.vendor == "postgresql"
    assert refused(update, [row]) is on_postgresql
    if on_postgresql or table not in REFERENCED:
        assert refused(delete, [row]) is on_postgresql
    if on_postgresql:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [row])  # noqa: S608
            assert cursor.fetchone()[0] != "hacked"


@pytest.mark.usefixtures("history")
@pytest.mark.parametrize("table", sorted(OTHER_TABLES))
def test_raw_update_and_delete_of_other_history_rows_are_refused_on_postgresql(table: str) -> None:
    row, column = first_id(table), OTHER_TABLES[table]
    on_postgresql = connection.vendor == "postgresql"
    assert refused(f"UPDATE {table} SET {column} = 'hacked' WHERE id = %s", [row]) is on_postgresql  # noqa: S608
    assert refused(f"DELETE FROM {table} WHERE id = %s", [row]) is on_postgresql  # noqa: S608


@pytest.mark.usefixtures("history")
def test_emptying_a_removed_users_key_is_the_one_update_allowed() -> None:
    row = first_id("audit_auditentry")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET user_id = NULL, unit_id = NULL WHERE id = %s", [row])
    assert refused("UPDATE audit_auditentry SET user_id = NULL, action = 'x' WHERE id = %s", [row]) is (
        connection.vendor == "postgresql")


@pytest.mark.usefixtures("history")
def test_the_synthetic_data_wipe_may_delete_history_and_only_inside_maintenance() -> None:
    model_id = ModelEvent.objects.values_list("model_id", flat=True).first()
    with history_maintenance():
        deleted, _ = ModelEvent.objects.filter(model_id=model_id).delete()
    assert deleted >= 1
    assert not ModelEvent.objects.filter(model_id=model_id).exists()
    other = first_id("models_registry_modelevent")
    assert refused("DELETE FROM models_registry_modelevent WHERE id = %s", [other]) is (
        connection.vendor == "postgresql")


def test_the_trigger_exists_only_on_postgresql() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname LIKE '%%_append_only'")
            assert sorted(r[0] for r in cursor.fetchall()) == sorted([*TABLES, *OTHER_TABLES])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
            assert cursor.fetchone()[0] == 0
