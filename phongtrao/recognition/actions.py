"""Named actions of the yearly ANTT cycle. Views, the API, importers and commands call these.

Each action locks the recognition row (``select_for_update``), refuses a move the current
status does not allow with a Vietnamese message, writes the change, appends a
``RecognitionEvent`` and an audit row, all in one transaction::

    not_registered -> registered -> self_assessed -> submitted -> under_review -> recognised
                                                                               -> not_recognised
    any registered or decided status -> withdrawn (with a reason)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from phongtrao.audit.actions import Actor, record, record_many
from phongtrao.recognition.authority import NoAuthority, competent_authorities, competent_authority
from phongtrao.recognition.criteria import AnswerError, evaluate
from phongtrao.recognition.models import (
    CriteriaSet,
    CriterionType,
    Recognition,
    RecognitionEvent,
    Status,
    evaluation_window,
)
from phongtrao.units.actions import ActionError
from phongtrao.units.models import Kind, Unit

__all__ = [
    "ActionError", "do_decide", "do_recognise_many", "do_register", "do_self_assess", "do_start_review",
    "do_submit", "do_withdraw",
]

# action -> (statuses it may start from, what it is called in a message)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "register": ((Status.NOT_REGISTERED,), "đăng ký"),
    "self_assess": ((Status.REGISTERED, Status.SELF_ASSESSED), "tự đánh giá"),
    "submit": ((Status.SELF_ASSESSED,), "gửi hồ sơ"),
    "start_review": ((Status.SUBMITTED,), "thẩm định"),
    "decide": ((Status.UNDER_REVIEW,), "ra quyết định công nhận"),
    "withdraw": ((Status.REGISTERED, Status.SELF_ASSESSED, Status.SUBMITTED, Status.UNDER_REVIEW,
                  Status.RECOGNISED, Status.NOT_RECOGNISED), "rút/thu hồi"),
}


def _check_move(rec: Recognition, action: str) -> str | None:
    allowed, words = TRANSITIONS[action]
    if rec.status in allowed:
        return None
    need = ", ".join(f"“{Status(s).label}”" for s in allowed)
    return (f"Không thể {words}: hồ sơ năm {rec.year} của {rec.unit.name} đang ở trạng thái "
            f"“{rec.get_status_display()}” (cần {need}).")


def _refuse_move(rec: Recognition, action: str) -> None:
    message = _check_move(rec, action)
    if message:
        raise ActionError({"status": [message]})


def _event(actor: Actor, rec: Recognition, action: str, from_status: str, details: dict[str, Any]) -> RecognitionEvent:
    return RecognitionEvent(
        recognition=rec, action=action, from_status=from_status, to_status=rec.status, source=actor.channel,
        user=actor.user if actor.user is not None and actor.user.pk else None, details=details,
    )


def _save_move(actor: Actor, rec: Recognition, action: str, from_status: str, before: dict[str, Any] | None,
               details: dict[str, Any] | None = None) -> Recognition:
    rec.version += 1
    rec.save()
    _event(actor, rec, action, from_status, details or {}).save()
    record(actor, f"recognition.{action}", rec, unit=rec.unit, before=before, after=rec.snapshot())
    return rec


def _lock(recognition: Recognition | int) -> Recognition:
    pk = recognition if isinstance(recognition, int) else recognition.pk
    try:
        return Recognition.objects.select_for_update().select_related("unit").get(pk=pk)
    except Recognition.DoesNotExist as exc:
        raise ActionError("Không tìm thấy hồ sơ tiêu chuẩn ANTT.") from exc


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def do_register(actor: Actor, unit: Unit, year: int, *, households_committed: int | None = None,
                registered_on: dt.date | None = None) -> Recognition:
    """Register ``unit`` for the standard in ``year`` (creates the year's record if needed)."""
    errors: dict[str, list[str]] = {}
    if not unit.subject_to_standard:
        errors.setdefault("unit", []).append(
            f"{unit.name} không thuộc diện xét tiêu chuẩn “An toàn về an ninh, trật tự” (TT 124/2021/TT-BCA).")
    if not (unit.valid_from is None or unit.valid_from <= dt.date(year, 12, 31)) or \
            not (unit.valid_to is None or unit.valid_to >= dt.date(year, 1, 1)):
        errors.setdefault("unit", []).append(f"{unit.name} không có hiệu lực trong năm {year}.")
    if households_committed is not None:
        if unit.kind != Kind.RESIDENTIAL_AREA:
            errors.setdefault("households_committed", []).append("Số hộ ký cam kết chỉ dùng cho khu dân cư.")
        elif unit.households is not None and households_committed > unit.households:
            errors.setdefault("households_committed", []).append(
                f"Số hộ ký cam kết ({households_committed}) lớn hơn số hộ của khu dân cư ({unit.households}).")
    if errors:
        raise ActionError(errors)
    rec = Recognition.objects.select_for_update().select_related("unit").filter(unit=unit, year=year).first()
    if rec is None:
        try:
            with transaction.atomic():
                rec = Recognition.objects.create(unit=unit, year=year)
        except IntegrityError:  # created meanwhile by someone else: lock theirs
            rec = Recognition.objects.select_for_update().select_related("unit").get(unit=unit, year=year)
    _refuse_move(rec, "register")
    before = rec.snapshot()
    from_status = rec.status
    rec.status = Status.REGISTERED
    rec.registered_on = registered_on or _today()
    rec.households_committed = households_committed
    return _save_move(actor, rec, "register", from_status, before)


def _applicable_sets(rec: Recognition) -> list[CriteriaSet]:
    _, window_end = evaluation_window(rec.unit.kind, rec.year)
    sets = CriteriaSet.objects.for_unit(rec.unit, window_end)
    if not sets:
        raise ActionError({"answers": [f"Chưa có bộ tiêu chí áp dụng cho {Kind(rec.unit.kind).label.lower()} "
                                       f"năm {rec.year}."]})
    return sets


def _previous_answers(rec: Recognition) -> dict[str, Any]:
    previous = Recognition.objects.filter(unit_id=rec.unit_id, year=rec.year - 1).values_list("answers", flat=True)
    lines = previous.first() or []
    return {line["criterion"]: line.get("value") for line in lines if isinstance(line, dict)}


@transaction.atomic
def do_self_assess(actor: Actor, recognition: Recognition | int, *, answers: dict[str, Any],
                   review_meeting_on: dt.date) -> Recognition:
    """Record the checklist (one answer per criterion, keyed by criterion code or "set/code")
    and the date of the review meeting; may be repeated until the dossier is submitted."""
    rec = _lock(recognition)
    _refuse_move(rec, "self_assess")
    sets = _applicable_sets(rec)
    criteria = [c for s in sets for c in s.criteria.select_related("criteria_set").order_by("order")]
    by_key = {c.key: c for c in criteria}
    by_code: dict[str, list[Any]] = {}
    for c in criteria:
        by_code.setdefault(c.code, []).append(c)
    given: dict[str, Any] = {}
    errors: list[str] = []
    for key, value in answers.items():
        if key in by_key:
            given[key] = value
        elif len(by_code.get(key, [])) == 1:
            given[by_code[key][0].key] = value
        else:
            errors.append(f"Không có tiêu chí “{key}” trong bộ tiêu chí áp dụng.")
    previous = _previous_answers(rec)
    lines = []
    for criterion in criteria:
        try:
            lines.append(evaluate(criterion, given.get(criterion.key), rec, previous))
        except AnswerError as exc:
            errors.append(str(exc))
    if review_meeting_on is None:
        errors.append("Phải có ngày họp bình xét.")
    if errors:
        raise ActionError({"answers": errors})
    before = rec.snapshot()
    from_status = rec.status
    rec.answers = lines
    rec.checklist_met = all(line["met"] for line in lines)
    rec.review_meeting_on = review_meeting_on
    rec.status = Status.SELF_ASSESSED
    unmet = [line["criterion"] for line in lines if not line["met"]]
    return _save_move(actor, rec, "self_assess", from_status, before,
                      {"checklist_met": rec.checklist_met, "unmet": unmet})


@transaction.atomic
def do_submit(actor: Actor, recognition: Recognition | int, *, submitted_on: dt.date | None = None) -> Recognition:
    """Send the dossier (since TT 48/2025: to the commune police)."""
    rec = _lock(recognition)
    _refuse_move(rec, "submit")
    before, from_status = rec.snapshot(), rec.status
    rec.status = Status.SUBMITTED
    rec.submitted_on = submitted_on or _today()
    return _save_move(actor, rec, "submit", from_status, before)


@transaction.atomic
def do_start_review(actor: Actor, recognition: Recognition | int, *,
                    started_on: dt.date | None = None) -> Recognition:
    rec = _lock(recognition)
    _refuse_move(rec, "start_review")
    before, from_status = rec.snapshot(), rec.status
    rec.status = Status.UNDER_REVIEW
    rec.review_started_on = started_on or _today()
    return _save_move(actor, rec, "start_review", from_status, before)


def _recheck_live(rec: Recognition) -> list[str]:
    """Re-evaluate the criteria computed from the register (the commune's share of recognised
    residential areas) and return the keys of unmet criteria."""
    if any(line.get("type") == CriterionType.SHARE_RECOGNISED for line in rec.answers):
        previous = _previous_answers(rec)
        criteria = {c.key: c for s in _applicable_sets(rec) for c in s.criteria.select_related("criteria_set")}
        lines = []
        for line in rec.answers:
            criterion = criteria.get(line["criterion"])
            if criterion is not None and criterion.type == CriterionType.SHARE_RECOGNISED:
                line = evaluate(criterion, None, rec, previous)
            lines.append(line)
        rec.answers = lines
        rec.checklist_met = all(line["met"] for line in lines)
    return [line["criterion"] for line in rec.answers if not line["met"]]


def _decision_errors(decision_no: str, decision_date: dt.date | None, signer_name: str) -> list[str]:
    errors = []
    if not decision_no.strip():
        errors.append("Phải có số quyết định.")
    if decision_date is None:
        errors.append("Phải có ngày quyết định.")
    if not signer_name.strip():
        errors.append("Phải có họ tên người ký quyết định.")
    return errors


@transaction.atomic
def do_decide(actor: Actor, recognition: Recognition | int, *, recognised: bool, decision_no: str = "",
              decision_date: dt.date | None = None, signer_name: str = "") -> Recognition:
    """The competent chairman's decision: recognised (needs a decision and a met checklist) or not."""
    rec = _lock(recognition)
    _refuse_move(rec, "decide")
    errors: list[str] = _decision_errors(decision_no, decision_date, signer_name) if recognised else []
    before, from_status = rec.snapshot(), rec.status
    unmet = _recheck_live(rec)
    if recognised and (unmet or rec.checklist_met is not True):
        errors.append(f"Không thể công nhận {rec.unit.name}: chưa đạt các tiêu chí " + ", ".join(unmet) + "."
                      if unmet else f"Không thể công nhận {rec.unit.name}: chưa có kết quả tự đánh giá đạt.")
    authority = None
    if decision_date is not None:
        try:
            authority = competent_authority(rec.unit, decision_date)
        except NoAuthority as exc:
            errors.append(str(exc))
    if errors:
        raise ActionError({"decision": errors})
    rec.status = Status.RECOGNISED if recognised else Status.NOT_RECOGNISED
    rec.decision_no = decision_no.strip()
    rec.decision_date = decision_date
    rec.signer_name = " ".join(signer_name.split())
    rec.authority_level = authority.level if authority else ""
    rec.authority = authority.unit if authority else None
    return _save_move(actor, rec, "decide", from_status, before,
                      {"authority": authority.label if authority else ""})


@transaction.atomic
def do_withdraw(actor: Actor, recognition: Recognition | int, *, reason: str,
                withdrawn_on: dt.date | None = None) -> Recognition:
    """Withdraw a registration, or revoke a decision; the reason is required."""
    rec = _lock(recognition)
    _refuse_move(rec, "withdraw")
    if not reason.strip():
        raise ActionError({"reason": ["Phải nêu lý do rút/thu hồi."]})
    before, from_status = rec.snapshot(), rec.status
    rec.status = Status.WITHDRAWN
    rec.withdrawn_reason = reason.strip()
    rec.withdrawn_on = withdrawn_on or _today()
    return _save_move(actor, rec, "withdraw", from_status, before)


@transaction.atomic
def do_recognise_many(actor: Actor, units: Iterable[Unit], year: int, *, decision_no: str,
                      decision_date: dt.date, signer_name: str) -> list[Recognition]:
    """One decision recognising many units (all under review, all of the same competent chairman).

    All or nothing: any refused unit refuses the whole decision, with one message per unit.
    """
    unit_list = list(units)
    errors: list[str] = _decision_errors(decision_no, decision_date, signer_name)
    if not unit_list:
        errors.append("Chưa chọn đơn vị nào.")
    if errors:
        raise ActionError({"decision": errors})
    recs = list(Recognition.objects.select_for_update().select_related("unit")
                .filter(unit__in=unit_list, year=year).order_by("pk"))
    by_unit = {r.unit_id: r for r in recs}
    for unit in unit_list:
        if unit.pk not in by_unit:
            errors.append(f"{unit.name} chưa đăng ký năm {year}.")
    authorities = competent_authorities([r.unit for r in recs], decision_date)
    for rec in recs:
        message = _check_move(rec, "decide")
        if message:
            errors.append(message)
            continue
        unmet = _recheck_live(rec)
        if unmet or rec.checklist_met is not True:
            errors.append(f"{rec.unit.name}: chưa đạt các tiêu chí " + ", ".join(unmet) + "." if unmet
                          else f"{rec.unit.name}: chưa có kết quả tự đánh giá đạt.")
        if isinstance(authorities.get(rec.unit_id), NoAuthority):
            errors.append(str(authorities[rec.unit_id]))
    deciders = {(a.level, a.unit.pk) for a in authorities.values() if not isinstance(a, NoAuthority)}
    if len(deciders) > 1:
        errors.append("Các đơn vị đã chọn không cùng một cấp có thẩm quyền công nhận: "
                      + "; ".join(sorted({a.label for a in authorities.values() if not isinstance(a, NoAuthority)}))
                      + ".")
    if errors:
        raise ActionError({"decision": errors})
    events, audit_rows = [], []
    for rec in recs:
        authority = authorities[rec.unit_id]
        assert not isinstance(authority, NoAuthority)
        before, from_status = rec.snapshot(), rec.status
        rec.status = Status.RECOGNISED
        rec.decision_no = decision_no.strip()
        rec.decision_date = decision_date
        rec.signer_name = " ".join(signer_name.split())
        rec.authority_level = authority.level
        rec.authority = authority.unit
        rec.version += 1
        rec.updated_at = timezone.now()
        events.append(_event(actor, rec, "decide", from_status, {"authority": authority.label, "bulk": True}))
        audit_rows.append((rec, rec.unit, before, rec.snapshot()))
    Recognition.objects.bulk_update(recs, ["status", "decision_no", "decision_date", "signer_name",
                                           "authority_level", "authority", "answers", "checklist_met",
                                           "version", "updated_at"], batch_size=500)
    RecognitionEvent.objects.bulk_create(events, batch_size=1000)
    record_many(actor, "recognition.decide", audit_rows)
    return recs
