"""The one enforcement point for "who may see and change which units".

Every view, export, upload and API endpoint looks units up through these
functions. (The foundation lets any signed-in user read and write everything;
the access issue narrows it to each user's view and capture scopes here, in
one place.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from phongtrao.units.models import Unit, UnitQuerySet

if TYPE_CHECKING:
    from django.http import HttpRequest

    from phongtrao.accounts.models import User


def visible_units(user: User) -> UnitQuerySet:
    """Units the user may read (a QuerySet, so lists and counts filter in SQL)."""
    if not user.is_authenticated:
        return Unit.objects.none()
    return Unit.objects.all()


def can_change(user: User, unit: Unit) -> bool:
    """Whether the user may change data of this unit (capture scope)."""
    return bool(user.is_authenticated and user.is_active)


def get_unit_for_user(request: HttpRequest, unit_id: int, *, for_change: bool = False) -> Unit:
    """The unit, or 404 when it does not exist or is not visible, 403 when it may be seen but not changed."""
    unit = get_object_or_404(visible_units(request.user), pk=unit_id)  # type: ignore[arg-type]
    if for_change and not can_change(request.user, unit):  # type: ignore[arg-type]
        raise PermissionDenied("Bạn không có quyền thay đổi dữ liệu của đơn vị này.")
    return unit
