"""The annual report record (issue #13, item 5): drafted by the system, finished by the officer, issued.

One ``AnnualReport`` per (unit, year) for a province or a commune. The system drafts every figure and
sentence (``reports.document.build_document``); the officer writes the parts only a person knows (the
slots of ``reports.blocks.SLOT_KEYS``), each save kept as a ``SlotRevision`` (append-only). Issuing
(``reports.actions.do_issue_report``) gives the report its number, date and signer lines and freezes it:
the figures as they were (``figures``, with the previous year's for the year-on-year sentences in
``previous_figures``) and the slots' texts. An issued report shows its stored figures; the page compares
them with the live ones (``reports.record.figure_changes``) and says so when they differ, never silently.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from phongtrao.audit.models import Channel
from phongtrao.lib.workflow import AppendOnly, Transition, Workflow, WorkflowEvent
from phongtrao.units.models import Unit


class ReportStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Dự thảo")
    ISSUED = "issued", gettext_lazy("Đã ban hành")


class AnnualReport(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="annual_reports", verbose_name="Đơn vị")
    year = models.PositiveSmallIntegerField("Năm")
    status = models.CharField("Trạng thái", max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    version = models.PositiveIntegerField(default=0)
    texts = models.JSONField("Phần cán bộ viết", default=dict, blank=True)  # slot key -> its latest text
    number = models.CharField("Số báo cáo", max_length=40, blank=True)
    issued_on = models.DateField("Ngày ban hành", null=True, blank=True)
    signer_lines = models.JSONField("Dòng chức danh người ký", default=list, blank=True)
    signer_name = models.CharField("Người ký", max_length=120, blank=True)
    figures = models.JSONField("Số liệu khi ban hành", null=True, blank=True)
    previous_figures = models.JSONField("Số liệu năm trước khi ban hành", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "báo cáo tổng kết năm"
        verbose_name_plural = "báo cáo tổng kết năm"
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="reports_one_report_per_unit_year")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.year}"

    @property
    def issued(self) -> bool:
        return self.status == ReportStatus.ISSUED

    def snapshot(self) -> dict[str, Any]:
        """The audit's before/after: what the officer and the signer set (the frozen figures are too big)."""
        return {"year": self.year, "status": self.status, "version": self.version, "texts": dict(self.texts),
                "number": self.number, "issued_on": self.issued_on.isoformat() if self.issued_on else None,
                "signer_lines": list(self.signer_lines), "signer_name": self.signer_name}


class AnnualReportEvent(WorkflowEvent):
    """One move of a report record (append-only: never updated, never deleted)."""

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="events", verbose_name="Báo cáo")
    from_status = models.CharField("Từ trạng thái", max_length=10, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField("Sang trạng thái", max_length=10, choices=ReportStatus.choices)
    source = models.CharField("Nguồn", max_length=10, choices=Channel.choices)

    class Meta(WorkflowEvent.Meta):
        verbose_name = "lịch sử báo cáo tổng kết năm"
        verbose_name_plural = "lịch sử báo cáo tổng kết năm"

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_status or '—'} → {self.to_status}"


class SlotRevision(AppendOnly, models.Model):
    """One saved text of one officer's slot: who, when, what (append-only). ``number`` counts the slot's
    saves from 1; the page's form carries the number it showed, so a save from a stale page is refused."""

    report = models.ForeignKey(AnnualReport, on_delete=models.PROTECT, related_name="revisions",
                               verbose_name="Báo cáo")
    slot = models.CharField("Phần", max_length=20)
    number = models.PositiveIntegerField("Lần lưu")
    text = models.TextField("Nội dung", blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="Người viết")
    at = models.DateTimeField("Thời điểm", auto_now_add=True)

    class Meta:
        verbose_name = "lần lưu phần báo cáo"
        verbose_name_plural = "lần lưu phần báo cáo"
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["report", "slot", "number"],
                                               name="reports_one_revision_number_per_slot")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.slot} #{self.number}"


def _describe(report: AnnualReport) -> str:
    return gettext("báo cáo tổng kết năm %(year)s của %(name)s") % {"year": report.year, "name": report.unit.name}


REPORT_TRANSITIONS = [
    Transition("write", (ReportStatus.DRAFT,), None, gettext_noop("ghi phần báo cáo do cán bộ viết")),
    Transition("issue", (ReportStatus.DRAFT,), ReportStatus.ISSUED, gettext_noop("ban hành báo cáo")),
]

REPORTS = Workflow(
    "annual_report", AnnualReport, ReportStatus, AnnualReportEvent, event_parent="report",
    transitions=REPORT_TRANSITIONS, describe=_describe, missing=gettext_noop("Không tìm thấy báo cáo tổng kết năm."),
    locking=lambda: AnnualReport.objects.select_for_update(of=("self",)).select_related("unit"),
)
