"""Awards pages: decisions (list, page, record, certificates), proposals and the catalogue.

Everything the user sees starts from ``access.visible_units``; a decision is visible when its issuing
unit or one of its recipients' units is, and then only the recipients in view are listed. Every
write goes through ``phongtrao.awards.actions``.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from phongtrao.accounts.access import (
    can_capture,
    can_decide,
    capture_units,
    holds,
    visible_units,
)
from phongtrao.audit.actions import Actor
from phongtrao.awards import actions
from phongtrao.awards.actions import RepeatWarning
from phongtrao.awards.authority import awaiting
from phongtrao.awards.forms import (
    SORTS,
    AwardTypeForm,
    DecisionForm,
    ListForm,
    ProposalForm,
    ProposalListForm,
    ReturnForm,
    admin_units_near,
    recipient_formset,
)
from phongtrao.awards.models import AwardDecision, AwardProposal, AwardRecipient, AwardType, ProposalStatus
from phongtrao.awards.sources import SOURCES
from phongtrao.lib.vntext import fold
from phongtrao.lib.workflow import ActionError, StaleVersion

PER_PAGE = 50
ORDERING = {"-date": ("-date", "-pk"), "date": ("date", "pk"), "number": ("number", "pk"),
            "type": ("award_type__order", "-date", "pk")}


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**62 else None


def _decision_for_user(request: HttpRequest, pk: int) -> AwardDecision:
    decision = (AwardDecision.objects.visible_in(visible_units(request.user))
                .select_related("award_type", "authority").filter(pk=pk).first())
    if decision is None:
        raise Http404(gettext("Không tìm thấy quyết định khen thưởng."))
    return decision


def _visible_recipients(request: HttpRequest, decision: AwardDecision) -> Any:
    return (decision.recipients.filter(unit__in=visible_units(request.user).values("pk"))
            .select_related("unit", "unit__parent", "unit__parent__parent").in_order())


def _may_record(user: Any) -> bool:
    return holds(user, "decisions.record")


# --- decisions -----------------------------------------------------------------------------------


def _decisions(request: HttpRequest, form: ListForm) -> Any:
    visible = visible_units(request.user)
    decisions = AwardDecision.objects.visible_in(visible).search(form.value("q", ""), within=visible)
    if form.value("year"):
        decisions = decisions.for_year(form.value("year"))
    if form.value("award_type"):
        decisions = decisions.filter(award_type=form.value("award_type"))
    return decisions


@require_GET
@login_required
def decision_list(request: HttpRequest) -> HttpResponse:
    """Decisions in view: search by number or recipient, filter by year and form, sort, page, Excel export."""
    form = ListForm(request.GET)
    decisions = _decisions(request, form)
    if request.GET.get("export") == "xlsx":
        return _export(request, decisions)
    visible = visible_units(request.user).values("pk")
    listed = (decisions.select_related("award_type", "authority")
              .annotate(shown=Count("recipients", filter=Q(recipients__unit__in=visible)))
              .order_by(*ORDERING.get(form.value("sort", "-date"), ORDERING["-date"])))
    page = Paginator(listed, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "awards/decision_list.html", {
        "form": form, "page": page, "may_record": _may_record(request.user), "sorts": SORTS})


def _export(request: HttpRequest, decisions: Any) -> HttpResponse:
    from phongtrao.awards.export import recipients_workbook

    recipients = (AwardRecipient.objects.filter(decision__in=decisions.values("pk"),
                                                unit__in=visible_units(request.user).values("pk"))
                  .select_related("decision", "decision__award_type", "decision__authority", "unit")
                  .order_by("decision__year", "decision__date", "decision_id", "position", "pk"))
    response = HttpResponse(recipients_workbook(recipients.iterator(chunk_size=2000)),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="khen-thuong.xlsx"'
    return response


@require_GET
@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = _decision_for_user(request, pk)
    recipients = list(_visible_recipients(request, decision))
    return render(request, "awards/decision_detail.html", {
        "decision": decision, "recipients": recipients,
        "collectives": sum(1 for r in recipients if r.kind == "collective"),
        "individuals": sum(1 for r in recipients if r.kind == "individual"),
    })


@require_GET
@login_required
def certificates(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificates of all recipients in view (or of the ``?r=<id>`` ones) in one PDF."""
    from phongtrao.awards.documents import certificates_pdf

    decision = _decision_for_user(request, pk)
    recipients = _visible_recipients(request, decision)
    chosen = [n for n in (_int(v) for v in request.GET.getlist("r")) if n is not None]
    if chosen:
        recipients = recipients.filter(pk__in=chosen)
    listed = list(recipients)
    if not listed:
        raise Http404(gettext("Không có người/tập thể nào để in giấy khen."))
    response = HttpResponse(certificates_pdf(decision, listed), content_type="application/pdf")
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", fold(f"giay-khen-{decision.number or decision.pk}")).strip("-")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


def _prefill(request: HttpRequest) -> tuple[AwardProposal | None, dict[str, Any], list[Any]]:
    """``?proposal=<id>``: an approved proposal the user may decide on fills in the decision."""
    pk = _int(request.GET.get("proposal"))
    if pk is None:
        return None, {}, []
    proposal = (AwardProposal.objects.visible_in(visible_units(request.user)).select_related("to_unit", "award_type")
                .filter(pk=pk, status=ProposalStatus.APPROVED).first())
    if proposal is None or not can_decide(request.user, proposal.to_unit):
        return None, {}, []
    initial = {"award_type": proposal.award_type, "year": proposal.year, "authority": proposal.to_unit}
    return proposal, initial, actions.proposal_recipients(proposal)


@login_required
def decision_create(request: HttpRequest) -> HttpResponse:
    """Record a decision and all its recipients in one form; a likely medal repeat asks for confirmation."""
    if not _may_record(request.user):
        raise PermissionDenied(gettext("Chỉ người ký quyết định hoặc quản trị được ghi quyết định khen thưởng."))
    proposal, initial, prefilled = _prefill(request)
    authorities = admin_units_near(request.user)
    initial.setdefault("year", timezone.localdate().year)
    form = DecisionForm(request.POST or None, authorities=authorities, initial=initial)
    formset = recipient_formset(request.POST or None, capture_units(request.user), prefilled)
    repeats: list[Any] = []
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        try:
            decision = actions.do_create_decision(
                Actor.of_request(request), award_type=data["award_type"], year=data["year"],
                authority=data["authority"],
                number=data["number"], date=data["date"], issuer_name=data["issuer_name"],
                signer_name=data["signer_name"], signer_title=data["signer_title"],
                recipients=formset.recipients(), proposal=proposal, confirm_repeats=data["confirm_repeats"])
        except RepeatWarning as exc:
            repeats = exc.repeats
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã ghi quyết định khen thưởng số %(number)s.")
                             % {"number": decision.number})
            return redirect("awards:decision_detail", decision.pk)
    return render(request, "awards/decision_form.html", {
        "form": form, "formset": formset, "proposal": proposal, "repeats": repeats})


@require_GET
@login_required
def unit_picker(request: HttpRequest) -> HttpResponse:
    """htmx: units in the user's capture scope matching the search box, as radio buttons for one row."""
    prefix = request.GET.get("prefix", "")
    if not re.fullmatch(r"r-\d{1,3}", prefix):
        prefix = "r-0"
    text = request.GET.get(f"{prefix}-unit_q", request.GET.get("unit_q", ""))[:200]
    units = (capture_units(request.user).search(text).valid_on(timezone.localdate())
             .select_related("parent").vi_ordered()[:20]) if fold(text) else []
    return render(request, "awards/_unit_choices.html", {"prefix": prefix, "units": units, "searched": True})


# --- proposals -----------------------------------------------------------------------------------


def _proposal_for_user(request: HttpRequest, pk: int) -> AwardProposal:
    proposal = (AwardProposal.objects.visible_in(visible_units(request.user))
                .select_related("proposing_unit", "to_unit", "award_type", "created_by").filter(pk=pk).first())
    if proposal is None:
        raise Http404(gettext("Không tìm thấy đề nghị khen thưởng."))
    return proposal


@require_GET
@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    form = ProposalListForm(request.GET)
    proposals = AwardProposal.objects.visible_in(visible_units(request.user))
    if form.value("year"):
        proposals = proposals.for_year(form.value("year"))
    if form.value("status"):
        proposals = proposals.filter(status=form.value("status"))
    proposals = (proposals.select_related("proposing_unit", "to_unit", "award_type")
                 .annotate(count=Count("recipients", distinct=True), decided=Count("decisions", distinct=True))
                 .order_by("-created_at", "-pk"))
    page = Paginator(proposals, PER_PAGE).get_page(request.GET.get("page"))
    for proposal in page:
        proposal.awaiting = awaiting(proposal, decided=bool(proposal.decided))  # type: ignore[attr-defined]
    return render(request, "awards/proposal_list.html", {
        "form": form, "page": page, "may_propose": capture_units(request.user).exists()})


@require_GET
@login_required
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_for_user(request, pk)
    user = request.user
    captures, decides = can_capture(user, proposal.proposing_unit), can_decide(user, proposal.to_unit)
    decisions = list(proposal.decisions.all())
    return render(request, "awards/proposal_detail.html", {
        "proposal": proposal, "awaiting": awaiting(proposal, decided=bool(decisions)),
        "recipients": proposal.recipients.select_related("unit"),
        "events": proposal.events.select_related("user"),
        "decisions": decisions,
        "may_edit": captures and proposal.status == ProposalStatus.DRAFT,
        "may_submit": captures and actions.may_move(proposal, "submit"),
        "may_reopen": captures and actions.may_move(proposal, "reopen"),
        "may_decide": decides and actions.may_move(proposal, "approve"),
        "may_record": decides and proposal.status == ProposalStatus.APPROVED,
        "return_form": ReturnForm(initial={"version": proposal.version}),
    })


def _proposal_form(request: HttpRequest, proposal: AwardProposal | None) -> tuple[ProposalForm, Any, str]:
    proposers = admin_units_near(request.user).filter(pk__in=capture_units(request.user).values("pk"))
    initial: dict[str, Any] = {"year": timezone.localdate().year}
    prefilled: list[Any] = []
    source = request.GET.get("from", "")
    if proposal is not None:
        initial = {"proposing_unit": proposal.proposing_unit, "award_type": proposal.award_type,
                   "year": proposal.year, "title": proposal.title, "version": proposal.version}
        prefilled = actions.proposal_recipients(proposal)
    elif source in SOURCES and request.method == "GET":
        unit = proposers.filter(pk=_int(request.GET.get("unit")) or 0).first()
        year = _int(request.GET.get("year")) or initial["year"]
        if unit is not None and 2000 <= year <= 2100:
            prefilled = SOURCES[source][1](unit, year)
            initial |= {"proposing_unit": unit, "year": year}
    form = ProposalForm(request.POST or None, proposers=proposers, initial=initial)
    return form, recipient_formset(request.POST or None, capture_units(request.user), prefilled), source


def _save_proposal(request: HttpRequest, proposal: AwardProposal | None) -> HttpResponse:
    form, formset, source = _proposal_form(request, proposal)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = form.cleaned_data
        fields = {"award_type": data["award_type"], "year": data["year"], "title": data["title"],
                  "recipients": formset.recipients()}
        try:
            if proposal is None:
                saved = actions.do_create_proposal(Actor.of_request(request), proposing_unit=data["proposing_unit"],
                                                   **fields)
            else:
                saved = actions.do_update_proposal(Actor.of_request(request), proposal.pk,
                                                   expected_version=data["version"], **fields)
        except StaleVersion as exc:
            form.add_error(None, str(exc))
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã lưu đề nghị khen thưởng."))
            return redirect("awards:proposal_detail", saved.pk)
    return render(request, "awards/proposal_form.html", {
        "form": form, "formset": formset, "proposal": proposal, "source": source,
        "sources": [(key, label) for key, (label, _) in SOURCES.items()]})


@login_required
def proposal_create(request: HttpRequest) -> HttpResponse:
    if not capture_units(request.user).exists():
        raise PermissionDenied(gettext("Tài khoản này không được lập đề nghị khen thưởng."))
    return _save_proposal(request, None)


@login_required
def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = _proposal_for_user(request, pk)
    if not can_capture(request.user, proposal.proposing_unit):
        raise PermissionDenied(gettext("Bạn không được sửa đề nghị này."))
    if proposal.status != ProposalStatus.DRAFT:
        messages.error(request, gettext("Chỉ sửa được đề nghị ở trạng thái dự thảo."))
        return redirect("awards:proposal_detail", proposal.pk)
    return _save_proposal(request, proposal)


MOVES = {"submit": actions.do_submit_proposal, "approve": actions.do_approve_proposal,
         "reopen": actions.do_reopen_proposal}


@require_POST
@login_required
def proposal_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Submit, approve, return (with a reason) or reopen a proposal; refused moves are shown, never a 500."""
    proposal = _proposal_for_user(request, pk)
    deciding = action in ("approve", "return")
    allowed = (can_decide(request.user, proposal.to_unit) if deciding
               else can_capture(request.user, proposal.proposing_unit))
    if not allowed or (action not in MOVES and action != "return"):
        raise PermissionDenied(gettext("Bạn không được thực hiện thao tác này."))
    version = _int(request.POST.get("version"))
    try:
        if action == "return":
            form = ReturnForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            actions.do_return_proposal(Actor.of_request(request), proposal.pk, reason=reason, expected_version=version)
        else:
            MOVES[action](Actor.of_request(request), proposal.pk, expected_version=version)
    except ActionError as exc:
        for message in (m for ms in exc.errors.values() for m in ms):
            messages.error(request, message)
    else:
        messages.success(request, gettext("Đã cập nhật đề nghị: %(status)s.")
                         % {"status": AwardProposal.objects.get(pk=proposal.pk).get_status_display()})
    return redirect("awards:proposal_detail", proposal.pk)


# --- catalogue -----------------------------------------------------------------------------------


@require_GET
@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    return render(request, "awards/catalogue.html", {
        "types": AwardType.objects.in_order().annotate(decision_count=Count("decisions")),
        "may_manage": actions.may_manage_catalogue(request.user)})


def _type_form(request: HttpRequest, award_type: AwardType | None) -> HttpResponse:
    if not actions.may_manage_catalogue(request.user):
        raise PermissionDenied(gettext("Chỉ quản trị và cán bộ cấp tỉnh được sửa danh mục."))
    initial = (award_type.snapshot() | {"version": award_type.version}) if award_type else {"order": 100}
    form = AwardTypeForm(request.POST or None, initial=initial)
    if award_type is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            if award_type is None:
                actions.do_create_award_type(Actor.of_request(request), **data)
            else:
                actions.do_update_award_type(Actor.of_request(request), award_type.pk,
                                             expected_version=form.cleaned_data["version"], **data)
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã lưu hình thức khen thưởng."))
            return redirect("awards:catalogue")
    return render(request, "awards/award_type_form.html", {"form": form, "award_type": award_type})


@login_required
def award_type_create(request: HttpRequest) -> HttpResponse:
    return _type_form(request, None)


@login_required
def award_type_edit(request: HttpRequest, pk: int) -> HttpResponse:
    award_type = AwardType.objects.filter(pk=pk).first()
    if award_type is None:
        raise Http404(gettext("Không tìm thấy hình thức khen thưởng."))
    return _type_form(request, award_type)

