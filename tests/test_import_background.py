"""Large uploads are checked and imported by the task worker (django-tasks-db), with progress on the page."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from phongtrao.audit.models import AuditEntry
from phongtrao.imports.models import ImportJob, JobStatus
from phongtrao.units.models import Unit

pytestmark = pytest.mark.django_db
ROWS = "code,name,kind,parent_code\n" + "".join(f"KDC-BG-{i},Thôn Nền {i},residential_area,T99001\n" for i in range(40))


@pytest.fixture
def officer(client: Client, make_user: Any, example_units: None, settings: Any, tmp_path: Path) -> Any:
    settings.DATA_DIR = tmp_path
    settings.PHONGTRAO = {**settings.PHONGTRAO, "IMPORT_BACKGROUND_BYTES": 100}  # every test file is "large"
    user = make_user("admin")
    client.force_login(user)
    return user


def work() -> None:
    """What `phongtrao db_worker` does in production: run the queued tasks. (Inside a test's transaction the
    worker must not close the connection between tasks, as it does in production on PostgreSQL.)"""
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_a_large_upload_is_queued_checked_in_the_background_then_confirmed(
        client: Client, officer: Any, django_capture_on_commit_callbacks: Any) -> None:
    before = Unit.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("imports:upload", args=["units"]),
                               {"file": SimpleUploadedFile("big.csv", ROWS.encode())}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    job = ImportJob.objects.get()
    # The web request only stored the file and queued the job: nothing was read or checked yet.
    assert job.status == JobStatus.QUEUED and job.dry_run and job.rows_read == 0
    assert f'hx-get="{reverse("imports:job", args=["units", job.pk])}"' in page and 'hx-trigger="load delay:1s"' in page
    assert "Đang chờ đến lượt xử lý" in page
    work()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.rows_read == 40 and job.phase == "checking"
    assert Unit.objects.count() == before  # a check writes nothing
    result = client.get(reverse("imports:job", args=["units", job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'data-count="created">40<' in result and "Xác nhận nhập" in result
    token = re.search(r'name="token" value="([^"]+)"', result).group(1)  # type: ignore[union-attr]
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(reverse("imports:confirm", args=["units"]), {"token": token}, HTTP_HX_REQUEST="true")
    real = ImportJob.objects.exclude(pk=job.pk).get()
    assert not real.dry_run and "Đang nhập tệp" in queued.content.decode()
    assert Unit.objects.count() == before
    work()
    done = client.get(reverse("imports:job", args=["units", real.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Đã nhập xong tệp “big.csv”" in done
    assert Unit.objects.count() == before + 40
    assert AuditEntry.objects.filter(action="unit.import", user=officer).count() == 40
    # The file was consumed; confirming again finds nothing.
    again = client.post(reverse("imports:confirm", args=["units"]), {"token": token}, HTTP_HX_REQUEST="true")
    assert "Không tìm thấy tệp chờ xác nhận" in again.content.decode()


def test_a_job_is_visible_only_to_its_user(client: Client, officer: Any, make_user: Any,
                                           django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:upload", args=["units"]), {"file": SimpleUploadedFile("big.csv", ROWS.encode())})
    job = ImportJob.objects.get()
    other = Client()
    other.force_login(make_user("admin2"))
    assert other.get(reverse("imports:job", args=["units", job.pk])).status_code == 404
    assert client.get(reverse("imports:job", args=["models", job.pk])).status_code == 404
    assert client.get(reverse("imports:job", args=["units", job.pk])).status_code == 200


def test_a_background_check_with_errors_shows_them_and_keeps_no_file(
        client: Client, officer: Any, django_capture_on_commit_callbacks: Any, tmp_path: Path) -> None:
    bad = "code,name,kind,parent_code\n" + "".join(f"KDC-E{i},Thôn {i},residential_area,T98\n" for i in range(20))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:upload", args=["units"]), {"file": SimpleUploadedFile("bad.csv", bad.encode())})
    work()
    job = ImportJob.objects.get()
    page = client.get(reverse("imports:job", args=["units", job.pk])).content.decode()
    assert "Dòng 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 … (20 dòng)" in page and "Xác nhận nhập" not in page
    assert list((tmp_path / "uploads").glob("*")) == []


def test_small_uploads_still_answer_at_once(client: Client, officer: Any, settings: Any) -> None:
    settings.PHONGTRAO = {**settings.PHONGTRAO, "IMPORT_BACKGROUND_BYTES": 1024 * 1024}
    page = client.post(reverse("imports:upload", args=["units"]),
                       {"file": SimpleUploadedFile("small.csv", ROWS.encode())}).content.decode()
    assert 'data-count="created">40<' in page and not ImportJob.objects.exists()


@pytest.mark.browser
def test_the_page_polls_the_job_and_shows_the_preview(live_server: Any, page: Any, make_user: Any,
                                                       example_units: None, settings: Any, tmp_path: Path) -> None:
    from phongtrao.accounts.models import Role
    from tests.conftest import PASSWORD

    settings.DATA_DIR = tmp_path
    settings.PHONGTRAO = {**settings.PHONGTRAO, "IMPORT_BACKGROUND_BYTES": 100}
    make_user("canbo.tinh", Role.PROVINCE_OFFICER, unit=Unit.objects.with_code("T99", dt.date(2025, 12, 31)).get())
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.fill("#id_username", "canbo.tinh")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}{reverse('imports:upload', args=['units'])}")
    (tmp_path / "big.csv").write_text(ROWS, encoding="utf-8")
    page.set_input_files("input[type=file]", str(tmp_path / "big.csv"))
    page.click("form[hx-post] button[type=submit]")
    page.get_by_text("Đang chờ đến lượt xử lý.").wait_for()
    page.screenshot(path=str(tmp_path / "progress.png"))
    work()  # the worker runs; the page's next poll shows the preview
    page.get_by_role("button", name="Xác nhận nhập").wait_for(timeout=20_000)
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
    print("screenshots in", tmp_path)
