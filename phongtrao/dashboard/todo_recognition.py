"""Waiting ANTT dossiers: submitted ones to review, and ones under review whose decision is to be recorded.

A dossier is the level above's work: the user's own scope units (a commune officer's commune) are left out,
their dossiers wait for the province. The moves need the same permissions as the actions
(``recognition.start_review``, ``decisions.record``, on the dossier's unit in the user's capture scope).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from phongtrao.accounts import access
from phongtrao.dashboard.todo import TodoRow
from phongtrao.recognition.models import Recognition, Status

# step -> (the status waiting, the permission the move needs, the row's label)
STEPS: dict[str, tuple[str, str, Any]] = {
    "review": (Status.SUBMITTED, "recognition.start_review", gettext_lazy("Hồ sơ tiêu chuẩn ANTT chờ thẩm định")),
    "decide": (Status.UNDER_REVIEW, "decisions.record", gettext_lazy("Hồ sơ đang thẩm định chờ ký quyết định")),
}
GROUP = gettext_lazy("Tiêu chuẩn “An toàn về ANTT”")


def waiting(user: Any, step: str) -> QuerySet[Recognition]:
    """The dossiers waiting for ``user`` at ``step`` (one query when evaluated)."""
    status, permission, _label = STEPS[step]
    if not access.holds(user, permission):
        return Recognition.objects.none()
    return (Recognition.objects.filter(status=status, unit__in=access.units_where(user, permission).values("pk"))
            .exclude(unit__in=access.scope_roots(user).values("pk")))


def rows(user: Any, today: dt.date) -> list[TodoRow]:
    return [TodoRow(f"recognition.{step}", label, waiting(user, step).count(),
                    reverse("dashboard:dossiers", args=[step]), GROUP)
            for step, (_status, permission, label) in STEPS.items() if access.holds(user, permission)]
