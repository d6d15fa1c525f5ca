"""API tokens: a user's long-lived keys for scripts and other systems (``Authorization: Bearer <key>``).

Only the SHA-256 hash of a key is stored; the key itself is shown once, when it is made.
A token acts with exactly its user's rights (``phongtrao.accounts.access``).
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models

KEY_PREFIX = "ptk_"
# Characters of the key kept in clear, so a user can tell their tokens apart ("ptk_AbCd1234").
SHOWN_CHARS = len(KEY_PREFIX) + 8


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)

    def of_user(self, user: object) -> ApiTokenQuerySet:
        return self.filter(user_id=getattr(user, "pk", None))


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name="Người dùng")
    name = models.CharField("Tên gợi nhớ", max_length=100)
    prefix = models.CharField("Đầu khoá", max_length=20)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField("Ngày tạo", auto_now_add=True)
    last_used_at = models.DateTimeField("Dùng lần cuối", null=True, blank=True)
    revoked_at = models.DateTimeField("Ngày thu hồi", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "khoá API"
        verbose_name_plural = "khoá API"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
