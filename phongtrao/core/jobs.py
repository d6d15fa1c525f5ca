"""Documents made in the background, with their progress (issue #13, item 7).

An app registers a kind of document at ``ready()``::

    register_job_kind(JobKind("certificates", build_certificates))

where ``build(job, progress)`` reads what it needs from ``job.unit`` and ``job.params``, calls
``progress(done, total)`` as it goes and returns the ``JobFile``. A view calls ``start_job(...)``: the row
is written, the task (``core.tasks.run_file_job``) is enqueued once the row is committed, and the page
polls ``core:job`` (htmx) until the file is ready for ``core:job_download``. Only the user who asked may
see the job or download its file, and only while the unit is still in their view scope (else 404).

Whether a document is made in the background or at once is the caller's choice (a threshold setting:
``background_units``); both run the same build function.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from phongtrao.core.models import FileJob, JobStatus
from phongtrao.lib.workflow import ActionError

if TYPE_CHECKING:
    from phongtrao.accounts.models import User
    from phongtrao.units.models import Unit

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class JobFile:
    name: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class JobKind:
    key: str
    build: Callable[[FileJob, Progress], JobFile]


JOB_KINDS: dict[str, JobKind] = {}


def register_job_kind(kind: JobKind) -> None:
    JOB_KINDS[kind.key] = kind


def background_units() -> int:
    """Documents of at least this many units are made by the task worker (settings: DOCUMENT_BACKGROUND_UNITS)."""
    return int(cast(int, settings.PHONGTRAO.get("DOCUMENT_BACKGROUND_UNITS", 100)))


def start_job(user: User, kind: str, unit: Unit, title: str, *, params: dict[str, Any] | None = None,
              total: int = 0) -> FileJob:
    """Record the job and enqueue it once the row is committed (the worker reads it from the database)."""
    from phongtrao.core.tasks import run_file_job

    if kind not in JOB_KINDS:
        raise ValueError(f"no job kind {kind!r}")
    job = FileJob.objects.create(user=user, kind=kind, unit=unit, title=title[:255], params=params or {},
                                 total=total)
    transaction.on_commit(lambda: run_file_job.enqueue(str(job.pk)))
    return job


def run_job(job_id: str) -> None:
    """Make the job's file (the task's body). A job already finished is left as it is (a task delivered
    twice does the work once); a refusal of the build (``ValueError``, ``ActionError``) is kept as the
    job's error, shown on its page."""
    job = FileJob.objects.defer("content").select_related("unit", "user").filter(pk=job_id).first()
    if job is None or job.finished:
        return
    FileJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)

    def progress(done: int, total: int) -> None:
        FileJob.objects.filter(pk=job.pk).update(done=done, total=total)

    try:
        made = JOB_KINDS[job.kind].build(job, progress)
    except (ValueError, ActionError) as exc:
        FileJob.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, error=str(exc), finished_at=timezone.now())
        return
    except Exception:
        log.exception("background job %s (%s) failed", job.pk, job.kind)
        FileJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=gettext("Không tạo được tài liệu do lỗi hệ thống."),
            finished_at=timezone.now())
        raise
    FileJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, file_name=made.name, content_type=made.content_type, content=made.content,
        finished_at=timezone.now())
