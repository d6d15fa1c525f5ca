"""A provincial approver records an award decision for five recipients and prints their certificates, in Chromium."""

from __future__ import annotations

import datetime as dt
import os
import re
import zlib
from pathlib import Path
from typing import Any

import pytest

from phongtrao.accounts.models import Role
from phongtrao.awards.catalogue import seed_award_types
from phongtrao.awards.models import AwardDecision
from phongtrao.units.models import Unit
from tests.conftest import browser_sign_in


def pdf_pages(pdf: bytes) -> int:
    """Page objects in a PDF, looking inside compressed object streams too."""
    chunks = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            chunks.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", chunk)) for chunk in chunks)


# (kind, unit code, name typed, title typed): three collectives and two individuals.
RECIPIENTS = [
    ("collective", "T99001", "", ""),
    ("collective", "T99002", "", ""),
    ("collective", "KDC-T99001-03", "", ""),
    ("individual", "KDC-T99002-04", "Nguyễn Thị Hoà", "Tổ trưởng Tổ bảo vệ ANTT"),
    ("individual", "AG-T99001-001", "Trần Văn Đức", "Trưởng phòng"),
]


@pytest.mark.browser
def test_approver_records_a_decision_for_five_and_prints_their_certificates(
    live_server: Any, example_units: None, make_user: Any, page: Any, tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_award_types()
    on = dt.date(2025, 12, 31)
    province = Unit.objects.with_code("T99", on).get()
    make_user("chutich.tinh", Role.APPROVER, unit=province, first_name="Chủ tịch tỉnh")
    units = {code: Unit.objects.with_code(code, on).get() for _, code, _, _ in RECIPIENTS}

    browser_sign_in(page, live_server.url, "chutich.tinh")
    page.get_by_role("link", name="Khen thưởng", exact=True).click()
    page.wait_for_url("**/khen-thuong/")
    page.click("#record-decision")
    page.wait_for_url("**/khen-thuong/quyet-dinh/them/")

    page.select_option("#id_award_type", label="Bằng khen của Chủ tịch UBND tỉnh")
    page.select_option("#id_authority", str(province.pk))
    page.fill("#id_number", "2150/QĐ-UBND")
    page.fill("#id_date", "2025-12-15")
    page.fill("#id_year", "2025")
    page.fill("#id_signer_name", "Đặng Quốc Bảo")
    page.fill("#id_signer_title", "Chủ tịch UBND tỉnh")
    for i, (kind, code, name, title) in enumerate(RECIPIENTS):
        page.select_option(f"#id_r-{i}-kind", kind)
        page.fill(f"#r-{i}-unit_q", code)
        choice = page.locator(f"#r-{i}-choices input[value='{units[code].pk}']")
        expect(choice).to_be_visible()
        choice.check()
        if name:
            page.fill(f"#id_r-{i}-name", name)
            page.fill(f"#id_r-{i}-title", title)
    page.click("#save-decision")

    decision_url = re.compile(r".*/khen-thuong/quyet-dinh/\d+/$")
    page.wait_for_url(decision_url)
    rows = page.locator("#recipients tbody tr")
    expect(rows).to_have_count(5)
    for name in ("Nguyễn Thị Hoà", "Trần Văn Đức", units["T99001"].name):
        expect(page.locator("#recipients")).to_contain_text(name)
    decision = AwardDecision.objects.get(number="2150/QĐ-UBND")
    assert decision.recipients.filter(kind="collective").count() == 3
    assert decision.recipients.filter(kind="individual").count() == 2

    with page.expect_download() as info:
        page.click("#download-all")
    target = tmp_path / "giay-khen.pdf"
    info.value.save_as(target)
    pdf = target.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert pdf_pages(pdf) == 5
