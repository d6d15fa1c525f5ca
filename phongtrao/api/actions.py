"""Named actions for API tokens: create (the key is returned once, only its hash is kept) and revoke."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from phongtrao.api.models import SHOWN_CHARS, ApiToken, hash_key, new_key
from phongtrao.audit.actions import Actor, record

if TYPE_CHECKING:
    from phongtrao.accounts.models import User

# ``last_used_at`` is written at most this often per token (one UPDATE, not one per request).
TOUCH_EVERY = dt.timedelta(minutes=1)


def _snapshot(token: ApiToken) -> dict[str, str | None]:
    return {
        "name": token.name,
        "prefix": token.prefix,
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


@transaction.atomic
def do_create_token(actor: Actor, user: User, *, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the clear key, which is never stored or shown again."""
    key = new_key()
    token = ApiToken.objects.create(user=user, name=" ".join(name.split())[:100], prefix=key[:SHOWN_CHARS],
                                    key_hash=hash_key(key))
    record(actor, "api_token.create", token, unit=None, before=None, after=_snapshot(token))
    return token, key


@transaction.atomic
def do_revoke_token(actor: Actor, token_id: int) -> ApiToken:
    """Revoke a token (idempotent); it stays listed, marked revoked, and no longer authenticates."""
    token = ApiToken.objects.select_for_update().get(pk=token_id)
    if token.revoked_at is not None:
        return token
    before = _snapshot(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(actor, "api_token.revoke", token, unit=None, before=before, after=_snapshot(token))
    return token


def authenticate_key(key: str) -> ApiToken | None:
    """The active token of an active user for this key, or None; marks it used (at most once a minute)."""
    if not key or len(key) > 200:
        return None
    token = (ApiToken.objects.active().select_related("user")
             .filter(key_hash=hash_key(key), user__is_active=True).first())
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        # A conditional UPDATE: concurrent requests write it once, and no audit row (it is not a change).
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - TOUCH_EVERY)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
