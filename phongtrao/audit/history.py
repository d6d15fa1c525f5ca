"""Append-only history rows (a workflow's transitions): saved once, never changed or deleted.

    class RecognitionEvent(AppendOnly, models.Model): ...

The mixin guards ``save()`` of an existing row and ``delete()``; like ``AuditEntry`` it is an
application rule (the ORM), not a database constraint.
"""

from __future__ import annotations

from typing import Any


class AppendOnlyError(Exception):
    """A history row was about to be changed or deleted."""


class AppendOnly:
    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:  # type: ignore[attr-defined]
            raise AppendOnlyError("Lịch sử chỉ được ghi thêm, không được sửa.")
        super().save(*args, **kwargs)  # type: ignore[misc]

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Lịch sử chỉ được ghi thêm, không được xóa.")
