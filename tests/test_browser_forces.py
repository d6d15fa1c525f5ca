"""The force in Chromium: a commune officer finds the team below its size rule on the list, opens the commune's
ratings, enters counts that break the 20% quota and submits: the page names the team and the rule's basis and
the sheet stays open; with the counts fixed the ratings are submitted."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.forces.actions import TeamData, do_establish_team
from phongtrao.forces.models import RatingSheet, SheetStatus
from phongtrao.forces.rules import current_rating_year, seed_rules
from phongtrao.units.models import Kind, Unit
from tests.conftest import browser_sign_in


@pytest.mark.browser
def test_commune_officer_breaks_the_quota_sees_the_team_named_then_submits(
    live_server: Any, example_units: None, make_user: Any, page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_rules()  # a transactional test's flush removed the migration's rows
    year = current_rating_year(timezone.localdate())
    commune = Unit.objects.with_code("T99001", timezone.localdate()).get()
    full, short = Unit.objects.filter(parent=commune, kind=Kind.RESIDENTIAL_AREA).order_by("code")[:2]
    started = dt.date(year - 1, 1, 10)
    do_establish_team(Actor.system(), full, TeamData("11/QĐ-UBND", started, started, 1, 1, 4, residents=1500))
    do_establish_team(Actor.system(), short, TeamData("12/QĐ-UBND", started, started, 1, 0, 1, residents=1500))
    make_user("canbo.xa", Role.COMMUNE_OFFICER, commune, first_name="Cán bộ xã")

    browser_sign_in(page, live_server.url, "canbo.xa")
    page.get_by_role("button", name="Quản lý").click()
    page.get_by_role("link", name="Tổ bảo vệ an ninh, trật tự").click()
    page.get_by_role("link", name="Tổ chưa đủ quy mô").click()
    rows = page.locator("#teams tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(short.name)
    expect(rows.first).to_contain_text("−1")
    page.screenshot(path=str(screenshots / "forces-below-rule.png"), full_page=True)

    page.get_by_role("link", name="Đánh giá, xếp loại").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"năm {year}")

    def enter(area: Unit, counts: dict[str, str]) -> None:
        for label, value in counts.items():
            page.get_by_label(f"{area.name}: {label}", exact=True).fill(value)

    enter(full, {"Hoàn thành xuất sắc nhiệm vụ": "2", "Hoàn thành tốt nhiệm vụ": "3", "Hoàn thành nhiệm vụ": "1"})
    enter(short, {"Hoàn thành tốt nhiệm vụ": "1", "Hoàn thành nhiệm vụ": "1"})
    page.get_by_role("button", name="Lưu kết quả").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu kết quả đánh giá.")
    page.get_by_role("button", name="Gửi kết quả lên cấp trên").click()
    refusal = page.locator(".alert-danger")
    expect(refusal).to_contain_text(f"Tổ bảo vệ ANTT {full.name}")
    expect(refusal).to_contain_text("vượt quá 20%")
    expect(refusal).to_contain_text("30/2023/QH15")
    expect(page.locator("#sheet-status")).to_have_text("Đang nhập")
    page.screenshot(path=str(screenshots / "forces-quota-violation.png"), full_page=True)
    assert RatingSheet.objects.get(commune=commune, year=year).status == SheetStatus.OPEN

    enter(full, {"Hoàn thành xuất sắc nhiệm vụ": "0", "Hoàn thành tốt nhiệm vụ": "4", "Hoàn thành nhiệm vụ": "2"})
    page.get_by_role("button", name="Lưu kết quả").click()
    page.get_by_role("button", name="Gửi kết quả lên cấp trên").click()
    expect(page.locator("#sheet-status")).to_have_text("Đã gửi cấp trên")
    assert RatingSheet.objects.get(commune=commune, year=year).status == SheetStatus.SUBMITTED
