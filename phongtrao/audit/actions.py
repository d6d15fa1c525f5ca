"""Writing the audit trail. Called by every named action, inside its transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from phongtrao.audit.models import AuditEntry, Channel
from phongtrao.lib.bulk import insert_rows

if TYPE_CHECKING:
    from django.http import HttpRequest

    from phongtrao.accounts.models import User
    from phongtrao.units.models import Unit


@dataclass(frozen=True)
class Actor:
    """Who acts and through which door (web, API, import, command)."""

    user: User | None
    channel: str = Channel.WEB

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None, channel=Channel.SYSTEM)

    @classmethod
    def command(cls, user: User | None = None) -> Actor:
        return cls(user=user, channel=Channel.COMMAND)

    @classmethod
    def of_request(cls, request: HttpRequest, channel: str = Channel.WEB) -> Actor:
        """The signed-in user of a page (behind ``login_required``) or of an API call (``Channel.API``,
        behind the token check). Never the system: a request without a signed-in user is refused (403)."""
        user = request.user
        if not user.is_authenticated:
            raise PermissionDenied
        return cls(user=user, channel=channel)


def record(
    actor: Actor,
    action: str,
    obj: Any,
    *,
    unit: Unit | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        user=actor.user if actor.user is not None and actor.user.pk else None,
        channel=actor.channel,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        unit=unit,
        before=before,
        after=after,
    )


AUDIT_COLUMNS = ("at", "user_id", "channel", "action", "object_type", "object_id", "object_repr", "unit_id",
                 "before", "after")


def record_many(actor: Actor, action: str, rows: list[tuple[Any, Unit | None, dict | None, dict | None]]) -> None:
    """Bulk variant for imports and the demo: one audit row per changed object, written set-based
    (``lib.bulk.insert_rows``: COPY on PostgreSQL, one prepared INSERT on SQLite), one batch at a time.
    The rows are what ``record`` writes (before/after as JSON, the same moment for the whole batch)."""
    user_id = actor.user.pk if actor.user is not None and actor.user.pk else None
    now = timezone.now()
    dumps = json.dumps
    for start in range(0, len(rows), 5000):  # build and insert one batch at a time (bounded memory)
        insert_rows(AuditEntry, AUDIT_COLUMNS, [
            (now, user_id, actor.channel, action, obj._meta.label_lower, str(obj.pk), str(obj)[:255],
             unit.pk if unit is not None else None,
             None if before is None else dumps(before), None if after is None else dumps(after))
            for obj, unit, before, after in rows[start:start + 5000]
        ])
