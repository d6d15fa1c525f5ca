"""Models overdue for evaluation: operating models owned by a unit the user may edit models of (``models.edit``
in their capture scope), whose last evaluation is older than the interval (``Model.objects.overdue``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from phongtrao.accounts import access
from phongtrao.dashboard.todo import TodoRow
from phongtrao.models_registry.models import Model

GROUP = gettext_lazy("Mô hình")


def overdue(user: Any, today: dt.date) -> QuerySet[Model]:
    return Model.objects.filter(unit__in=access.units_where(user, "models.edit").values("pk")).overdue(today)


def rows(user: Any, today: dt.date) -> list[TodoRow]:
    if not access.holds(user, "models.edit"):
        return []
    return [TodoRow("models.overdue", gettext_lazy("Mô hình quá hạn đánh giá"), overdue(user, today).count(),
                    reverse("models_registry:overdue"), GROUP)]
