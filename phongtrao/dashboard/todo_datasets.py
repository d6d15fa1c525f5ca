"""Periodic reports: completed ones the user may send up (``datasets.enter`` on the unit), and submitted ones
the user reviews (``datasets.policy.review_units``: the units one level below their capture scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from phongtrao.accounts import access
from phongtrao.dashboard.todo import TodoRow
from phongtrao.datasets import policy
from phongtrao.datasets.models import DataSetReport, ReportStatus

GROUP = gettext_lazy("Biểu mẫu báo cáo định kỳ")


def to_submit(user: Any) -> QuerySet[DataSetReport]:
    return DataSetReport.objects.filter(status=ReportStatus.COMPLETE,
                                        unit__in=policy.entry_units(user).values("pk"))


def to_review(user: Any) -> QuerySet[DataSetReport]:
    return DataSetReport.objects.filter(status=ReportStatus.SUBMITTED,
                                        unit__in=policy.review_units(user).values("pk"))


def rows(user: Any, today: dt.date) -> list[TodoRow]:
    found = []
    if access.holds(user, "datasets.enter"):
        found.append(TodoRow("datasets.submit", gettext_lazy("Báo cáo đã hoàn thành chờ gửi cấp trên"),
                             to_submit(user).count(), reverse("datasets:units"), GROUP))
    if access.holds(user, "datasets.review"):
        found.append(TodoRow("datasets.review", gettext_lazy("Báo cáo cấp dưới gửi lên chờ phê duyệt"),
                             to_review(user).count(), reverse("datasets:reviews"), GROUP))
    return found
