"""The dossier's files in Chromium: a commune officer attaches the review meeting's minutes (PDF) to a
residential area's dossier and downloads it back; an officer of another commune gets a 404 for the
download link."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.attachments.models import Attachment
from phongtrao.audit.actions import Actor
from phongtrao.recognition.actions import do_register
from phongtrao.recognition.criteria import seed_criteria_sets
from phongtrao.units.models import Unit
from tests.conftest import browser_sign_in
from tests.test_attachments import PDF, storages_in


@pytest.mark.browser
def test_commune_officer_attaches_the_minutes_and_another_commune_gets_404(
    live_server: Any, example_units: None, make_user: Any, page: Any, browser: Any, settings: Any, tmp_path: Path,
    screenshots: Path,
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.STORAGES = storages_in(str(tmp_path / "store"))
    seed_criteria_sets()
    today = timezone.localdate()
    year = today.year
    area = Unit.objects.with_code("KDC-T99000-01", today).get()
    do_register(Actor.system(), area, year, households_committed=234)
    make_user("canbo.xa", Role.COMMUNE_OFFICER, Unit.objects.with_code("T99000", today).get(),
              first_name="Cán bộ xã An Bình")
    make_user("canbo.xakhac", Role.COMMUNE_OFFICER, Unit.objects.with_code("T99001", today).get())
    minutes = tmp_path / "Biên bản họp bình xét.pdf"
    minutes.write_bytes(PDF)

    # The commune officer opens the area's checklist and attaches the minutes to its dossier.
    browser_sign_in(page, live_server.url, "canbo.xa")
    page.goto(f"{live_server.url}{reverse('recognition:unit', args=['KDC-T99000-01', year])}")
    dossier = page.locator("#attachments")
    expect(dossier).to_contain_text("Hồ sơ đề nghị công nhận")
    expect(dossier).to_contain_text("Chưa có tệp nào.")
    dossier.get_by_label("Loại tài liệu").select_option(label="Biên bản họp")
    dossier.get_by_label("Tệp (PDF, ảnh PNG/JPEG, Word .docx)").set_input_files(str(minutes))
    dossier.get_by_role("button", name="Đính kèm").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã đính kèm “Biên bản họp bình xét.pdf”.")
    expect(page.locator("#attachment-list")).to_contain_text("Biên bản họp")
    attachment = Attachment.objects.get()
    link = page.get_by_role("link", name="Biên bản họp bình xét.pdf", exact=True)
    page.locator("#attachments").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots / "dossier-attachments.png"))

    # It downloads back, byte for byte, under its own name.
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "Biên bản họp bình xét.pdf"
    assert Path(download.path()).read_bytes() == PDF

    # An officer of another commune following the same link gets a 404 in Vietnamese.
    other = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    other.set_default_timeout(15_000)
    stranger = other.new_page()
    browser_sign_in(stranger, live_server.url, "canbo.xakhac")
    response = stranger.goto(f"{live_server.url}{reverse('attachments:download', args=[attachment.pk])}")
    assert response is not None and response.status == 404
    assert "Biên bản" not in stranger.content()
    other.close()
