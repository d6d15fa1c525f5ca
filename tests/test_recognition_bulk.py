"""The bulk recognition actions (``do_register_many``, ``do_self_assess_many``, ``do_submit_many``,
``do_start_review_many``): for many units at once they write exactly what the per-unit actions write (the
records, their events, their audit rows), refuse with the per-unit messages, and refuse the whole batch when
one record was saved by someone else since it was read; two batches at once: one wins, the other is stale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.importing import run_import
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.recognition.actions import (
    Assessment,
    Registration,
    StepOn,
    do_decide,
    do_not_recognise_many,
    do_register,
    do_register_many,
    do_self_assess,
    do_self_assess_many,
    do_start_review,
    do_start_review_many,
    do_submit,
    do_submit_many,
)
from phongtrao.recognition.criteria import seed_criteria_sets
from phongtrao.recognition.models import CriteriaSet, Criterion, CriterionType, Recognition, RecognitionEvent, Status
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import Kind, Unit
from tests.concurrency import real_database, run_together

ACTOR = Actor.system()
Y = 2025
REGISTERED_ON = dt.date(Y, 2, 3)
MEETING_ON = dt.date(Y, 10, 20)
SUBMITTED_ON = dt.date(Y, 10, 27)
REVIEW_ON = dt.date(Y, 11, 4)
# The units of the comparison: residential areas, organisations and a commune of two communes of T99.
CODES = ("KDC-T99000-01", "KDC-T99000-02", "KDC-T99000-03", "KDC-T99001-03", "KDC-T99001-05", "AG-T99000-006",
         "AG-T99001-001", "SC-T99001-000", "T99000")
# How far each goes: 1 registered, 2 self-assessed, 3 submitted, 4 under review.
STAGES = {"KDC-T99000-01": 4, "KDC-T99000-02": 4, "KDC-T99000-03": 2, "KDC-T99001-03": 3, "KDC-T99001-05": 1,
          "AG-T99000-006": 4, "AG-T99001-001": 3, "SC-T99001-000": 4, "T99000": 4}
FAILING = {"KDC-T99000-02": "luc-luong-co-so", "AG-T99001-001": None}  # one criterion not met; None: the first


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, dt.date(Y, 12, 31)).get()


def criteria_of(u: Unit) -> list[Criterion]:
    sets = CriteriaSet.objects.for_unit(u, dt.date(Y, 10, 31))
    return [c for s in sets for c in s.criteria.order_by("order")]


def answers_for(u: Unit, *, previous_year: bool = False) -> dict[str, Any]:
    """Answers meeting every criterion, except the one ``FAILING`` names; "not worse" as a bare count
    when the previous year's answer is to be used."""
    answers: dict[str, Any] = {}
    criteria = [c for c in criteria_of(u) if c.type != CriterionType.SHARE_RECOGNISED]
    failing = FAILING.get(u.code, "")
    if failing is None:
        failing = criteria[0].code
    for c in criteria:
        fail = c.code == failing
        if c.type == CriterionType.YES_NO:
            answers[c.code] = not fail
        elif c.type == CriterionType.NO_EVENT:
            answers[c.code] = 1 if fail else 0
        elif c.type == CriterionType.AT_LEAST_N:
            answers[c.code] = 0 if fail else 2
        elif c.type == CriterionType.PERCENT_THRESHOLD and c.derived_from:
            continue  # computed from the households committed
        elif c.type == CriterionType.PERCENT_THRESHOLD:
            answers[c.code] = "90" if fail else "100"
        elif c.type == CriterionType.NOT_WORSE:
            answers[c.code] = 2 if previous_year else {"current": 4 if fail else 1, "previous": 3}
    return answers


def households(u: Unit) -> int | None:
    return u.households if u.kind == Kind.RESIDENTIAL_AREA else None


@pytest.fixture
def cycle(example_units: None) -> None:
    seed_criteria_sets()
    # Last year's record of one area: its "not worse" answer this year is a bare count read against it.
    area = unit("KDC-T99000-03")
    rec = do_register(ACTOR, area, Y - 1, households_committed=area.households, registered_on=dt.date(Y - 1, 3, 1))
    do_self_assess(ACTOR, rec, answers=answers_for(area), review_meeting_on=dt.date(Y - 1, 10, 10))


def per_unit(units: list[Unit]) -> None:
    for u in units:
        rec = do_register(ACTOR, u, Y, households_committed=households(u), registered_on=REGISTERED_ON)
        if STAGES[u.code] >= 2:
            rec = do_self_assess(ACTOR, rec, answers=answers_for(u, previous_year=u.code == "KDC-T99000-03"),
                                 review_meeting_on=MEETING_ON)
        if STAGES[u.code] >= 3:
            rec = do_submit(ACTOR, rec, submitted_on=SUBMITTED_ON)
        if STAGES[u.code] >= 4:
            do_start_review(ACTOR, rec, started_on=REVIEW_ON)


def in_bulk(units: list[Unit]) -> None:
    recs = do_register_many(ACTOR, Y, [Registration(u, households(u), REGISTERED_ON) for u in units])
    assessed = do_self_assess_many(ACTOR, [
        Assessment(r, answers_for(r.unit, previous_year=r.unit.code == "KDC-T99000-03"), MEETING_ON)
        for r in recs if STAGES[r.unit.code] >= 2])
    submitted = do_submit_many(ACTOR, [StepOn(r, SUBMITTED_ON) for r in assessed if STAGES[r.unit.code] >= 3])
    do_start_review_many(ACTOR, [StepOn(r, REVIEW_ON) for r in submitted if STAGES[r.unit.code] >= 4])


RECORD_FIELDS = [f.attname for f in Recognition._meta.concrete_fields if f.name not in ("id", "created_at",
                                                                                          "updated_at")]


def written() -> dict[str, Any]:
    """This year's records, events and audit rows, by unit code (no ids, no moments)."""
    records = {(r["unit_id"], r["year"]): r for r in Recognition.objects.filter(year=Y).values(*RECORD_FIELDS)}
    keys = {pk: (code, year) for pk, code, year in
            Recognition.objects.filter(year=Y).values_list("pk", "unit__code", "year")}
    events = [(keys[e.recognition_id], e.action, e.from_status, e.to_status, e.source, e.user_id, e.details)
              for e in RecognitionEvent.objects.filter(recognition__year=Y).order_by("recognition__unit__code", "pk")]
    audit = [(keys[int(a.object_id)], a.action, a.channel, a.user_id, a.object_repr, a.unit_id, a.before, a.after)
             for a in AuditEntry.objects.filter(object_type="recognition.recognition",
                                                object_id__in=[str(pk) for pk in keys]).order_by("pk")]
    return {"records": records, "events": events,
            "audit": sorted(audit, key=lambda row: (row[0], ["recognition.register", "recognition.self_assess",
                                                             "recognition.submit", "recognition.start_review",
                                                             "recognition.decide"]
                                                    .index(row[1])))}


def rolled_back(write: Callable[[], None]) -> dict[str, Any]:
    with transaction.atomic():
        write()
        rows = written()
        transaction.set_rollback(True)
    return rows


@pytest.mark.django_db
def test_bulk_actions_write_exactly_what_the_per_unit_actions_write(cycle: None) -> None:
    units = [unit(code) for code in CODES]
    one_by_one = rolled_back(lambda: per_unit(units))
    assert Recognition.objects.filter(year=Y).count() == 0  # rolled back
    bulk = rolled_back(lambda: in_bulk(units))
    # What the per-unit actions wrote, checked on its own first: every unit at its stage, one event and
    # one audit row per move, the failing criteria failed, last year's answer used.
    by_code = {code: one_by_one["records"][(unit(code).pk, Y)] for code in CODES}
    status = {1: Status.REGISTERED, 2: Status.SELF_ASSESSED, 3: Status.SUBMITTED, 4: Status.UNDER_REVIEW}
    assert {code: r["status"] for code, r in by_code.items()} == {code: status[STAGES[code]] for code in CODES}
    assert {code: r["version"] for code, r in by_code.items()} == {code: 1 + STAGES[code] for code in CODES}
    assert len(one_by_one["events"]) == len(one_by_one["audit"]) == sum(STAGES.values())
    assert by_code["KDC-T99000-02"]["checklist_met"] is False and by_code["AG-T99001-001"]["checklist_met"] is False
    assert by_code["KDC-T99000-01"]["checklist_met"] is True and by_code["T99000"]["checklist_met"] is not None
    assert by_code["KDC-T99001-05"]["households_committed"] == unit("KDC-T99001-05").households
    line = next(x for x in by_code["KDC-T99000-03"]["answers"] if x["criterion"].endswith("kiem-che-toi-pham"))
    assert line["value"] == {"current": 2, "previous": 1}  # last year's "current"
    assert bulk == one_by_one


@pytest.mark.django_db
def test_not_recognising_many_writes_what_do_decide_writes(cycle: None) -> None:
    codes = [code for code in CODES if STAGES[code] == 4]
    in_bulk([unit(code) for code in codes])
    recs = list(Recognition.objects.filter(year=Y, unit__code__in=codes).order_by("unit__code"))
    decided_on = {rec.pk: dt.date(Y, 12, 10) if rec.unit.kind == Kind.RESIDENTIAL_AREA else None for rec in recs}
    one_by_one = rolled_back(lambda: [do_decide(ACTOR, rec.pk, recognised=False, decision_date=decided_on[rec.pk])
                                      for rec in recs])
    bulk = rolled_back(lambda: do_not_recognise_many(ACTOR, [StepOn(rec.pk, decided_on[rec.pk]) for rec in recs]))
    decided = [r for r in one_by_one["records"].values() if r["status"] == Status.NOT_RECOGNISED]
    assert len(decided) == len(codes) == 5
    # A dated decision names the commune's People's Committee of the area; an undated one none.
    area = one_by_one["records"][(unit("KDC-T99000-01").pk, Y)]
    assert area["authority_id"] == unit("T99000").pk and area["decision_date"] == dt.date(Y, 12, 10)
    assert one_by_one["records"][(unit("T99000").pk, Y)]["authority_id"] is None
    assert bulk == one_by_one
    # A record no longer under review refuses the batch with do_decide's message.
    do_decide(ACTOR, recs[0].pk, recognised=False)
    with pytest.raises(ActionError) as refused, transaction.atomic():
        do_decide(ACTOR, recs[0].pk, recognised=False)
    with pytest.raises(ActionError) as bulk_refused:
        do_not_recognise_many(ACTOR, [StepOn(rec.pk) for rec in recs])
    assert bulk_refused.value.errors == {str(recs[0].unit_id): [m for ms in refused.value.errors.values()
                                                                 for m in ms]}


@pytest.mark.django_db
def test_a_record_saved_since_it_was_read_refuses_the_whole_batch(cycle: None) -> None:
    units = [unit(code) for code in ("KDC-T99000-01", "KDC-T99000-02", "AG-T99000-006")]
    recs = do_register_many(ACTOR, Y, [Registration(u, households(u), REGISTERED_ON) for u in units])
    read = {r.pk: r.version for r in recs}
    # Someone else self-assesses the second unit after the page was read.
    do_self_assess(ACTOR, recs[1].pk, answers=answers_for(units[1]), review_meeting_on=MEETING_ON)
    before = written()
    with pytest.raises(StaleVersion) as stale:
        do_self_assess_many(ACTOR, [Assessment(r, answers_for(r.unit), MEETING_ON, expected_version=read[r.pk])
                                    for r in recs])
    assert list(stale.value.errors) == [str(units[1].pk)]
    assert "vừa được người khác cập nhật" in stale.value.errors[str(units[1].pk)][0]
    assert written() == before  # nothing of the batch was written
    # "There was no record when the form was read" (version 0) for a unit that has one now.
    with pytest.raises(StaleVersion) as stale:
        do_register_many(ACTOR, Y, [Registration(unit("KDC-T99000-03"), households(unit("KDC-T99000-03")),
                                                 expected_version=0),
                                    Registration(units[0], households(units[0]), expected_version=0)])
    assert list(stale.value.errors) == [str(units[0].pk)]
    assert not Recognition.objects.filter(unit=unit("KDC-T99000-03"), year=Y).exists()
    with pytest.raises(StaleVersion):
        do_submit_many(ACTOR, [StepOn(recs[1], SUBMITTED_ON, expected_version=read[recs[1].pk])])
    assert written() == before


@pytest.mark.django_db
def test_refusals_carry_the_per_unit_messages_by_unit(cycle: None, make_user: Any) -> None:
    outside, area, agency = unit("NX-T99000-000"), unit("KDC-T99000-01"), unit("AG-T99000-006")

    def message(call: Callable[[], Any]) -> list[str]:
        with pytest.raises(ActionError) as refused, transaction.atomic():
            call()
        return [m for ms in refused.value.errors.values() for m in ms]

    expected = {str(outside.pk): message(lambda: do_register(ACTOR, outside, Y)),
                str(area.pk): message(lambda: do_register(ACTOR, area, Y, households_committed=area.households + 1)),
                str(agency.pk): message(lambda: do_register(ACTOR, agency, Y, households_committed=3))}
    with pytest.raises(ActionError) as refused:
        do_register_many(ACTOR, Y, [Registration(outside), Registration(area, area.households + 1),
                                    Registration(agency, 3), Registration(unit("KDC-T99000-02"), 10)])
    assert refused.value.errors == expected and not isinstance(refused.value, StaleVersion)
    assert not Recognition.objects.filter(year=Y).exists()
    # The households committed are needed where a criterion is computed from them.
    expected = {str(area.pk): message(lambda: do_register(ACTOR, area, Y))}
    with pytest.raises(ActionError) as refused:
        do_register_many(ACTOR, Y, [Registration(area), Registration(agency)])
    assert refused.value.errors == expected
    # An unknown criterion and a move the status does not allow.
    recs = do_register_many(ACTOR, Y, [Registration(area, area.households, REGISTERED_ON), Registration(agency)])
    expected = {str(area.pk): message(lambda: do_self_assess(ACTOR, recs[0], answers={"khong-co": True},
                                                             review_meeting_on=MEETING_ON))}
    with pytest.raises(ActionError) as refused:
        do_self_assess_many(ACTOR, [Assessment(recs[0], {"khong-co": True}, MEETING_ON),
                                    Assessment(recs[1], answers_for(agency), MEETING_ON)])
    assert refused.value.errors == expected
    expected = {str(area.pk): message(lambda: do_submit(ACTOR, recs[0]))}
    with pytest.raises(ActionError) as refused:
        do_submit_many(ACTOR, [StepOn(recs[0])])
    assert refused.value.errors == expected
    # Who may act: a commune officer of another commune may not register this commune's units.
    other = Actor(make_user("xa-khac", Role.COMMUNE_OFFICER, unit("T99001")))
    stranger = unit("KDC-T99000-02")
    expected = {str(stranger.pk): message(lambda: do_register(other, stranger, Y, households_committed=10))}
    with pytest.raises(ActionError) as refused:
        do_register_many(other, Y, [Registration(stranger, 10), Registration(unit("KDC-T99001-03"), 10)])
    assert refused.value.errors == expected
    assert Recognition.objects.filter(year=Y).count() == 2


# --- two batches at once (real threads, one real database; SQLite and PostgreSQL) -------------------------


@pytest.fixture
def world(transactional_db: None, example_dir: Path, tmp_path: Path) -> Iterator[list[Unit]]:
    system = Actor.system()
    if not Unit.objects.filter(code="VN").exists():
        do_create_unit(system, code="VN", name="Việt Nam", kind=Kind.COUNTRY)
    if not Unit.objects.filter(code="T99").exists():
        assert run_import("units", "units.csv", (example_dir / "units.csv").read_bytes(), actor=system).ok
    seed_criteria_sets()  # the flush of an earlier transactional test removed the migration's rows
    units = [unit(code) for code in ("KDC-T99000-01", "KDC-T99000-02", "AG-T99000-006")]
    with real_database(tmp_path):
        yield units


@pytest.mark.django_db(transaction=True)
def test_two_batches_registering_the_same_new_units_one_wins_the_other_is_stale(world: list[Unit]) -> None:
    def register() -> list[Recognition]:
        return do_register_many(ACTOR, Y, [Registration(u, households(u), REGISTERED_ON, expected_version=0)
                                           for u in world])

    results = run_together(register, register)
    stale = [r for r in results if isinstance(r, StaleVersion)]
    saved = [r for r in results if isinstance(r, list)]
    assert len(stale) == 1 and len(saved) == 1, results
    assert Recognition.objects.filter(year=Y).count() == 3
    assert RecognitionEvent.objects.filter(recognition__year=Y).count() == 3
    assert set(Recognition.objects.filter(year=Y).values_list("version", flat=True)) == {2}


@pytest.mark.django_db(transaction=True)
def test_two_batches_submitting_the_same_records_one_wins_the_other_is_stale(world: list[Unit]) -> None:
    recs = do_register_many(ACTOR, Y, [Registration(u, households(u), REGISTERED_ON) for u in world])
    recs = do_self_assess_many(ACTOR, [Assessment(r, answers_for(r.unit), MEETING_ON) for r in recs])
    read = [(r.pk, r.version) for r in recs]

    def submit(day: dt.date) -> list[Recognition]:
        return do_submit_many(ACTOR, [StepOn(pk, day, expected_version=version) for pk, version in read])

    results = run_together(lambda: submit(dt.date(Y, 10, 26)), lambda: submit(dt.date(Y, 10, 29)))
    stale = [r for r in results if isinstance(r, StaleVersion)]
    saved = [r for r in results if isinstance(r, list)]
    assert len(stale) == 1 and len(saved) == 1, results
    days = set(Recognition.objects.filter(year=Y).values_list("submitted_on", flat=True))
    assert days == {saved[0][0].submitted_on}  # all three from the winner, none from the other
    assert RecognitionEvent.objects.filter(recognition__year=Y, action="submit").count() == 3
    assert set(Recognition.objects.filter(year=Y).values_list("version", flat=True)) == {4}


@pytest.mark.django_db
def test_residential_counts_agree_with_residential_share(cycle: None) -> None:
    from phongtrao.recognition.actions import do_recognise_many
    from phongtrao.recognition.criteria import residential_counts, residential_share

    areas = [unit(code) for code in ("KDC-T99000-01", "KDC-T99000-02", "KDC-T99001-03")]
    in_bulk(areas)  # the first two reach review; the third is submitted
    do_recognise_many(ACTOR, [areas[0]], Y, decision_no="1/QĐ-UBND", decision_date=dt.date(Y, 12, 10),
                      signer_name="Nguyễn Văn A")
    communes = list(Unit.objects.filter(kind=Kind.COMMUNE, code__startswith="T99").order_by("code"))
    counts = residential_counts(communes, Y)
    for commune in communes:
        share = residential_share(commune, Y)
        assert counts[commune.pk] == (share.recognised, share.total), commune.code
        areas_of = Unit.objects.filter(parent=commune, kind=Kind.RESIDENTIAL_AREA, subject_to_standard=True)
        assert share.total == len([a for a in areas_of if a.is_valid_on(dt.date(Y, 12, 31))])
    assert counts[unit("T99000").pk][0] == 1 and counts[unit("T99001").pk][0] == 0
