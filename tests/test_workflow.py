"""The shared workflow machinery (``phongtrao.lib.workflow``), tested on a fourth workflow declared here.

The data-set reports of the reporting feature (branch h-datasets) move open -> complete -> submitted ->
approved, or are returned with a reason back to open; approving locks their values, un-approving reopens
them. Declaring that workflow takes the table below and one ``Workflow(...)``; the tests use stand-in models
(``Report``, ``ReportEvent``) whose tables are created here. Every figure is read back with plain SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext_noop

from phongtrao.audit.actions import Actor
from phongtrao.audit.history import append_only_trigger
from phongtrao.audit.models import AuditEntry, Channel
from phongtrao.lib import workflow
from phongtrao.lib.workflow import (
    ActionError,
    AppendOnlyError,
    Move,
    StaleVersion,
    Transition,
    Workflow,
    WorkflowEvent,
)
from tests.concurrency import real_database, run_together

# --- the fourth workflow: a few lines ------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    OPEN = "open", "Đang mở"
    COMPLETE = "complete", "Đã hoàn thành"
    SUBMITTED = "submitted", "Đã gửi"
    APPROVED = "approved", "Đã duyệt"


S = ReportStatus
REPORT_TRANSITIONS = [
    Transition("complete", (S.OPEN,), S.COMPLETE, gettext_noop("hoàn thành báo cáo")),
    Transition("submit", (S.COMPLETE,), S.SUBMITTED, gettext_noop("gửi báo cáo")),
    Transition("approve", (S.SUBMITTED,), S.APPROVED, gettext_noop("duyệt báo cáo")),
    Transition("return", (S.COMPLETE, S.SUBMITTED), S.OPEN, gettext_noop("trả lại báo cáo"), requires_reason=True),
    Transition("unapprove", (S.APPROVED,), S.OPEN, gettext_noop("bỏ duyệt báo cáo")),
]


class Report(models.Model):
    name = models.CharField(max_length=60)
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    locked = models.BooleanField(default=False)  # approving locks the values
    returned_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "workflow_tests"  # no installed app: the rest of the suite never sees these models
        db_table = "test_workflow_report"

    def __str__(self) -> str:
        return self.name

    def snapshot(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "locked": self.locked}


class ReportEvent(WorkflowEvent):
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="events")
    from_status = models.CharField(max_length=10, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=ReportStatus.choices)
    # No database constraint: removing a user elsewhere in the suite must not trip over these rows.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", db_constraint=False)

    class Meta(WorkflowEvent.Meta):
        app_label = "workflow_tests"
        db_table = "test_workflow_report_event"


REPORTS = Workflow(
    "data_set_report", Report, ReportStatus, ReportEvent, event_parent="report", transitions=REPORT_TRANSITIONS,
    describe=lambda report: f"báo cáo {report.name}", missing=gettext_noop("Không tìm thấy báo cáo."),
    unit_of=lambda report: None,
)

# --- the tables and helpers ------------------------------------------------------------------------------

SYSTEM = Actor.system()
WEB = Actor(user=None, channel=Channel.WEB)


@pytest.fixture(scope="session")
def report_tables(django_db_setup: None, django_db_blocker: Any) -> None:
    """The stand-in tables, kept for the session (outside every installed app, a flush leaves their rows:
    each test reads only its own records)."""
    with django_db_blocker.unblock():
        existing = connection.introspection.table_names()
        with connection.schema_editor() as editor:
            for model in (Report, ReportEvent):
                if model._meta.db_table not in existing:
                    editor.create_model(model)


pytestmark = pytest.mark.usefixtures("report_tables")


def new_report(name: str = "T99 Q3/2025") -> Report:
    return REPORTS.created(Report(name=name), actor=SYSTEM)


def stored(report: Report) -> tuple[str, int, bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT status, version, locked FROM test_workflow_report WHERE id = %s", [report.pk])
        status, version, locked = cursor.fetchone()
    return status, version, bool(locked)


def events(report: Report) -> list[tuple[str, str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT action, from_status, to_status, source FROM test_workflow_report_event "
                       "WHERE report_id = %s ORDER BY id", [report.pk])
        return [tuple(row) for row in cursor.fetchall()]


def audited(report: Report) -> list[tuple[str, Any, Any]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT action FROM audit_auditentry WHERE object_type = %s AND object_id = %s ORDER BY id",
                       ["workflow_tests.report", str(report.pk)])
        actions = [row[0] for row in cursor.fetchall()]
    entries = AuditEntry.objects.filter(object_type="workflow_tests.report", object_id=str(report.pk)).order_by("pk")
    assert [e.action for e in entries] == actions
    return [(e.action, e.before, e.after) for e in entries]


def moved(report: Report, *actions: str, **kwargs: Any) -> Report:
    """The record moved as a named action would: locked, then moved, in one transaction per move."""
    for action in actions:
        with transaction.atomic():
            report = REPORTS.move(REPORTS.lock(report.pk), action, actor=WEB, **kwargs)
    return report


# --- the table ---------------------------------------------------------------------------------------------


def test_the_table_says_which_moves_each_status_allows() -> None:
    assert [t.action for t in REPORTS.moves_from(S.OPEN)] == ["complete"]
    assert [t.action for t in REPORTS.moves_from(S.COMPLETE)] == ["submit", "return"]
    assert [t.action for t in REPORTS.moves_from(S.SUBMITTED)] == ["approve", "return"]
    assert [t.action for t in REPORTS.moves_from(S.APPROVED)] == ["unapprove"]
    assert REPORTS.allows(S.SUBMITTED, "approve") and not REPORTS.allows(S.OPEN, "approve")
    assert REPORTS.transition("return").button == "Trả lại báo cáo"
    with pytest.raises(ValueError, match="no transition"):
        REPORTS.transition("publish")


def test_a_table_naming_an_unknown_status_or_a_move_twice_is_refused_when_declared() -> None:
    with pytest.raises(ValueError, match="unknown statuses"):
        Workflow("x", Report, ReportStatus, ReportEvent, event_parent="report", describe=str, missing="",
                 transitions=[Transition("archive", (S.APPROVED,), "archived", "lưu trữ")])
    with pytest.raises(ValueError, match="declared twice"):
        Workflow("x", Report, ReportStatus, ReportEvent, event_parent="report", describe=str, missing="",
                 transitions=[REPORT_TRANSITIONS[0], REPORT_TRANSITIONS[0]])


# --- one move ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_moves_write_the_status_the_version_an_event_and_an_audit_row() -> None:
    report = new_report()
    assert stored(report) == (S.OPEN, 1, False)
    moved(report, "complete", "submit")
    report = moved(report, "approve", changes={"locked": True})
    assert stored(report) == (S.APPROVED, 4, True)
    assert events(report) == [("create", "", "open", "system"), ("complete", "open", "complete", "web"),
                              ("submit", "complete", "submitted", "web"), ("approve", "submitted", "approved", "web")]
    trail = audited(report)
    assert [a for a, _, _ in trail] == ["data_set_report.create", "data_set_report.complete",
                                        "data_set_report.submit", "data_set_report.approve"]
    assert trail[0][1] is None and trail[0][2] == {"name": "T99 Q3/2025", "status": "open", "locked": False}
    # Each "before" is the previous "after": the audit chain is unbroken.
    assert all(trail[i][1] == trail[i - 1][2] for i in range(1, len(trail)))
    assert trail[-1][2] == {"name": "T99 Q3/2025", "status": "approved", "locked": True}


@pytest.mark.django_db
def test_unapproving_reopens_and_unlocks_the_values() -> None:
    report = moved(new_report(), "complete", "submit")
    report = moved(report, "approve", changes={"locked": True})
    report = moved(report, "unapprove", changes={"locked": False})
    assert stored(report) == (S.OPEN, 5, False)
    assert events(report)[-1][:3] == ("unapprove", "approved", "open")


@pytest.mark.django_db
def test_a_move_the_status_does_not_allow_is_refused_by_name_and_nothing_is_written() -> None:
    report = new_report()
    with pytest.raises(ActionError) as refused:
        moved(report, "approve")
    assert refused.value.errors == {"status": [
        "Không thể duyệt báo cáo: báo cáo T99 Q3/2025 đang ở trạng thái “Đang mở” (cần “Đã gửi”)."]}
    with translation.override("en"), pytest.raises(ActionError, match=r"^Cannot .* is “Đang mở” \(needs “Đã gửi”\)"):
        moved(report, "approve")
    assert stored(report) == (S.OPEN, 1, False)
    assert len(events(report)) == len(audited(report)) == 1  # the creation only


@pytest.mark.django_db
def test_a_return_needs_a_reason_and_the_event_keeps_it() -> None:
    report = moved(new_report(), "complete", "submit")
    with pytest.raises(ActionError) as refused:
        moved(report, "return", reason="  ")
    assert refused.value.errors == {"reason": ["Phải nêu lý do trả lại báo cáo."]}
    assert stored(report) == (S.SUBMITTED, 3, False)
    moved(report, "return", reason="Thiếu số liệu quý", changes={"returned_reason": "Thiếu số liệu quý"})
    assert stored(report) == (S.OPEN, 4, False)
    event = ReportEvent.objects.filter(report=report).order_by("pk").last()
    assert event is not None and event.details == {"reason": "Thiếu số liệu quý"}


@pytest.mark.django_db
def test_a_stale_version_is_refused_with_the_message_of_a_stale_form() -> None:
    report = new_report()
    read_at = report.version
    moved(report, "complete")
    with pytest.raises(StaleVersion) as refused:
        moved(report, "submit", expected_version=read_at)
    assert refused.value.errors == {"": [
        "Báo cáo T99 Q3/2025 vừa được người khác cập nhật sau khi bạn mở trang; thay đổi của bạn chưa được lưu. "
        "Hãy tải lại trang rồi làm lại."]}
    # The object read before that save is stale too, even without a form's version (an importer's rows).
    assert report.version == read_at
    with pytest.raises(StaleVersion):
        REPORTS.move(report, "submit", actor=WEB)
    assert stored(report) == (S.COMPLETE, 2, False)
    assert [e[0] for e in events(report)] == ["create", "complete"]


@pytest.mark.django_db
def test_a_gone_record_is_refused_with_the_workflows_message() -> None:
    with pytest.raises(ActionError, match=r"^Không tìm thấy báo cáo\.$"):
        REPORTS.lock(987654)


@pytest.mark.django_db
def test_no_move_is_written_without_the_audit_recorder(monkeypatch: pytest.MonkeyPatch) -> None:
    report = new_report()
    monkeypatch.setattr(workflow, "_record", None)
    with pytest.raises(RuntimeError, match="no audit recorder"):
        moved(report, "complete")
    assert stored(report) == (S.OPEN, 1, False)


# --- the event rows --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_event_rows_are_append_only() -> None:
    report = moved(new_report(), "complete")
    event = ReportEvent.objects.filter(report=report).order_by("pk").last()
    assert event is not None
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    if connection.vendor == "postgresql":  # the trigger (as an app's migration installs it) refuses raw SQL too
        create, _drop = append_only_trigger(ReportEvent._meta.db_table, ("user_id",))
        with connection.cursor() as cursor:
            cursor.execute(create)  # inside the test's transaction: gone when it rolls back
        for sql in ("UPDATE test_workflow_report_event SET action = 'x' WHERE id = %s",
                    "DELETE FROM test_workflow_report_event WHERE id = %s"):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [event.pk])
    assert events(report) == [("create", "", "open", "system"), ("complete", "open", "complete", "web")]


# --- many moves (importers, one decision for many records) ----------------------------------------------


@pytest.mark.django_db
def test_many_moves_are_checked_together_and_refused_together() -> None:
    reports = [new_report(f"R{i}") for i in range(3)]
    stale = Report.objects.get(pk=reports[1].pk)
    moved(reports[1], "complete")
    with pytest.raises(StaleVersion) as refused:
        REPORTS.move_many([Move(reports[0], "complete"), Move(stale, "complete"), Move(reports[2], "approve")],
                          actor=WEB)
    assert set(refused.value.errors) == {"1", "2"}  # keyed by position: the stale one and the illegal one
    assert "vừa được người khác cập nhật" in refused.value.errors["1"][0]
    assert "Không thể duyệt báo cáo" in refused.value.errors["2"][0]
    assert [stored(r) for r in reports] == [(S.OPEN, 1, False), (S.COMPLETE, 2, False), (S.OPEN, 1, False)]


@pytest.mark.django_db
def test_many_moves_write_in_a_fixed_number_of_queries() -> None:
    counts: list[int] = []

    def move_all(count: int) -> list[Report]:
        reports = [new_report(f"R{i}") for i in range(count)]
        with CaptureQueriesContext(connection) as queries:
            REPORTS.move_many([Move(r, "complete", event_fields={"details": {"row": i}})
                               for i, r in enumerate(reports)], actor=WEB)
        counts.append(len(queries.captured_queries))
        return reports

    few, many = move_all(2), move_all(12)
    assert counts[0] == counts[1]
    for report in few + many:
        assert stored(report) == (S.COMPLETE, 2, False)
        assert events(report)[-1] == ("complete", "open", "complete", "web")
        assert [a for a, _, _ in audited(report)] == ["data_set_report.create", "data_set_report.complete"]


# --- two writers at once ----------------------------------------------------------------------------------


@pytest.fixture
def shared_db(transactional_db: None, tmp_path: Path) -> Iterator[None]:
    with real_database(tmp_path):
        yield


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("shared_db")
def test_two_moves_of_one_record_at_once_one_wins_the_other_is_stale() -> None:
    report = moved(new_report(), "complete")
    for round_ in range(3):
        version = report.version

        def move(action: str, reason: str, pk: int = report.pk, version: int = version) -> Any:
            def run() -> Report:
                copy = Report.objects.get(pk=pk)  # each writer read the record at ``version``
                return REPORTS.move(copy, action, actor=WEB, expected_version=version, reason=reason)
            return run

        first, second = ("submit", "return") if round_ % 2 == 0 else ("return", "submit")
        results = run_together(move(first, "r"), move(second, "r"))
        won = [r for r in results if isinstance(r, Report)]
        lost = [r for r in results if not isinstance(r, Report)]
        assert len(won) == 1 and len(lost) == 1, results
        assert isinstance(lost[0], StaleVersion), repr(lost[0])
        status, stored_version, _locked = stored(report)
        assert stored_version == version + 1 and status == won[0].status
        if won[0].status == S.SUBMITTED:  # back to complete for the next round
            moved(won[0], "return", reason="r")
        report = moved(won[0], "complete")
    # One event and one audit row per move that won, none for the refused ones.
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM test_workflow_report_event WHERE report_id = %s", [report.pk])
        (event_count,) = cursor.fetchone()
    assert event_count == report.version == len(audited(report))
