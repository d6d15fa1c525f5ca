"""Documents made in the background (core.jobs, issue #13 item 7): the certificates of a large recognition
decision and a unit's annual report document are queued, made by the task worker (django-tasks-db) with their
progress recorded, and kept for download by the user who asked, while the unit is in their view scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from phongtrao.accounts.actions import do_set_scopes
from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.core.jobs import JOB_KINDS, JobFile, JobKind, register_job_kind, start_job
from phongtrao.core.models import FileJob, JobStatus
from phongtrao.recognition.actions import do_recognise_many, do_register, do_self_assess, do_start_review, do_submit
from phongtrao.recognition.criteria import seed_criteria_sets
from phongtrao.reports.actions import do_save_slot
from phongtrao.units.models import Unit
from tests.conftest import built_once, create_user, ensure_official_register, import_example_units
from tests.test_browser_awards import pdf_pages

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
Y = 2025
DAY = dt.date(Y, 12, 31)
RA_ANSWERS: dict[str, Any] = {
    "dang-ky-quy-1": True, "chinh-sach-quy-uoc": True, "khong-vu-viec-nghiem-trong": 0,
    "kiem-che-toi-pham": {"current": 3, "previous": 5}, "luc-luong-co-so": True,
}
CODES = ("KDC-T99000-01", "KDC-T99000-02", "KDC-T99000-03")


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, DAY).get()


@pytest.fixture(scope="module")
def world_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with built_once(django_db_blocker):
        ensure_official_register()
        import_example_units()
        seed_criteria_sets()
        for code in CODES:
            rec = do_register(SYSTEM, unit(code), Y, households_committed=unit(code).households)
            rec = do_self_assess(SYSTEM, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(Y, 10, 20))
            do_start_review(SYSTEM, do_submit(SYSTEM, rec))
        do_recognise_many(SYSTEM, [unit(c) for c in CODES], Y, decision_no="30/QĐ-UBND",
                          decision_date=dt.date(Y, 12, 10), signer_name="Võ Văn Thành")
        yield {"commune": create_user("xa", Role.COMMUNE_OFFICER, unit("T99000")),
               "colleague": create_user("xa2", Role.COMMUNE_OFFICER, unit("T99000")),
               "province": create_user("tinh", Role.PROVINCE_OFFICER, unit("T99")),
               "other_province": create_user("tinh_khac", Role.PROVINCE_OFFICER, unit("48"))}


@pytest.fixture
def world(world_once: dict[str, Any], db: None, settings: Any) -> dict[str, Any]:
    settings.PHONGTRAO = {**settings.PHONGTRAO, "DOCUMENT_BACKGROUND_UNITS": 3}  # this decision is "large"
    return world_once


def client(user: Any = None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def work() -> None:
    """What `phongtrao db_worker` does in production: run the queued tasks (inside the test's transaction the
    worker must not close the connection between tasks)."""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


CERTIFICATES_URL = reverse("recognition:decision_certificates", args=["T99000", Y]) + "?decision=30/QĐ-UBND"


def test_a_large_decisions_certificates_are_made_in_the_background_and_downloaded(
        world: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    c = client(world["commune"])
    with django_capture_on_commit_callbacks(execute=True):
        response = c.get(CERTIFICATES_URL)
    job = FileJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:job", args=[job.pk])
    # The web request only queued the job: nothing laid out yet.
    assert job.status == JobStatus.QUEUED and (job.done, job.total) == (0, 3) and job.content is None
    page = c.get(response["Location"]).content.decode()
    assert 'role="progressbar"' in page and "Đang chờ đến lượt xử lý" in page
    assert f'hx-get="{reverse("core:job", args=[job.pk])}"' in page and "job-download" not in page
    with mock.patch("phongtrao.lib.documents.CERTIFICATES_PER_CHUNK", 2):  # laid out in two chunks
        work()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and (job.done, job.total) == (3, 3)
    assert job.file_name == "giay-cong-nhan-T99000-2025-30/QĐ-UBND.pdf"
    panel = c.get(reverse("core:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'id="job-download"' in panel and "hx-get" not in panel and 'role="progressbar"' not in panel
    download = c.get(reverse("core:job_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    assert 'filename="giay-cong-nhan-T99000-2025-30-QD-UBND.pdf"' in download["Content-Disposition"]
    assert pdf_pages(download.content) == 3  # one certificate page per unit, the chunks joined


def test_a_small_decision_is_answered_at_once(world: dict[str, Any], settings: Any) -> None:
    settings.PHONGTRAO = {**settings.PHONGTRAO, "DOCUMENT_BACKGROUND_UNITS": 4}
    response = client(world["commune"]).get(CERTIFICATES_URL)
    assert response.status_code == 200 and response.content.startswith(b"%PDF") and not FileJob.objects.exists()


def test_only_the_user_who_asked_may_see_or_download_and_only_in_scope(
        world: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client(world["commune"]).get(CERTIFICATES_URL)
    work()
    job = FileJob.objects.get()
    urls = [reverse("core:job", args=[job.pk]), reverse("core:job_download", args=[job.pk])]
    for who in ("colleague", "province", "other_province"):  # another user's job reads like no job at all
        for url in urls:
            assert client(world[who]).get(url).status_code == 404, (who, url)
    assert client().get(urls[1]).status_code == 302
    assert client(world["commune"]).get(urls[1]).status_code == 200
    # The commune leaves the user's scope: the file they made is out of reach too.
    do_set_scopes(SYSTEM, world["commune"].pk, [])
    for url in urls:
        assert client(world["commune"]).get(url).status_code == 404


def test_progress_is_recorded_while_the_job_runs_and_a_refusal_is_kept_as_its_error(
        world: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    seen: list[tuple[str, int, int, str]] = []
    c = client(world["commune"])

    def build(job: FileJob, progress: Any) -> JobFile:
        for done in (1, 2):
            progress(done, 4)
            row = FileJob.objects.get(pk=job.pk)
            panel = c.get(reverse("core:job", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
            seen.append((row.status, row.done, row.total, panel))
        if job.params.get("refuse"):
            raise ValueError("Không có quyết định công nhận này.")
        return JobFile("a.txt", "text/plain", b"ok")

    register_job_kind(JobKind("test_steps", build))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            ok = start_job(world["commune"], "test_steps", unit("T99000"), "Thử")
            refused = start_job(world["commune"], "test_steps", unit("T99000"), "Thử", params={"refuse": True})
        work()
    finally:
        JOB_KINDS.pop("test_steps")
    assert [(s, d, t) for s, d, t, _ in seen] == [("running", 1, 4), ("running", 2, 4)] * 2
    assert "25%" in seen[0][3] and "Đã xong 1/4." in seen[0][3] and "50%" in seen[1][3]
    ok.refresh_from_db()
    refused.refresh_from_db()
    assert ok.status == JobStatus.DONE and bytes(ok.content) == b"ok"  # type: ignore[arg-type]
    assert refused.status == JobStatus.FAILED and refused.error == "Không có quyết định công nhận này."
    page = c.get(reverse("core:job", args=[refused.pk])).content.decode()
    assert "Không có quyết định công nhận này." in page and "job-download" not in page
    assert c.get(reverse("core:job_download", args=[refused.pk])).status_code == 404


def test_the_annual_report_document_is_made_in_the_background_with_the_officers_text(
        world: dict[str, Any], django_capture_on_commit_callbacks: Any) -> None:
    do_save_slot(Actor(world["province"]), unit("T99"), Y, "lessons", "Bài học: phối hợp sớm.", expected_number=0)
    c = client(world["province"])
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("reports_record:document", args=["T99", Y]))
    job = FileJob.objects.get()
    assert response["Location"] == reverse("core:job", args=[job.pk]) and job.status == JobStatus.QUEUED
    work()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and (job.done, job.total) == (2, 2)
    download = c.get(reverse("core:job_download", args=[job.pk]))
    assert download.status_code == 200
    assert job.file_name.endswith(".docx") and download.content.startswith(b"PK")
    import io

    import docx

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(download.content)).paragraphs)
    assert "BÁO CÁO" in text and "Bài học: phối hợp sớm." in text  # the officer's slot is in the Word file
    assert "Xây dựng tiêu chuẩn “An toàn về an ninh, trật tự”" in text
    assert client(world["other_province"]).post(reverse("reports_record:document", args=["T99", Y])).status_code == 404
