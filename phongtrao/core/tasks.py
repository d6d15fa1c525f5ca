"""The background task of ``core.jobs`` (Django's tasks framework; django-tasks-db, run by ``phongtrao db_worker``)."""

from __future__ import annotations

from django.tasks import task

from phongtrao.core.jobs import run_job


@task()
def run_file_job(job_id: str) -> None:
    run_job(job_id)
