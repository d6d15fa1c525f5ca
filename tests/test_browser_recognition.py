"""The yearly ANTT cycle in Chromium: a commune officer registers a residential area on the commune's
grid, answers its checklist and submits the dossier; the commune chairman starts the review and
recognises it by a decision; the certificate downloads as a PDF."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.recognition.criteria import seed_criteria_sets
from phongtrao.recognition.models import Recognition, Status
from phongtrao.units.models import Unit
from tests.conftest import browser_sign_in


@pytest.mark.browser
def test_commune_officer_and_chairman_take_a_unit_through_the_cycle(
    live_server: Any, example_units: None, make_user: Any, page: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_criteria_sets()
    year = timezone.localdate().year
    commune = Unit.objects.with_code("T99000", timezone.localdate()).get()
    make_user("canbo.xa", Role.COMMUNE_OFFICER, commune, first_name="Cán bộ xã")
    make_user("chutich.xa", Role.APPROVER, commune, first_name="Chủ tịch xã")

    # The commune officer opens the ANTT entry of the navbar: the commune's grid of this year.
    browser_sign_in(page, live_server.url, "canbo.xa")
    page.get_by_role("link", name="ANTT", exact=True).click()
    page.wait_for_url(f"**{reverse('recognition:commune', args=['T99000', year])}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xã An Bình")
    row = page.locator("#row-KDC-T99000-01")
    expect(row).to_contain_text("Chưa đăng ký")

    # Register the area on the grid with its households, saving with Enter (htmx swaps the grid only).
    page.evaluate("window.stillTheSamePage = true")
    row.get_by_label("Đăng ký Khu phố 1").check()
    households = row.get_by_label("Số hộ ký cam kết của Khu phố 1")
    households.fill("234")
    households.press("Enter")
    expect(page.locator("#grid-saved")).to_have_text("Đã lưu 1 dòng.")
    expect(page.locator("#row-KDC-T99000-01")).to_contain_text("Đã đăng ký")
    assert page.evaluate("window.stillTheSamePage") is True

    # The checklist of the area: one answer per criterion, the review meeting, save, then submit.
    page.locator("#row-KDC-T99000-01").get_by_role("link", name="Khu phố 1").click()
    page.wait_for_url(f"**{reverse('recognition:unit', args=['KDC-T99000-01', year])}")
    expect(page.locator("#status")).to_have_text("Đã đăng ký")
    checklist = page.locator("#checklist")
    for code in ("dang-ky-quy-1", "chinh-sach-quy-uoc", "luc-luong-co-so"):
        checklist.locator(f"#criterion-{code}").get_by_label("Trả lời").select_option(label="Có")
    checklist.locator("#criterion-khong-vu-viec-nghiem-trong").get_by_label("Số vụ").fill("0")
    checklist.locator("#criterion-kiem-che-toi-pham").get_by_label("Số vụ năm nay").fill("2")
    checklist.locator("#criterion-kiem-che-toi-pham").get_by_label("Số vụ năm trước").fill("4")
    # The meeting may not precede the registration (made today on the grid while the window is open).
    meeting = max(timezone.localdate(), dt.date(year, 10, 20)) if timezone.localdate() <= dt.date(year, 10, 31) \
        else dt.date(year, 10, 20)
    checklist.get_by_label("Ngày họp bình xét").fill(meeting.isoformat())  # pasted ISO: shown as dd/mm/yyyy
    checklist.get_by_role("button", name="Lưu kết quả tự đánh giá").click()
    expect(page.locator("#status")).to_have_text("Đã tự đánh giá")
    expect(page.locator("#summary")).to_contain_text("Đạt đủ tiêu chí")
    page.locator("#submit").get_by_role("button", name="Gửi hồ sơ").click()
    expect(page.locator("#status")).to_have_text("Đã gửi hồ sơ")
    expect(page.locator("#decide")).to_have_count(0)  # the officer does not decide

    # The commune chairman starts the review and recognises the area by one decision.
    chairman = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
    chairman.set_default_timeout(15_000)
    approver = chairman.new_page()
    browser_sign_in(approver, live_server.url, "chutich.xa")
    approver.goto(f"{live_server.url}{reverse('recognition:unit', args=['KDC-T99000-01', year])}")
    approver.get_by_role("button", name="Bắt đầu thẩm định").click()
    expect(approver.locator("#status")).to_have_text("Đang thẩm định")
    approver.goto(f"{live_server.url}{reverse('recognition:bulk', args=['T99000', year])}")
    expect(approver.get_by_label("Khu phố 1")).to_be_checked()
    approver.get_by_label("Số quyết định").fill("12/QĐ-UBND")
    approver.get_by_label("Ngày quyết định").fill(timezone.localdate().isoformat())
    approver.get_by_label("Người ký").fill("Võ Văn Thành")
    approver.get_by_role("button", name="Công nhận các đơn vị đã chọn").click()
    expect(approver.locator("#decisions")).to_contain_text("Quyết định số 12/QĐ-UBND")
    rec = Recognition.objects.get(unit__code="KDC-T99000-01", year=year)
    assert (rec.status, rec.decision_no, rec.authority_id) == (Status.RECOGNISED, "12/QĐ-UBND", commune.pk)

    # The certificate of the recognised area downloads as a PDF.
    approver.goto(f"{live_server.url}{reverse('recognition:unit', args=['KDC-T99000-01', year])}")
    expect(approver.locator("#status")).to_have_text("Đạt")
    with approver.expect_download() as info:
        approver.locator("#certificate").click()
    download = info.value
    with open(download.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
    assert download.suggested_filename == f"giay-cong-nhan-KDC-T99000-01-{year}.pdf"
    chairman.close()
