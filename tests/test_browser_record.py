"""The annual report record and background documents in Chromium (issue #13's "Done when"):

- the certificates of a 100-unit decision are made in the background: the page shows a progress bar, then
  a download link (the task runs in the test process, as ``phongtrao db_worker`` would run it);
- the province officer writes the "shortcomings" paragraph, the chairman issues the report, a recognition
  changes, and the page says "Số liệu đã thay đổi sau khi ban hành" with the difference.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.core.jobs import run_job
from phongtrao.core.models import FileJob, JobStatus
from phongtrao.recognition.actions import (
    Assessment,
    Registration,
    StepOn,
    do_recognise_many,
    do_register_many,
    do_self_assess_many,
    do_start_review_many,
    do_submit_many,
)
from phongtrao.recognition.criteria import seed_criteria_sets
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Unit
from tests.conftest import browser_sign_in
from tests.test_browser_awards import pdf_pages

Y = 2025
DAY = dt.date(Y, 12, 31)
SYSTEM = Actor.system()
RA_ANSWERS: dict[str, Any] = {
    "dang-ky-quy-1": True, "chinh-sach-quy-uoc": True, "khong-vu-viec-nghiem-trong": 0,
    "kiem-che-toi-pham": {"current": 3, "previous": 5}, "luc-luong-co-so": True,
}


def recognise(units: list[Unit], decision: str) -> None:
    """The yearly cycle for ``units`` through the real (bulk) actions, then one decision of the commune chairman."""
    recs = do_register_many(SYSTEM, Y, [Registration(u, households_committed=u.households) for u in units])
    recs = do_self_assess_many(SYSTEM, [Assessment(r, RA_ANSWERS, dt.date(Y, 10, 20)) for r in recs])
    recs = do_submit_many(SYSTEM, [StepOn(r, dt.date(Y, 10, 28)) for r in recs])
    do_start_review_many(SYSTEM, [StepOn(r, dt.date(Y, 11, 5)) for r in recs])
    do_recognise_many(SYSTEM, units, Y, decision_no=decision, decision_date=dt.date(Y, 12, 10),
                      signer_name="Võ Văn Thành")


@pytest.mark.browser
def test_a_hundred_unit_decisions_certificates_show_a_progress_bar_then_a_download_link(
    live_server: Any, example_units: None, make_user: Any, page: Any, tmp_path: Path, screenshots: Path,
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_criteria_sets()  # a transactional test's flush removed the migrations' rows
    commune = Unit.objects.with_code("T99000", DAY).get()
    areas = [do_create_unit(SYSTEM, code=f"KDC-BG-{i:03d}", name=f"Thôn Nền {i}", kind=Kind.RESIDENTIAL_AREA,
                            parent=commune, valid_from=dt.date(2025, 7, 1), households=120) for i in range(100)]
    recognise(areas, "40/QĐ-UBND")
    make_user("chutich.xa", Role.APPROVER, unit=commune, first_name="Chủ tịch xã")

    browser_sign_in(page, live_server.url, "chutich.xa")
    page.goto(f"{live_server.url}/antt/cong-nhan/T99000/{Y}/")
    page.get_by_role("link", name="Giấy công nhận (.pdf)").click()
    page.wait_for_url("**/tac-vu/**")
    bar = page.get_by_role("progressbar")
    expect(bar).to_be_visible()
    expect(page.locator("#job-panel")).to_contain_text("Đang chờ đến lượt xử lý.")
    page.screenshot(path=str(screenshots / "certificates-progress.png"), full_page=True)
    job = FileJob.objects.get()
    assert job.total == 100 and job.status == JobStatus.QUEUED
    run_job(str(job.pk))  # what the worker does; the page polls and swaps in the link
    link = page.locator("#job-download")
    expect(link).to_be_visible(timeout=30_000)
    expect(bar).to_have_count(0)
    page.screenshot(path=str(screenshots / "certificates-ready.png"), full_page=True)
    with page.expect_download() as info:
        link.click()
    target = tmp_path / "giay-cong-nhan.pdf"
    info.value.save_as(target)
    assert pdf_pages(target.read_bytes()) == 100


@pytest.mark.browser
def test_officer_writes_the_shortcomings_chairman_issues_and_a_later_change_shows(
    live_server: Any, example_units: None, make_user: Any, page: Any, browser: Any, screenshots: Path,
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_criteria_sets()
    province = Unit.objects.with_code("T99", DAY).get()
    first, second = (Unit.objects.with_code(code, DAY).get() for code in ("KDC-T99000-01", "KDC-T99000-02"))
    recognise([first], "30/QĐ-UBND")
    make_user("canbo.tinh", Role.PROVINCE_OFFICER, province, first_name="Cán bộ tỉnh")
    make_user("chutich.tinh", Role.APPROVER, province, first_name="Chủ tịch tỉnh")

    browser_sign_in(page, live_server.url, "canbo.tinh")
    page.goto(f"{live_server.url}/antt/tinh/T99/{Y}/")
    page.click("#annual-report-record")
    page.wait_for_url(f"**/bao-cao/tong-ket/T99/{Y}/")
    page.get_by_label("Hạn chế, tồn tại").fill("Một số xã còn chậm gửi hồ sơ công nhận.")
    page.locator("#slot-shortcomings").get_by_role("button", name="Lưu phần này").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu phần báo cáo.")
    expect(page.locator("#slot-shortcomings")).to_contain_text("Lịch sử (1 lần lưu)")

    signer = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}).new_page()
    browser_sign_in(signer, live_server.url, "chutich.tinh")
    signer.goto(f"{live_server.url}/bao-cao/tong-ket/T99/{Y}/")
    expect(signer.locator("#slot-shortcomings")).to_contain_text("Một số xã còn chậm gửi hồ sơ công nhận.")
    signer.get_by_label("Số báo cáo").fill("125/BC-UBND")
    signer.get_by_label("Ngày ban hành").fill("20/12/2025")
    signer.get_by_label("Người ký", exact=True).fill("Trần Văn Bình")
    signer.click("#issue-button")
    expect(signer.locator("#issued")).to_contain_text("Đã ban hành: báo cáo số 125/BC-UBND ngày 20/12/2025")
    expect(signer.locator("#figures-changed")).to_have_count(0)
    signer.context.close()

    recognise([second], "31/QĐ-UBND")  # a change of data after the issue
    page.reload()
    notice = page.locator("#figures-changed")
    expect(notice).to_contain_text("Số liệu đã thay đổi sau khi ban hành")
    expect(notice).to_contain_text("Tiêu chuẩn ANTT › Thôn, khu phố › Được công nhận")
    expect(page.get_by_label("Hạn chế, tồn tại")).to_have_count(0)  # frozen: no text area any more
    page.screenshot(path=str(screenshots / "report-record-changed.png"), full_page=True)
