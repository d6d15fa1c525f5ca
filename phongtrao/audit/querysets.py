"""Reads of the audit trail. ``visible_to(user)`` is the one scoping rule for every page, export and tab.

An entry is visible when its ``unit`` is in ``visible_units(user)``; entries without a
unit (e.g. changes to users outside any unit) are visible to administrators only.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.utils import timezone

from phongtrao.accounts.access import is_admin, visible_units
from phongtrao.units.models import UnitAncestor

if TYPE_CHECKING:
    from collections.abc import Iterable

    from phongtrao.accounts.access import AnyUser
    from phongtrao.audit.models import AuditEntry  # noqa: F401 (the QuerySet's type argument)


class ImmutableEntry(Exception):
    """Audit entries are append-only: the application never changes or deletes one."""


def _local_midnight(day: dt.date) -> dt.datetime:
    """00:00 of ``day`` in Asia/Ho_Chi_Minh (the site's time zone), as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def visible_to(self, user: AnyUser) -> Self:
        """Entries the user may read: those of units they may see; unit-less entries for admins only."""
        if is_admin(user):
            return self
        if not (user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(unit_id__in=visible_units(user).values("pk"))

    def in_subtree(self, roots: Iterable[int]) -> Self:
        """Entries whose unit lies under (or is) one of ``roots`` (unit ids), through the closure table."""
        return self.filter(unit_id__in=UnitAncestor.objects.filter(ancestor_id__in=list(roots)).values("unit_id"))

    def by_user(self, text: str) -> Self:
        """By username (exact, any case) or a part of the person's name."""
        text = text.strip()
        return self.filter(
            models.Q(user__username__iexact=text)
            | models.Q(user__first_name__icontains=text)
            | models.Q(user__last_name__icontains=text)
        )

    def between(self, start: dt.date | None, end: dt.date | None) -> Self:
        """Entries on local days ``start``..``end`` (both inclusive; either may be open)."""
        qs = self
        # The first and last days of the calendar leave that end open: their local midnight in UTC (or
        # the day after) would fall outside the datetime range (OverflowError).
        if start is not None and start > dt.date.min:
            qs = qs.filter(at__gte=_local_midnight(start))
        if end is not None and end < dt.date.max - dt.timedelta(days=1):
            qs = qs.filter(at__lt=_local_midnight(end + dt.timedelta(days=1)))
        return qs

    def with_action(self, action: str) -> Self:
        """Exactly ``action``; a prefix ending in a dot ("unit.") matches every action on that kind of object."""
        if action.endswith("."):
            return self.filter(action__startswith=action)
        return self.filter(action=action)

    def via(self, channel: str) -> Self:
        return self.filter(channel=channel)

    def for_object(self, object_type: str, object_id: str) -> Self:
        return self.filter(object_type=object_type, object_id=object_id)

    def newest_first(self) -> Self:
        return self.order_by("-at", "-id")

    # The trail is append-only: bulk writes through the manager are refused as well.
    def update(self, **kwargs: Any) -> int:
        raise ImmutableEntry("Không được sửa nhật ký thay đổi.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableEntry("Không được xoá nhật ký thay đổi.")

    update.alters_data = True  # type: ignore[attr-defined]
    delete.alters_data = True  # type: ignore[attr-defined]
    delete.queryset_only = True  # type: ignore[attr-defined]
