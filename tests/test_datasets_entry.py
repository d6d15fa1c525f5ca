"""Data sets: the seeded catalogue, entry through the page (per form and per cell), refusals, stale writes,
marking complete, and who may enter what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.datasets.actions import ActionError, StaleVersion, ValueInput, do_complete_report, do_save_values
from phongtrao.datasets.models import (
    DataElement,
    DataSet,
    DataSetReport,
    DataValue,
    OptionCombo,
    ReportEvent,
    ReportStatus,
)
from phongtrao.datasets.values import InvalidValue, parse_value
from phongtrao.lib.periods import Period
from phongtrao.units.models import Unit

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
PERIOD = Period.year_of(YEAR)


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, PERIOD.end).get()


def element(code: str) -> DataElement:
    return DataElement.objects.get(code=code)


def combo(element_code: str, code: str = "default") -> OptionCombo:
    return OptionCombo.objects.get(combo__elements__code=element_code, code=code)


def cell_name(element_code: str, code: str = "default") -> str:
    return f"v-{element(element_code).pk}-{combo(element_code, code).pk}"


def entry_url(u: Unit, dataset: str = "xa_nam", period: Period = PERIOD) -> str:
    return reverse("datasets:entry", args=[u.pk, dataset, period.id])


@pytest.fixture
def people(example_units: None, make_user: Any) -> dict[str, Any]:
    return {
        "commune": make_user("xa-t99001", Role.COMMUNE_OFFICER, unit("T99001")),
        "other_commune": make_user("xa-t99002", Role.COMMUNE_OFFICER, unit("T99002")),
        "province": make_user("tinh-t99", Role.PROVINCE_OFFICER, unit("T99")),
        "reporter": make_user("cq-t99001", Role.ORG_REPORTER, unit("AG-T99001-001")),
        "viewer": make_user("xem-t99", Role.VIEWER, unit("T99")),
    }


def client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_seeded_data_sets_name_their_source_and_hold_the_issue_elements() -> None:
    commune = DataSet.objects.get(code="xa_nam")
    assert commune.period_type == "year" and commune.kinds == ["commune"] and "521/QĐ-TTg" in commune.source
    codes = {e.code for e in commune.version_for(PERIOD).ordered_elements()}
    assert {"tuyen_truyen_buoi", "ngay_hoi_to_chuc", "ngay_hoi_ngay", "ngay_hoi_nguoi", "van_ban_chi_dao",
            "hop_ban_chi_dao", "tap_huan", "so_ket_tong_ket", "kiem_tra", "tin_bao", "hoa_giai_thanh",
            "camera_lap_moi", "kdc_van_hoa", "kdc_5_khong", "trang_web", "ho_cam_ket"} <= codes
    for code, period_type in (("kdc_nam", "year"), ("co_quan_nam", "year"), ("xa_quy", "quarter")):
        dataset = DataSet.objects.get(code=code)
        assert dataset.period_type == period_type and dataset.source and dataset.rules.exists()
    quarterly = {e.code for e in DataSet.objects.get(code="xa_quy").version_for(Period.quarter(YEAR, 1))
                 .ordered_elements()}
    assert {"tuyen_truyen_buoi", "tin_bao", "hoa_giai_thanh"} <= quarterly
    # Propaganda by 5 channels x 2 languages; tips are a count, never a person (DOMAIN.md §2).
    assert OptionCombo.objects.filter(combo=element("tuyen_truyen_buoi").combo).count() == 10
    assert element("tin_bao").value_type == "count" and element("camera_hoat_dong").aggregation == "latest"


def test_commune_officer_enters_the_yearly_report_by_disaggregation(people: dict[str, Any]) -> None:
    commune = unit("T99001")
    page = client(people["commune"]).get(entry_url(commune))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Tiếng dân tộc thiểu số" in text and "Loa truyền thanh" in text and 'id="mark-complete"' in text
    posted = {cell_name("tuyen_truyen_buoi", "truc_tiep.tieng_viet"): "12",
              cell_name("tuyen_truyen_buoi", "loa.tieng_dtts"): "3",
              cell_name("tuyen_truyen_luot"): "1.250",  # Vietnamese thousands
              cell_name("kinh_phi"): "15.000.000",
              cell_name("ngay_hoi_ngay"): f"19/08/{YEAR}",
              cell_name("ngay_hoi_to_chuc"): "1",
              "c" + cell_name("tin_bao")[1:]: "Chỉ ghi số lượng",
              cell_name("tin_bao"): "4"}
    response = client(people["commune"]).post(entry_url(commune), posted)
    assert response.status_code == 302
    stored = {(v.element.code, v.option_combo.code): v for v in DataValue.objects.filter(unit=commune)}
    assert stored[("tuyen_truyen_buoi", "truc_tiep.tieng_viet")].value == 12
    assert stored[("tuyen_truyen_buoi", "loa.tieng_dtts")].value == 3
    assert stored[("tuyen_truyen_luot", "default")].value == 1250
    assert stored[("kinh_phi", "default")].value == 15_000_000
    assert stored[("ngay_hoi_ngay", "default")].date_value == dt.date(YEAR, 8, 19)
    assert stored[("tin_bao", "default")].comment == "Chỉ ghi số lượng"
    value = stored[("tin_bao", "default")]
    assert (value.period, value.period_start, value.period_end) == (str(YEAR), PERIOD.start, PERIOD.end)
    assert AuditEntry.objects.filter(action="datavalue.save", object_id=str(value.pk)).count() == 1
    assert DataSetReport.objects.get(unit=commune, dataset__code="xa_nam").status == ReportStatus.OPEN
    again = client(people["commune"]).get(entry_url(commune)).content.decode()
    assert 'value="1250"' in again and 'value="12"' in again


@pytest.mark.parametrize(("element_code", "typed", "message"), [
    ("tuyen_truyen_luot", "-5", "Không nhận số âm."),
    ("tuyen_truyen_luot", "2,5", "số nguyên"),
    ("tuyen_truyen_luot", "99999999999", "Số quá lớn"),
    ("tuyen_truyen_luot", "mười", "không phải là số"),
    ("ngay_hoi_ngay", "31/02/2026", "Ngày không hợp lệ"),
])
def test_impossible_values_are_refused_in_vietnamese_and_nothing_is_saved(
        people: dict[str, Any], element_code: str, typed: str, message: str) -> None:
    commune = unit("T99001")
    response = client(people["commune"]).post(entry_url(commune), {
        cell_name(element_code): typed, cell_name("tin_bao"): "4"})
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text and "Không ô nào được lưu" in text
    assert not DataValue.objects.filter(unit=commune).exists()  # the valid cell was not saved either


def test_percentages_over_100_huge_amounts_and_nul_bytes_are_refused() -> None:
    percent, amount, count = element("ty_le_pho_bien"), element("kinh_phi"), element("tin_bao")
    assert parse_value(percent, "99,5") == Decimal("99.5")
    assert parse_value(amount, "1.000.000.000.000.000") == Decimal(10) ** 15
    for el, text, message in ((percent, "100,5", "Tỷ lệ không vượt quá 100%"), (amount, "10000000000000000",
                              "Số quá lớn"), (count, "1\x002", "ký tự không hợp lệ"), (percent, "-1", "số âm")):
        with pytest.raises(InvalidValue, match=message):
            parse_value(el, text)
    assert parse_value(percent, "12.5", english=True) == Decimal("12.5")
    assert parse_value(count, "1,234", english=True) == 1234


def test_organisation_reporter_enters_a_percentage_and_is_refused_over_100(people: dict[str, Any]) -> None:
    agency = unit("AG-T99001-001")
    url = entry_url(agency, "co_quan_nam")
    response = client(people["reporter"]).post(url, {cell_name("ty_le_pho_bien"): "120"})
    assert "Tỷ lệ không vượt quá 100%" in response.content.decode()
    assert client(people["reporter"]).post(url, {cell_name("ty_le_pho_bien"): "97,5"}).status_code == 302
    assert DataValue.objects.get(unit=agency, element__code="ty_le_pho_bien").value == Decimal("97.5")


def test_who_may_enter_what(people: dict[str, Any]) -> None:
    commune, area, agency = unit("T99001"), unit("KDC-T99001-03"), unit("AG-T99001-001")
    data = {cell_name("tin_bao"): "1"}
    # another commune's officer: the unit does not exist for them
    assert client(people["other_commune"]).get(entry_url(commune)).status_code == 404
    assert client(people["other_commune"]).post(entry_url(commune), data).status_code == 404
    # a viewer reads but may not write; an organisation's reporter may not enter the commune's report
    assert client(people["viewer"]).get(entry_url(commune)).status_code == 200
    assert client(people["viewer"]).post(entry_url(commune), data).status_code == 403
    assert client(people["reporter"]).post(entry_url(agency, "co_quan_nam"), data).status_code == 302
    # the commune officer enters for the commune's residential areas, not for its organisations
    assert client(people["commune"]).post(entry_url(area, "kdc_nam"), data).status_code == 302
    assert client(people["commune"]).post(entry_url(agency, "co_quan_nam"), data).status_code == 403
    # a data set that does not apply to the unit, a period of another type: 404
    assert client(people["commune"]).get(entry_url(area, "xa_nam")).status_code == 404
    assert client(people["commune"]).get(entry_url(commune, "xa_nam", Period.quarter(YEAR, 1))).status_code == 404
    # the province officer enters anywhere in the province, also after the closing date
    last_year = Period.year_of(YEAR - 1)
    assert client(people["commune"]).post(entry_url(commune, period=last_year), data).status_code == 200
    assert not DataValue.objects.filter(unit=commune, period=last_year.id).exists()
    assert client(people["province"]).post(entry_url(commune, period=last_year), data).status_code == 302
    assert DataValue.objects.filter(unit=commune, period=last_year.id).count() == 1


def test_a_value_saved_by_someone_else_in_between_is_not_overwritten(people: dict[str, Any]) -> None:
    commune = unit("T99001")
    first, second = client(people["commune"]), client(people["province"])
    name = cell_name("tin_bao")
    assert 'name="ver' + name[1:] + '" value="0"' in second.get(entry_url(commune)).content.decode()
    assert first.post(entry_url(commune), {name: "4", "ver" + name[1:]: "0"}).status_code == 302
    response = second.post(entry_url(commune), {name: "9", "ver" + name[1:]: "0"})
    assert response.status_code == 200 and "vừa được người khác lưu" in response.content.decode()
    assert DataValue.objects.get(unit=commune, element__code="tin_bao").value == 4
    value = DataValue.objects.get(unit=commune, element__code="tin_bao")
    with pytest.raises(StaleVersion):
        do_save_values(Actor(user=people["province"]), commune, DataSet.objects.get(code="xa_nam"), PERIOD,
                       [ValueInput(value.element, value.option_combo, Decimal(9), "", expected_version=0)])
    assert second.post(entry_url(commune), {name: "9", "ver" + name[1:]: "1"}).status_code == 302
    value.refresh_from_db()
    assert value.value == 9 and value.version == 2


def test_one_cell_is_saved_by_htmx_and_answered_alone(people: dict[str, Any]) -> None:
    commune = unit("T99001")
    name = cell_name("hoa_giai_thanh")
    url = reverse("datasets:cell", args=[commune.pk, "xa_nam", PERIOD.id])
    response = client(people["commune"]).post(url, {"cell": name, name: "7", "ver" + name[1:]: "0"},
                                              headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200 and text.lstrip().startswith("<td") and "Đã lưu" in text
    assert f'name="ver{name[1:]}" value="1"' in text
    assert DataValue.objects.get(unit=commune, element__code="hoa_giai_thanh").value == 7
    refused = client(people["commune"]).post(url, {"cell": name, name: "-1", "ver" + name[1:]: "1"})
    assert "Không nhận số âm." in refused.content.decode()
    assert DataValue.objects.get(unit=commune, element__code="hoa_giai_thanh").value == 7


def test_a_disaggregated_cell_saved_by_htmx_sends_its_rows_new_total(people: dict[str, Any]) -> None:
    commune = unit("T99001")
    url = reverse("datasets:cell", args=[commune.pk, "xa_nam", PERIOD.id])
    first = cell_name("tuyen_truyen_buoi", "truc_tiep.tieng_viet")
    second = cell_name("tuyen_truyen_buoi", "loa.tieng_dtts")
    officer = client(people["commune"])
    officer.post(url, {"cell": first, first: "1200", "ver" + first[1:]: "0"}, headers={"HX-Request": "true"})
    text = officer.post(url, {"cell": second, second: "34", "ver" + second[1:]: "0"},
                        headers={"HX-Request": "true"}).content.decode()
    total = text[text.index('id="total-tuyen_truyen_buoi"'):]
    assert 'hx-swap-oob="true"' in total.split(">")[0] and ">1.234</td>" in total
    page = officer.get(entry_url(commune)).content.decode()
    assert 'id="total-tuyen_truyen_buoi">1.234</td>' in page


def test_mark_complete_runs_the_rules_then_freezes_the_report(people: dict[str, Any]) -> None:
    commune = unit("T99001")
    officer = client(people["commune"])
    officer.post(entry_url(commune), {cell_name("tuyen_truyen_buoi", "truc_tiep.tieng_viet"): "12",
                                      cell_name("tuyen_truyen_luot"): "5"})
    complete_url = reverse("datasets:complete", args=[commune.pk, "xa_nam", PERIOD.id])
    report = DataSetReport.objects.get(unit=commune)
    refused = officer.post(complete_url, {"version": str(report.version)})
    text = refused.content.decode()
    assert refused.status_code == 200 and 'id="violations"' in text
    assert "Số lượt người được tuyên truyền không ít hơn số buổi" in text and "12" in text
    assert DataSetReport.objects.get(unit=commune).status == ReportStatus.OPEN
    people_reached = cell_name("tuyen_truyen_luot")
    officer.post(entry_url(commune), {people_reached: "300", "ver" + people_reached[1:]: "1"})
    assert officer.post(complete_url, {"version": str(report.version)}).status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.COMPLETE and report.completed_by == people["commune"]
    assert ReportEvent.objects.filter(report=report, action="complete", to_status="complete").count() == 1
    assert AuditEntry.objects.filter(action="datasetreport.complete", object_id=str(report.pk)).count() == 1
    # a complete report takes no more values until it is reopened
    with pytest.raises(ActionError, match="hoàn thành"):
        do_save_values(Actor(user=people["commune"]), commune, report.dataset, PERIOD,
                       [ValueInput(element("tin_bao"), combo("tin_bao"), Decimal(1))])
    assert officer.post(reverse("datasets:reopen", args=[commune.pk, "xa_nam", PERIOD.id])).status_code == 302
    assert DataSetReport.objects.get(pk=report.pk).status == ReportStatus.OPEN
    with pytest.raises(StaleVersion):  # completed and reopened since version 1 was read
        do_complete_report(Actor(user=people["commune"]), commune, report.dataset, PERIOD, expected_version=1)


def test_catalogue_search_ignores_diacritics(people: dict[str, Any]) -> None:
    page = client(people["viewer"]).get(reverse("datasets:index"), {"q": "khu dan cu"}).content.decode()
    assert "Số liệu năm của khu dân cư" in page and "Báo cáo quý của xã" not in page
    detail = client(people["viewer"]).get(reverse("datasets:dataset", args=["xa_nam"])).content.decode()
    assert "521/QĐ-TTg" in detail and "Số lượt người được tuyên truyền không ít hơn số buổi" in detail


def test_the_entry_page_costs_the_same_queries_however_many_values_it_shows(people: dict[str, Any]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    commune = unit("T99001")
    officer = client(people["commune"])
    officer.get(entry_url(commune))  # the session and the site's caches are warm now

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert officer.get(entry_url(commune)).status_code == 200
        return len(queries)

    empty = cost()
    officer.post(entry_url(commune), {cell_name("tuyen_truyen_buoi", combo.code): "3" for combo in
                                      OptionCombo.objects.filter(combo__code="kenh_ngon_ngu")})
    late = client(people["province"]).post(entry_url(commune, period=Period.year_of(YEAR - 1)),
                                           {cell_name("tin_bao"): "2"})
    assert late.status_code == 302  # a previous period's value, shown beside the field
    assert cost() <= empty + 1  # the report row, once it exists
    assert empty < 60, empty


def test_a_report_completed_and_approved_by_no_account_shows_the_system(people: dict[str, Any]) -> None:
    """The generator (and set-based writes) leave ``completed_by``, ``approved_by`` and an event's user empty: the
    entry page said who with ``|default:report.completed_by.username``, which raises on None (a 500 that
    bench/load.py found on the national dataset). It now names the system."""
    commune = unit("T99001")
    dataset = DataSet.objects.get(code="xa_nam")
    now = timezone.now()
    report = DataSetReport(dataset=dataset, unit=commune, status=ReportStatus.APPROVED, completed_at=now,
                           approved_at=now)
    report.set_period(PERIOD)
    report.save()
    ReportEvent.objects.create(report=report, action="approve", from_status=ReportStatus.SUBMITTED,
                               to_status=ReportStatus.APPROVED, source="import")
    for user in (people["province"], people["commune"]):
        page = client(user).get(entry_url(commune))
        text = page.content.decode()
        assert page.status_code == 200, text[:500]
        assert 'id="report-locked"' in text and "số liệu đã khóa" in text and "(Hệ thống)" in text  # approved by
        assert "· Hệ thống:" in text  # the history line of the event without a user
    DataSetReport.objects.filter(pk=report.pk).update(status=ReportStatus.COMPLETE, approved_at=None)
    page = client(people["province"]).get(entry_url(commune))
    assert page.status_code == 200 and "Đã hoàn thành lúc" in page.content.decode()
    assert "(Hệ thống)" in page.content.decode()  # completed by
    try:
        english = client(people["province"]).get(entry_url(commune), HTTP_ACCEPT_LANGUAGE="en")
    finally:  # the request left English active in this thread; the next tests expect Vietnamese
        translation.activate(settings.LANGUAGE_CODE)
    assert english.status_code == 200 and "(System)" in english.content.decode()
