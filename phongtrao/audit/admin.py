"""The audit trail in the Django admin: read-only (no add, change or delete, not even in bulk)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from phongtrao.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "channel", "action", "object_type", "object_id", "object_repr", "unit")
    list_filter = ("channel", "action", "object_type", ("at", admin.DateFieldListFilter))
    search_fields = ("object_repr", "object_id", "user__username", "unit__code", "unit__name")
    list_select_related = ("user", "unit")
    date_hierarchy = "at"
    ordering = ("-at", "-id")
    readonly_fields = tuple(f.name for f in AuditEntry._meta.fields)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
