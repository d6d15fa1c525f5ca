"""Work done in the background by the task worker (``phongtrao db_worker``), shared by the apps.

``JobStatus`` is the life of every background job (an import's, ``imports.models.ImportJob``, and a file's).
``FileJob`` is a document made in the background (the certificates of a large recognition decision, a
province's annual report document): who asked, for which unit (the download checks the user's scope on it
again), how far it got (``done`` of ``total``), and the finished file, kept in the database for download
(one row, whatever the number of web and task workers, and no shared disk). ``core.jobs`` runs them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class JobStatus(models.TextChoices):
    QUEUED = "queued", gettext_lazy("Đang chờ")
    RUNNING = "running", gettext_lazy("Đang chạy")
    DONE = "done", gettext_lazy("Xong")
    FAILED = "failed", gettext_lazy("Lỗi")


FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class FileJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("Loại tài liệu", max_length=40)  # a key of core.jobs.JOB_KINDS
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+", verbose_name="Đơn vị")
    params = models.JSONField(default=dict, blank=True)
    title = models.CharField("Tài liệu", max_length=255)
    status = models.CharField("Trạng thái", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file_name = models.CharField("Tên tệp", max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    content = models.BinaryField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "tác vụ tạo tài liệu"
        verbose_name_plural = "tác vụ tạo tài liệu"
        indexes = [models.Index(fields=["user", "-created_at"], name="core_filejob_user_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def percent(self) -> int:
        """How far the job got, 0-100 (a finished job is at 100)."""
        if self.status == JobStatus.DONE:
            return 100
        return min(100, self.done * 100 // self.total) if self.total else 0
