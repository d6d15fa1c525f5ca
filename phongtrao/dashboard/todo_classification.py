"""Movement classifications sent up for review: submitted by a unit whose parent (the level above) lies where
the user may use ``classification.review`` (as ``classification.actions.may_review`` checks).

The grassroots force (Tổ bảo vệ ANTT) and the budget have no step that waits for someone else's action: a rating
sheet is submitted and, at most, returned; a spending line is entered. They add no row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from phongtrao.accounts import access
from phongtrao.classification.models import Classification, Status
from phongtrao.dashboard.todo import TodoRow

GROUP = gettext_lazy("Xếp loại phong trào")


def waiting(user: Any) -> QuerySet[Classification]:
    return Classification.objects.filter(
        status=Status.SUBMITTED, unit__parent__in=access.units_where(user, "classification.review").values("pk"))


def rows(user: Any, today: dt.date) -> list[TodoRow]:
    if not access.holds(user, "classification.review"):
        return []
    return [TodoRow("classification.review", gettext_lazy("Kết quả tự chấm điểm chờ thẩm định, xếp loại"),
                    waiting(user).count(), reverse("classification:index"), GROUP)]
