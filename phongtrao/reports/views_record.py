"""The annual report record's pages: the drafted report with the officer's slots, their history, the issue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from phongtrao.accounts import access
from phongtrao.audit.actions import Actor
from phongtrao.core.jobs import start_job
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.recognition.pages import unit_for_year
from phongtrao.reports.actions import default_signer_lines, do_issue_report, do_save_slot
from phongtrao.reports.blocks import SLOT_KEYS
from phongtrao.reports.document import PARTS_AFTER, PARTS_BEFORE
from phongtrao.reports.forms_record import IssueForm, SlotForm
from phongtrao.reports.jobs import ANNUAL_REPORT
from phongtrao.reports.models import AnnualReport, SlotRevision
from phongtrao.reports.record import figure_changes, page_blocks, record_document
from phongtrao.units.models import Kind, Unit


def _unit(request: HttpRequest, code: str, year: int) -> Unit:
    """A province or commune in the user's view scope (out of scope and unknown: both 404)."""
    return unit_for_year(request, code, year, (Kind.PROVINCE, Kind.COMMUNE))


def _page(request: HttpRequest, unit: Unit, year: int, *, slot_forms: dict[str, SlotForm] | None = None,
          issue_form: IssueForm | None = None, status: int = 200) -> HttpResponse:
    report = AnnualReport.objects.filter(unit=unit, year=year).first()
    may_write = not (report and report.issued) and access.may(request.user, "reports.write", unit)
    may_issue = not (report and report.issued) and access.may(request.user, "reports.issue", unit)
    numbers: dict[str, int] = {}
    if report is not None:
        numbers = dict(SlotRevision.objects.filter(report=report).values("slot").annotate(n=Max("number"))
                       .values_list("slot", "n"))
    forms = slot_forms or {}
    if may_write:
        for key in SLOT_KEYS:
            forms.setdefault(key, SlotForm(initial={"text": (report.texts if report else {}).get(key, ""),
                                                     "number": numbers.get(key, 0)}, prefix=key))
    if may_issue and issue_form is None:
        issue_form = IssueForm(initial={"version": report.version if report else 0},
                               signer_lines=default_signer_lines(unit))
    document = record_document(unit, year, report)
    context: dict[str, Any] = {
        "unit": unit, "year": year, "report": report, "blocks": page_blocks(document, forms, numbers),
        "may_write": may_write, "issue_form": issue_form if may_issue else None,
        "changes": figure_changes(report) if report is not None else [],
        "report_page": "recognition:province" if unit.kind == Kind.PROVINCE else "recognition:commune",
    }
    return render(request, "reports/record_page.html", context, status=status)


@login_required
@require_GET
def page(request: HttpRequest, code: str, year: int) -> HttpResponse:
    return _page(request, _unit(request, code, year), year)


@login_required
@require_POST
def save_slot(request: HttpRequest, code: str, year: int, slot: str) -> HttpResponse:
    unit = _unit(request, code, year)
    if slot not in SLOT_KEYS:
        raise Http404(gettext("Không có phần báo cáo này."))
    if not access.may(request.user, "reports.write", unit):
        raise PermissionDenied(gettext("Bạn không có quyền viết báo cáo tổng kết năm của đơn vị này."))
    form = SlotForm(request.POST, prefix=slot)
    if form.is_valid():
        try:
            do_save_slot(Actor.of_request(request), unit, year, slot, form.cleaned_data["text"],
                         expected_number=form.cleaned_data["number"])
        except StaleVersion as exc:  # the other officer's text is on the page; this one stays in the form
            for message in (m for ms in exc.errors.values() for m in ms):
                form.add_error("text", message)
        except ActionError as exc:  # e.g. issued meanwhile: the page shows the report as it now is
            for message in (m for ms in exc.errors.values() for m in ms):
                messages.error(request, message)
            return redirect("reports_record:page", unit.code, year)
        else:
            messages.success(request, gettext("Đã lưu phần báo cáo."))
            return redirect(reverse("reports_record:page", args=[unit.code, year]) + f"#slot-{slot}")
    return _page(request, unit, year, slot_forms={slot: form}, status=200)


@login_required
@require_POST
def issue(request: HttpRequest, code: str, year: int) -> HttpResponse:
    unit = _unit(request, code, year)
    if not access.may(request.user, "reports.issue", unit):
        raise PermissionDenied(gettext("Bạn không có quyền ban hành báo cáo tổng kết năm của đơn vị này."))
    form = IssueForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_issue_report(Actor.of_request(request), unit, year, number=data["number"], issued_on=data["issued_on"],
                            signer_lines=form.lines(), signer_name=data["signer_name"],
                            expected_version=data["version"])
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã ban hành báo cáo số %(no)s.") % {"no": data["number"].strip()})
            return redirect("reports_record:page", unit.code, year)
    return _page(request, unit, year, issue_form=form)


@login_required
@require_GET
def history(request: HttpRequest, code: str, year: int, slot: str) -> HttpResponse:
    unit = _unit(request, code, year)
    if slot not in SLOT_KEYS:
        raise Http404(gettext("Không có phần báo cáo này."))
    revisions = (SlotRevision.objects.filter(report__unit=unit, report__year=year, slot=slot)
                 .select_related("user").order_by("-number"))
    label = dict(PARTS_BEFORE + PARTS_AFTER)[slot]  # the slot's title in the document (no figures built)
    return render(request, "reports/record_history.html",
                  {"unit": unit, "year": year, "slot": slot, "label": label, "revisions": revisions})


@login_required
@require_POST
def document(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Make the report's document in the background (a province's takes a while); its page shows the progress."""
    unit = _unit(request, code, year)
    title = gettext("Báo cáo tổng kết năm %(year)s của %(name)s") % {"year": year, "name": unit.name}
    job = start_job(Actor.of_request(request).user, ANNUAL_REPORT, unit, title,  # type: ignore[arg-type]
                    params={"year": year})
    return redirect("core:job", job.pk)
