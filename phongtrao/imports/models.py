"""A large upload checked or imported in the background (``imports.tasks.run_import_job``), with its progress."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from phongtrao.lib.importing import ImportResult, RowError


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ"
    RUNNING = "running", "Đang chạy"
    DONE = "done", "Xong"
    FAILED = "failed", "Lỗi"


STORED_ERRORS = 10_000  # errors kept with a finished job (the page shows at most ERROR_LIMIT lines)
STORED_PREVIEW = 200


class ImportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("Loại dữ liệu", max_length=40)
    file_name = models.CharField("Tệp", max_length=255)
    token = models.CharField(max_length=32)  # the stored upload (imports.storage)
    dry_run = models.BooleanField(default=True)
    status = models.CharField("Trạng thái", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    phase = models.CharField(max_length=20, blank=True)
    rows_read = models.PositiveIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "tác vụ nhập dữ liệu"
        verbose_name_plural = "tác vụ nhập dữ liệu"

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name}"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @staticmethod
    def result_json(result: ImportResult) -> dict[str, Any]:
        return {"kind": result.kind, "dry_run": result.dry_run, "rows_read": result.rows_read,
                "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                "warnings": result.warnings[:STORED_ERRORS],
                "errors": [[e.row, e.column, e.message] for e in result.errors[:STORED_ERRORS]],
                "preview": [list(p) for p in result.preview[:STORED_PREVIEW]]}

    def import_result(self) -> ImportResult:
        data = self.result or {}
        return ImportResult(
            kind=data.get("kind", self.kind), dry_run=data.get("dry_run", self.dry_run),
            rows_read=data.get("rows_read", 0), created=data.get("created", 0), updated=data.get("updated", 0),
            unchanged=data.get("unchanged", 0), warnings=list(data.get("warnings", [])),
            errors=[RowError(int(r), str(c), str(m)) for r, c, m in data.get("errors", [])],
            preview=[(int(r), str(a), str(d)) for r, a, d in data.get("preview", [])])
