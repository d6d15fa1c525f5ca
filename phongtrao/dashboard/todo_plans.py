"""Plan tasks: the ones assigned to the organisations the user reports for (``plans.report_task``: due in the
next 30 days, and overdue), and the overdue tasks of the plans the user edits (``plans.edit``).

Counted on the task's stored status: a task linked to a data element that the data already shows met stays
counted until it is reported done (the plans pages mark it "done by data").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy

from phongtrao.accounts import access
from phongtrao.dashboard.todo import TodoRow
from phongtrao.plans.models import PlanStatus, Task, TaskStatus

GROUP = gettext_lazy("Kế hoạch, đề án")
DUE_SOON_DAYS = 30
LIVE_PLANS = (PlanStatus.DRAFT, PlanStatus.IN_FORCE)


def assigned(user: Any) -> QuerySet[Task]:
    """Open tasks of live plans assigned to an organisation whose reporting unit is the user's home unit."""
    home = getattr(user, "unit_id", None)
    if home is None:
        return Task.objects.none()
    tasks = Task.objects.filter(plan__status__in=LIVE_PLANS, assignments__organisation__unit_id=home)
    return Task.objects.filter(pk__in=tasks.values("pk")).exclude(status=TaskStatus.DONE)


def due_soon(user: Any, today: dt.date) -> QuerySet[Task]:
    return assigned(user).filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS))


def overdue_assigned(user: Any, today: dt.date) -> QuerySet[Task]:
    return assigned(user).filter(due_on__lt=today)


def overdue_in_plans(user: Any, today: dt.date) -> QuerySet[Task]:
    return (Task.objects.filter(plan__unit__in=access.units_where(user, "plans.edit").values("pk"),
                                plan__status__in=LIVE_PLANS)
            .exclude(status=TaskStatus.DONE).filter(due_on__lt=today))


def rows(user: Any, today: dt.date) -> list[TodoRow]:
    found = []
    if access.holds(user, "plans.report_task") and getattr(user, "unit_id", None) is not None:
        mine = reverse("plans:my_tasks")
        found += [TodoRow("plans.due_soon", gettext_lazy("Nhiệm vụ được giao đến hạn trong 30 ngày"),
                          due_soon(user, today).count(), mine, GROUP),
                  TodoRow("plans.overdue_assigned", gettext_lazy("Nhiệm vụ được giao đã quá hạn"),
                          overdue_assigned(user, today).count(), mine, GROUP)]
    if access.holds(user, "plans.edit"):
        found.append(TodoRow("plans.overdue", gettext_lazy("Nhiệm vụ quá hạn trong kế hoạch của đơn vị"),
                             overdue_in_plans(user, today).count(), reverse("plans:overdue"), GROUP))
    return found
