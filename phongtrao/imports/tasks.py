"""Background imports (Django's tasks framework; the django-tasks-db backend, run by ``phongtrao db_worker``).

A large upload is stored (``imports.storage``), an ``ImportJob`` row is made and this task is enqueued; the
web worker answers at once and the page polls the job for its progress. The command line still imports
synchronously; both run the same ``run_import``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from phongtrao.audit.actions import Actor
from phongtrao.audit.models import Channel
from phongtrao.imports import storage
from phongtrao.imports.models import ImportJob, JobStatus
from phongtrao.imports.summary import run_upload
from phongtrao.lib.importing import IMPORT_KINDS, ImportResult, RowError

if TYPE_CHECKING:
    from phongtrao.accounts.models import User


def start_job(user: User, kind: str, name: str, token: str, *, dry_run: bool) -> ImportJob:
    """Record the job and enqueue it once the row is committed (the worker reads it from the database)."""
    job = ImportJob.objects.create(user=user, kind=kind, file_name=name, token=token, dry_run=dry_run)
    transaction.on_commit(lambda: run_import_job.enqueue(str(job.pk)))
    return job


@task()
def run_import_job(job_id: str) -> None:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.finished:  # a task delivered twice does the work once
        return
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)

    def progress(phase: str, rows: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(phase=phase, rows_read=rows)

    path: Path = storage.stored_path(job.token, claimed=not job.dry_run)
    try:
        with path.open("rb") as stream:
            result = run_upload(IMPORT_KINDS[job.kind], job.file_name, stream,
                                Actor(user=job.user, channel=Channel.IMPORT), dry_run=job.dry_run,
                                progress=progress)
        status = JobStatus.DONE
    except OSError:
        result = ImportResult(kind=job.kind, dry_run=job.dry_run, errors=[RowError(0, "", "Tệp tải lên không còn.")])
        status = JobStatus.FAILED
    # A real import consumed its (claimed) file; a preview keeps it for the confirmation only if it may be
    # confirmed (no errors and something to change).
    if not job.dry_run or not result.ok or not (result.created or result.updated):
        path.unlink(missing_ok=True)
    ImportJob.objects.filter(pk=job.pk).update(status=status, result=ImportJob.result_json(result),
                                               rows_read=result.rows_read, finished_at=timezone.now())
