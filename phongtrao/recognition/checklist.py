"""The unit page of one year (``/antt/don-vi/<code>/<year>/``): its forms, which of them the user may
use now, and turning a posted form into the named action. The view stays a few lines."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from phongtrao.accounts.access import visible_units
from phongtrao.attachments.pages import section as attachment_section
from phongtrao.audit.actions import Actor
from phongtrao.lib.forms import BootstrapForm
from phongtrao.lib.periods import year_end
from phongtrao.lib.rehearsal import rehearse
from phongtrao.lib.workflow import ActionError
from phongtrao.recognition.actions import (
    MOVES,
    allowed_moves,
    default_step_day,
    do_decide,
    do_register,
    do_self_assess,
    do_start_review,
    do_submit,
    do_withdraw,
)
from phongtrao.recognition.authority import Authority, NoAuthority, competent_authority
from phongtrao.recognition.forms import ChecklistForm, DecideForm, RegisterForm, VersionForm, WithdrawForm
from phongtrao.recognition.models import RECOGNITIONS, CriteriaSet, Criterion, Recognition, Status, evaluation_window
from phongtrao.recognition.pages import signer_for
from phongtrao.units.models import Kind, Unit

DONE_MESSAGES = {
    "register": "Đã đăng ký xây dựng tiêu chuẩn cho %(name)s.",
    "self_assess": "Đã lưu kết quả tự đánh giá của %(name)s.",
    "submit": "Đã gửi hồ sơ của %(name)s.",
    "start_review": "Đã bắt đầu thẩm định hồ sơ của %(name)s.",
    "decide": "Đã ghi quyết định đối với %(name)s.",
    "withdraw": "Đã rút/thu hồi hồ sơ của %(name)s.",
}


class ChecklistPage:
    ACTIONS = MOVES
    CONFIRMED = ("decide", "withdraw")  # asked twice: the second post carries confirm=1

    def __init__(self, request: HttpRequest, unit: Unit, year: int) -> None:
        self.request, self.unit, self.year = request, unit, year
        self.rec = Recognition.objects.filter(unit=unit, year=year).first()
        if self.rec is not None:
            self.rec.unit = unit
        self.moves = allowed_moves(request.user, [unit])[unit.pk]
        self.status = self.rec.status if self.rec else Status.NOT_REGISTERED
        self.window = evaluation_window(unit.kind, year)
        try:
            self.authority: Authority | NoAuthority = competent_authority(unit, timezone.localdate())
        except NoAuthority as exc:
            self.authority = exc
        self.criteria = self._criteria()
        self.confirming = ""
        self.forms = self._forms(None, "")

    def _criteria(self) -> list[Criterion]:
        sets = self.sets = CriteriaSet.objects.for_unit(self.unit, self.window[1])
        order = {s.pk: i for i, s in enumerate(sets)}
        found = Criterion.objects.filter(criteria_set__in=sets).select_related("criteria_set")
        return sorted(found, key=lambda c: (order[c.criteria_set_id], c.order))

    def _forms(self, data: Any, action: str) -> dict[str, BootstrapForm]:
        def bound(name: str) -> Any:
            return data if name == action else None

        rec = self.rec
        version = {"version": rec.version if rec else 0}
        lines = {line["criterion"]: line for line in (rec.answers if rec else []) if isinstance(line, dict)}
        return {
            "register": RegisterForm(bound("register"), unit=self.unit, prefix="register", initial={
                **version, "households_committed": self.unit.households,
                "registered_on": default_step_day(self.unit, self.year, opening=True)}),
            "self_assess": ChecklistForm(
                bound("self_assess"), criteria=self.criteria, lines=lines, prefix="checklist",
                initial={**version, "review_meeting_on": rec.review_meeting_on if rec else None}),
            "submit": VersionForm(bound("submit"), prefix="submit", initial=version),
            "start_review": VersionForm(bound("start_review"), prefix="review", initial=version),
            "decide": DecideForm(bound("decide"), prefix="decide", initial={**version, "result": "dat"},
                                 signer=signer_for(self.authority) if isinstance(self.authority, Authority) else None),
            "withdraw": WithdrawForm(bound("withdraw"), prefix="withdraw", initial=version),
        }

    def available(self) -> list[str]:
        """The moves the user may make now: allowed for their role and legal from the current status."""
        return [a for a in self.ACTIONS if a in self.moves and RECOGNITIONS.allows(self.status, a)]

    def apply(self, action: str, actor: Actor) -> bool:
        """Run the posted move; True when saved. Refusals land on the form; a first decide/withdraw asks again."""
        self.forms = self._forms(self.request.POST, action)
        form = self.forms[action]
        if not form.is_valid():
            return False
        data = form.cleaned_data
        if action in self.CONFIRMED and not data.get("confirm"):
            # Validate first (the action is rehearsed and rolled back), then ask for the confirmation.
            if (refusal := rehearse(lambda: self._run(action, actor, data), ActionError)) is not None:
                form.add_action_error(refusal)
            else:
                self.confirming = action
            return False
        try:
            self._run(action, actor, data)
        except ActionError as exc:
            form.add_action_error(exc)
            return False
        messages.success(self.request, gettext(DONE_MESSAGES[action]) % {"name": self.unit.name})
        return True

    def _run(self, action: str, actor: Actor, data: dict[str, Any]) -> Recognition:
        version = data.get("version")
        if action == "register":
            return do_register(actor, self.unit, self.year, households_committed=data.get("households_committed"),
                               registered_on=data.get("registered_on"), expected_version=version)
        if self.rec is None:
            raise ActionError(gettext("%(name)s chưa đăng ký năm %(year)s.") % {"name": self.unit.name,
                                                                              "year": self.year})
        if action == "self_assess":
            form = self.forms["self_assess"]
            assert isinstance(form, ChecklistForm)
            return do_self_assess(actor, self.rec, answers=form.answers(), review_meeting_on=data["review_meeting_on"],
                                  expected_version=version)
        if action == "submit":
            return do_submit(actor, self.rec, expected_version=version)
        if action == "start_review":
            return do_start_review(actor, self.rec, expected_version=version)
        if action == "decide":
            return do_decide(actor, self.rec, recognised=data["result"] == "dat", decision_no=data["decision_no"],
                             decision_date=data["decision_date"], signer_name=data["signer_name"],
                             expected_version=version)
        return do_withdraw(actor, self.rec, reason=data["reason"], expected_version=version)

    def context(self) -> dict[str, Any]:
        unit, rec, today = self.unit, self.rec, timezone.localdate()
        authority_basis = ""
        # The rules of the year's decision: its date, or else 31 December of the year (today at the latest).
        decided_on = rec.decision_date if rec and rec.decision_date else min(today, year_end(self.year))
        try:
            found = competent_authority(unit, decided_on)
            authority, authority_basis = found.label, found.legal_basis
        except NoAuthority as exc:
            authority = str(exc)
        visible = visible_units(self.request.user)
        ancestors = list(unit.ancestors() & visible)
        commune = unit if unit.kind == Kind.COMMUNE else next((a for a in ancestors if a.kind == Kind.COMMUNE), None)
        overdue = rec is not None and Recognition.objects.overdue(today).filter(pk=rec.pk).exists()
        checklist = self.forms["self_assess"]
        assert isinstance(checklist, ChecklistForm)
        return {
            "unit": unit, "year": self.year, "rec": rec, "status": self.status,
            "status_label": Status(self.status).label, "window": self.window, "overdue": overdue,
            "window_open": self.window[0] <= today <= self.window[1], "authority": authority,
            "authority_basis": authority_basis, "criteria_sets": self.sets,
            "ancestors": ancestors, "commune": commune, "forms": self.forms, "criteria_rows": checklist.criteria_rows(),
            "available": self.available(), "confirming": self.confirming,
            "events": list(rec.events.select_related("user").order_by("at", "pk")) if rec else [],
            "lines": rec.answers if rec else [],
            "dossier": attachment_section(self.request.user, rec) if rec else None,
        }
