"""Django admin for system administrators: accounts are read here, changed on the user pages.

The user pages go through the named actions (validation, scope rules, audit rows);
the admin would bypass them, so it only shows accounts and their scopes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from phongtrao.accounts.models import UnitScope, User


class UnitScopeInline(admin.TabularInline):
    model = UnitScope
    fields = ("unit", "kind")
    readonly_fields = ("unit", "kind")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("username", "first_name", "role", "unit", "is_active", "is_superuser", "last_login")
    list_filter = ("role", "is_active", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email")
    list_select_related = ("unit",)
    ordering = ("username",)
    fields = ("username", "first_name", "last_name", "email", "phone", "title", "role", "unit",
              "is_active", "is_staff", "is_superuser", "last_login", "date_joined")
    readonly_fields = fields
    inlines = (UnitScopeInline,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
