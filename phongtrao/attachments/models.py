"""Files attached to a record (a unit's ANTT dossier of a year, later plans and decisions).

The record is named generically (content type + id); who may see and attach is decided by the
owning record's policy (``phongtrao.attachments.policy``), never here. The bytes live in the
``attachments`` storage (``STORAGES["attachments"]``: a folder under the data directory by default,
any Django storage backend in production) under a random name; the original name is kept for display.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from phongtrao.accounts.access import AnyUser


class AttachmentKind(models.TextChoices):
    SUBMISSION = "submission", _("Tờ trình")
    MINUTES = "minutes", _("Biên bản họp")
    SELF_SCORING = "self_scoring", _("Bảng tự chấm điểm")
    OTHER = "other", _("Khác")


def attachment_storage() -> Storage:
    """The storage of attached files: ``STORAGES["attachments"]``, else the default storage."""
    alias = "attachments" if "attachments" in settings.STORAGES else "default"
    return storages[alias]


def max_bytes() -> int:
    # ``settings.PHONGTRAO`` is inferred as ``dict[str, object]``; this entry is a number of bytes.
    return int(cast(int, settings.PHONGTRAO.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)))


class AttachmentQuerySet(models.QuerySet["Attachment"]):
    def of(self, obj: models.Model) -> Self:
        """The files attached to ``obj``, newest first."""
        return self.filter(owner_type=ContentType.objects.get_for_model(obj), owner_id=obj.pk).order_by(
            "-uploaded_at", "-pk")

    def visible_to(self, user: AnyUser) -> Self:
        """Files on records the user may see, by each owner's policy (one semi-join per kind of record)."""
        from phongtrao.attachments.policy import policies

        condition = Q(pk__in=[])
        for policy in policies():
            condition |= Q(owner_type=ContentType.objects.get_for_model(policy.model),
                           owner_id__in=policy.visible(user).values("pk"))
        return self.filter(condition)


class Attachment(models.Model):
    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("Loại hồ sơ"))
    owner_id = models.PositiveBigIntegerField(_("Mã hồ sơ"))
    # The unit the record belongs to: scoped audit rows and per-unit lists.
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("Đơn vị"))
    kind = models.CharField(_("Loại tài liệu"), max_length=20, choices=AttachmentKind.choices)
    original_name = models.CharField(_("Tên tệp"), max_length=200)
    stored_name = models.CharField(_("Tên lưu trữ"), max_length=255, unique=True)
    content_type = models.CharField(_("Kiểu tệp"), max_length=100)
    size = models.PositiveBigIntegerField(_("Dung lượng (byte)"))
    sha256 = models.CharField(_("Mã băm SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("Người tải lên"))
    uploaded_at = models.DateTimeField(_("Thời điểm tải lên"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="attachment_owner_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"

    @property
    def size_label(self) -> str:
        from phongtrao.attachments.files import size_text

        return size_text(self.size)

    def snapshot(self) -> dict[str, Any]:
        return {"owner_type": self.owner_type.model, "owner_id": self.owner_id, "kind": self.kind,
                "original_name": self.original_name, "content_type": self.content_type, "size": self.size,
                "sha256": self.sha256}
