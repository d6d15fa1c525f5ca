"""The commune's yearly report in Chromium: a commune officer enters propaganda sessions by channel and
language (each cell saved by htmx as it is left), is refused "mark complete" by a validation rule, fixes
the value, marks the report complete and submits it; the province officer finds it on the completeness page,
returns it with a reason, the commune submits again, the province approves it and its values are locked."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.datasets.catalogue import seed_catalogue
from phongtrao.datasets.models import DataSetReport, DataValue, ReportStatus
from phongtrao.units.models import Unit
from tests.conftest import browser_sign_in


@pytest.mark.browser
def test_commune_officer_enters_the_yearly_report_and_the_province_approves_it(
    live_server: Any, example_units: None, make_user: Any, page: Any, browser: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_catalogue()  # a transactional test's flush removed the migration's rows
    year = timezone.localdate().year
    commune = Unit.objects.with_code("T99001", timezone.localdate()).get()
    make_user("canbo.xa", Role.COMMUNE_OFFICER, commune, first_name="Cán bộ xã")
    make_user("canbo.tinh", Role.PROVINCE_OFFICER, commune.parent, first_name="Cán bộ tỉnh")

    browser_sign_in(page, live_server.url, "canbo.xa")
    page.get_by_role("button", name="Quản lý").click()
    page.get_by_role("link", name="Biểu mẫu báo cáo định kỳ").click()
    page.get_by_role("link", name="Nhập số liệu", exact=True).click()
    page.get_by_role("link", name="Xã Anh Sơn").click()
    page.locator("#dataset-xa_nam").get_by_role("link", name=f"Năm {year}").click()
    page.wait_for_url(f"**{reverse('datasets:entry', args=[commune.pk, 'xa_nam', year])}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Báo cáo năm của xã về Phong trào toàn dân bảo vệ ANTQ")

    # Sessions by channel x language: typed, then left with Tab; each cell answers "Đã lưu" by itself.
    row = page.locator("#row-tuyen_truyen_buoi")
    for label, value in (("Trực tiếp, tiếng Việt", "40"), ("Trực tiếp, tiếng dân tộc thiểu số", "12"),
                         ("Mạng xã hội, tiếng Việt", "8")):
        field = row.get_by_label(f"Số buổi tuyên truyền về phong trào – {label}", exact=True)
        field.fill(value)
        field.press("Tab")
        expect(field.locator("xpath=ancestor::td")).to_contain_text("Đã lưu")
    reached = page.locator("#row-tuyen_truyen_luot").get_by_label("Số lượt người được tuyên truyền", exact=True)
    reached.fill("30")  # fewer people than sessions: a validation rule says no
    reached.press("Enter")
    expect(page.locator("#row-tuyen_truyen_luot")).to_contain_text("Đã lưu")
    assert DataValue.objects.filter(unit=commune, element__code="tuyen_truyen_buoi").count() == 3

    page.get_by_role("button", name="Đánh dấu hoàn thành").click()
    violations = page.locator("#violations")
    expect(violations).to_contain_text("Số lượt người được tuyên truyền không ít hơn số buổi")
    expect(violations).to_contain_text("60")
    assert DataSetReport.objects.get(unit=commune).status == ReportStatus.OPEN
    page.screenshot(path=str(screenshots / "datasets-entry-violation.png"), full_page=True)

    # Fix the value (saved by htmx), then mark the report complete.
    reached = page.locator("#row-tuyen_truyen_luot").get_by_label("Số lượt người được tuyên truyền", exact=True)
    reached.fill("1.250")
    reached.press("Tab")
    expect(page.locator("#row-tuyen_truyen_luot")).to_contain_text("Đã lưu")
    page.get_by_role("button", name="Đánh dấu hoàn thành").click()
    expect(page.locator("#report-status")).to_have_text("Đã hoàn thành")
    expect(page.get_by_role("button", name="Mở lại để sửa")).to_be_visible()
    report = DataSetReport.objects.get(unit=commune)
    assert report.status == ReportStatus.COMPLETE
    assert DataValue.objects.get(unit=commune, element__code="tuyen_truyen_luot").value == 1250

    # Submitted to the province; the values are locked from then on.
    page.get_by_role("button", name="Gửi lên cấp trên").click()
    expect(page.locator("#report-status")).to_have_text("Đã gửi cấp trên")
    expect(page.locator("#report-locked")).to_contain_text("số liệu đã khóa")
    expect(page.locator("#save-entry")).to_have_count(0)

    # The province officer, in another browser: the completeness page, then the report; returns it.
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    province = context.new_page()
    browser_sign_in(province, live_server.url, "canbo.tinh")
    province.goto(f"{live_server.url}{reverse('datasets:completeness')}?unit={commune.parent.pk}"
                  f"&dataset=xa_nam&period={year}")
    totals = province.locator("#completeness-totals")
    expect(totals.locator("tr", has_text="Xã Anh Sơn")).to_contain_text("1")
    province.screenshot(path=str(screenshots / "datasets-completeness.png"), full_page=True)
    province.get_by_role("link", name="Duyệt báo cáo").click()
    province.locator("#review-list").get_by_role("link", name="Xã Anh Sơn").click()
    province.get_by_label("Lý do").fill("Bổ sung số buổi tuyên truyền qua loa")
    province.get_by_role("button", name="Trả lại").click()
    expect(province.locator("#report-status")).to_have_text("Đang nhập")
    assert DataSetReport.objects.get(unit=commune).status == ReportStatus.OPEN

    # The commune sees why, completes and submits again.
    page.reload()
    expect(page.locator("#returned-reason")).to_contain_text("Bổ sung số buổi tuyên truyền qua loa")
    page.get_by_role("button", name="Đánh dấu hoàn thành").click()
    page.get_by_role("button", name="Gửi lên cấp trên").click()
    expect(page.locator("#report-status")).to_have_text("Đã gửi cấp trên")

    # The province approves it: the values are locked.
    province.reload()
    province.get_by_role("button", name="Phê duyệt").click()
    expect(province.locator("#report-status")).to_have_text("Đã phê duyệt")
    page.reload()
    expect(page.locator("#report-locked")).to_contain_text("số liệu đã khóa")
    locked = page.locator("#row-tuyen_truyen_luot").get_by_label("Số lượt người được tuyên truyền", exact=True)
    expect(locked).to_be_disabled()
    report = DataSetReport.objects.get(unit=commune)
    assert report.status == ReportStatus.APPROVED
    assert list(report.events.values_list("action", flat=True)) == [
        "complete", "submit", "return", "complete", "submit", "approve"]
    context.close()
