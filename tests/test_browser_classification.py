"""The movement's classification in Chromium: a commune officer self-scores a residential area and the commune and
sends both; the province officer finds them on the province's page, adjusts one criterion of the area with a reason,
classifies the area and the commune, and the level distribution on the province's page changes at once.

The province already has two classified units and one waiting (recorded through ``do_record_years``); the expected
distribution before and after is counted from the points this test gives and the scorecards' cut-offs, never read
from the page's own figures.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.classification.actions import BulkYear, do_record_years, scorecard_for
from phongtrao.classification.models import Classification, Scorecard, Status
from phongtrao.classification.rules import seed_cards
from phongtrao.units.models import Unit
from tests.conftest import browser_sign_in

LEVELS = ("excellent", "good", "average", "weak")


def level_of(card: Scorecard, points: int) -> str:
    """The level ``points`` reach under the card's cut-offs (counted here, not by ``Scorecard.level_for``)."""
    if points >= card.excellent_from:
        return "excellent"
    if points >= card.good_from:
        return "good"
    return "average" if points >= card.average_from else "weak"


def shown(page: Any, kind: str) -> dict[str, str]:
    row = page.locator(f"#dist-{kind}")
    return {"classified": row.locator("td").nth(1).inner_text(),
            **{level: row.locator(f"td[data-level={level}]").inner_text() for level in LEVELS}}


def expected(counts: dict[str, int]) -> dict[str, str]:
    return {"classified": str(sum(counts.values())), **{level: str(counts.get(level, 0)) for level in LEVELS}}


@pytest.mark.browser
def test_commune_scores_province_adjusts_and_classifies_and_the_distribution_follows(
    live_server: Any, example_units: None, make_user: Any, browser: Any, page: Any, screenshots: Path
) -> None:
    from playwright.sync_api import expect

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed_cards()  # a transactional test's flush removed the migration's rows
    today = timezone.localdate()
    year = today.year
    province = Unit.objects.with_code("T99", today).get()
    commune = Unit.objects.with_code("T99001", today).get()
    area = Unit.objects.with_code("KDC-T99001-01", today).get()
    area_card, commune_card = scorecard_for(area, year), scorecard_for(commune, year)
    assert area_card is not None and commune_card is not None

    # Already in the province: a residential area of another commune classified, another commune classified, one
    # area of the home commune sent and waiting.
    def all_points(card: Scorecard, less: int) -> dict[str, int]:
        points = {}
        for criterion in card.criteria.order_by("-points", "order"):  # ``less`` points taken from the largest first
            taken = min(less, criterion.points)
            points[criterion.code], less = criterion.points - taken, less - taken
        return points

    other_area = Unit.objects.with_code("KDC-T99002-01", today).get()
    other_commune = Unit.objects.with_code("T99002", today).get()
    waiting = Unit.objects.with_code("KDC-T99001-02", today).get()
    sent, done = today.replace(day=1), today
    do_record_years(Actor.system(), year, [
        BulkYear(other_area, all_points(area_card, 25), submitted_on=sent, classified_on=done),
        BulkYear(other_commune, all_points(commune_card, 0), submitted_on=sent, classified_on=done),
        BulkYear(waiting, all_points(area_card, 0), submitted_on=sent),
    ])
    areas_before = {level_of(area_card, 75): 1}
    communes_before = {level_of(commune_card, 100): 1}

    make_user("canbo.xa", Role.COMMUNE_OFFICER, commune, first_name="Cán bộ xã")
    make_user("canbo.tinh", Role.PROVINCE_OFFICER, province, first_name="Cán bộ tỉnh")

    # The commune officer: the grid, then each unit's scoring page, every criterion at its standard points.
    browser_sign_in(page, live_server.url, "canbo.xa")
    page.get_by_role("button", name="Quản lý").click()
    page.get_by_role("link", name="Xếp loại phong trào").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{commune.name}: xếp loại phong trào năm {year}")
    expect(page.locator(f"#row-{area.code}")).to_contain_text("Chưa chấm điểm")
    expect(page.locator("#grid tbody tr").first).to_have_id(f"row-{commune.code}")  # the commune heads its grid
    page.screenshot(path=str(screenshots / "classification-grid.png"), full_page=True)

    def self_score(unit: Unit, card: Scorecard) -> None:
        page.locator(f"#row-{unit.code}").get_by_role("link", name=unit.name, exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"{unit.name}: chấm điểm phong trào")
        for criterion in card.criteria.order_by("order"):
            page.get_by_label(criterion.text, exact=True).fill(str(criterion.points))
        page.get_by_role("button", name="Lưu điểm tự chấm").click()
        expect(page.locator(".alert-success")).to_contain_text("Đã lưu điểm tự chấm.")
        expect(page.locator("#self-points")).to_have_text(str(sum(c.points for c in card.criteria.all())))
        page.get_by_role("button", name="Gửi kết quả tự chấm lên cấp trên").click()
        expect(page.locator(".alert-success")).to_contain_text("Đã gửi kết quả tự chấm lên cấp trên.")
        history = page.locator("#history li")
        expect(history).to_have_count(3)  # newest first: sent, scored, opened
        expect(history.nth(0)).to_contain_text("Đã gửi, chờ thẩm định")
        expect(history.nth(1)).to_contain_text("Lưu điểm tự chấm phong trào")
        expect(history.nth(2)).to_contain_text("Mở bảng chấm điểm phong trào")
        expect(page.locator("#status")).to_contain_text("Đã gửi, chờ thẩm định")
        page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=commune.name).click()

    self_score(area, area_card)
    page.locator(f"#row-{area.code}").get_by_role("link", name=area.name, exact=True).click()
    page.screenshot(path=str(screenshots / "classification-scoring.png"), full_page=True)
    page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=commune.name).click()
    self_score(commune, commune_card)
    expect(page.locator(f"#row-{area.code}")).to_contain_text("Chờ cấp trên thẩm định")
    assert set(Classification.objects.filter(year=year, unit__in=[area, commune]).values_list("status", flat=True)) \
        == {Status.SUBMITTED}

    # The province officer: the distribution as it was, then the review of the area and of the commune.
    review = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    officer = review.new_page()
    browser_sign_in(officer, live_server.url, "canbo.tinh")
    officer.get_by_role("button", name="Quản lý").click()
    officer.get_by_role("link", name="Xếp loại phong trào").click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text(f"{province.name}: xếp loại phong trào năm {year}")
    assert shown(officer, "residential_area") == expected(areas_before)
    assert shown(officer, "commune") == expected(communes_before)

    officer.get_by_label("Trạng thái", exact=True).select_option(label="Đã gửi, chờ thẩm định")
    officer.get_by_role("button", name="Lọc").click()
    expect(officer.locator("#units tbody tr")).to_have_count(3)
    officer.locator("#units tbody tr", has_text=commune.name).get_by_role("link", name=area.name, exact=True).click()
    expect(officer.get_by_role("heading", level=1)).to_contain_text(f"{area.name}: chấm điểm phong trào")
    expect(officer.locator("nav[aria-label=breadcrumb]")).to_contain_text(commune.name)

    largest = area_card.criteria.order_by("-points", "order").first()
    assert largest is not None
    cut = area_card.excellent_from - 1 - (100 - largest.points)  # the total lands one point under "excellent"
    assert 0 <= cut < largest.points
    officer.get_by_label("Tiêu chí", exact=True).select_option(value=str(largest.pk))
    officer.get_by_label("Điểm thẩm định", exact=True).fill(str(cut))
    officer.get_by_label("Lý do điều chỉnh", exact=True).fill("Chưa có biên bản sơ kết mô hình")
    officer.get_by_role("button", name="Điều chỉnh điểm").click()
    expect(officer.locator(".alert-success")).to_contain_text("Đã điều chỉnh điểm.")
    reviewed = 100 - largest.points + cut
    assert reviewed == area_card.excellent_from - 1
    expect(officer.locator("#reviewed-points")).to_have_text(str(reviewed))
    expect(officer.locator(f"#criterion-{largest.code}")).to_contain_text("Chưa có biên bản sơ kết mô hình")
    expect(officer.locator("#history")).to_contain_text(f"{largest.text}: {largest.points} → {cut}")
    officer.get_by_role("button", name="Xếp loại", exact=True).click()
    area_level = level_of(area_card, reviewed)
    level_words = {"excellent": "Xuất sắc", "good": "Khá", "average": "Trung bình", "weak": "Yếu"}
    expect(officer.locator(".alert-success")).to_contain_text(f"Đã xếp loại: {level_words[area_level]} ({reviewed}")
    officer.screenshot(path=str(screenshots / "classification-review.png"), full_page=True)

    officer.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=province.name).click()
    after_area = dict(areas_before)
    after_area[area_level] = after_area.get(area_level, 0) + 1
    assert shown(officer, "residential_area") == expected(after_area)
    assert shown(officer, "commune") == expected(communes_before)

    officer.locator("#units").get_by_role("link", name=commune.name, exact=True).click()
    officer.get_by_role("button", name="Xếp loại", exact=True).click()
    commune_level = level_of(commune_card, 100)
    expect(officer.locator(".alert-success")).to_contain_text(f"Đã xếp loại: {level_words[commune_level]} (100")
    officer.get_by_role("navigation", name="breadcrumb").get_by_role("link", name=province.name).click()
    after_commune = dict(communes_before)
    after_commune[commune_level] = after_commune.get(commune_level, 0) + 1
    assert shown(officer, "residential_area") == expected(after_area)
    assert shown(officer, "commune") == expected(after_commune)
    officer.screenshot(path=str(screenshots / "classification-province.png"), full_page=True)
    review.close()

    # The commune's grid shows the levels the province gave.
    page.reload()
    expect(page.locator(f"#row-{area.code}")).to_contain_text(level_words[area_level])
    expect(page.locator(f"#row-{commune.code}")).to_contain_text(level_words[commune_level])
