"""Named actions of emulation and awards. Views, the importer, the demo and commands call these.

Each action validates, runs in one transaction, writes the change and its audit row. Proposal
moves go through ``PROPOSALS`` (``phongtrao.lib.workflow``; the table is ``models.PROPOSAL_TRANSITIONS``):
it locks the row, refuses a move the current status does not allow (in Vietnamese) and a stale
version, and appends a ``ProposalEvent``::

    draft -> submitted -> approved
                       -> returned (with a reason) -> draft (reopened to be corrected)

An actor with a user is checked against ``phongtrao.accounts.access`` here as well, so every door
(page, API, command) enforces the same rule; the system actor (``user=None``) may do everything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from phongtrao.accounts.access import can_capture, can_decide, holds
from phongtrao.audit.actions import Actor, record
from phongtrao.awards.authority import issuing_unit, wrong_issuer
from phongtrao.awards.models import (
    PROPOSALS,
    AwardDecision,
    AwardProposal,
    AwardRecipient,
    AwardType,
    ProposalRecipient,
    ProposalStatus,
    RecipientKind,
)
from phongtrao.lib.periods import FIRST_RECORD_YEAR, LAST_RECORD_YEAR, year_end, year_start
from phongtrao.lib.vnformat import date_text
from phongtrao.lib.vntext import fold
from phongtrao.lib.workflow import ActionError, StaleVersion, acting_user
from phongtrao.units.models import Unit

__all__ = [
    "RepeatWarning", "do_approve_proposal", "do_create_award_type",
    "do_create_decision", "do_create_proposal", "do_reopen_proposal", "do_return_proposal",
    "do_submit_proposal", "do_update_award_type", "do_update_proposal",
]

MIN_YEAR, MAX_YEAR = FIRST_RECORD_YEAR, LAST_RECORD_YEAR


@dataclass
class RecipientData:
    """A recipient as entered: a collective is a unit (its name defaults to the unit's); an individual is
    a name, a title and a unit. Nothing else about a person is kept (DOMAIN.md §2)."""

    kind: str
    unit: Unit | None
    name: str = ""
    title: str = ""
    achievement: str = ""


@dataclass(frozen=True)
class Repeat:
    """A likely repeat of a once-per-person award: the new recipient and the earlier one."""

    name: str
    unit_name: str
    earlier_number: str
    earlier_date: dt.date | None
    earlier_year: int

    def __str__(self) -> str:
        when = date_text(self.earlier_date) if self.earlier_date else str(self.earlier_year)
        return gettext("%(name)s (%(unit)s) có thể đã nhận hình thức này theo quyết định số %(number)s "
                       "ngày %(when)s.") % {"name": self.name, "unit": self.unit_name,
                                            "number": self.earlier_number or "—", "when": when}


class RepeatWarning(ActionError):
    """Some recipients likely had this once-per-person award already; record again with ``confirm_repeats``."""

    def __init__(self, repeats: list[Repeat]) -> None:
        self.repeats = repeats
        super().__init__({"recipients": [str(r) for r in repeats]})


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


# --- the catalogue -------------------------------------------------------------------------------

TYPE_FIELDS = ("code", "name", "authority", "authority_level", "recipients", "once_per_person",
               "certificate_title", "order", "active")


def may_manage_catalogue(user: Any) -> bool:
    """Administrators and province officers keep the catalogue of award forms."""
    return user is not None and holds(user, "awards.catalogue")


def _check_catalogue(actor: Actor) -> None:
    if actor.user is not None and not may_manage_catalogue(actor.user):
        raise ActionError(gettext("Tài khoản này không được sửa danh mục hình thức khen thưởng."))


def _validate_type(award_type: AwardType) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not award_type.code.strip():
        _add(errors, "code", gettext("Mã không được để trống."))
    if not award_type.name.strip():
        _add(errors, "name", gettext("Tên hình thức không được để trống."))
    clash = AwardType.objects.filter(code=award_type.code).exclude(pk=award_type.pk).exists()
    if clash:
        _add(errors, "code", gettext("Mã “%(code)s” đã có trong danh mục.") % {"code": award_type.code})
    return errors


@transaction.atomic
def do_create_award_type(actor: Actor, **fields: Any) -> AwardType:
    _check_catalogue(actor)
    award_type = AwardType(**{k: v for k, v in fields.items() if k in TYPE_FIELDS})
    errors = _validate_type(award_type)
    if errors:
        raise ActionError(errors)
    award_type.save()
    record(actor, "award_type.create", award_type, unit=None, before=None, after=award_type.snapshot())
    return award_type


@transaction.atomic
def do_update_award_type(actor: Actor, pk: int, *, expected_version: int | None = None,
                         **changes: Any) -> AwardType:
    """Edit a form, or deactivate it (``active=False``): it stays on past decisions, not in new ones."""
    _check_catalogue(actor)
    award_type = AwardType.objects.select_for_update().get(pk=pk)
    if expected_version is not None and award_type.version != expected_version:
        raise StaleVersion(gettext("Hình thức này vừa được người khác sửa; hãy tải lại trang rồi sửa lại."))
    before = award_type.snapshot()
    for name, value in changes.items():
        if name in TYPE_FIELDS and name != "code":  # the code is the interchange key: never changed
            setattr(award_type, name, value)
    errors = _validate_type(award_type)
    if errors:
        raise ActionError(errors)
    if award_type.snapshot() == before:
        return award_type
    award_type.version += 1
    award_type.save()
    record(actor, "award_type.update", award_type, unit=None, before=before, after=award_type.snapshot())
    return award_type


# --- recipients (shared by proposals and decisions) ----------------------------------------------


def _clean_recipients(award_type: AwardType | None, recipients: Sequence[RecipientData], within: Unit | None,
                      year: int | None) -> tuple[list[RecipientData], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    cleaned: list[RecipientData] = []
    within_ids: set[int] | None = None
    if within is not None:
        units = [r.unit.pk for r in recipients if r.unit is not None]
        within_ids = set(Unit.objects.in_subtree(within).filter(pk__in=units).values_list("pk", flat=True))
    seen: set[tuple[str, int, str]] = set()
    for number, item in enumerate(recipients, start=1):
        where = {"row": number}
        if item.kind not in RecipientKind.values:
            _add(errors, "recipients", gettext("Dòng %(row)s: đối tượng phải là tập thể hoặc cá nhân.") % where)
            continue
        if item.unit is None:
            _add(errors, "recipients", gettext("Dòng %(row)s: phải chọn đơn vị.") % where)
            continue
        name = " ".join((item.name or (item.unit.name if item.kind == RecipientKind.COLLECTIVE else "")).split())
        if not name:
            _add(errors, "recipients", gettext("Dòng %(row)s: phải ghi họ tên người được khen thưởng.") % where)
            continue
        if award_type is not None and not award_type.allows(item.kind):
            _add(errors, "recipients", gettext("Dòng %(row)s: “%(award)s” không dành cho %(kind)s.")
                 % {**where, "award": award_type.name, "kind": RecipientKind(item.kind).label.lower()})
            continue
        if within_ids is not None and item.unit.pk not in within_ids:
            _add(errors, "recipients", gettext("Dòng %(row)s: %(name)s không thuộc %(within)s.")
                 % {**where, "name": item.unit.name, "within": within.name})  # type: ignore[union-attr]
            continue
        if year is not None and not (item.unit.is_valid_on(year_end(year))
                                     or item.unit.is_valid_on(year_start(year))):
            _add(errors, "recipients", gettext("Dòng %(row)s: %(name)s không có hiệu lực trong năm %(year)s.")
                 % {**where, "name": item.unit.name, "year": year})
            continue
        key = (item.kind, item.unit.pk, fold(name))
        if key in seen:
            _add(errors, "recipients", gettext("Dòng %(row)s: %(name)s bị ghi hai lần.") % {**where, "name": name})
            continue
        seen.add(key)
        cleaned.append(RecipientData(item.kind, item.unit, name[:255], " ".join(item.title.split())[:255],
                                     item.achievement.strip()))
    if not cleaned and not errors:
        _add(errors, "recipients", gettext("Phải có ít nhất một tập thể hoặc cá nhân."))
    return cleaned, errors


# --- decisions -----------------------------------------------------------------------------------


def likely_repeats(award_type: AwardType, recipients: Sequence[RecipientData],
                   exclude_decision: int | None = None) -> list[Repeat]:
    """For a once-per-person award: individuals with the same folded name and unit on an earlier decision."""
    if not award_type.once_per_person:
        return []
    wanted = {(r.unit.pk, fold(r.name)): r for r in recipients
              if r.kind == RecipientKind.INDIVIDUAL and r.unit is not None}
    if not wanted:
        return []
    earlier = (AwardRecipient.objects.filter(decision__award_type=award_type, kind=RecipientKind.INDIVIDUAL,
                                             unit_id__in={u for u, _ in wanted},
                                             search_name__in={n for _, n in wanted})
               .select_related("decision", "unit").order_by("decision__date", "pk"))
    if exclude_decision is not None:
        earlier = earlier.exclude(decision_id=exclude_decision)
    found: list[Repeat] = []
    for old in earlier:
        new = wanted.pop((old.unit_id, old.search_name), None)
        if new is not None:
            found.append(Repeat(new.name, old.unit.name, old.decision.number, old.decision.date, old.decision.year))
    return found


def _decision_errors(award_type: AwardType, year: int, number: str, date: dt.date | None,
                     authority: Unit) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not MIN_YEAR <= year <= MAX_YEAR:
        _add(errors, "year", gettext("Năm phải từ %(min)s đến %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR})
    if len(number) > 60:
        _add(errors, "number", gettext("Số quyết định dài quá 60 ký tự."))
    if number and AwardDecision.objects.filter(authority=authority, award_type=award_type, year=year,
                                               number=number, date=date).exists():
        _add(errors, "number", gettext("Đã có quyết định số %(number)s của %(authority)s cho hình thức này.")
             % {"number": number, "authority": authority.name})
    return errors


@transaction.atomic
def do_create_decision(actor: Actor, *, award_type: AwardType, year: int, authority: Unit,
                       recipients: Sequence[RecipientData], number: str = "", date: dt.date | None = None,
                       issuer_name: str = "", signer_name: str = "", signer_title: str = "",
                       proposal: AwardProposal | None = None, confirm_repeats: bool = False) -> AwardDecision:
    """Record a decision with all its recipients (units inside the issuing unit's subtree).

    A once-per-person award given again to the same name in the same unit raises ``RepeatWarning``
    unless ``confirm_repeats``: a warning the officer confirms, not a refusal.
    """
    if actor.user is not None and not can_decide(actor.user, authority):
        raise ActionError(gettext("Tài khoản này không được ghi quyết định khen thưởng của đơn vị này."))
    number = " ".join(number.split())
    errors = _decision_errors(award_type, year, number, date, authority)
    wrong = wrong_issuer(award_type, authority)  # a commune's Giấy khen is never the province's
    if wrong:
        _add(errors, "authority", wrong)
    cleaned, recipient_errors = _clean_recipients(award_type, recipients, authority, year)
    for key, messages in recipient_errors.items():
        errors.setdefault(key, []).extend(messages)
    if proposal is not None and proposal.status != ProposalStatus.APPROVED:
        _add(errors, "", gettext("Chỉ lập quyết định từ đề nghị đã được duyệt."))
    if proposal is not None and date is not None and proposal.submitted_at is not None \
            and date < (sent := timezone.localtime(proposal.submitted_at).date()):
        _add(errors, "date", gettext("Ngày quyết định (%(day)s) trước ngày gửi đề nghị (%(sent)s).")
             % {"day": date_text(date), "sent": date_text(sent)})
    if errors:
        raise ActionError(errors)
    if not confirm_repeats:
        repeats = likely_repeats(award_type, cleaned)
        if repeats:
            raise RepeatWarning(repeats)
    decision = AwardDecision.objects.create(
        award_type=award_type, year=year, number=number, date=date, authority=authority,
        issuer_name=issuer_name.strip(), signer_name=signer_name.strip(), signer_title=signer_title.strip(),
        proposal=proposal,
    )
    rows = [AwardRecipient(decision=decision, kind=r.kind, unit=r.unit, name=r.name, title=r.title,
                           achievement=r.achievement, position=i) for i, r in enumerate(cleaned, start=1)]
    for row in rows:
        row.refresh_derived()
    AwardRecipient.objects.bulk_create(rows)
    after = decision.snapshot() | {"recipients": [r.snapshot() for r in rows]}
    record(actor, "award_decision.create", decision, unit=authority, before=None, after=after)
    return decision


# --- proposals -----------------------------------------------------------------------------------

def may_move(proposal: AwardProposal, action: str) -> bool:
    return PROPOSALS.allows(proposal, action)


def _move(actor: Actor, pk: int, action: str, *, expected_version: int | None, reason: str = "",
          who_may: str = "capture") -> AwardProposal:
    proposal = PROPOSALS.lock(pk)
    if actor.user is not None:
        allowed = (can_capture(actor.user, proposal.proposing_unit) if who_may == "capture"
                   else can_decide(actor.user, proposal.to_unit))
        if not allowed:
            raise ActionError(gettext("Tài khoản này không được thực hiện thao tác này với đề nghị."))
    if (refusal := PROPOSALS.refusal(proposal, action)) is not None:  # the status first, then the version
        raise ActionError({"status": [refusal]})
    now = timezone.now()
    changes: dict[str, dict[str, Any]] = {
        "submit": {"submitted_at": now, "returned_reason": ""},
        "approve": {"decided_at": now},
        "return": {"decided_at": now, "returned_reason": reason},
    }
    return PROPOSALS.move(proposal, action, actor=actor, expected_version=expected_version, reason=reason,
                          changes=changes.get(action, {}))


def _save_recipients(proposal: AwardProposal, recipients: list[RecipientData]) -> list[dict[str, Any]]:
    ProposalRecipient.objects.filter(proposal=proposal).delete()
    rows = [ProposalRecipient(proposal=proposal, kind=r.kind, unit=r.unit, name=r.name, title=r.title,
                              achievement=r.achievement, position=i) for i, r in enumerate(recipients, start=1)]
    ProposalRecipient.objects.bulk_create(rows)
    return [{"kind": r.kind, "unit_id": r.unit.pk if r.unit else None, "name": r.name, "title": r.title}
            for r in recipients]


def _proposal_errors(proposing_unit: Unit, award_type: AwardType, year: int, title: str,
                     recipients: Sequence[RecipientData]) -> tuple[list[RecipientData], dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    if issuing_unit(award_type, proposing_unit) is None:
        _add(errors, "award_type", gettext("%(unit)s không thuộc %(level)s nào có thẩm quyền khen thưởng "
                                           "“%(award)s”.") % {
            "unit": proposing_unit.name, "level": award_type.get_authority_level_display().lower(),
            "award": award_type.name})
    if not MIN_YEAR <= year <= MAX_YEAR:
        _add(errors, "year", gettext("Năm phải từ %(min)s đến %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR})
    if not title.strip():
        _add(errors, "title", gettext("Phải có trích yếu."))
    cleaned, recipient_errors = _clean_recipients(award_type, recipients, proposing_unit, year)
    for key, messages in recipient_errors.items():
        errors.setdefault(key, []).extend(messages)
    return cleaned, errors


@transaction.atomic
def do_create_proposal(actor: Actor, *, proposing_unit: Unit, award_type: AwardType, year: int, title: str,
                       recipients: Sequence[RecipientData]) -> AwardProposal:
    """A draft proposal from ``proposing_unit`` for its own subtree, sent to the unit whose authority issues
    the form (``authority.issuing_unit``: a commune's own Giấy khen stays in the commune)."""
    if actor.user is not None and not can_capture(actor.user, proposing_unit):
        raise ActionError(gettext("Tài khoản này không được lập đề nghị cho đơn vị này."))
    cleaned, errors = _proposal_errors(proposing_unit, award_type, year, title, recipients)
    if errors:
        raise ActionError(errors)
    to_unit = issuing_unit(award_type, proposing_unit)
    assert to_unit is not None  # refused above otherwise
    proposal = AwardProposal.objects.create(
        proposing_unit=proposing_unit, to_unit=to_unit, award_type=award_type, year=year,
        title=" ".join(title.split())[:255], created_by=acting_user(actor))
    listed = _save_recipients(proposal, cleaned)
    return PROPOSALS.created(proposal, actor=actor, audit_after={"recipients": listed})


@transaction.atomic
def do_update_proposal(actor: Actor, pk: int, *, expected_version: int | None, award_type: AwardType, year: int,
                       title: str, recipients: Sequence[RecipientData]) -> AwardProposal:
    """Change a draft (its form, year, summary and recipients); anything sent is no longer editable."""
    proposal = PROPOSALS.lock(pk)
    if actor.user is not None and not can_capture(actor.user, proposal.proposing_unit):
        raise ActionError(gettext("Tài khoản này không được sửa đề nghị này."))
    if proposal.status != ProposalStatus.DRAFT:
        raise ActionError({"status": [gettext("Chỉ sửa được đề nghị ở trạng thái “%(draft)s”; đề nghị này đang "
                                              "“%(status)s”.") % {"draft": ProposalStatus.DRAFT.label,
                                                                 "status": proposal.get_status_display()}]})
    if expected_version is not None and proposal.version != expected_version:
        raise StaleVersion(gettext("Đề nghị này vừa được người khác sửa sau khi bạn mở biểu mẫu; hãy tải lại trang."))
    cleaned, errors = _proposal_errors(proposal.proposing_unit, award_type, year, title, recipients)
    if errors:
        raise ActionError(errors)
    before = proposal.snapshot()
    proposal.award_type, proposal.year, proposal.title = award_type, year, " ".join(title.split())[:255]
    to_unit = issuing_unit(award_type, proposal.proposing_unit)
    assert to_unit is not None  # refused above otherwise
    proposal.to_unit = to_unit
    proposal.version += 1
    proposal.save()
    listed = _save_recipients(proposal, cleaned)
    record(actor, "award_proposal.update", proposal, unit=proposal.proposing_unit, before=before,
           after=proposal.snapshot() | {"recipients": listed})
    return proposal


def do_submit_proposal(actor: Actor, pk: int, *, expected_version: int | None = None) -> AwardProposal:
    with transaction.atomic():
        return _move(actor, pk, "submit", expected_version=expected_version)


def do_approve_proposal(actor: Actor, pk: int, *, expected_version: int | None = None) -> AwardProposal:
    with transaction.atomic():
        return _move(actor, pk, "approve", expected_version=expected_version, who_may="decide")


def do_return_proposal(actor: Actor, pk: int, *, reason: str, expected_version: int | None = None) -> AwardProposal:
    reason = reason.strip()
    if not reason:
        raise ActionError({"reason": [gettext("Phải ghi lý do trả lại.")]})
    with transaction.atomic():
        return _move(actor, pk, "return", expected_version=expected_version, reason=reason, who_may="decide")


def do_reopen_proposal(actor: Actor, pk: int, *, expected_version: int | None = None) -> AwardProposal:
    with transaction.atomic():
        return _move(actor, pk, "reopen", expected_version=expected_version)


def proposal_recipients(proposal: AwardProposal) -> list[RecipientData]:
    """A proposal's recipients, to pre-fill a decision."""
    return [RecipientData(r.kind, r.unit, r.name, r.title, r.achievement)
            for r in proposal.recipients.select_related("unit")]
