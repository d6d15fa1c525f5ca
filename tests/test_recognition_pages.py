"""The ANTT pages: the commune's grid (htmx save, stale versions, filters, export), a unit's checklist,
the province overview, one decision for many units, the documents, the role checks of the actions,
and the demo hook. Personas: a province officer, a commune officer in that province, an officer of
another province, approvers, an organisation's reporter, an anonymous visitor."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.workflow import ActionError
from phongtrao.recognition.actions import (
    do_decide,
    do_recognise_many,
    do_register,
    do_self_assess,
    do_start_review,
    do_submit,
)
from phongtrao.recognition.criteria import seed_criteria_sets
from phongtrao.recognition.models import Recognition, RecognitionEvent, Status
from phongtrao.units.models import Unit
from tests.conftest import built_once, create_user, ensure_official_register, import_example_units

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
Y = 2025
DAY = dt.date(Y, 12, 31)
RA_ANSWERS: dict[str, Any] = {
    "dang-ky-quy-1": True, "chinh-sach-quy-uoc": True, "khong-vu-viec-nghiem-trong": 0,
    "kiem-che-toi-pham": {"current": 3, "previous": 5}, "luc-luong-co-so": True,
}
AGENCY_ANSWERS: dict[str, Any] = {"dang-ky-quy-1": True, "noi-quy": True, "pho-bien": 100, "mo-hinh-hieu-qua": 1,
                                  "phoi-hop-cong-an": True}


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, DAY).get()


@pytest.fixture(scope="module")
def people_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Province T99 (communes T99000 Xã An Bình, T99001 ...) and one account per persona: built once for the
    module (``built_once``), each test in a savepoint of it."""
    with built_once(django_db_blocker):
        ensure_official_register()
        import_example_units()
        seed_criteria_sets()
        da_nang = Unit.objects.with_code("48", DAY).get()
        yield {
            "province": create_user("tinh", Role.PROVINCE_OFFICER, unit("T99")),
            "commune": create_user("xa", Role.COMMUNE_OFFICER, unit("T99000")),
            "other_province": create_user("tinh_khac", Role.PROVINCE_OFFICER, da_nang),
            "approver": create_user("chutich", Role.APPROVER, unit("T99000")),
            "province_approver": create_user("chutichtinh", Role.APPROVER, unit("T99")),
            "reporter": create_user("coquan", Role.ORG_REPORTER, unit("AG-T99000-006")),
            "viewer": create_user("xem", Role.VIEWER, unit("T99")),
        }


@pytest.fixture
def people(people_once: dict[str, Any], db: None) -> dict[str, Any]:
    return people_once


def client(user: Any = None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def to_review(code: str, answers: dict[str, Any] | None = None) -> Recognition:
    ra = unit(code)
    rec = do_register(SYSTEM, ra, Y, households_committed=ra.households)
    rec = do_self_assess(SYSTEM, rec, answers=answers or RA_ANSWERS, review_meeting_on=dt.date(Y, 10, 20))
    rec = do_submit(SYSTEM, rec)
    return do_start_review(SYSTEM, rec)


def grid_url(code: str = "T99000", year: int = Y) -> str:
    return reverse("recognition:commune", args=[code, year])


# --- role checks inside the actions ------------------------------------------------------------------


def test_actions_refuse_users_outside_their_role_or_scope(people: dict[str, Any]) -> None:
    mine, elsewhere = unit("KDC-T99000-01"), unit("KDC-T99001-03")
    commune = Actor(user=people["commune"])
    with pytest.raises(ActionError, match="Bạn không có quyền đăng ký đối với Khu phố 3"):
        do_register(commune, elsewhere, Y)
    with pytest.raises(ActionError, match="không có quyền đăng ký"):
        do_register(Actor(user=people["approver"]), mine, Y)  # approvers decide, they do not capture
    with pytest.raises(ActionError, match="không có quyền đăng ký"):
        do_register(Actor(user=people["viewer"]), mine, Y)
    rec = do_register(commune, mine, Y, households_committed=234)
    rec = do_self_assess(commune, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(Y, 10, 20))
    rec = do_submit(commune, rec)
    rec = do_start_review(commune, rec)
    with pytest.raises(ActionError, match="không có quyền ra quyết định công nhận"):
        do_recognise_many(commune, [mine], Y, decision_no="1/QĐ", decision_date=dt.date(Y, 12, 1), signer_name="A")
    with pytest.raises(ActionError, match="không có quyền ra quyết định công nhận đối với Khu phố 1"):
        do_recognise_many(Actor(user=people["other_province"]), [mine], Y, decision_no="1/QĐ",
                          decision_date=dt.date(Y, 12, 1), signer_name="A")
    assert Recognition.objects.get(pk=rec.pk).status == Status.UNDER_REVIEW
    done = do_recognise_many(Actor(user=people["approver"]), [mine], Y, decision_no="1/QĐ-UBND",
                             decision_date=dt.date(Y, 12, 1), signer_name="Võ Văn Thành")
    assert done[0].status == Status.RECOGNISED
    assert RecognitionEvent.objects.filter(recognition=rec, action="decide").get().user == people["approver"]


def test_organisation_reporter_registers_only_its_own_organisation_and_cannot_start_the_review(
        people: dict[str, Any]) -> None:
    reporter = Actor(user=people["reporter"])
    with pytest.raises(ActionError, match="không có quyền"):
        do_register(reporter, unit("AG-T99001-001"), Y)
    rec = do_register(reporter, unit("AG-T99000-006"), Y)
    rec = do_self_assess(reporter, rec, answers=AGENCY_ANSWERS, review_meeting_on=dt.date(Y, 10, 1))
    rec = do_submit(reporter, rec)
    with pytest.raises(ActionError, match="không có quyền thẩm định"):
        do_start_review(reporter, rec)
    assert do_start_review(Actor(user=people["province"]), rec).status == Status.UNDER_REVIEW


# --- the commune's grid ----------------------------------------------------------------------------------


def test_grid_access_by_persona(people: dict[str, Any]) -> None:
    for who in ("province", "commune", "viewer", "approver"):
        response = client(people[who]).get(grid_url())
        assert response.status_code == 200, who
        assert "Khu phố 1" in response.content.decode()
    assert client(people["other_province"]).get(grid_url()).status_code == 404
    assert client(people["commune"]).get(grid_url("T99001")).status_code == 404  # another commune
    assert client(people["reporter"]).get(grid_url()).status_code == 404
    anonymous = client().get(grid_url())
    assert anonymous.status_code == 302 and "/tai-khoan/dang-nhap/" in anonymous["Location"]
    # A viewer sees the grid but may not save it.
    assert client(people["viewer"]).post(grid_url(), {"v-1": "0"}).status_code == 403


def test_grid_lists_the_units_subject_to_the_standard_in_vietnamese_order(people: dict[str, Any]) -> None:
    response = client(people["commune"]).get(grid_url())
    lines = response.context["lines"]
    codes = [line.unit.code for line in lines]
    expected = list(Unit.objects.in_subtree(unit("T99000")).valid_on(DAY).subject_to_standard().vi_ordered()
                    .values_list("code", flat=True))
    assert codes == expected and "T99000" in codes  # the commune itself is on its grid
    assert "NX-T99000-000" not in codes  # a primary school: outside the standard
    area = next(line for line in lines if line.unit.code == "KDC-T99000-01")
    assert (area.answered, area.total, area.status) == (0, 6, Status.NOT_REGISTERED)


def test_grid_saves_edited_rows_in_one_htmx_post(people: dict[str, Any]) -> None:
    assessed = do_register(SYSTEM, unit("KDC-T99000-02"), Y, households_committed=151)
    assessed = do_self_assess(SYSTEM, assessed, answers=RA_ANSWERS, review_meeting_on=dt.date(Y, 10, 20))
    area = unit("KDC-T99000-01")
    response = client(people["commune"]).post(grid_url(), {
        f"v-{area.pk}": "0", f"reg-{area.pk}": "1", f"hh-{area.pk}": "230",
        f"v-{assessed.unit_id}": str(assessed.version), f"adv-{assessed.unit_id}": "submit",
        f"v-{unit('KDC-T99000-03').pk}": "0",  # listed but untouched
    }, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Đã lưu 2 dòng." in response.content.decode()
    registered = Recognition.objects.get(unit=area, year=Y)
    assert (registered.status, registered.households_committed) == (Status.REGISTERED, 230)
    assert Recognition.objects.get(pk=assessed.pk).status == Status.SUBMITTED
    assert not Recognition.objects.filter(unit__code="KDC-T99000-03").exists()
    line = next(x for x in response.context["lines"] if x.unit.pk == area.pk)
    assert line.answered == 0 and line.registered


def test_grid_without_htmx_redirects_after_saving(people: dict[str, Any]) -> None:
    area = unit("KDC-T99000-01")
    response = client(people["commune"]).post(grid_url() + "?kind=residential_area",
                                              {f"v-{area.pk}": "0", f"reg-{area.pk}": "on", f"hh-{area.pk}": "200"})
    assert response.status_code == 302 and response["Location"].endswith("?kind=residential_area")
    assert Recognition.objects.get(unit=area, year=Y).status == Status.REGISTERED


def test_grid_refuses_a_stale_row_and_saves_nothing(people: dict[str, Any]) -> None:
    a, b = unit("KDC-T99000-01"), unit("KDC-T99000-02")
    rec = do_register(SYSTEM, b, Y, households_committed=151)
    read_version = rec.version
    do_self_assess(SYSTEM, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(Y, 10, 20))  # someone else saves
    audit_before = AuditEntry.objects.count()
    response = client(people["commune"]).post(grid_url(), {
        f"v-{a.pk}": "0", f"reg-{a.pk}": "1", f"hh-{a.pk}": "200",
        f"v-{b.pk}": str(read_version), f"adv-{b.pk}": "submit",
    }, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "vừa được người khác cập nhật" in text and "CHƯA dòng nào được lưu" in text
    assert not Recognition.objects.filter(unit=a).exists()  # all or nothing
    assert Recognition.objects.get(unit=b).status == Status.SELF_ASSESSED
    assert AuditEntry.objects.count() == audit_before
    # The user's input is kept on the page.
    line = next(x for x in response.context["lines"] if x.unit.pk == a.pk)
    assert line.posted["reg"] is True
    # A record created meanwhile by someone else is stale for a grid read without it.
    do_register(SYSTEM, a, Y, households_committed=50)
    response = client(people["commune"]).post(grid_url(), {f"v-{a.pk}": "0", f"hh-{a.pk}": "100"})
    assert "vừa được người khác cập nhật" in response.content.decode()
    assert Recognition.objects.get(unit=a).households_committed == 50


def test_grid_refuses_rows_the_user_may_not_move(people: dict[str, Any]) -> None:
    rec = do_register(SYSTEM, unit("KDC-T99000-02"), Y, households_committed=151)
    rec = do_self_assess(SYSTEM, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(Y, 10, 20))
    rec = do_submit(SYSTEM, rec)
    area = unit("KDC-T99000-01")
    # The approver may start the review but may not register.
    response = client(people["approver"]).post(grid_url(), {
        f"v-{area.pk}": "0", f"reg-{area.pk}": "1", f"v-{rec.unit_id}": str(rec.version),
        f"adv-{rec.unit_id}": "start_review"})
    assert "Bạn không có quyền đăng ký đối với Khu phố 1" in response.content.decode()
    assert Recognition.objects.get(pk=rec.pk).status == Status.SUBMITTED
    response = client(people["approver"]).post(grid_url(), {f"v-{rec.unit_id}": str(rec.version),
                                                            f"adv-{rec.unit_id}": "start_review"})
    assert response.status_code == 302
    assert Recognition.objects.get(pk=rec.pk).status == Status.UNDER_REVIEW


def test_grid_filters_search_and_paging(people: dict[str, Any]) -> None:
    do_register(SYSTEM, unit("KDC-T99000-01"), Y, households_committed=234)
    c = client(people["commune"])

    def codes(query: str) -> list[str]:
        response = c.get(grid_url() + query)
        assert response.status_code == 200, query
        return [line.unit.code for line in response.context["lines"]]

    assert set(codes("?kind=residential_area")) == {f"KDC-T99000-0{i}" for i in range(1, 6)}
    assert codes("?status=registered") == ["KDC-T99000-01"]
    assert "KDC-T99000-01" not in codes("?status=not_registered")
    assert set(codes("?q=khu pho")) == {"KDC-T99000-01", "KDC-T99000-02"}  # "Khu phố" without diacritics
    assert codes("?q=xa an binh") == ["T99000"]
    # Bad filters are ignored or empty, never a 500.
    for query in ("?kind=bogus", "?status=bogus", "?page=abc", "?page=999", "?q=" + "x" * 500):
        assert c.get(grid_url() + query).status_code == 200, query
    for bad in (grid_url(year=1999), grid_url(year=99999), grid_url("NOPE"), grid_url("T99")):
        assert c.get(bad).status_code == 404, bad


def test_grid_excel_export(people: dict[str, Any]) -> None:
    do_register(SYSTEM, unit("KDC-T99000-01"), Y, households_committed=234)
    response = client(people["province"]).get(reverse("recognition:commune_export", args=["T99000", Y])
                                              + "?kind=residential_area")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="antt-T99000-2025.xlsx"' in response["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert "Xã An Bình" in rows[0][0]
    assert rows[1][:3] == ("Mã", "Tên đơn vị", "Loại")
    body = {r[0]: r for r in rows[2:]}
    assert set(body) == {f"KDC-T99000-0{i}" for i in range(1, 6)}
    first = body["KDC-T99000-01"]
    assert first[1] == "Khu phố 1" and first[3] is not None and first[4] == 234 and first[5] == 234
    assert first[8] == "Đã đăng ký" and body["KDC-T99000-02"][8] == "Chưa đăng ký"
    assert client(people["other_province"]).get(
        reverse("recognition:commune_export", args=["T99000", Y])).status_code == 404


def test_grid_query_count_is_pinned(people: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    for code in ("KDC-T99000-01", "KDC-T99000-02"):
        to_review(code)
    c = client(people["commune"])
    c.get(grid_url())  # warm the session
    # 10 for the grid (whatever the number of rows) and a few for the other apps' annual sections.
    # 20 since the activities and completeness sections, 23 with forces (3), 24 with classification (1), 28 with
    # budget (4), plans (PLANS_QUERIES: 2 with no plan in force: the plans, the steering committee) and the
    # user's scopes read once per request (accounts.access): 29 in all
    with django_assert_max_num_queries(29):
        response = c.get(grid_url())
    assert response.status_code == 200


# --- the unit's checklist -----------------------------------------------------------------------------


def unit_url(code: str = "KDC-T99000-01", year: int = Y) -> str:
    return reverse("recognition:unit", args=[code, year])


def test_unit_page_access_by_persona(people: dict[str, Any]) -> None:
    for who in ("province", "commune", "viewer", "approver"):
        assert client(people[who]).get(unit_url()).status_code == 200, who
    assert client(people["other_province"]).get(unit_url()).status_code == 404
    assert client().get(unit_url()).status_code == 302
    assert client(people["commune"]).get(unit_url("NX-T99000-000")).status_code == 404  # outside the standard
    assert client(people["commune"]).get(unit_url(year=1800)).status_code == 404
    # Seen but not changeable: a viewer's move is refused and writes nothing.
    response = client(people["viewer"]).post(unit_url(), {"action": "register", "register-version": "0"})
    assert response.status_code == 403 and not Recognition.objects.exists()
    assert client(people["commune"]).post(unit_url(), {"action": "bogus"}).status_code == 400


def test_unit_page_takes_a_unit_through_the_cycle(people: dict[str, Any]) -> None:
    officer, approver = client(people["commune"]), client(people["approver"])
    page = officer.get(unit_url())
    assert "01/11/2024 – 31/10/2025" in page.content.decode()  # the residential areas' window
    response = officer.post(unit_url(), {"action": "register", "register-version": "0",
                                         "register-households_committed": "234",
                                         "register-registered_on": "2025-02-01"})
    assert response.status_code == 302
    rec = Recognition.objects.get(unit__code="KDC-T99000-01", year=Y)
    assert (rec.status, rec.registered_on) == (Status.REGISTERED, dt.date(2025, 2, 1))
    page = officer.get(unit_url())
    fields = {c.code: f"checklist-c{c.pk}" for c in page.context["forms"]["self_assess"].criteria}
    answers = {"action": "self_assess", "checklist-version": str(rec.version),
               "checklist-review_meeting_on": "20/10/2025",
               fields["dang-ky-quy-1"]: "yes", fields["chinh-sach-quy-uoc"]: "yes",
               fields["khong-vu-viec-nghiem-trong"]: "0",
               fields["kiem-che-toi-pham"] + "_current": "3", fields["kiem-che-toi-pham"] + "_previous": "5"}
    missing = officer.post(unit_url(), answers)  # one criterion unanswered: refused with its name
    assert missing.status_code == 200 and "Tiêu chí 6 (luc-luong-co-so): chưa có câu trả lời." in \
        missing.content.decode()
    assert officer.post(unit_url(), answers | {fields["luc-luong-co-so"]: "yes"}).status_code == 302
    rec.refresh_from_db()
    assert rec.status == Status.SELF_ASSESSED and rec.checklist_met is True and len(rec.answers) == 6
    assert officer.post(unit_url(), {"action": "submit", "submit-version": str(rec.version)}).status_code == 302
    rec.refresh_from_db()
    # The commune officer may not decide; the approver starts the review and decides after confirming.
    assert officer.post(unit_url(), {"action": "decide"}).status_code == 403
    assert approver.post(unit_url(), {"action": "start_review",
                                      "review-version": str(rec.version)}).status_code == 302
    rec.refresh_from_db()
    decision = {"action": "decide", "decide-version": str(rec.version), "decide-result": "dat",
                "decide-decision_no": "15/QĐ-UBND", "decide-decision_date": "2025-12-15",
                "decide-signer_name": "Võ Văn Thành"}
    asked = approver.post(unit_url(), decision)
    assert asked.status_code == 200 and asked.context["confirming"] == "decide"
    assert Recognition.objects.get(pk=rec.pk).status == Status.UNDER_REVIEW
    assert approver.post(unit_url(), decision | {"decide-confirm": "1"}).status_code == 302
    rec.refresh_from_db()
    assert (rec.status, rec.decision_no, rec.signer_name) == (Status.RECOGNISED, "15/QĐ-UBND", "Võ Văn Thành")
    page = approver.get(unit_url()).content.decode()
    assert reverse("recognition:certificate", args=["KDC-T99000-01", Y]) in page
    assert 'id="audit-history"' in page and "recognition.recognition" in page
    assert [e.action for e in page_events(approver)] == ["register", "self_assess", "submit", "start_review",
                                                         "decide"]
    # Withdraw: a reason, then a confirmation.
    withdraw = {"action": "withdraw", "withdraw-version": str(rec.version), "withdraw-reason": "Sai sót hồ sơ."}
    assert approver.post(unit_url(), withdraw).context["confirming"] == "withdraw"
    assert approver.post(unit_url(), withdraw | {"withdraw-confirm": "1"}).status_code == 302
    assert Recognition.objects.get(pk=rec.pk).status == Status.WITHDRAWN


def page_events(c: Client) -> list[RecognitionEvent]:
    return c.get(unit_url()).context["events"]


def test_unit_page_refuses_a_stale_form(people: dict[str, Any]) -> None:
    rec = do_register(SYSTEM, unit("KDC-T99000-01"), Y, households_committed=234)
    stale = rec.version
    do_self_assess(SYSTEM, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(Y, 10, 20))
    response = client(people["commune"]).post(unit_url(), {"action": "withdraw", "withdraw-version": str(stale),
                                                           "withdraw-reason": "Rút.", "withdraw-confirm": "1"})
    assert response.status_code == 200 and "vừa được người khác cập nhật" in response.content.decode()
    assert Recognition.objects.get(pk=rec.pk).status == Status.SELF_ASSESSED


def test_unit_page_shows_the_overdue_flag(people: dict[str, Any]) -> None:
    do_register(SYSTEM, unit("KDC-T99000-01"), 2024, households_committed=200)
    response = client(people["commune"]).get(unit_url(year=2024))
    assert response.context["overdue"] is True  # the 2024 window closed on 31/10/2024
    assert 'id="overdue"' in response.content.decode()


# --- the province page --------------------------------------------------------------------------------


def province_url(code: str = "T99", year: int = Y) -> str:
    return reverse("recognition:province", args=[code, year])


def test_province_page_lists_every_commune_with_its_counts(people: dict[str, Any]) -> None:
    to_review("KDC-T99000-01")
    do_recognise_many(SYSTEM, [unit("KDC-T99000-01")], Y, decision_no="1/QĐ-UBND", decision_date=dt.date(Y, 12, 1),
                      signer_name="A")
    response = client(people["province"]).get(province_url())
    assert response.status_code == 200
    children = {c["unit"]["code"]: c for c in response.context["children"]}
    assert set(children) >= {"T99000", "T99001", "T99002", "T99003", "T99004", "T99005"}
    an_binh = children["T99000"]
    assert an_binh["recognition"]["residential_area"]["recognised"] == 1
    assert an_binh["recognition"]["residential_area"]["total"] == 5
    text = response.content.decode()
    assert 'id="recognition-section"' in text and 'id="headline"' in text
    assert reverse("recognition:commune", args=["T99000", Y]) in text
    assert client(people["viewer"]).get(province_url()).status_code == 200
    for who in ("commune", "other_province", "approver"):
        assert client(people[who]).get(province_url()).status_code == 404, who
    assert client().get(province_url()).status_code == 302
    assert client(people["province"]).get(province_url("T99000")).status_code == 404  # a commune


def test_province_page_query_count_is_pinned(people: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    to_review("KDC-T99000-01")
    c = client(people["province"])
    c.get(province_url())
    # One query for every commune's counts, one per annual section, none per commune.
    # the activities, completeness, forces (3), classification (1), budget (4) and plans (2: the plans, the
    # steering committee) sections: a fixed number each; and the user's scopes, read once per request: 24 in all
    with django_assert_max_num_queries(24):
        assert c.get(province_url()).status_code == 200


def test_commune_page_renders_the_annual_sections(people: dict[str, Any]) -> None:
    text = client(people["commune"]).get(grid_url()).content.decode()
    assert 'id="recognition-section"' in text


# --- one decision for many units ----------------------------------------------------------------------


def bulk_url(code: str = "T99000") -> str:
    return reverse("recognition:bulk", args=[code, Y])


def test_bulk_recognition_by_the_commune_chairman(people: dict[str, Any]) -> None:
    a, b = to_review("KDC-T99000-01"), to_review("KDC-T99000-02")
    waiting = do_register(SYSTEM, unit("KDC-T99000-03"), Y, households_committed=216)
    waiting = do_self_assess(SYSTEM, waiting, answers=RA_ANSWERS, review_meeting_on=dt.date(Y, 10, 20))
    approver = client(people["approver"])
    page = approver.get(bulk_url())
    assert [r.unit.code for r in page.context["ready"]] == ["KDC-T99000-01", "KDC-T99000-02"]
    assert [r.unit.code for r in page.context["waiting"]] == ["KDC-T99000-03"]
    response = approver.post(bulk_url(), {"units": [a.unit_id, b.unit_id], "decision_no": "20/QĐ-UBND",
                                          "decision_date": "2025-12-10", "signer_name": "Võ Văn Thành"})
    assert response.status_code == 302
    assert set(Recognition.objects.passed().values_list("unit__code", flat=True)) == {"KDC-T99000-01",
                                                                                      "KDC-T99000-02"}
    decisions = approver.get(bulk_url()).context["decisions"]
    assert [(d["decision_no"], d["n"]) for d in decisions] == [("20/QĐ-UBND", 2)]


def test_bulk_recognition_is_all_or_nothing_with_a_message_per_unit(people: dict[str, Any]) -> None:
    good = to_review("KDC-T99000-01")
    bad = to_review("KDC-T99000-02", RA_ANSWERS | {"khong-vu-viec-nghiem-trong": 2})
    response = client(people["approver"]).post(bulk_url(), {
        "units": [good.unit_id, bad.unit_id], "decision_no": "21/QĐ-UBND", "decision_date": "2025-12-10",
        "signer_name": "Võ Văn Thành"})
    assert response.status_code == 200
    assert "Khu phố 2: chưa đạt các tiêu chí antt-khu-dan-cu/khong-vu-viec-nghiem-trong." in response.context["refused"]
    assert not Recognition.objects.passed().exists()
    empty = client(people["approver"]).post(bulk_url(), {"decision_no": "", "signer_name": ""})
    assert empty.status_code == 200 and "Chưa chọn đơn vị nào." in empty.content.decode()


def test_bulk_page_is_for_deciders_in_scope(people: dict[str, Any]) -> None:
    assert client(people["province_approver"]).get(bulk_url("T99")).status_code == 200
    assert client(people["approver"]).get(bulk_url("T99")).status_code == 404  # the province is not in view
    for who in ("province", "commune", "viewer"):
        assert client(people[who]).get(bulk_url()).status_code == 403, who
    assert client(people["other_province"]).get(bulk_url()).status_code == 404
    assert client().get(bulk_url()).status_code == 302


def test_province_chairman_recognises_communes_and_province_managed_units(people: dict[str, Any]) -> None:
    agency = do_register(SYSTEM, unit("AG-T99000-006"), Y)  # managed by the province
    agency = do_self_assess(SYSTEM, agency, answers=AGENCY_ANSWERS, review_meeting_on=dt.date(Y, 10, 1))
    do_start_review(SYSTEM, do_submit(SYSTEM, agency))
    to_review("KDC-T99000-01")  # the commune chairman's
    page = client(people["province_approver"]).get(bulk_url("T99"))
    assert [r.unit.code for r in page.context["ready"]] == ["AG-T99000-006"]


# --- documents ----------------------------------------------------------------------------------------


def test_certificate_and_decision_downloads(people: dict[str, Any]) -> None:
    to_review("KDC-T99000-01")
    to_review("KDC-T99000-02")
    do_recognise_many(SYSTEM, [unit("KDC-T99000-01"), unit("KDC-T99000-02")], Y, decision_no="30/QĐ-UBND",
                      decision_date=dt.date(Y, 12, 10), signer_name="Võ Văn Thành")
    c = client(people["commune"])
    pdf = c.get(reverse("recognition:certificate", args=["KDC-T99000-01", Y]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    query = "?decision=30/QĐ-UBND"
    both = c.get(reverse("recognition:decision_certificates", args=["T99000", Y]) + query)
    assert both.status_code == 200 and both.content.startswith(b"%PDF")
    docx = c.get(reverse("recognition:decision_docx", args=["T99000", Y]) + query)
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert "quyet-dinh-T99000-2025-30-QD-UBND.docx" in docx["Content-Disposition"]
    # Not recognised, unknown decision, or out of scope: 404.
    assert c.get(reverse("recognition:certificate", args=["KDC-T99000-03", Y])).status_code == 404
    assert c.get(reverse("recognition:decision_docx", args=["T99000", Y]) + "?decision=99/QĐ").status_code == 404
    assert c.get(reverse("recognition:decision_docx", args=["T99000", Y])).status_code == 404
    other = client(people["other_province"])
    assert other.get(reverse("recognition:certificate", args=["KDC-T99000-01", Y])).status_code == 404
    assert other.get(reverse("recognition:decision_certificates", args=["T99000", Y]) + query).status_code == 404


# --- navigation and the demo --------------------------------------------------------------------------


def test_index_leads_each_persona_to_its_page(people: dict[str, Any]) -> None:
    year = dt.date.today().year  # noqa: DTZ011  (the view uses the local date; a year boundary is not at stake)
    assert client(people["commune"]).get(reverse("recognition:index"))["Location"] == grid_url("T99000", year)
    assert client(people["province"]).get(reverse("recognition:index"))["Location"] == province_url("T99", year)
    assert client(people["reporter"]).get(reverse("recognition:index"))["Location"] == \
        unit_url("AG-T99000-006", year)
    unit_page = client(people["province"]).get(reverse("units:detail", args=[unit("T99000").pk])).content.decode()
    assert reverse("recognition:commune", args=["T99000", year]) in unit_page
    assert reverse("recognition:index") in unit_page  # the navbar entry


# --- the route walker (tests/test_access_routes.py) ----------------------------------------------------

# Route -> which unit of a walker's target (a residential area) it is about: the area itself, its
# commune or its province. Every recognition route with arguments must be listed here.
RECOGNITION_ROUTES = {
    "recognition:unit": "unit", "recognition:certificate": "unit",
    "recognition:commune": "commune", "recognition:commune_export": "commune", "recognition:bulk": "commune",
    "recognition:decision_certificates": "commune", "recognition:decision_docx": "commune",
    "recognition:province": "province",
}


def check_recognition_route(world: Any, persona: Any, name: str) -> None:
    """For each target's unit, commune and province: anonymous visitors are sent to sign in; a persona
    that cannot see the target gets 403/404 (405 for a POST to a download); a visible unit's page shows
    it; no answer shows a marker the persona may not see; a refused request writes nothing; no 500."""
    from tests.personas import MARKERS, leaked_markers
    from tests.test_access_routes import assert_anonymous_refused, body_text, snapshot

    for key, target in world.targets.items():
        about = {"unit": target, "commune": target.parent, "province": target.parent.parent}[RECOGNITION_ROUTES[name]]
        url = reverse(name, args=[about.code, Y]) + ("?decision=1/QĐ-UBND" if "decision" in name else "")
        for method in ("get", "post"):
            before = snapshot()
            response = persona.client().get(url) if method == "get" else persona.client().post(url, {})
            code = response.status_code
            where = (persona.name, name, key, method, code)
            assert code < 500, where
            if persona.user is None:
                assert_anonymous_refused(name, response)
            elif key not in persona.sees:
                assert code in (403, 404, 405), where
            elif name == "recognition:unit" and method == "get":
                assert code == 200 and MARKERS[key] in body_text(response), where
            if code == 200:
                body = body_text(response)
                assert not leaked_markers(persona, body), (*where, leaked_markers(persona, body))
            if persona.user is None or key not in persona.sees or method == "post":
                assert snapshot() == before, (*where, "a refused or empty request wrote something")


def test_only_the_competent_chairmans_approver_records_the_decision(people: dict[str, Any]) -> None:
    """A province-managed agency in commune T99000 is recognised by the province's chairman: the
    commune's approver is refused (although the agency is in their scope), the province's is not."""
    agency = unit("AG-T99000-006")
    rec = do_register(SYSTEM, agency, Y)
    rec = do_self_assess(SYSTEM, rec, answers=AGENCY_ANSWERS, review_meeting_on=dt.date(Y, 10, 20))
    rec = do_start_review(SYSTEM, do_submit(SYSTEM, rec))
    decision = {"recognised": True, "decision_no": "12/QĐ-UBND", "decision_date": dt.date(Y, 12, 10),
                "signer_name": "Nguyễn Văn A"}
    with pytest.raises(ActionError) as refused:
        do_decide(Actor(user=people["approver"]), rec, **decision)
    assert "Thẩm quyền công nhận thuộc Chủ tịch UBND" in str(refused.value.errors)
    with pytest.raises(ActionError):
        do_recognise_many(Actor(user=people["approver"]), [agency], Y, decision_no="12/QĐ-UBND",
                          decision_date=dt.date(Y, 12, 10), signer_name="Nguyễn Văn A")
    assert Recognition.objects.get(pk=rec.pk).status == Status.UNDER_REVIEW
    done = do_decide(Actor(user=people["province_approver"]), rec, **decision)
    assert done.status == Status.RECOGNISED and done.authority == unit("T99")


# --- forms that guide ---------------------------------------------------------------------------------


def test_grid_refuses_registering_an_area_without_its_households_next_to_its_row(people: dict[str, Any]) -> None:
    area, agency = unit("KDC-T99000-01"), unit("AG-T99000-006")
    response = client(people["commune"]).post(grid_url(), {
        f"v-{area.pk}": "0", f"reg-{area.pk}": "1", f"v-{agency.pk}": "0", f"reg-{agency.pk}": "1",
    }, headers={"HX-Request": "true"})
    text = response.content.decode()
    assert response.status_code == 200 and not Recognition.objects.exists()  # all or nothing
    message = "Phải nhập số hộ ký cam kết của Khu phố 1: tiêu chí 2 (ho-ky-cam-ket) được tính từ số hộ này."
    row = text[text.index('id="row-KDC-T99000-01"'):]
    row = row[:row.index("</tr>")]
    # The message sits in the row, which the page scrolls to (data-row-error), and the summary links there.
    assert message in row and "data-row-error" in row and f'id="row-errors-{area.pk}"' in row
    assert f'<a class="alert-link" href="#row-KDC-T99000-01">{area.name}</a>: {message}' in text
    other = text[text.index('id="row-AG-T99000-006"'):]
    assert "data-row-error" not in other[:other.index("</tr>")]
    # The area's household count is context beside the input, never a placeholder that looks typed.
    assert "placeholder" not in row and "trên 234 hộ" in row


def test_decision_form_validates_before_asking_for_the_confirmation(people: dict[str, Any]) -> None:
    rec = to_review("KDC-T99000-01")
    approver = client(people["approver"])
    decision = {"action": "decide", "decide-version": str(rec.version), "decide-result": "dat",
                "decide-decision_no": "", "decide-decision_date": "15/12/2025", "decide-signer_name": "Võ Văn Thành"}
    refused = approver.post(unit_url(), decision)
    assert refused.context["confirming"] == "" and "Phải có số quyết định." in refused.content.decode()
    assert 'id="confirm-decide"' not in refused.content.decode()
    # A decision dated before the dossier was submitted is refused before the question too.
    submitted = Recognition.objects.get(pk=rec.pk).submitted_on
    early = approver.post(unit_url(), decision | {"decide-decision_no": "15/QĐ-UBND",
                                                  "decide-decision_date": "01/10/2025"})
    assert early.context["confirming"] == ""
    assert (f"Ngày quyết định 01/10/2025 trước ngày bắt đầu thẩm định {submitted:%d/%m/%Y} của Khu phố 1"
            in early.content.decode())
    # Valid: asked once, nothing written by the rehearsal (no event, no audit row), then confirmed.
    audit_before = AuditEntry.objects.count()
    asked = approver.post(unit_url(), decision | {"decide-decision_no": "15/QĐ-UBND"})
    assert asked.context["confirming"] == "decide" and 'id="confirm-decide"' in asked.content.decode()
    assert Recognition.objects.get(pk=rec.pk).status == Status.UNDER_REVIEW
    assert AuditEntry.objects.count() == audit_before
    done = approver.post(unit_url(), decision | {"decide-decision_no": "15/QĐ-UBND", "decide-confirm": "1"})
    assert done.status_code == 302 and Recognition.objects.get(pk=rec.pk).status == Status.RECOGNISED


def test_withdrawal_without_a_reason_is_refused_before_the_confirmation(people: dict[str, Any]) -> None:
    rec = to_review("KDC-T99000-01")
    response = client(people["approver"]).post(unit_url(), {"action": "withdraw",
                                                            "withdraw-version": str(rec.version),
                                                            "withdraw-reason": "   "})
    assert response.context["confirming"] == "" and 'id="confirm-withdraw"' not in response.content.decode()


def test_decision_signer_is_prefilled_from_the_competent_authority(people: dict[str, Any]) -> None:
    first = to_review("KDC-T99000-01")
    approver = client(people["approver"])
    form = approver.get(unit_url()).context["forms"]["decide"]
    # Nobody signed for Xã An Bình yet: the name is empty, the help says whose signature is needed.
    assert form["signer_name"].value() in ("", None)
    assert form.fields["signer_name"].help_text == "Người có thẩm quyền ký: Chủ tịch UBND Xã An Bình."
    do_decide(Actor(user=people["approver"]), first, recognised=True, decision_no="15/QĐ-UBND",
              decision_date=dt.date(Y, 12, 15), signer_name="Võ Văn Thành")
    to_review("KDC-T99000-02")
    form = approver.get(unit_url("KDC-T99000-02")).context["forms"]["decide"]
    assert form["signer_name"].value() == "Võ Văn Thành"
    bulk = approver.get(bulk_url()).context["form"]
    assert bulk["signer_name"].value() == "Võ Văn Thành"
    assert "Chủ tịch UBND Xã An Bình" in bulk.fields["signer_name"].help_text


def test_checklist_states_the_number_of_an_at_least_n_criterion(people: dict[str, Any]) -> None:
    agency = unit("AG-T99000-006")
    do_register(SYSTEM, agency, Y)
    text = client(people["province"]).get(unit_url("AG-T99000-006")).content.decode()
    assert "Có ít nhất 1" in text and "Có ít nhất N" not in text
    assert "Tỷ lệ đạt từ 100% trở lên" in text
