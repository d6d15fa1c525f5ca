"""Approval up the tree: a complete report is submitted to the level above, returned with a reason or approved;
approval locks the values on every door (page, import, API); un-approving reopens them. Each step is a move of
``REPORTS`` (lib.workflow) with its event and audit rows. And completeness and timeliness of the reports."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.api.actions import do_create_token
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.datasets import completeness
from phongtrao.datasets.actions import (
    ValueInput,
    do_approve_report,
    do_complete_report,
    do_return_report,
    do_save_values,
    do_submit_report,
    do_unapprove_report,
)
from phongtrao.datasets.models import DataElement, DataSet, DataSetReport, DataValue, OptionCombo, ReportStatus
from phongtrao.lib.importing import run_import
from phongtrao.lib.periods import Period
from phongtrao.lib.workflow import ActionError
from phongtrao.units.models import Unit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
PERIOD = Period.year_of(YEAR)


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, PERIOD.end).get()


@pytest.fixture
def people(example_units: None, make_user: Any) -> dict[str, Any]:
    return {"commune": make_user("xa-t99001", Role.COMMUNE_OFFICER, unit("T99001")),
            "commune2": make_user("xa-t99002", Role.COMMUNE_OFFICER, unit("T99002")),
            "province": make_user("tinh-t99", Role.PROVINCE_OFFICER, unit("T99")),
            "approver": make_user("ct-t99", Role.APPROVER, unit("T99")),
            "commune_approver": make_user("ct-t99001", Role.APPROVER, unit("T99001")),
            "viewer": make_user("xem-t99", Role.VIEWER, unit("T99"))}


def cell(code: str, combo: str, value: int) -> ValueInput:
    element = DataElement.objects.get(code=code)
    return ValueInput(element, OptionCombo.objects.get(combo=element.combo, code=combo), Decimal(value))


def completed(actor: Actor, code: str = "T99001", dataset: str = "xa_nam", period: Period = PERIOD,
              sessions: int = 4) -> DataSetReport:
    ds = DataSet.objects.get(code=dataset)
    do_save_values(actor, unit(code), ds, period, [cell("tuyen_truyen_buoi", "truc_tiep.tieng_viet", sessions),
                                                    cell("tuyen_truyen_luot", "default", 100)])
    return do_complete_report(actor, unit(code), ds, period)


def test_submit_return_approve_unapprove_with_events_and_audit(people: dict[str, Any]) -> None:
    officer, province = Actor(user=people["commune"]), Actor(user=people["province"])
    report = completed(officer)
    # the commune may not approve its own report, nor another commune's officer submit it
    with pytest.raises(ActionError, match="cán bộ cấp tỉnh"):
        do_approve_report(officer, report)
    with pytest.raises(ActionError, match="không có quyền gửi"):
        do_submit_report(Actor(user=people["commune2"]), report)
    report = do_submit_report(officer, report, expected_version=report.version)
    assert report.status == ReportStatus.SUBMITTED and report.submitted_at is not None
    with pytest.raises(ActionError, match="lý do"):
        do_return_report(province, report, "  ")
    report = do_return_report(province, report, "Số buổi tuyên truyền chưa đủ")
    assert report.status == ReportStatus.OPEN and report.returned_reason == "Số buổi tuyên truyền chưa đủ"
    # open again: the commune corrects, completes and submits again; the approver of the province approves
    report = completed(officer, sessions=6)
    with pytest.raises(ActionError, match="cần “Đã gửi cấp trên”"):
        do_approve_report(province, report)
    report = do_approve_report(Actor(user=people["approver"]),
                               do_submit_report(officer, report), expected_version=report.version + 1)
    assert report.status == ReportStatus.APPROVED and report.approved_by == people["approver"]
    # the approver of the commune is not the level above the commune
    with pytest.raises(ActionError, match="cấp trên"):
        do_unapprove_report(Actor(user=people["commune_approver"]), report, "sai")
    report = do_unapprove_report(province, report, "Cần sửa số camera")
    assert report.status == ReportStatus.OPEN and report.approved_at is None
    actions = list(report.events.values_list("action", "from_status", "to_status"))
    assert actions == [("complete", "open", "complete"), ("submit", "complete", "submitted"),
                       ("return", "submitted", "open"), ("complete", "open", "complete"),
                       ("submit", "complete", "submitted"), ("approve", "submitted", "approved"),
                       ("unapprove", "approved", "open")]
    assert report.events.get(action="return").details == {"reason": "Số buổi tuyên truyền chưa đủ"}
    audited = list(AuditEntry.objects.filter(action__startswith="datasetreport.").order_by("pk")
                   .values_list("action", flat=True))
    assert audited == [f"datasetreport.{a}" for a, _f, _t in actions]
    # reopened: the values may be saved again
    saved = do_save_values(officer, unit("T99001"), report.dataset, PERIOD, [cell("tin_bao", "default", 2)])
    assert len(saved.created) == 1


def test_approval_locks_the_values_on_every_door(people: dict[str, Any]) -> None:
    officer = Actor(user=people["commune"])
    report = do_approve_report(Actor(user=people["province"]), do_submit_report(officer, completed(officer)))
    before = sorted(DataValue.objects.values_list("pk", "value", "version"))
    commune = unit("T99001")
    # the action itself
    with pytest.raises(ActionError, match="đã được cấp trên phê duyệt"):
        do_save_values(officer, commune, report.dataset, PERIOD, [cell("tin_bao", "default", 1)])
    # the page (the whole form and one cell)
    page = Client()
    assert page.login(username="xa-t99001", password=PASSWORD)
    url = reverse("datasets:entry", args=[commune.pk, "xa_nam", YEAR])
    shown = page.get(url)
    assert "đã khóa" in shown.content.decode() and 'id="save-entry"' not in shown.content.decode()
    element = DataElement.objects.get(code="tin_bao")
    name = f"v-{element.pk}-{OptionCombo.objects.get(combo=element.combo).pk}"
    refused = page.post(url, {name: "9", f"{name}-version": "0"})
    assert "đã được cấp trên phê duyệt" in refused.content.decode()
    refused = page.post(reverse("datasets:cell", args=[commune.pk, "xa_nam", YEAR]),
                        {"cell": name, name: "9", f"{name}-version": "0"})
    assert "đã được cấp trên phê duyệt" in refused.content.decode()
    # the import
    csv = ("Mã biểu mẫu,Mã chỉ tiêu,Mã đơn vị,Kỳ,Phân tổ,Giá trị,Ghi chú\n"
           f"xa_nam,tin_bao,T99001,{YEAR},,5,\n").encode()
    result = run_import("data_values", "so-lieu.csv", csv, actor=officer)
    assert not result.ok and "đã được cấp trên phê duyệt" in " ".join(str(e) for e in result.errors)
    # the API
    _, key = do_create_token(officer, people["commune"], name="t")
    api = Client(headers={"authorization": f"Bearer {key}"})
    body = {"dataset": "xa_nam", "unit_id": commune.pk, "period": str(YEAR),
            "values": [{"element": "tin_bao", "value": 5}]}
    answer = api.post("/api/v1/data-values", json.dumps(body), content_type="application/json")
    assert answer.status_code == 422 and "đã được cấp trên phê duyệt" in json.dumps(answer.json(), ensure_ascii=False)
    assert sorted(DataValue.objects.values_list("pk", "value", "version")) == before
    # submitted (not yet approved) is locked as well
    do_unapprove_report(Actor(user=people["province"]), report, "sửa")
    do_submit_report(officer, completed(officer))
    with pytest.raises(ActionError, match="đã gửi lên cấp trên"):
        do_save_values(officer, commune, report.dataset, PERIOD, [cell("tin_bao", "default", 1)])


def test_the_pages_move_the_report(people: dict[str, Any]) -> None:
    officer = Actor(user=people["commune"])
    completed(officer)
    commune = unit("T99001")
    args = [commune.pk, "xa_nam", YEAR]
    page = Client()
    page.login(username="xa-t99001", password=PASSWORD)
    assert page.post(reverse("datasets:submit", args=args), {}).status_code == 302
    assert page.post(reverse("datasets:review", args=args), {"move": "approve"}).status_code == 403
    province = Client()
    province.login(username="tinh-t99", password=PASSWORD)
    waiting = province.get(reverse("datasets:reviews")).content.decode()
    assert commune.name in waiting
    province.post(reverse("datasets:review", args=args), {"move": "return", "reason": ""})
    assert DataSetReport.objects.get(unit=commune).status == ReportStatus.SUBMITTED  # refused without a reason
    province.post(reverse("datasets:review", args=args), {"move": "approve", "next": "reviews"})
    assert DataSetReport.objects.get(unit=commune).status == ReportStatus.APPROVED
    assert commune.name not in province.get(reverse("datasets:reviews")).content.decode()


def test_a_level_approves_only_after_its_children(people: dict[str, Any]) -> None:
    """With ``child_dataset`` set, a commune's yearly report waits for its residential areas' reports."""
    commune = unit("T99001")
    xa = DataSet.objects.get(code="xa_nam")
    xa.child_dataset = DataSet.objects.get(code="kdc_nam")
    xa.save()
    with connection.cursor() as cursor:  # the commune's residential areas valid at the year's end
        cursor.execute("SELECT code FROM units_unit WHERE parent_id = %s AND kind = 'residential_area' "
                       "AND (valid_from IS NULL OR valid_from <= %s) AND (valid_to IS NULL OR valid_to >= %s)",
                       [commune.pk, PERIOD.reference_date, PERIOD.reference_date])
        areas = sorted(code for (code,) in cursor.fetchall())
    assert len(areas) >= 2
    officer, approver = Actor(user=people["commune"]), Actor(user=people["commune_approver"])
    province = Actor(user=people["province"])
    report = do_submit_report(officer, completed(officer))
    for code in areas[:-1]:
        do_approve_report(approver, do_submit_report(officer, completed(officer, code, "kdc_nam")))
    with pytest.raises(ActionError, match="còn 1 đơn vị cấp dưới"):
        do_approve_report(province, report)
    last = do_approve_report(approver, do_submit_report(officer, completed(officer, areas[-1], "kdc_nam")))
    do_approve_report(province, report)
    with pytest.raises(ActionError, match="bỏ phê duyệt báo cáo đó trước"):
        do_unapprove_report(approver, last, "sửa")


def test_completeness_counts_expected_received_on_time_and_approved(people: dict[str, Any]) -> None:
    province_unit = unit("T99")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM units_unit u JOIN units_unitancestor a ON a.unit_id = u.id "
                       "WHERE a.ancestor_id = %s AND u.kind = 'commune' AND (u.valid_from IS NULL OR "
                       "u.valid_from <= %s) AND (u.valid_to IS NULL OR u.valid_to >= %s)",
                       [province_unit.pk, PERIOD.reference_date, PERIOD.reference_date])
        communes = cursor.fetchone()[0]
    officer, province = Actor(user=people["commune"]), Actor(user=people["province"])
    xa = DataSet.objects.get(code="xa_nam")
    completed(officer)  # on time (today is before the closing date of this year)
    do_approve_report(province, do_submit_report(Actor(user=people["commune2"]),
                                                 completed(Actor(user=people["commune2"]), "T99002")))
    counts = completeness.totals(xa, PERIOD, province_unit)
    assert (counts.expected, counts.received, counts.on_time, counts.approved) == (communes, 2, 2, 1)
    late = list(completeness.late_units(xa, PERIOD, province_unit).values_list("code", flat=True))
    assert len(late) == communes - 2 and "T99001" not in late and "T99002" not in late
    # last year: closed on its closing date; the province completes one commune's report late today
    last = PERIOD.previous()
    assert xa.closing_date(last) is not None and xa.closing_date(last) < timezone.localdate()
    completed(province, "T99001", period=last)
    counts = completeness.totals(xa, last, province_unit)
    assert (counts.received, counts.on_time) == (1, 0)
    assert "T99001" in completeness.late_units(xa, last, province_unit).values_list("code", flat=True)
    # per child of the province: the communes themselves
    rows = {u.code: c for u, c in completeness.by_child(xa, PERIOD, province_unit)}
    assert (rows["T99002"].expected, rows["T99002"].approved, rows["T99001"].approved) == (1, 1, 0)
    assert sum(c.expected for c in rows.values()) == communes
    # the page, for the province officer
    page = Client()
    page.login(username="tinh-t99", password=PASSWORD)
    text = page.get(reverse("datasets:completeness"), {"unit": province_unit.pk, "dataset": xa.code,
                                                       "period": str(YEAR)}).content.decode()
    assert 'id="late-units"' in text and unit("T99003").name in text
    # the annual report's own section
    from phongtrao.reports.annual import build_annual

    section = build_annual(province_unit, YEAR)["completeness"]
    xa_row = next(d for d in section["datasets"] if d["dataset"] == "xa_nam")
    assert (xa_row["expected"], xa_row["received"], xa_row["approved"]) == (communes, 2, 1)
    assert dt.date.fromisoformat(f"{YEAR}-12-31") == PERIOD.end
