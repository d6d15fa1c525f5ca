"""Named actions of the yearly ANTT cycle. Views, the API, importers and commands call these.

Each action locks the recognition row, checks who may act and what the move needs, and moves it
through ``RECOGNITIONS`` (``phongtrao.lib.workflow``; the table is ``models.TRANSITIONS``): a move the
current status does not allow is refused with a Vietnamese message, and the change, its
``RecognitionEvent`` and its audit row are written in one transaction::

    not_registered -> registered -> self_assessed -> submitted -> under_review -> recognised
                                                                               -> not_recognised
    any registered or decided status -> withdrawn (with a reason)

Who may move a record (checked when the actor is a real user; the system and commands
acting without a user may do everything):

- register, self-assess, submit: ``access.can_capture`` on the unit (an organisation's
  reporter only its own organisation, a commune officer their commune, ...);
- start the review: capture rights except the organisation's own reporter, or decision rights;
- withdraw: capture or decision rights;
- decide (one unit or many): ``access.can_decide`` (approver or administrator, within scope).

Each move's permission is ``policies.RECOGNITION_MOVES`` (``phongtrao/accounts/policies.py``).

Forms pass the ``version`` they were read at as ``expected_version``: a record saved by
someone else in between is refused with ``StaleVersion``, never silently overwritten.

Bulk variants (``do_register_many``, ``do_self_assess_many``, ``do_submit_many``, ``do_start_review_many``,
``do_not_recognise_many``; ``do_recognise_many`` is one decision) take many records in one call, all or
nothing, with the same checks and messages (keyed by unit id) and one ``move_many`` for the writes: the demo
uses them; pages and importers may.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from phongtrao.accounts import access
from phongtrao.accounts.policies import RECOGNITION_MOVES
from phongtrao.audit.actions import Actor
from phongtrao.lib.periods import Period
from phongtrao.lib.vnformat import date_text
from phongtrao.lib.workflow import ActionError, Move, StaleVersion, acting_user
from phongtrao.recognition.authority import NoAuthority, competent_authorities, competent_authority
from phongtrao.recognition.criteria import AnswerError, ShareCounts, evaluate, residential_counts
from phongtrao.recognition.models import (
    RECOGNITIONS,
    CriteriaSet,
    Criterion,
    CriterionType,
    Derivation,
    Recognition,
    Status,
    evaluation_window,
)
from phongtrao.units.models import Kind, Unit

__all__ = [
    "MOVES", "Assessment", "GridRow", "Registration", "StepOn", "do_decide", "do_not_recognise_many",
    "do_recognise_many", "do_register", "do_register_many", "do_self_assess", "do_self_assess_many",
    "do_start_review", "do_start_review_many", "do_submit", "do_submit_many", "do_update_grid", "do_withdraw", "may",
]

# The moves a user makes on the pages (the table's "import" is the importer's).
MOVES = ("register", "self_assess", "submit", "start_review", "decide", "withdraw")
ALL_MOVES = frozenset(MOVES)


def allowed_moves(user: Any, units: Sequence[Unit]) -> dict[int, frozenset[str]]:
    """The moves ``user`` may make on each unit's record (one query for all units): the rules above."""
    needs = {move: RECOGNITION_MOVES[move] for move in ALL_MOVES}  # the table in accounts/policies.py
    held = access.allowed_on(user, set(needs.values()), units)
    return {pk: frozenset(move for move, name in needs.items() if name in names) for pk, names in held.items()}


def may(user: Any, action: str, unit: Unit) -> bool:
    """Whether ``user`` may make the move ``action`` on ``unit``'s record (the pages ask the same)."""
    return action in allowed_moves(user, [unit])[unit.pk]


def _refuse_role(actor: Actor, action: str, unit: Unit) -> None:
    if not may(acting_user(actor), action, unit):
        raise ActionError({"": [gettext("Bạn không có quyền %(action)s đối với %(name)s.")
                                % {"action": RECOGNITIONS.transition(action).verb, "name": unit.name}]})


def _authority_error(actor: Actor, authority: Any) -> str | None:
    """The decision is the competent chairman's: an approver may record it only for the authority
    unit in their own scope (a commune's approver cannot recognise the commune itself: that is the
    province's)."""
    user = acting_user(actor)
    if user is None or access.is_admin(user) or access.can_decide(user, authority.unit):
        return None
    return gettext("Thẩm quyền công nhận thuộc %(authority)s; tài khoản của bạn không thuộc %(unit)s nên không "
                   "ghi được quyết định này.") % {"authority": authority.label, "unit": authority.unit.name}


def _today() -> dt.date:
    return timezone.localdate()


def default_step_day(unit: Unit, year: int, *, opening: bool = False) -> dt.date:
    """The date of a step recorded without one: today; for a year whose assessment window has closed
    (a late entry), the window's start for the registration (``opening``) and its end for the later
    steps, so that the record's dates stay in order (a review meeting never precedes its registration)."""
    today = _today()
    start, end = evaluation_window(unit.kind, year)
    if today <= end:
        return today
    return start if opening else end


@transaction.atomic
def do_register(actor: Actor, unit: Unit, year: int, *, households_committed: int | None = None,
                registered_on: dt.date | None = None, expected_version: int | None = None) -> Recognition:
    """Register ``unit`` for the standard in ``year`` (creates the year's record if needed).

    ``expected_version`` 0 means "there was no record when the form was read".
    """
    _refuse_role(actor, "register", unit)
    if errors := _registration_errors(unit, year, households_committed):
        raise ActionError(errors)
    rec = RECOGNITIONS.locking().filter(unit=unit, year=year).first()
    if rec is not None and expected_version == 0:  # there was no record when the form was read
        raise StaleVersion(RECOGNITIONS.stale_message(rec))
    if rec is None:
        try:
            with transaction.atomic():
                rec = Recognition.objects.create(unit=unit, year=year)
        except IntegrityError:  # created meanwhile by someone else: lock theirs
            rec = RECOGNITIONS.locking().get(unit=unit, year=year)
            RECOGNITIONS.refuse(rec, "register", expected_version)
    RECOGNITIONS.refuse(rec, "register", expected_version or None)
    if (households_committed is None or not unit.households) and unit.kind == Kind.RESIDENTIAL_AREA \
            and (needing := _household_criterion(unit, year)) is not None:
        raise ActionError({"households_committed": [_households_message(unit, needing, households_committed)]})
    return RECOGNITIONS.move(rec, "register", actor=actor, changes={
        "registered_on": registered_on or default_step_day(unit, year, opening=True),
        "households_committed": households_committed})


def _registration_errors(unit: Unit, year: int, households_committed: int | None) -> dict[str, list[str]]:
    """What refuses registering ``unit`` in ``year`` before its record is read (the unit and the households)."""
    errors: dict[str, list[str]] = {}
    if not unit.subject_to_standard:
        errors.setdefault("unit", []).append(
            gettext("%(name)s không thuộc diện xét tiêu chuẩn “An toàn về an ninh, trật tự” (TT 124/2021/TT-BCA).")
            % {"name": unit.name})
    if not Period.year_of(year).overlaps(unit.valid_from, unit.valid_to):
        errors.setdefault("unit", []).append(gettext("%(name)s không có hiệu lực trong năm %(year)s.")
                                             % {"name": unit.name, "year": year})
    if households_committed is not None:
        if unit.kind != Kind.RESIDENTIAL_AREA:
            errors.setdefault("households_committed", []).append(
                gettext("Số hộ ký cam kết chỉ dùng cho khu dân cư."))
        elif unit.households is not None and households_committed > unit.households:
            errors.setdefault("households_committed", []).append(
                gettext("Số hộ ký cam kết (%(committed)s) lớn hơn số hộ của khu dân cư (%(households)s).")
                % {"committed": households_committed, "households": unit.households})
    return errors


def _households_message(unit: Unit, needing: Criterion, households_committed: int | None) -> str:
    names = {"name": unit.name, "order": needing.order, "code": needing.code}
    if households_committed is None:
        return gettext("Phải nhập số hộ ký cam kết của %(name)s: tiêu chí %(order)s (%(code)s) được tính từ số hộ "
                       "này.") % names
    return gettext("%(name)s chưa có tổng số hộ trong danh mục đơn vị: tiêu chí %(order)s (%(code)s) cần số này; "
                   "cập nhật đơn vị trước khi đăng ký.") % names


def _household_criterion(unit: Unit, year: int) -> Criterion | None:
    """The first criterion of ``unit``'s sets in ``year`` computed from the households committed, if any."""
    sets = CriteriaSet.objects.for_unit(unit, evaluation_window(unit.kind, year)[1])
    return (Criterion.objects.filter(criteria_set__in=sets, derived_from=Derivation.HOUSEHOLDS_COMMITTED)
            .order_by("order").first())


def _date_order_errors(rec: Recognition, field_label: str, day: dt.date,
                       earlier: tuple[str, ...]) -> list[str]:
    """``day`` (the date of ``field_label``) may not lie before the record's dates named in ``earlier``."""
    labels = {"registered_on": gettext("ngày đăng ký"), "review_meeting_on": gettext("ngày họp bình xét"),
              "submitted_on": gettext("ngày gửi hồ sơ"), "review_started_on": gettext("ngày bắt đầu thẩm định")}
    for name in reversed(earlier):  # the latest step first: it is the one the date contradicts
        other: dt.date | None = getattr(rec, name)
        if other is not None and day < other:
            return [gettext("%(what)s %(day)s trước %(other)s %(other_day)s của %(name)s; kiểm tra lại ngày.")
                    % {"what": field_label, "day": date_text(day), "other": labels[name],
                       "other_day": date_text(other), "name": rec.unit.name}]
    return []


def _applicable_sets(rec: Recognition) -> list[CriteriaSet]:
    _, window_end = evaluation_window(rec.unit.kind, rec.year)
    sets = CriteriaSet.objects.for_unit(rec.unit, window_end)
    if not sets:
        raise ActionError({"answers": [gettext("Chưa có bộ tiêu chí áp dụng cho %(kind)s năm %(year)s.")
                                       % {"kind": str(Kind(rec.unit.kind).label).lower(), "year": rec.year}]})
    return sets


def _previous_answers(rec: Recognition) -> dict[str, Any]:
    previous = Recognition.objects.filter(unit_id=rec.unit_id, year=rec.year - 1).values_list("answers", flat=True)
    return _answers_by_key(previous.first())


def _answers_by_key(answers: Any) -> dict[str, Any]:
    """A year's checklist lines as {criterion key or code: value} (``_previous_answers``)."""
    lines = [line for line in answers or [] if isinstance(line, dict)]
    # Also by criterion code alone, so a year assessed on an earlier version of the set (TT 124 before
    # TT 48) still gives "the previous year" to the next one.
    by_code = {str(line["criterion"]).rsplit("/", 1)[-1]: line.get("value") for line in lines}
    return by_code | {line["criterion"]: line.get("value") for line in lines}


@transaction.atomic
def do_self_assess(actor: Actor, recognition: Recognition | int, *, answers: dict[str, Any],
                   review_meeting_on: dt.date, expected_version: int | None = None) -> Recognition:
    """Record the checklist (one answer per criterion, keyed by criterion code or "set/code")
    and the date of the review meeting; may be repeated until the dossier is submitted."""
    rec = RECOGNITIONS.lock(recognition)
    _refuse_role(actor, "self_assess", rec.unit)
    RECOGNITIONS.refuse(rec, "self_assess", expected_version)
    sets = _applicable_sets(rec)
    criteria = [c for s in sets for c in s.criteria.select_related("criteria_set").order_by("order")]
    changes, event_fields = _assessment(rec, criteria, answers, review_meeting_on, _previous_answers(rec))
    return RECOGNITIONS.move(rec, "self_assess", actor=actor, changes=changes, event_fields=event_fields)


def _assessment(rec: Recognition, criteria: list[Criterion], answers: dict[str, Any],
                review_meeting_on: dt.date | None, previous: dict[str, Any],
                counts: ShareCounts | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The checklist of ``rec`` from ``answers`` against ``criteria`` (its sets' criteria in order): the
    changes and event fields of the ``self_assess`` move, or ``ActionError``. ``counts``: the communes'
    residential areas read for a batch (``criteria.residential_counts``)."""
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
            errors.append(gettext("Không có tiêu chí “%(key)s” trong bộ tiêu chí áp dụng.") % {"key": key})
    lines = []
    for criterion in criteria:
        try:
            lines.append(evaluate(criterion, given.get(criterion.key), rec, previous, counts))
        except AnswerError as exc:
            errors.append(str(exc))
    if review_meeting_on is None:
        errors.append(gettext("Phải có ngày họp bình xét."))
    refused = {"answers": errors} if errors else {}
    if review_meeting_on is not None and (late := _date_order_errors(
            rec, gettext("Ngày họp bình xét"), review_meeting_on, ("registered_on",))):
        refused["review_meeting_on"] = late
    if refused:
        raise ActionError(refused)
    met = all(line["met"] for line in lines)
    unmet = [line["criterion"] for line in lines if not line["met"]]
    return ({"answers": lines, "checklist_met": met, "review_meeting_on": review_meeting_on},
            {"details": {"checklist_met": met, "unmet": unmet}})


@transaction.atomic
def do_submit(actor: Actor, recognition: Recognition | int, *, submitted_on: dt.date | None = None,
              expected_version: int | None = None) -> Recognition:
    """Send the dossier (since TT 48/2025: to the commune police)."""
    rec = RECOGNITIONS.lock(recognition)
    _refuse_role(actor, "submit", rec.unit)
    return RECOGNITIONS.move(rec, "submit", actor=actor, expected_version=expected_version,
                             changes={"submitted_on": submitted_on or default_step_day(rec.unit, rec.year)})


@transaction.atomic
def do_start_review(actor: Actor, recognition: Recognition | int, *, started_on: dt.date | None = None,
                    expected_version: int | None = None) -> Recognition:
    rec = RECOGNITIONS.lock(recognition)
    _refuse_role(actor, "start_review", rec.unit)
    return RECOGNITIONS.move(rec, "start_review", actor=actor, expected_version=expected_version,
                             changes={"review_started_on": started_on or default_step_day(rec.unit, rec.year)})


def _recheck_live(rec: Recognition, counts: ShareCounts | None = None) -> list[str]:
    """Re-evaluate the criteria computed from the register (the commune's share of recognised
    residential areas) and return the keys of unmet criteria."""
    if any(line.get("type") == CriterionType.SHARE_RECOGNISED for line in rec.answers):
        previous = _previous_answers(rec)
        criteria = {c.key: c for s in _applicable_sets(rec) for c in s.criteria.select_related("criteria_set")}
        lines = []
        for line in rec.answers:
            criterion = criteria.get(line["criterion"])
            if criterion is not None and criterion.type == CriterionType.SHARE_RECOGNISED:
                line = evaluate(criterion, None, rec, previous, counts)
            lines.append(line)
        rec.answers = lines
        rec.checklist_met = all(line["met"] for line in lines)
    return [line["criterion"] for line in rec.answers if not line["met"]]


# A decision comes after every earlier step of the record.
DECISION_AFTER = ("registered_on", "review_meeting_on", "submitted_on", "review_started_on")


def _decision_errors(decision_no: str, decision_date: dt.date | None, signer_name: str) -> list[str]:
    errors = []
    if not decision_no.strip():
        errors.append(gettext("Phải có số quyết định."))
    if decision_date is None:
        errors.append(gettext("Phải có ngày quyết định."))
    if not signer_name.strip():
        errors.append(gettext("Phải có họ tên người ký quyết định."))
    return errors


@transaction.atomic
def do_decide(actor: Actor, recognition: Recognition | int, *, recognised: bool, decision_no: str = "",
              decision_date: dt.date | None = None, signer_name: str = "",
              expected_version: int | None = None) -> Recognition:
    """The competent chairman's decision: recognised (needs a decision and a met checklist) or not."""
    rec = RECOGNITIONS.lock(recognition)
    _refuse_role(actor, "decide", rec.unit)
    RECOGNITIONS.refuse(rec, "decide", expected_version)
    errors: list[str] = _decision_errors(decision_no, decision_date, signer_name) if recognised else []
    before = rec.snapshot()
    unmet = _recheck_live(rec)
    if recognised and (unmet or rec.checklist_met is not True):
        errors.append(gettext("Không thể công nhận %(name)s: chưa đạt các tiêu chí %(criteria)s.")
                      % {"name": rec.unit.name, "criteria": ", ".join(unmet)} if unmet
                      else gettext("Không thể công nhận %(name)s: chưa có kết quả tự đánh giá đạt.")
                      % {"name": rec.unit.name})
    authority = None
    if decision_date is not None:
        errors += _date_order_errors(rec, gettext("Ngày quyết định"), decision_date, DECISION_AFTER)
        try:
            authority = competent_authority(rec.unit, decision_date)
        except NoAuthority as exc:
            errors.append(str(exc))
        else:
            if message := _authority_error(actor, authority):
                errors.append(message)
    if errors:
        raise ActionError({"decision": errors})
    return RECOGNITIONS.move(rec, "decide", actor=actor, before=before, changes={
        "status": Status.RECOGNISED if recognised else Status.NOT_RECOGNISED, "decision_no": decision_no.strip(),
        "decision_date": decision_date, "signer_name": " ".join(signer_name.split()),
        "authority_level": authority.level if authority else "", "authority": authority.unit if authority else None,
    }, event_fields={"details": {"authority": authority.official_label if authority else ""}})


@transaction.atomic
def do_withdraw(actor: Actor, recognition: Recognition | int, *, reason: str,
                withdrawn_on: dt.date | None = None, expected_version: int | None = None) -> Recognition:
    """Withdraw a registration, or revoke a decision; the reason is required."""
    rec = RECOGNITIONS.lock(recognition)
    _refuse_role(actor, "withdraw", rec.unit)  # then the table: a stale version, the status, the reason
    return RECOGNITIONS.move(rec, "withdraw", actor=actor, expected_version=expected_version, reason=reason.strip(),
                             changes={"withdrawn_reason": reason.strip(), "withdrawn_on": withdrawn_on or _today()})


@transaction.atomic
def do_recognise_many(actor: Actor, units: Iterable[Unit], year: int, *, decision_no: str,
                      decision_date: dt.date, signer_name: str) -> list[Recognition]:
    """One decision recognising many units (all under review, all of the same competent chairman).

    All or nothing: any refused unit refuses the whole decision, with one message per unit.
    """
    unit_list = list(units)
    moves = allowed_moves(acting_user(actor), unit_list)
    refused = [u.name for u in unit_list if "decide" not in moves[u.pk]]
    if refused:
        raise ActionError({"": [gettext("Bạn không có quyền ra quyết định công nhận đối với %(name)s.")
                                % {"name": name} for name in refused]})
    errors: list[str] = _decision_errors(decision_no, decision_date, signer_name)
    if not unit_list:
        errors.append(gettext("Chưa chọn đơn vị nào."))
    if errors:
        raise ActionError({"decision": errors})
    recs = list(RECOGNITIONS.locking().filter(unit__in=unit_list, year=year).order_by("pk"))
    by_unit = {r.unit_id: r for r in recs}
    for unit in unit_list:
        if unit.pk not in by_unit:
            errors.append(gettext("%(name)s chưa đăng ký năm %(year)s.") % {"name": unit.name, "year": year})
    authorities = competent_authorities([r.unit for r in recs], decision_date)
    counts = residential_counts([r.unit for r in recs if r.unit.kind == Kind.COMMUNE], year)
    for rec in recs:
        message = RECOGNITIONS.refusal(rec, "decide")
        if message:
            errors.append(message)
            continue
        errors += _date_order_errors(rec, gettext("Ngày quyết định"), decision_date, DECISION_AFTER)
        unmet = _recheck_live(rec, counts)
        if unmet or rec.checklist_met is not True:
            errors.append(gettext("%(name)s: chưa đạt các tiêu chí %(criteria)s.")
                          % {"name": rec.unit.name, "criteria": ", ".join(unmet)} if unmet
                          else gettext("%(name)s: chưa có kết quả tự đánh giá đạt.") % {"name": rec.unit.name})
        if isinstance(authorities.get(rec.unit_id), NoAuthority):
            errors.append(str(authorities[rec.unit_id]))
    deciders = {(a.level, a.unit.pk) for a in authorities.values() if not isinstance(a, NoAuthority)}
    if len(deciders) > 1:
        errors.append("Các đơn vị đã chọn không cùng một cấp có thẩm quyền công nhận: "
                      + "; ".join(sorted({a.label for a in authorities.values() if not isinstance(a, NoAuthority)}))
                      + ".")
    elif deciders:
        authority = next(a for a in authorities.values() if not isinstance(a, NoAuthority))
        if message := _authority_error(actor, authority):
            errors.append(message)
    if errors:
        raise ActionError({"decision": errors})
    decisions: list[Move] = []
    for rec in recs:
        rec_authority = authorities[rec.unit_id]
        assert not isinstance(rec_authority, NoAuthority)  # every unit had an authority (checked above)
        decisions.append(Move(rec, "decide", changes={
            "status": Status.RECOGNISED, "decision_no": decision_no.strip(), "decision_date": decision_date,
            "signer_name": " ".join(signer_name.split()), "authority_level": rec_authority.level,
            "authority": rec_authority.unit, "answers": rec.answers, "checklist_met": rec.checklist_met,
        }, event_fields={"details": {"authority": rec_authority.official_label, "bulk": True}}))
    RECOGNITIONS.move_many(decisions, actor=actor)
    return recs


# --- bulk variants: one action call for many units (the demo; pages and importers may use them) ---------
#
# Each is the per-unit action for many records at once, all or nothing: the same role checks (one query
# for all units), the same validations and messages, one lock for the batch (its rows read in a few
# queries, ``select_for_update``), then ``RECOGNITIONS.move_many``: one update, one insert of events, one of
# audit rows. Refusals are raised together, keyed by unit id (as text), as ``do_update_grid`` keys them;
# a record saved by someone else since ``expected_version`` refuses the batch with ``StaleVersion``.


@dataclass(frozen=True)
class Registration:
    """One unit of ``do_register_many``: ``do_register``'s arguments."""

    unit: Unit
    households_committed: int | None = None
    registered_on: dt.date | None = None
    expected_version: int | None = None  # 0 = there was no record when the form was read


@dataclass(frozen=True)
class Assessment:
    """One record of ``do_self_assess_many``: ``do_self_assess``'s arguments."""

    recognition: Recognition | int
    answers: dict[str, Any]
    review_meeting_on: dt.date
    expected_version: int | None = None


@dataclass(frozen=True)
class StepOn:
    """One record of ``do_submit_many`` / ``do_start_review_many``: the record and the step's date."""

    recognition: Recognition | int
    on: dt.date | None = None
    expected_version: int | None = None


class _Refusals:
    """The messages of a bulk action by unit id (as text); ``StaleVersion`` if any of them was stale."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.stale = False

    def add(self, unit_id: int, error: ActionError | list[str]) -> None:
        messages = [m for ms in error.errors.values() for m in ms] if isinstance(error, ActionError) else error
        self.stale = self.stale or isinstance(error, StaleVersion)
        self.errors.setdefault(str(unit_id), []).extend(messages)

    def __contains__(self, unit_id: int) -> bool:
        return str(unit_id) in self.errors

    def raise_any(self) -> None:
        if self.errors:
            raise (StaleVersion if self.stale else ActionError)(self.errors)


def _role_message(action: str, unit: Unit) -> str:
    return gettext("Bạn không có quyền %(action)s đối với %(name)s.") % {
        "action": RECOGNITIONS.transition(action).verb, "name": unit.name}


def _lock_many(refs: Sequence[Recognition | int]) -> dict[int, Recognition]:
    """The records ``refs`` as stored, locked, by id (one query per 900 records)."""
    pks = [ref if isinstance(ref, int) else ref.pk for ref in refs]
    found: dict[int, Recognition] = {}
    for start in range(0, len(pks), 900):
        found.update({r.pk: r for r in RECOGNITIONS.locking().filter(pk__in=pks[start:start + 900])})
    return found


def _criteria_of(sets_by_unit: dict[int, list[CriteriaSet]]) -> dict[int, list[Criterion]]:
    """Each set's criteria in order (one query for all the sets named)."""
    set_ids = {s.pk for sets in sets_by_unit.values() for s in sets}
    out: dict[int, list[Criterion]] = {pk: [] for pk in set_ids}
    for criterion in (Criterion.objects.filter(criteria_set__in=set_ids).select_related("criteria_set")
                      .order_by("order", "pk")):
        out[criterion.criteria_set_id].append(criterion)
    return out


def _window_end(year: int) -> Any:
    return lambda unit: evaluation_window(unit.kind, year)[1]


@transaction.atomic
def do_register_many(actor: Actor, year: int, rows: Sequence[Registration]) -> list[Recognition]:
    """``do_register`` for many units of one year; returns their records in ``rows``' order."""
    refused = _Refusals()
    units = [row.unit for row in rows]
    moves = allowed_moves(acting_user(actor), units)
    for row in rows:
        if "register" not in moves[row.unit.pk]:
            refused.add(row.unit.pk, [_role_message("register", row.unit)])
        elif errors := _registration_errors(row.unit, year, row.households_committed):
            refused.add(row.unit.pk, ActionError(errors))
    open_rows = [row for row in rows if row.unit.pk not in refused]
    existing: dict[int, Recognition] = {}
    # A record created meanwhile by someone else (PostgreSQL): lock theirs and try again. Each collision is a
    # row another transaction committed, so this ends after at most one round per unit.
    while True:
        for start in range(0, len(open_rows), 900):
            chunk = [row.unit.pk for row in open_rows[start:start + 900] if row.unit.pk not in existing]
            existing.update({r.unit_id: r for r in RECOGNITIONS.locking().filter(unit__in=chunk, year=year)})
        fresh = [Recognition(unit=row.unit, year=year) for row in open_rows if row.unit.pk not in existing]
        try:
            with transaction.atomic():
                Recognition.objects.bulk_create(fresh, batch_size=1000)
        except IntegrityError:
            continue
        existing.update({r.unit_id: r for r in fresh})
        created = {r.unit_id for r in fresh}
        break
    residential = [row.unit for row in open_rows if row.unit.kind == Kind.RESIDENTIAL_AREA
                   and (row.households_committed is None or not row.unit.households)]
    needing = _household_criteria(residential, year)
    steps: list[Move] = []
    for row in open_rows:
        unit, rec = row.unit, existing[row.unit.pk]
        try:
            if unit.pk not in created and row.expected_version == 0:
                raise StaleVersion(RECOGNITIONS.stale_message(rec))
            RECOGNITIONS.refuse(rec, "register", row.expected_version or None)
            if (criterion := needing.get(unit.pk)) is not None:
                raise ActionError({"households_committed": [
                    _households_message(unit, criterion, row.households_committed)]})
        except ActionError as exc:
            refused.add(unit.pk, exc)
            continue
        rec.unit = unit
        steps.append(Move(rec, "register", changes={
            "registered_on": row.registered_on or default_step_day(unit, year, opening=True),
            "households_committed": row.households_committed}))
    refused.raise_any()
    RECOGNITIONS.move_many(steps, actor=actor)
    return [existing[row.unit.pk] for row in rows]


def _household_criteria(units: list[Unit], year: int) -> dict[int, Criterion]:
    """``_household_criterion`` for many units: the first criterion of each unit's sets computed from the
    households committed, for the units that have one."""
    if not units:
        return {}
    sets = CriteriaSet.objects.for_units(units, _window_end(year))
    set_ids = {s.pk for unit_sets in sets.values() for s in unit_sets}
    derived = list(Criterion.objects.filter(criteria_set__in=set_ids, derived_from=Derivation.HOUSEHOLDS_COMMITTED)
                   .order_by("order", "pk"))
    out: dict[int, Criterion] = {}
    for unit in units:
        mine = {s.pk for s in sets[unit.pk]}
        if (first := next((c for c in derived if c.criteria_set_id in mine), None)) is not None:
            out[unit.pk] = first
    return out


@transaction.atomic
def do_self_assess_many(actor: Actor, rows: Sequence[Assessment]) -> list[Recognition]:
    """``do_self_assess`` for many records; returns them (as saved) in ``rows``' order."""
    refused = _Refusals()
    found = _lock_many([row.recognition for row in rows])
    pks = [row.recognition if isinstance(row.recognition, int) else row.recognition.pk for row in rows]
    if missing := [pk for pk in pks if pk not in found]:
        raise ActionError({str(pk): [gettext(RECOGNITIONS.missing)] for pk in missing})
    recs = [found[pk] for pk in pks]
    moves = allowed_moves(acting_user(actor), [rec.unit for rec in recs])
    for rec, row in zip(recs, rows, strict=True):
        if "self_assess" not in moves[rec.unit_id]:
            refused.add(rec.unit_id, [_role_message("self_assess", rec.unit)])
            continue
        try:
            RECOGNITIONS.refuse(rec, "self_assess", row.expected_version)
        except ActionError as exc:
            refused.add(rec.unit_id, exc)
    open_recs = [rec for rec in recs if rec.unit_id not in refused]
    sets: dict[int, list[CriteriaSet]] = {}
    for year in sorted({rec.year for rec in open_recs}):
        sets |= CriteriaSet.objects.for_units([r.unit for r in open_recs if r.year == year], _window_end(year))
    criteria_of = _criteria_of(sets)
    counts = {year: residential_counts([r.unit for r in open_recs if r.year == year and r.unit.kind == Kind.COMMUNE],
                                       year) for year in {rec.year for rec in open_recs}}
    previous: dict[tuple[int, int], Any] = {}
    for year in sorted({rec.year for rec in open_recs}):
        units = [r.unit_id for r in open_recs if r.year == year]
        for start in range(0, len(units), 900):
            previous.update({(unit_id, year): answers for unit_id, answers in Recognition.objects.filter(
                unit_id__in=units[start:start + 900], year=year - 1).values_list("unit_id", "answers")})
    steps: list[Move] = []
    for rec, row in zip(recs, rows, strict=True):
        if rec.unit_id in refused:
            continue
        try:
            if not sets[rec.unit_id]:
                _applicable_sets(rec)  # raises its message
            criteria = [c for s in sets[rec.unit_id] for c in criteria_of[s.pk]]
            changes, event_fields = _assessment(rec, criteria, row.answers, row.review_meeting_on,
                                                _answers_by_key(previous.get((rec.unit_id, rec.year))),
                                                counts[rec.year])
        except ActionError as exc:
            refused.add(rec.unit_id, exc)
            continue
        steps.append(Move(rec, "self_assess", changes=changes, event_fields=event_fields))
    refused.raise_any()
    RECOGNITIONS.move_many(steps, actor=actor)
    return recs


def _step_many(actor: Actor, action: str, day_field: str, rows: Sequence[StepOn]) -> list[Recognition]:
    refused = _Refusals()
    found = _lock_many([row.recognition for row in rows])
    pks = [row.recognition if isinstance(row.recognition, int) else row.recognition.pk for row in rows]
    if missing := [pk for pk in pks if pk not in found]:
        raise ActionError({str(pk): [gettext(RECOGNITIONS.missing)] for pk in missing})
    recs = [found[pk] for pk in pks]
    moves = allowed_moves(acting_user(actor), [rec.unit for rec in recs])
    steps: list[Move] = []
    for rec, row in zip(recs, rows, strict=True):
        if action not in moves[rec.unit_id]:
            refused.add(rec.unit_id, [_role_message(action, rec.unit)])
            continue
        try:
            RECOGNITIONS.refuse(rec, action, row.expected_version)
        except ActionError as exc:
            refused.add(rec.unit_id, exc)
            continue
        steps.append(Move(rec, action, expected_version=row.expected_version,
                          changes={day_field: row.on or default_step_day(rec.unit, rec.year)}))
    refused.raise_any()
    RECOGNITIONS.move_many(steps, actor=actor)
    return recs


@transaction.atomic
def do_submit_many(actor: Actor, rows: Sequence[StepOn]) -> list[Recognition]:
    """``do_submit`` for many records; returns them (as saved) in ``rows``' order."""
    return _step_many(actor, "submit", "submitted_on", rows)


@transaction.atomic
def do_start_review_many(actor: Actor, rows: Sequence[StepOn]) -> list[Recognition]:
    """``do_start_review`` for many records; returns them (as saved) in ``rows``' order."""
    return _step_many(actor, "start_review", "review_started_on", rows)


@transaction.atomic
def do_not_recognise_many(actor: Actor, rows: Sequence[StepOn]) -> list[Recognition]:
    """``do_decide(..., recognised=False)`` for many records under review (``on``: the decision's date, if
    any: then its authority is named and checked as ``do_decide`` does); returns them in ``rows``' order."""
    refused = _Refusals()
    found = _lock_many([row.recognition for row in rows])
    pks = [row.recognition if isinstance(row.recognition, int) else row.recognition.pk for row in rows]
    if missing := [pk for pk in pks if pk not in found]:
        raise ActionError({str(pk): [gettext(RECOGNITIONS.missing)] for pk in missing})
    recs = [found[pk] for pk in pks]
    moves = allowed_moves(acting_user(actor), [rec.unit for rec in recs])
    authorities = {day: competent_authorities([r.unit for r, w in zip(recs, rows, strict=True) if w.on == day], day)
                   for day in {row.on for row in rows if row.on is not None}}
    counts = {year: residential_counts([r.unit for r in recs if r.year == year and r.unit.kind == Kind.COMMUNE], year)
              for year in {rec.year for rec in recs}}
    steps: list[Move] = []
    for rec, row in zip(recs, rows, strict=True):
        if "decide" not in moves[rec.unit_id]:
            refused.add(rec.unit_id, [_role_message("decide", rec.unit)])
            continue
        try:
            RECOGNITIONS.refuse(rec, "decide", row.expected_version)
        except ActionError as exc:
            refused.add(rec.unit_id, exc)
            continue
        before = rec.snapshot()
        _recheck_live(rec, counts[rec.year])
        errors: list[str] = []
        authority = None
        if row.on is not None:
            errors += _date_order_errors(rec, gettext("Ngày quyết định"), row.on, DECISION_AFTER)
            found_authority = authorities[row.on][rec.unit_id]
            if isinstance(found_authority, NoAuthority):
                errors.append(str(found_authority))
            else:
                authority = found_authority
                if message := _authority_error(actor, authority):
                    errors.append(message)
        if errors:
            refused.add(rec.unit_id, errors)
            continue
        steps.append(Move(rec, "decide", before=before, changes={
            "status": Status.NOT_RECOGNISED, "decision_no": "", "decision_date": row.on, "signer_name": "",
            "authority_level": authority.level if authority else "", "authority": authority.unit if authority else None,
            "answers": rec.answers, "checklist_met": rec.checklist_met,
        }, event_fields={"details": {"authority": authority.official_label if authority else ""}}))
    refused.raise_any()
    RECOGNITIONS.move_many(steps, actor=actor)
    return recs


# --- the commune's grid: many rows saved at once ---------------------------------------------------


@dataclass(frozen=True)
class GridRow:
    """One edited row of a commune's grid."""

    unit: Unit
    version: int  # the record's version when the grid was read; 0 = there was no record
    register: bool = False
    households_committed: int | None = None
    advance: str = ""  # "submit" or "start_review": the next move to make


GRID_ADVANCES = ("submit", "start_review")


@transaction.atomic
def do_update_grid(actor: Actor, year: int, rows: Sequence[GridRow]) -> list[Recognition]:
    """Save the edited rows of a grid in one transaction: all or nothing.

    Every row is checked against the version it was read at; a row saved by someone else in
    between refuses the whole save with ``StaleVersion``. The error dict is keyed by unit id
    (as text), one list of Vietnamese messages per refused row.
    """
    errors: dict[str, list[str]] = {}
    stale = False
    saved: list[Recognition] = []
    for row in rows:
        try:
            rec: Recognition | None = None
            version = row.version
            if row.register:
                rec = do_register(actor, row.unit, year, households_committed=row.households_committed,
                                  expected_version=version)
                version = rec.version
            if row.advance:
                if row.advance not in GRID_ADVANCES:
                    raise ActionError(gettext("Thao tác “%(action)s” không hợp lệ.") % {"action": row.advance})
                if rec is None:
                    rec = Recognition.objects.filter(unit=row.unit, year=year).first()
                    if rec is None:
                        raise ActionError(gettext("%(name)s chưa đăng ký năm %(year)s.")
                                          % {"name": row.unit.name, "year": year})
                move = do_submit if row.advance == "submit" else do_start_review
                rec = move(actor, rec, expected_version=version)
            if rec is not None:
                saved.append(rec)
        except ActionError as exc:
            stale = stale or isinstance(exc, StaleVersion)
            errors.setdefault(str(row.unit.pk), []).extend(m for ms in exc.errors.values() for m in ms)
    if errors:
        raise (StaleVersion if stale else ActionError)(errors)
    return saved
