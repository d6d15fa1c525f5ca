"""``/health/``: is this app server fit to take requests? For a load balancer, which has no login.

Three checks (django-health-check's machinery: a time limit each, failures logged on the server):

- ``database``: the database answers (``SELECT 1``); ``replica`` too when ``DATABASE_REPLICA_URL`` is set;
- ``tasks``: the task queue is readable and no task has waited longer than ``HEALTH_TASK_MAX_WAIT`` seconds
  (default 300) for a worker (``phongtrao db_worker``, started by ``phongtrao serve``): a worker is running;
- ``disk``: the data directory (SQLite, uploads, attached files) is writable and has at least
  ``HEALTH_DISK_MIN_MB`` (default 200) MB free.

The answer says only ``ok`` or ``error`` per check, never why (the reason is in the server's log):
``{"status": "ok", "checks": {"database": "ok", "tasks": "ok", "disk": "ok"}}``, 200 when every check
passes, else 503, never cached.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import os
import shutil
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import Error as DatabaseError
from django.db.models import Q
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from health_check import checks
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from phongtrao.lib.dbrouter import REPLICA, replica_configured


@dataclasses.dataclass
class Database(checks.Database):
    """The library's ``SELECT 1``, run on the request's own thread (its database connection, as in tests)."""

    async def run(self) -> None:
        await sync_to_async(super().run)()


@dataclasses.dataclass
class TaskQueue(HealthCheck):
    """No task ready to run has waited for a worker longer than ``HEALTH_TASK_MAX_WAIT`` seconds."""

    async def run(self) -> None:
        await sync_to_async(self.check)()

    def check(self) -> None:
        from django_tasks_db.models import DBTaskResult, get_date_max

        waited = timezone.now() - datetime.timedelta(seconds=settings.HEALTH_TASK_MAX_WAIT)
        try:
            stale = (DBTaskResult.objects.ready().filter(enqueued_at__lt=waited)
                     .filter(Q(run_after__lte=waited) | Q(run_after=get_date_max())).exists())
        except DatabaseError as exc:
            raise ServiceUnavailable("task queue unreadable") from exc
        if stale:
            raise ServiceUnavailable(f"a task has waited over {settings.HEALTH_TASK_MAX_WAIT} s: no worker running?")


@dataclasses.dataclass
class Disk(HealthCheck):
    """The data directory is writable and has ``HEALTH_DISK_MIN_MB`` free."""

    def run(self) -> None:
        path = settings.DATA_DIR
        if not os.access(path, os.W_OK):
            raise ServiceUnavailable("data directory not writable")
        if shutil.disk_usage(path).free < settings.HEALTH_DISK_MIN_MB * 1024 * 1024:
            raise ServiceUnavailable(f"less than {settings.HEALTH_DISK_MIN_MB} MB free")


def named_checks() -> dict[str, HealthCheck]:
    named: dict[str, HealthCheck] = {"database": Database()}
    if replica_configured():
        named[REPLICA] = Database(alias=REPLICA)
    named.update({"tasks": TaskQueue(), "disk": Disk()})
    return named


class HealthView(HealthCheckView):
    """The library's view (never cached, outside ``ATOMIC_REQUESTS``) answering in one fixed JSON shape."""

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        named = named_checks()
        results = await asyncio.gather(*(check.get_result() for check in named.values()))
        report = {name: "ok" if result.error is None else "error" for name, result in zip(named, results, strict=True)}
        healthy = all(value == "ok" for value in report.values())
        return JsonResponse({"status": "ok" if healthy else "error", "checks": report}, status=200 if healthy else 503)


health = HealthView.as_view()
