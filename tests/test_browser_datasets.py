"""The commune's yearly report in Chromium: a commune officer enters propaganda sessions by channel and
language (each cell saved by htmx as it is left), is refused "mark complete" by a validation rule, fixes
the value and marks the report complete."""

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
def test_commune_officer_enters_the_yearly_report_and_marks_it_complete(
    live_server: Any, example_units: None, make_user: Any, page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_catalogue()  # a transactional test's flush removed the migration's rows
    year = timezone.localdate().year
    commune = Unit.objects.with_code("T99001", timezone.localdate()).get()
    make_user("canbo.xa", Role.COMMUNE_OFFICER, commune, first_name="Cán bộ xã")

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
