"""The annual report record (issue #13, item 5): the drafted report with the officer's slots, each save kept
with its history and checked against the version the page showed; the issue with a number, a date and the
signer lines, which freezes the figures; the notice when the live figures differ from the issued ones.
Personas: province and commune officers (write), the chairmen (issue), a viewer, another province's officer,
an anonymous visitor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.workflow import ActionError, AppendOnlyError, StaleVersion
from phongtrao.recognition.actions import do_recognise_many, do_register, do_self_assess, do_start_review, do_submit
from phongtrao.recognition.criteria import seed_criteria_sets
from phongtrao.reports.actions import do_issue_report, do_save_slot, frozen
from phongtrao.reports.annual import build_annual
from phongtrao.reports.models import AnnualReport, AnnualReportEvent, ReportStatus, SlotRevision
from phongtrao.reports.record import diff, figure_changes
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
# (route, needs a slot?) of every page of the record, for the route walk (tests/test_access_routes.py).
RECORD_ROUTES: dict[str, tuple[bool, str]] = {
    "reports_record:page": (False, "get"), "reports_record:history": (True, "get"),
    "reports_record:save_slot": (True, "post"), "reports_record:issue": (False, "post"),
    "reports_record:document": (False, "post"),
}


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, DAY).get()


@pytest.fixture(scope="module")
def people_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with built_once(django_db_blocker):
        ensure_official_register()
        import_example_units()
        seed_criteria_sets()
        yield {
            "province": create_user("tinh", Role.PROVINCE_OFFICER, unit("T99")),
            "province2": create_user("tinh2", Role.PROVINCE_OFFICER, unit("T99")),
            "commune": create_user("xa", Role.COMMUNE_OFFICER, unit("T99000")),
            "other_province": create_user("tinh_khac", Role.PROVINCE_OFFICER, unit("48")),
            "approver": create_user("chutich", Role.APPROVER, unit("T99000")),
            "province_approver": create_user("chutichtinh", Role.APPROVER, unit("T99")),
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


def page_url(code: str = "T99", year: int = Y) -> str:
    return reverse("reports_record:page", args=[code, year])


def slot_url(slot: str, code: str = "T99") -> str:
    return reverse("reports_record:save_slot", args=[code, Y, slot])


def recognise(*codes: str, decision: str = "30/QĐ-UBND") -> None:
    for code in codes:
        rec = do_register(SYSTEM, unit(code), Y, households_committed=unit(code).households)
        rec = do_self_assess(SYSTEM, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(Y, 10, 20))
        do_start_review(SYSTEM, do_submit(SYSTEM, rec))
    do_recognise_many(SYSTEM, [unit(c) for c in codes], Y, decision_no=decision, decision_date=dt.date(Y, 12, 10),
                      signer_name="Võ Văn Thành")


def issue_data(version: int, **extra: str) -> dict[str, Any]:
    return {"number": "125/BC-UBND", "issued_on": "20/12/2025", "signer_lines": "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\n"
            "PHÓ CHỦ TỊCH", "signer_name": "Trần Văn Bình", "version": version, **extra}


# --- the page --------------------------------------------------------------------------------------------


def test_page_shows_the_drafted_report_with_a_text_area_per_slot(people: dict[str, Any]) -> None:
    response = client(people["province"]).get(page_url())
    assert response.status_code == 200
    body = response.content.decode()
    for slot in ("situation", "shortcomings", "lessons", "tasks"):
        assert f'name="{slot}-text"' in body and f'id="slot-{slot}"' in body
    # Every figure and sentence of the document: the recognition section's sentence and table.
    assert "Xây dựng tiêu chuẩn “An toàn về an ninh, trật tự”" in body
    assert f"Năm 2025, {unit('T99').name} có" in body
    assert "I. TÌNH HÌNH" in body and "V. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM TỚI" in body
    assert not AnnualReport.objects.exists()  # a read writes nothing


def test_page_access_by_persona(people: dict[str, Any]) -> None:
    assert client().get(page_url()).status_code == 302
    assert client(people["other_province"]).get(page_url()).status_code == 404
    assert client(people["commune"]).get(page_url()).status_code == 404  # the province is not in its view
    assert client(people["province"]).get(page_url("T-NO-SUCH")).status_code == 404
    assert client(people["province"]).get(page_url("KDC-T99000-01")).status_code == 404  # not a commune
    assert client(people["province"]).get(page_url("T99000")).status_code == 200
    viewer = client(people["viewer"]).get(page_url()).content.decode()
    assert 'name="situation-text"' not in viewer and 'id="issue"' not in viewer
    commune = client(people["commune"]).get(page_url("T99000")).content.decode()
    assert 'name="situation-text"' in commune and 'id="issue"' not in commune
    approver = client(people["approver"]).get(page_url("T99000")).content.decode()
    assert 'name="situation-text"' not in approver and 'id="issue"' in approver


def test_the_province_and_commune_pages_link_to_the_record(people: dict[str, Any]) -> None:
    c = client(people["province"])
    assert page_url() in c.get(reverse("recognition:province", args=["T99", Y])).content.decode()
    assert page_url("T99000") in c.get(reverse("recognition:commune", args=["T99000", Y])).content.decode()


def test_saving_a_slot_keeps_every_revision_with_who_and_when(people: dict[str, Any]) -> None:
    c = client(people["province"])
    first = c.post(slot_url("shortcomings"), {"shortcomings-text": "Một số xã chậm gửi báo cáo.",
                                               "shortcomings-number": 0})
    assert first.status_code == 302 and first["Location"].endswith("#slot-shortcomings")
    second = client(people["province2"]).post(slot_url("shortcomings"), {
        "shortcomings-text": "Một số xã chậm gửi báo cáo; số liệu chưa khớp.", "shortcomings-number": 1})
    assert second.status_code == 302
    report = AnnualReport.objects.get(unit=unit("T99"), year=Y)
    assert report.texts == {"shortcomings": "Một số xã chậm gửi báo cáo; số liệu chưa khớp."}
    assert list(SlotRevision.objects.filter(report=report).order_by("number")
                .values_list("number", "text", "user__username")) == [
        (1, "Một số xã chậm gửi báo cáo.", "tinh"), (2, "Một số xã chậm gửi báo cáo; số liệu chưa khớp.", "tinh2")]
    assert list(AnnualReportEvent.objects.filter(report=report).values_list("action", flat=True)) == [
        "create", "write", "write"]
    assert AuditEntry.objects.filter(action="annual_report.write").count() == 2
    body = c.get(page_url()).content.decode()
    assert "số liệu chưa khớp" in body and reverse("reports_record:history", args=["T99", Y, "shortcomings"]) in body
    history = c.get(reverse("reports_record:history", args=["T99", Y, "shortcomings"]))
    text = history.content.decode()
    assert history.status_code == 200 and "Lần lưu 2" in text and "Lần lưu 1" in text and "tinh2" in text
    assert text.index("Lần lưu 2") < text.index("Lần lưu 1")  # newest first
    assert c.get(reverse("reports_record:history", args=["T99", Y, "nothing"])).status_code == 404
    # An unchanged text writes no revision.
    c.post(slot_url("shortcomings"), {"shortcomings-text": report.texts["shortcomings"], "shortcomings-number": 2})
    assert SlotRevision.objects.filter(report=report).count() == 2


def test_a_save_from_a_stale_page_is_refused_and_keeps_the_other_text(people: dict[str, Any]) -> None:
    a, b = client(people["province"]), client(people["province2"])
    assert a.post(slot_url("lessons"), {"lessons-text": "Bài học của A", "lessons-number": 0}).status_code == 302
    stale = b.post(slot_url("lessons"), {"lessons-text": "Bài học của B", "lessons-number": 0})
    assert stale.status_code == 200
    assert "vừa được người khác lưu sau khi bạn mở trang" in stale.content.decode()
    assert "Bài học của B" in stale.content.decode()  # the refused text is still in the form
    report = AnnualReport.objects.get(unit=unit("T99"), year=Y)
    assert report.texts == {"lessons": "Bài học của A"} and report.revisions.count() == 1
    with pytest.raises(StaleVersion):
        do_save_slot(Actor(people["province2"]), unit("T99"), Y, "lessons", "B", expected_number=0)


def test_who_may_write_and_who_may_issue(people: dict[str, Any]) -> None:
    data = {"situation-text": "Tình hình", "situation-number": 0}
    assert client(people["commune"]).post(slot_url("situation", "T99000"), data).status_code == 302
    assert client(people["viewer"]).post(slot_url("situation"), data).status_code == 403
    assert client(people["approver"]).post(slot_url("situation", "T99000"), data).status_code == 403
    assert client(people["other_province"]).post(slot_url("situation"), data).status_code == 404
    issue = reverse("reports_record:issue", args=["T99", Y])
    assert client(people["province"]).post(issue, issue_data(0)).status_code == 403
    assert client(people["approver"]).post(issue, issue_data(0)).status_code == 404  # province not in view
    with pytest.raises(ActionError):
        do_issue_report(Actor(people["province"]), unit("T99"), Y, number="1", issued_on=DAY, signer_lines=["X"],
                        signer_name="Y", expected_version=0)
    assert not AnnualReport.objects.filter(unit=unit("T99")).exists()


# --- the issue --------------------------------------------------------------------------------------------


def test_issue_freezes_the_figures_and_the_texts_and_a_later_change_shows(people: dict[str, Any]) -> None:
    recognise("KDC-T99000-01")
    writer, signer = client(people["province"]), client(people["province_approver"])
    writer.post(slot_url("shortcomings"), {"shortcomings-text": "Còn chậm.", "shortcomings-number": 0})
    report = AnnualReport.objects.get(unit=unit("T99"), year=Y)
    # The signer's form must carry the version they saw: a stale one is refused.
    assert signer.post(reverse("reports_record:issue", args=["T99", Y]),
                       issue_data(report.version - 1)).status_code == 200
    assert AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    missing = signer.post(reverse("reports_record:issue", args=["T99", Y]), issue_data(report.version, number=""))
    assert missing.status_code == 200 and AnnualReport.objects.get(pk=report.pk).status == ReportStatus.DRAFT
    before = frozen(build_annual(unit("T99"), Y))
    done = signer.post(reverse("reports_record:issue", args=["T99", Y]), issue_data(report.version))
    assert done.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.ISSUED and report.number == "125/BC-UBND"
    assert report.issued_on == dt.date(2025, 12, 20) and report.signer_name == "Trần Văn Bình"
    assert report.signer_lines == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert report.figures == before and report.previous_figures == frozen(build_annual(unit("T99"), Y - 1))
    assert report.figures["recognition"]["residential_area"]["recognised"] == 1
    assert AuditEntry.objects.filter(action="annual_report.issue").count() == 1
    page = writer.get(page_url()).content.decode()
    assert 'name="shortcomings-text"' not in page and "Còn chậm." in page and 'id="issue"' not in page
    assert "Số liệu đã thay đổi sau khi ban hành" not in page and figure_changes(report) == []
    # Frozen: a slot's save is refused and nothing is written.
    refused = writer.post(slot_url("shortcomings"), {"shortcomings-text": "Sửa", "shortcomings-number": 1})
    assert refused.status_code == 302 and SlotRevision.objects.filter(report=report).count() == 1
    with pytest.raises(ActionError):
        do_save_slot(Actor(people["province"]), unit("T99"), Y, "shortcomings", "Sửa", expected_number=1)
    # A second residential area is recognised after the issue: the page says so, with the difference.
    recognise("KDC-T99000-02", decision="31/QĐ-UBND")
    page = writer.get(page_url()).content.decode()
    assert "Số liệu đã thay đổi sau khi ban hành" in page
    assert "Tiêu chuẩn ANTT › Thôn, khu phố › Được công nhận" in page
    changes = {c.path: (c.issued, c.current) for c in figure_changes(report)}
    assert changes[("recognition", "residential_area", "recognised")] == (1, 2)
    # The issued report still shows its stored figures: the table's "recognised" cell is 1, not 2.
    assert report.figures["recognition"]["residential_area"]["recognised"] == 1
    table = page[page.index('id="report-document"'):]
    assert "<td>Thôn, khu phố</td><td class=\"text-end\">" in table
    row = table[table.index("<td>Thôn, khu phố</td>"):].split("</tr>")[0]
    assert [cell.split("<")[0] for cell in row.split('class="text-end">')[1:]][1] == "1"


def test_the_flat_diff_names_paths_and_both_values() -> None:
    issued = {"recognition": {"commune": {"total": 3, "percent": 33.33}}, "models": [{"code": "A", "count": 1}]}
    current = {"recognition": {"commune": {"total": 3, "percent": 66.67}},
               "models": [{"code": "B", "count": 2}, {"code": "A", "count": 1}], "new": 1}
    got = [(c.path, c.issued, c.current) for c in diff(issued, current)]
    assert got == [(("recognition", "commune", "percent"), 33.33, 66.67), (("models", "B", "code"), None, "B"),
                   (("models", "B", "count"), None, 2), (("new",), None, 1)]
    assert diff(issued, issued) == []
    change = diff(issued, current)[0]
    assert change.label == "Tiêu chuẩn ANTT › Xã, phường, đặc khu › Tỷ lệ"
    assert (change.issued_text, change.current_text) == ("33,33", "66,67")


def test_revisions_and_events_are_append_only(people: dict[str, Any]) -> None:
    do_save_slot(Actor(people["province"]), unit("T99"), Y, "tasks", "Nhiệm vụ", expected_number=0)
    revision = SlotRevision.objects.get()
    revision.text = "khác"
    with pytest.raises(AppendOnlyError):
        revision.save()
    with pytest.raises(AppendOnlyError):
        revision.delete()
    with pytest.raises(AppendOnlyError):
        AnnualReportEvent.objects.first().delete()  # type: ignore[union-attr]


# --- the route walker (tests/test_access_routes.py) ----------------------------------------------------


def check_record_route(world: Any, persona: Any, name: str) -> None:
    """Every record route on each target's commune: out of view 404; a POST the persona may not make 403; a
    GET 200 with no marker of another scope; nothing written by a refused or empty POST."""
    from phongtrao.accounts import access
    from tests.personas import leaked_markers
    from tests.test_access_routes import assert_anonymous_refused, body_text, snapshot

    needs_slot, method = RECORD_ROUTES[name]
    permission = {"reports_record:save_slot": "reports.write", "reports_record:issue": "reports.issue"}.get(name)
    for key, target in world.targets.items():
        commune = target.parent
        args = [commune.code, Y, "situation"] if needs_slot else [commune.code, Y]
        url = reverse(name, args=args)
        sees = persona.user is not None and access.visible_units(persona.user).filter(pk=commune.pk).exists()
        allowed = persona.user is not None and (permission is None or access.may(persona.user, permission, commune))
        before = snapshot()
        c = persona.client()
        response = c.get(url) if method == "get" else c.post(url, {})
        code = response.status_code
        where = (persona.name, name, key, code)
        assert code < 500, where
        if persona.user is None:
            assert_anonymous_refused(name, response)
        elif not sees:
            assert code == 404, where
        elif not allowed:
            assert code == 403, where
        elif method == "get":
            assert code == 200, where
        if code == 200:
            body = body_text(response)
            assert not leaked_markers(persona, body), (*where, leaked_markers(persona, body))
        assert snapshot() == before, (*where, "a refused request, a read or an empty POST wrote something")
