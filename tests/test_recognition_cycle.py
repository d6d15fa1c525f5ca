"""The yearly ANTT cycle: the state machine, its history, the competent authority, evaluation
windows and the overdue list, and the commune's live share of recognised residential areas."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.importing import run_import
from phongtrao.lib.workflow import ActionError, AppendOnlyError
from phongtrao.recognition.actions import (
    do_decide,
    do_recognise_many,
    do_register,
    do_self_assess,
    do_start_review,
    do_submit,
    do_withdraw,
)
from phongtrao.recognition.authority import NoAuthority, competent_authority, deciding_level
from phongtrao.recognition.criteria import residential_share, seed_criteria_sets
from phongtrao.recognition.models import (
    CriteriaSet,
    Criterion,
    Recognition,
    RecognitionEvent,
    Status,
    evaluation_window,
    needed_for_share,
)
from phongtrao.units.models import Kind, ManagingLevel, Unit

pytestmark = pytest.mark.django_db
ACTOR = Actor.system()
Y = 2025
DECIDED_ON = dt.date(2025, 12, 15)
RA_ANSWERS: dict[str, Any] = {
    "dang-ky-quy-1": True, "chinh-sach-quy-uoc": True, "khong-vu-viec-nghiem-trong": 0,
    "kiem-che-toi-pham": {"current": 3, "previous": 5}, "luc-luong-co-so": True,
}
COMMUNE_ANSWERS: dict[str, Any] = {
    "dang-ky-quy-1": True, "mo-hinh-hieu-qua": 2, "khong-vu-viec-nghiem-trong": 0,
    "kiem-che-toi-pham": {"current": 1, "previous": 1}, "cong-an-xa": True,
}


@pytest.fixture
def cycle(example_units: None) -> None:
    seed_criteria_sets()


def unit(code: str, day: dt.date = dt.date(Y, 12, 31)) -> Unit:
    return Unit.objects.with_code(code, day).get()


def register_ra(code: str, year: int = Y) -> Recognition:
    ra = unit(code)
    return do_register(ACTOR, ra, year, households_committed=ra.households, registered_on=dt.date(year, 2, 1))


def to_review(code: str, answers: dict[str, Any] | None = None, year: int = Y) -> Recognition:
    rec = register_ra(code, year) if code.startswith("KDC") else do_register(ACTOR, unit(code), year)
    do_self_assess(ACTOR, rec, answers=answers or RA_ANSWERS, review_meeting_on=dt.date(year, 10, 20))
    do_submit(ACTOR, rec, submitted_on=dt.date(year, 10, 25))
    return do_start_review(ACTOR, rec, started_on=dt.date(year, 11, 1))


# --- criteria sets ---------------------------------------------------------------------------------


def test_seeding_is_idempotent(cycle: None) -> None:
    counts = (CriteriaSet.objects.count(), Criterion.objects.count())
    assert seed_criteria_sets() == (0, 0)
    # Two versions of the four national sets: TT 124 as issued, and as amended by TT 48.
    assert (CriteriaSet.objects.count(), Criterion.objects.count()) == counts == (8, 46)
    school = CriteriaSet.objects.get(code="antt-co-so-giao-duc")
    assert school.criteria.count() == 6 and "TT 124/2021/TT-BCA" in school.legal_basis
    assert "48/2025" in school.legal_basis and "TT48_EFFECTIVE_FROM" in school.note


def test_setup_hook_seeds(official_register: None) -> None:
    from django.apps import apps

    out = io.StringIO()
    apps.get_app_config("recognition").seed(out)
    assert "criteria sets" in out.getvalue()
    assert CriteriaSet.objects.count() == 8


def test_sets_apply_by_kind_date_and_province(cycle: None) -> None:
    ra, agency = unit("KDC-T99000-01"), unit("AG-T99001-001")
    assert [s.code for s in CriteriaSet.objects.for_unit(ra, dt.date(Y, 10, 31))] == ["antt-khu-dan-cu"]
    assert [s.code for s in CriteriaSet.objects.for_unit(agency, dt.date(Y, 10, 31))] == \
        ["antt-co-quan-doanh-nghiep"]
    assert CriteriaSet.objects.for_unit(ra, dt.date(2021, 10, 31)) == []
    assert CriteriaSet.objects.for_unit(ra, dt.date(2022, 2, 9)) == []
    assert [s.code for s in CriteriaSet.objects.for_unit(ra, dt.date(2022, 2, 10))] == ["antt-khu-dan-cu-tt124"]
    added = CriteriaSet.objects.create(code="t99-bo-sung", name="Bổ sung của tỉnh", kinds=[Kind.RESIDENTIAL_AREA],
                                       legal_basis="QĐ của UBND tỉnh", effective_from=dt.date(2025, 1, 1),
                                       province=unit("T99"))
    Criterion.objects.create(criteria_set=added, order=1, code="camera", text="Có camera an ninh.", type="yes_no")
    assert [s.code for s in CriteriaSet.objects.for_unit(ra, dt.date(Y, 10, 31))] == ["antt-khu-dan-cu", "t99-bo-sung"]
    rec = register_ra("KDC-T99000-01")
    with pytest.raises(ActionError, match="camera"):
        do_self_assess(ACTOR, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(Y, 10, 20))
    rec = do_self_assess(ACTOR, rec, answers=RA_ANSWERS | {"camera": True}, review_meeting_on=dt.date(Y, 10, 20))
    assert len(rec.answers) == 7 and rec.checklist_met


# --- the state machine -----------------------------------------------------------------------------


def test_full_cycle_appends_history_and_audit(cycle: None) -> None:
    rec = register_ra("KDC-T99000-01")
    assert rec.status == Status.REGISTERED and rec.households_committed == 234
    rec = do_self_assess(ACTOR, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(Y, 10, 20))
    assert rec.status == Status.SELF_ASSESSED and rec.checklist_met is True
    households_line = next(line for line in rec.answers if line["criterion"].endswith("/ho-ky-cam-ket"))
    assert households_line["value"] == {"part": 234, "whole": 234} and households_line["met"]
    rec = do_submit(ACTOR, rec)
    assert rec.status == Status.SUBMITTED
    rec = do_start_review(ACTOR, rec)
    assert rec.status == Status.UNDER_REVIEW
    rec = do_decide(ACTOR, rec, recognised=True, decision_no="15/QĐ-UBND", decision_date=DECIDED_ON,
                    signer_name="Nguyễn Văn A")
    assert rec.status == Status.RECOGNISED
    assert (rec.authority_level, rec.authority) == (ManagingLevel.COMMUNE, unit("T99000"))
    rec = do_withdraw(ACTOR, rec, reason="Quyết định bị thu hồi do sai sót hồ sơ.")
    assert rec.status == Status.WITHDRAWN
    moves = list(rec.events.order_by("pk").values_list("action", "from_status", "to_status", "source"))
    assert moves == [
        ("register", "not_registered", "registered", "system"),
        ("self_assess", "registered", "self_assessed", "system"),
        ("submit", "self_assessed", "submitted", "system"),
        ("start_review", "submitted", "under_review", "system"),
        ("decide", "under_review", "recognised", "system"),
        ("withdraw", "recognised", "withdrawn", "system"),
    ]
    assert AuditEntry.objects.filter(object_type="recognition.recognition", object_id=str(rec.pk)).count() == 6
    # Withdrawn counts neither as registered nor as recognised.
    assert not Recognition.objects.registered().filter(pk=rec.pk).exists()


@pytest.mark.parametrize(("move", "message"), [
    (lambda rec: do_submit(ACTOR, rec), "Không thể gửi hồ sơ: hồ sơ năm 2025 của Khu phố 1 đang ở "
                                        "trạng thái “Đã đăng ký” (cần “Đã tự đánh giá”)."),
    (lambda rec: do_start_review(ACTOR, rec), "Không thể thẩm định"),
    (lambda rec: do_decide(ACTOR, rec, recognised=False), "Không thể ra quyết định công nhận"),
    (lambda rec: do_register(ACTOR, rec.unit, Y), "Không thể đăng ký"),
])
def test_illegal_moves_are_refused_with_a_message(cycle: None, move: Any, message: str) -> None:
    rec = register_ra("KDC-T99000-01")
    with pytest.raises(ActionError) as info:
        move(rec)
    assert message in str(info.value)
    rec.refresh_from_db()
    assert rec.status == Status.REGISTERED
    assert rec.events.count() == 1


def test_withdraw_needs_a_reason_and_a_live_record(cycle: None) -> None:
    rec = register_ra("KDC-T99000-01")
    with pytest.raises(ActionError, match="lý do"):
        do_withdraw(ACTOR, rec, reason="  ")
    do_withdraw(ACTOR, rec, reason="Khu dân cư xin rút đăng ký.")
    with pytest.raises(ActionError, match="Không thể rút/thu hồi"):
        do_withdraw(ACTOR, rec, reason="lần nữa")


def test_register_refuses_units_outside_the_standard(cycle: None) -> None:
    with pytest.raises(ActionError, match="không thuộc diện"):
        do_register(ACTOR, unit("NX-T99000-000"), Y)
    with pytest.raises(ActionError, match="chỉ dùng cho khu dân cư"):
        do_register(ACTOR, unit("T99001"), Y, households_committed=10)
    with pytest.raises(ActionError, match="lớn hơn số hộ"):
        do_register(ACTOR, unit("KDC-T99000-01"), Y, households_committed=235)
    assert not Recognition.objects.exists()


def test_self_assessment_checks_answers(cycle: None) -> None:
    rec = register_ra("KDC-T99000-01")
    with pytest.raises(ActionError) as info:
        do_self_assess(ACTOR, rec, answers={"dang-ky-quy-1": "có", "khong-vu-viec-nghiem-trong": -1, "bogus": 1},
                       review_meeting_on=dt.date(Y, 10, 20))
    text = str(info.value)
    assert "Không có tiêu chí “bogus”" in text
    assert "Tiêu chí 1 (dang-ky-quy-1): cần trả lời có hoặc không." in text
    assert "số không được âm" in text
    assert "Tiêu chí 3 (chinh-sach-quy-uoc): chưa có câu trả lời." in text


def test_unmet_checklist_cannot_be_recognised(cycle: None) -> None:
    rec = to_review("KDC-T99000-01", RA_ANSWERS | {"khong-vu-viec-nghiem-trong": 1})
    assert rec.checklist_met is False
    with pytest.raises(ActionError, match="chưa đạt các tiêu chí antt-khu-dan-cu/khong-vu-viec-nghiem-trong"):
        do_decide(ACTOR, rec, recognised=True, decision_no="1/QĐ", decision_date=DECIDED_ON, signer_name="Trần B")
    rec = do_decide(ACTOR, rec, recognised=False)
    assert rec.status == Status.NOT_RECOGNISED


def test_decision_needs_number_date_and_signer(cycle: None) -> None:
    rec = to_review("KDC-T99000-01")
    with pytest.raises(ActionError) as info:
        do_decide(ACTOR, rec, recognised=True)
    assert "số quyết định" in str(info.value) and "ngày quyết định" in str(info.value)
    assert "người ký" in str(info.value)


def test_not_worse_uses_the_previous_year(cycle: None) -> None:
    last_year = register_ra("KDC-T99000-01", 2024)
    with pytest.raises(ActionError, match="không có số liệu năm trước"):
        do_self_assess(ACTOR, last_year, answers=RA_ANSWERS | {"kiem-che-toi-pham": 5},
                       review_meeting_on=dt.date(2024, 10, 1))
    do_self_assess(ACTOR, last_year, answers=RA_ANSWERS | {"kiem-che-toi-pham": {"current": 5, "previous": 7}},
                   review_meeting_on=dt.date(2024, 10, 1))
    better = to_review("KDC-T99000-02", RA_ANSWERS, year=Y)
    assert better.checklist_met
    rec = register_ra("KDC-T99000-01")
    rec = do_self_assess(ACTOR, rec, answers=RA_ANSWERS | {"kiem-che-toi-pham": 4}, review_meeting_on=dt.date(Y, 10, 1))
    assert rec.checklist_met is True
    rec = do_self_assess(ACTOR, rec, answers=RA_ANSWERS | {"kiem-che-toi-pham": 6}, review_meeting_on=dt.date(Y, 10, 2))
    assert rec.checklist_met is False
    line = next(x for x in rec.answers if x["criterion"].endswith("kiem-che-toi-pham"))
    assert line["value"] == {"current": 6, "previous": 5}


def test_one_record_per_unit_and_year(cycle: None) -> None:
    rec = register_ra("KDC-T99000-01")
    with pytest.raises(IntegrityError), transaction.atomic():
        Recognition.objects.create(unit=rec.unit, year=Y)
    assert Recognition.objects.create(unit=rec.unit, year=Y + 1).pk


def test_history_is_append_only(cycle: None) -> None:
    event = register_ra("KDC-T99000-01").events.get()
    event.to_status = Status.RECOGNISED
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert RecognitionEvent.objects.get().to_status == Status.REGISTERED


def test_recognise_many_in_one_decision(cycle: None) -> None:
    recs = [to_review(f"KDC-T99000-0{i}") for i in (1, 2, 3)]
    done = do_recognise_many(ACTOR, [r.unit for r in recs], Y, decision_no="30/QĐ-UBND", decision_date=DECIDED_ON,
                             signer_name="Lê Văn C")
    assert {r.status for r in done} == {Status.RECOGNISED}
    assert Recognition.objects.passed().count() == 3
    assert RecognitionEvent.objects.filter(action="decide", details__bulk=True).count() == 3
    assert AuditEntry.objects.filter(action="recognition.decide").count() == 3


def test_recognise_many_is_all_or_nothing(cycle: None) -> None:
    a = to_review("KDC-T99000-01")
    b = to_review("KDC-T99001-03")  # another commune: another chairman
    c = register_ra("KDC-T99000-02")
    with pytest.raises(ActionError) as info:
        do_recognise_many(ACTOR, [a.unit, b.unit, c.unit, unit("KDC-T99000-03")], Y, decision_no="31/QĐ",
                          decision_date=DECIDED_ON, signer_name="Lê Văn C")
    text = str(info.value)
    assert "không cùng một cấp có thẩm quyền" in text
    assert "Thôn 3 chưa đăng ký năm 2025." in text
    assert "Không thể ra quyết định công nhận: hồ sơ năm 2025 của Khu phố 2" in text
    assert not Recognition.objects.passed().exists()


# --- competent authority ----------------------------------------------------------------------------


def test_competent_authority_after_the_reform(cycle: None) -> None:
    province, commune = unit("T99"), unit("T99000")
    cases = {
        "KDC-T99000-01": (ManagingLevel.COMMUNE, commune),
        "T99000": (ManagingLevel.PROVINCE, province),
        "AG-T99000-006": (ManagingLevel.PROVINCE, province),  # managed by the province
        "AG-T99004-004": (ManagingLevel.COMMUNE, unit("T99004")),  # managed by the commune
    }
    for code, expected in cases.items():
        authority = competent_authority(unit(code), DECIDED_ON)
        assert (authority.level, authority.unit) == expected, code
    assert competent_authority(unit("T99000"), DECIDED_ON).label == f"Chủ tịch UBND {province.name}"


def test_competent_authority_before_the_reform(official_register: None) -> None:
    old = unit("22918", dt.date(2024, 12, 31))
    authority = competent_authority(old, dt.date(2024, 12, 15))
    assert authority.level == ManagingLevel.DISTRICT
    assert authority.unit == old.parent and authority.unit.kind == Kind.DISTRICT
    assert authority.legal_basis.startswith("TT 124/2021/TT-BCA, Điều 10")
    # Before the reform, too, the provincial People's Committee recognised province-managed units.
    assert deciding_level(Kind.SCHOOL, ManagingLevel.PROVINCE, dt.date(2024, 12, 15)) == ManagingLevel.PROVINCE
    assert deciding_level(Kind.AGENCY, ManagingLevel.DISTRICT, dt.date(2024, 12, 15)) == ManagingLevel.DISTRICT
    assert deciding_level(Kind.SCHOOL, ManagingLevel.COMMUNE, dt.date(2024, 12, 15)) == ManagingLevel.COMMUNE
    assert deciding_level(Kind.SCHOOL, ManagingLevel.PROVINCE, dt.date(2025, 7, 1)) == ManagingLevel.PROVINCE
    with pytest.raises(NoAuthority, match="cấp quản lý “district”"):
        deciding_level(Kind.AGENCY, ManagingLevel.DISTRICT, dt.date(2025, 12, 15))


def test_every_rule_carries_its_legal_basis() -> None:
    from phongtrao.recognition.authority import DEFAULT_RULES

    assert all(len(rule) == 6 and "TT 124/2021/TT-BCA" in rule[5] for rule in DEFAULT_RULES)
    after = [r for r in DEFAULT_RULES if r[2] == "2025-07-01"]
    assert after and all("48/2025" in r[5] for r in after)


def test_an_organisation_directly_under_an_old_province_is_the_provinces(official_register: None) -> None:
    from phongtrao.units.actions import do_create_unit

    old_province = unit("22", dt.date(2024, 12, 31))
    school = do_create_unit(ACTOR, code="TH-22-01", name="Trường THPT chuyên Hạ Long", kind=Kind.SCHOOL,
                            parent=old_province, managed_by=ManagingLevel.PROVINCE, school_level="thpt",
                            valid_from=dt.date(2020, 1, 1),
                            valid_to=dt.date(2025, 6, 30))
    authority = competent_authority(school, dt.date(2024, 12, 15))
    assert (authority.level, authority.unit) == (ManagingLevel.PROVINCE, old_province)
    assert "Điều 10" in authority.legal_basis


def test_competent_authority_table_is_a_setting(cycle: None, settings: Any) -> None:
    settings.PHONGTRAO = settings.PHONGTRAO | {
        "COMPETENT_AUTHORITY": [(Kind.RESIDENTIAL_AREA, "*", None, None, ManagingLevel.PROVINCE)]}
    assert competent_authority(unit("KDC-T99000-01"), DECIDED_ON).unit == unit("T99")


# --- windows and overdue ------------------------------------------------------------------------------


def test_evaluation_windows() -> None:
    assert evaluation_window(Kind.RESIDENTIAL_AREA, 2025) == (dt.date(2024, 11, 1), dt.date(2025, 10, 31))
    for kind in (Kind.COMMUNE, Kind.AGENCY, Kind.ENTERPRISE, Kind.SCHOOL):
        assert evaluation_window(kind, 2025) == (dt.date(2024, 11, 16), dt.date(2025, 11, 15))


def test_overdue_lists_registered_units_not_decided_after_the_window(cycle: None) -> None:
    area = register_ra("KDC-T99000-01")
    commune = do_register(ACTOR, unit("T99000"), Y)
    decided = to_review("KDC-T99000-02")
    do_decide(ACTOR, decided, recognised=False)
    withdrawn = register_ra("KDC-T99000-03")
    do_withdraw(ACTOR, withdrawn, reason="Rút đăng ký.")

    def overdue(day: dt.date) -> set[int]:
        return set(Recognition.objects.overdue(day).values_list("pk", flat=True))

    assert overdue(dt.date(2025, 10, 31)) == set()
    assert overdue(dt.date(2025, 11, 1)) == {area.pk}
    assert overdue(dt.date(2025, 11, 15)) == {area.pk}
    assert overdue(dt.date(2025, 11, 16)) == {area.pk, commune.pk}
    assert overdue(dt.date(2026, 3, 1)) == {area.pk, commune.pk}


# --- the commune's share of recognised residential areas ----------------------------------------------


def test_share_rounds_up() -> None:
    assert needed_for_share(25, Decimal(70)) == 18
    assert needed_for_share(10, Decimal(70)) == 7
    assert needed_for_share(0, Decimal(70)) == 0


@pytest.fixture
def commune_of_25(cycle: None) -> Unit:
    rows = ["code,name,kind,parent_code,households", "T99009,Xã Thử Nghiệm,commune,T99,"]
    rows += [f"KDC-T99009-{i:02d},Thôn {i},residential_area,T99009,100" for i in range(1, 26)]
    result = run_import("units", "units.csv", "\n".join(rows).encode(), actor=ACTOR)
    assert result.ok, [str(e) for e in result.errors]
    return unit("T99009")


def recognise_areas(n: int) -> None:
    lines = ["unit_code,year,result"]
    lines += [f"KDC-T99009-{i:02d},{Y},{'dat' if i <= n else 'chua_dat'}" for i in range(1, 26)]
    result = run_import("recognitions", "r.csv", "\n".join(lines).encode(), actor=ACTOR)
    assert result.ok, [str(e) for e in result.errors]


def test_commune_share_is_computed_live_with_rounding_up(commune_of_25: Unit, settings: Any) -> None:
    recognise_areas(17)
    share = residential_share(commune_of_25, Y)
    assert (share.recognised, share.total, share.needed, share.met) == (17, 25, 18, False)
    recognise_areas(18)
    share = residential_share(commune_of_25, Y)
    assert (share.recognised, share.needed, share.met) == (18, 18, True)
    settings.PHONGTRAO = settings.PHONGTRAO | {"RECOGNITION_COMMUNE_MIN_SHARE": 80}
    assert residential_share(commune_of_25, Y).needed == 20


def test_commune_checklist_uses_the_live_share(commune_of_25: Unit) -> None:
    recognise_areas(17)
    rec = to_review("T99009", COMMUNE_ANSWERS)
    line = next(x for x in rec.answers if x["type"] == "share_recognised")
    assert line["value"]["recognised"] == 17 and line["value"]["needed"] == 18 and not line["met"]
    assert rec.checklist_met is False
    with pytest.raises(ActionError, match="ty-le-khu-dan-cu"):
        do_decide(ACTOR, rec, recognised=True, decision_no="5/QĐ-UBND", decision_date=DECIDED_ON,
                  signer_name="Phạm Văn D")
    # One more area recognised meanwhile: the decision re-reads the register.
    recognise_areas(18)
    rec = do_decide(ACTOR, rec, recognised=True, decision_no="5/QĐ-UBND", decision_date=DECIDED_ON,
                    signer_name="Phạm Văn D")
    assert rec.status == Status.RECOGNISED and rec.checklist_met is True
    assert (rec.authority_level, rec.authority) == (ManagingLevel.PROVINCE, unit("T99"))


# --- dates and counts that contradict each other ------------------------------------------------------


def test_an_area_registers_with_its_households_when_a_criterion_needs_them(cycle: None) -> None:
    with pytest.raises(ActionError, match=r"Phải nhập số hộ ký cam kết của Khu phố 1: tiêu chí 2 \(ho-ky-cam-ket\)") \
            as refused:
        do_register(ACTOR, unit("KDC-T99000-01"), Y)
    assert list(refused.value.errors) == ["households_committed"]
    assert not Recognition.objects.exists()
    assert do_register(ACTOR, unit("KDC-T99000-01"), Y, households_committed=0).households_committed == 0
    assert do_register(ACTOR, unit("AG-T99000-006"), Y).households_committed is None  # no such criterion
    # An area whose total of households is unknown cannot be assessed on that criterion either.
    from phongtrao.units.actions import do_update_unit

    area = unit("KDC-T99000-02")
    do_update_unit(ACTOR, area.pk, households=None)
    with pytest.raises(ActionError, match="Khu phố 2 chưa có tổng số hộ trong danh mục đơn vị: tiêu chí 2"):
        do_register(ACTOR, unit("KDC-T99000-02"), Y, households_committed=10)


def test_a_review_meeting_before_the_registration_is_refused(cycle: None) -> None:
    rec = register_ra("KDC-T99000-01")  # registered on 01/02/2025
    with pytest.raises(ActionError) as refused:
        do_self_assess(ACTOR, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(Y, 1, 20))
    assert refused.value.errors == {"review_meeting_on": [
        "Ngày họp bình xét 20/01/2025 trước ngày đăng ký 01/02/2025 của Khu phố 1; kiểm tra lại ngày."]}
    assert do_self_assess(ACTOR, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(Y, 2, 1)).status == \
        Status.SELF_ASSESSED  # the same day is fine


def test_a_decision_before_the_submission_is_refused(cycle: None) -> None:
    rec = to_review("KDC-T99000-01")  # submitted 25/10, review started 01/11/2025
    with pytest.raises(ActionError, match="Ngày quyết định 28/10/2025 trước ngày bắt đầu thẩm định 01/11/2025"):
        do_decide(ACTOR, rec, recognised=True, decision_no="1/QĐ", decision_date=dt.date(Y, 10, 28),
                  signer_name="Võ Văn Thành")
    # The latest step it contradicts is named (here the review started after the submission of 25/10).
    with pytest.raises(ActionError, match="Ngày quyết định 20/10/2025 trước ngày bắt đầu thẩm định 01/11/2025"):
        do_decide(ACTOR, Recognition.objects.get(pk=rec.pk), recognised=False, decision_date=dt.date(Y, 10, 20))
    with pytest.raises(ActionError, match="Khu phố 1; kiểm tra lại ngày"):
        do_recognise_many(ACTOR, [rec.unit], Y, decision_no="2/QĐ", decision_date=dt.date(Y, 10, 31),
                          signer_name="Võ Văn Thành")
    assert Recognition.objects.get(pk=rec.pk).status == Status.UNDER_REVIEW
    do_recognise_many(ACTOR, [rec.unit], Y, decision_no="2/QĐ", decision_date=dt.date(Y, 11, 1),
                      signer_name="Võ Văn Thành")
    assert Recognition.objects.get(pk=rec.pk).status == Status.RECOGNISED


def test_steps_of_a_closed_year_recorded_without_a_date_stay_in_order(cycle: None, settings: Any) -> None:
    from unittest import mock

    from phongtrao.recognition import actions

    area = unit("KDC-T99000-01")
    with mock.patch.object(actions, "_today", return_value=dt.date(2026, 3, 2)):  # the 2025 window closed
        assert actions.default_step_day(area, Y, opening=True) == dt.date(2024, 11, 1)
        assert actions.default_step_day(area, Y) == dt.date(2025, 10, 31)
        assert actions.default_step_day(area, 2026) == dt.date(2026, 3, 2)
        rec = do_register(ACTOR, area, Y, households_committed=100)
        rec = do_self_assess(ACTOR, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(Y, 10, 20))
        rec = do_submit(ACTOR, rec)
    assert (rec.registered_on, rec.submitted_on) == (dt.date(2024, 11, 1), dt.date(2025, 10, 31))


def test_a_2023_assessment_cites_tt124_alone(cycle: None) -> None:
    """TT 124/2021 took effect on 10/02/2022; TT 48/2025 amends it from its own date (a setting)."""
    ra, commune = unit("KDC-T99000-01"), unit("T99000")
    old_ra = CriteriaSet.objects.for_unit(ra, dt.date(2023, 10, 31))
    assert [s.code for s in old_ra] == ["antt-khu-dan-cu-tt124"]
    assert old_ra[0].effective_from == dt.date(2022, 2, 10) and old_ra[0].effective_to == dt.date(2025, 6, 30)
    assert "124/2021" in old_ra[0].legal_basis and "48/2025" not in old_ra[0].legal_basis
    old_commune = CriteriaSet.objects.for_unit(commune, dt.date(2023, 11, 15))[0]
    assert old_commune.name == "Tiêu chuẩn “An toàn về ANTT” đối với xã, phường, thị trấn"
    new_commune = CriteriaSet.objects.for_unit(commune, dt.date(2025, 11, 15))[0]
    assert new_commune.name == "Tiêu chuẩn “An toàn về ANTT” đối với xã, phường, đặc khu"
    assert new_commune.effective_from == dt.date(2025, 7, 1) and "01/07/2025" in new_commune.legal_basis
    # A 2023 checklist is keyed by the TT 124 set.
    rec = register_ra("KDC-T99000-01", 2023)
    rec = do_self_assess(ACTOR, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(2023, 10, 20))
    assert {line["criterion"].split("/")[0] for line in rec.answers} == {"antt-khu-dan-cu-tt124"}


def test_tt48_effective_date_is_a_setting(cycle: None, settings: Any) -> None:
    settings.PHONGTRAO = settings.PHONGTRAO | {"TT48_EFFECTIVE_FROM": "2025-08-15"}
    seed_criteria_sets()
    ra = unit("KDC-T99000-01")
    assert [s.code for s in CriteriaSet.objects.for_unit(ra, dt.date(2025, 8, 14))] == ["antt-khu-dan-cu-tt124"]
    assert [s.code for s in CriteriaSet.objects.for_unit(ra, dt.date(2025, 8, 15))] == ["antt-khu-dan-cu"]
    assert "15/08/2025" in CriteriaSet.objects.get(code="antt-khu-dan-cu").legal_basis


def test_not_worse_reads_last_years_answer_across_the_two_versions(cycle: None) -> None:
    """2024 was assessed on the TT 124 set, 2025 on the amended one: the previous count still carries over."""
    rec = register_ra("KDC-T99000-01", 2024)
    do_self_assess(ACTOR, rec, answers=RA_ANSWERS, review_meeting_on=dt.date(2024, 10, 20))
    rec = register_ra("KDC-T99000-01", 2025)
    rec = do_self_assess(ACTOR, rec, answers=RA_ANSWERS | {"kiem-che-toi-pham": 2},
                         review_meeting_on=dt.date(2025, 10, 20))
    line = next(x for x in rec.answers if x["criterion"] == "antt-khu-dan-cu/kiem-che-toi-pham")
    assert line["value"] == {"current": 2, "previous": 3} and line["met"]


def test_a_commune_without_residential_areas_shows_the_share_as_not_applicable(cycle: None) -> None:
    result = run_import("units", "units.csv", "code,name,kind,parent_code\nT99010,Xã Trống,commune,T99".encode(),
                        actor=ACTOR)
    assert result.ok, [str(e) for e in result.errors]
    rec = to_review("T99010", COMMUNE_ANSWERS)
    line = next(x for x in rec.answers if x["type"] == "share_recognised")
    assert line["value"]["total"] == 0 and line["not_applicable"] is True and line["met"] is True
    assert rec.checklist_met is True
    rec = do_decide(ACTOR, rec, recognised=True, decision_no="9/QĐ-UBND", decision_date=DECIDED_ON,
                    signer_name="Phạm Văn D")
    assert rec.status == Status.RECOGNISED
