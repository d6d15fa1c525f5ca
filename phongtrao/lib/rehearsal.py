"""Run a write and roll it back: how a confirmation step validates first.

A page that asks "are you sure?" before a decision, a withdrawal, a closure or a retirement
first rehearses the named action with the posted data, so every refusal (a missing number,
a date before the submission, a stale version) is shown before the question is asked; only a
write that would succeed is confirmed. Nothing of the rehearsal is kept: the action runs inside
a transaction (a savepoint when one is open) that is always rolled back, audit rows included.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction


class _RollBack(Exception):
    """Raised after a successful rehearsal to undo it."""


def rehearse[E: Exception](run: Callable[[], object], refusal: type[E]) -> E | None:
    """Run ``run`` and undo whatever it wrote; the ``refusal`` it raised, or None when it would succeed."""
    try:
        with transaction.atomic():
            run()
            raise _RollBack
    except _RollBack:
        return None
    except refusal as exc:
        return exc
