"""Append-only audit trail: who changed what, when, through which channel, before and after."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Channel(models.TextChoices):
    WEB = "web", "Giao diện web"
    API = "api", "API"
    IMPORT = "import", "Nhập tệp"
    COMMAND = "command", "Dòng lệnh"
    SYSTEM = "system", "Hệ thống"


class AuditEntry(models.Model):
    at = models.DateTimeField("Thời điểm", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             verbose_name="Người thực hiện")
    channel = models.CharField("Kênh", max_length=10, choices=Channel.choices)
    action = models.CharField("Thao tác", max_length=60)
    object_type = models.CharField("Loại đối tượng", max_length=60)
    object_id = models.CharField("Mã đối tượng", max_length=40)
    object_repr = models.CharField("Đối tượng", max_length=255, blank=True)
    # The unit the change belongs to, for subtree filtering (scoped audit pages).
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="Đơn vị")
    before = models.JSONField("Trước", null=True, blank=True)
    after = models.JSONField("Sau", null=True, blank=True)

    class Meta:
        verbose_name = "nhật ký"
        verbose_name_plural = "nhật ký"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"
