"""The pages of the yearly ANTT cycle: the start page, the commune grid's Excel export, a unit's checklist,
one decision for many units, and the decision's documents. The province and commune pages (the ANTT grid with
every app's annual section) are in ``phongtrao.reports.views``, under the same URL names.

Units come through ``phongtrao.accounts.access`` (``pages.unit_for_year``); every write is a named
action of ``phongtrao.recognition.actions``; figures come from ``recognition.figures``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from phongtrao.accounts.access import can_decide, scope_roots
from phongtrao.audit.actions import Actor
from phongtrao.lib.workflow import ActionError
from phongtrao.recognition import pages
from phongtrao.recognition.actions import do_recognise_many
from phongtrao.recognition.authority import Authority
from phongtrao.recognition.checklist import ChecklistPage
from phongtrao.recognition.figures import recognition_by_child, recognition_figures
from phongtrao.recognition.forms import BulkForm, GridFilterForm
from phongtrao.recognition.models import Recognition
from phongtrao.units.models import STANDARD_KINDS, Kind, Unit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def page_url(unit: Unit, year: int) -> str | None:
    """The ANTT page of a unit: the province overview, the commune grid, or the unit's checklist."""
    if unit.kind == Kind.PROVINCE:
        return reverse("recognition:province", args=[unit.code, year])
    if unit.kind == Kind.COMMUNE:
        return reverse("recognition:commune", args=[unit.code, year])
    if unit.kind in STANDARD_KINDS and unit.subject_to_standard:
        return reverse("recognition:unit", args=[unit.code, year])
    return None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The user's starting point: their one scope unit's page; for the whole country (administrators)
    every province of the year (``?year=``) with its figures; else a list of the scope units."""
    year = pages.year_param(request.GET.get("year"))
    roots = list(scope_roots(request.user)[:50])
    if len(roots) == 1 and (url := page_url(roots[0], year)):
        return redirect(url)
    if len(roots) == 1 and roots[0].kind == Kind.COUNTRY:
        country = roots[0]
        context = {"unit": country, "year": year, "years": pages.year_choices(year),
                   "headline": recognition_figures(country, year),
                   "children": pages.with_all_kinds(recognition_by_child(country, year))}
        return render(request, "recognition/country.html", context)
    links = [(unit, url) for unit in roots if (url := page_url(unit, year))]
    return render(request, "recognition/index.html", {"links": links, "year": year})


@require_GET
@login_required
def commune_export(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The filtered grid as an Excel workbook (every row, not one page)."""
    unit = pages.unit_for_year(request, code, year, (Kind.COMMUNE,))
    filters = GridFilterForm(request.GET)
    units = pages.grid_units(unit, year, kind=filters.value("kind"), status=filters.value("status"),
                             q=filters.value("q"))
    lines = pages.export_lines(units, year, pages.criteria_totals(unit, year))
    return _download(pages.grid_workbook(unit, year, lines), XLSX, f"antt-{unit.code}-{year}.xlsx")


@login_required
def unit(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """One unit's year: registration, checklist, dossier, review and decision, with its history."""
    target = pages.unit_for_year(request, code, year)
    if not target.subject_to_standard:
        raise Http404(gettext("Đơn vị không thuộc diện xét tiêu chuẩn ANTT."))
    checklist = ChecklistPage(request, target, year)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in checklist.ACTIONS:
            return HttpResponseBadRequest(gettext("Thao tác không hợp lệ."))
        if action not in checklist.moves:
            raise PermissionDenied(gettext("Bạn không có quyền thực hiện thao tác này."))
        if checklist.apply(action, Actor.of_request(request)):
            return redirect(request.path)
    return render(request, "recognition/unit.html", {"years": pages.year_choices(year), **checklist.context()})


@login_required
def bulk(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """One decision recognising many units under review (all or nothing), by the commune's or province's chairman."""
    root = pages.unit_for_year(request, code, year, (Kind.COMMUNE, Kind.PROVINCE))
    if not can_decide(request.user, root):
        raise PermissionDenied(gettext("Chỉ người có thẩm quyền ra quyết định mới dùng được trang này."))
    ready, waiting = pages.bulk_candidates(root, year, timezone.localdate())
    form = BulkForm(request.POST or None, choices=[(r.unit_id, r.unit.name) for r in ready],
                    initial={"units": [r.unit_id for r in ready]},
                    signer=pages.signer_for(Authority(level=root.kind, unit=root)))
    refused: list[str] = []
    if request.method == "POST" and form.is_valid():
        chosen = set(form.cleaned_data["units"])
        data = form.cleaned_data
        try:
            done = do_recognise_many(Actor.of_request(request), [r.unit for r in ready if r.unit_id in chosen], year,
                                     decision_no=data["decision_no"], decision_date=data["decision_date"],
                                     signer_name=data["signer_name"])
        except ActionError as exc:
            refused = [m for ms in exc.errors.values() for m in ms]
        else:
            messages.success(request, gettext("Đã công nhận %(n)s đơn vị theo quyết định số %(no)s.")
                             % {"n": len(done), "no": data["decision_no"].strip()})
            return redirect(request.path)
    context = {"unit": root, "year": year, "years": pages.year_choices(year), "form": form, "ready": ready,
               "waiting": waiting, "refused": refused, "decisions": pages.decisions(root, year)}
    return render(request, "recognition/bulk.html", context)


# --- documents -------------------------------------------------------------------------------------


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    plain = unicodedata.normalize("NFKD", filename.replace("Đ", "D").replace("đ", "d"))
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", plain.encode("ascii", "ignore").decode()).strip("-") or "tai-lieu"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


@require_GET
@login_required
def certificate(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The certificate (Giấy công nhận) of one recognised unit, as PDF."""
    from phongtrao.recognition.documents import certificates_pdf

    target = pages.unit_for_year(request, code, year)
    rec = Recognition.objects.passed().filter(unit=target, year=year).first()
    if rec is None:
        raise Http404(gettext("Đơn vị chưa được công nhận năm này."))
    content = _document(certificates_pdf, [rec])
    return _download(content, "application/pdf", f"giay-cong-nhan-{target.code}-{year}.pdf")


def _document(build: Any, recs: list[Recognition]) -> bytes:
    """A document of recognised units; one the documents refuse (e.g. an imported result without
    its deciding authority) is a 404 that says why, never a 500."""
    try:
        return build(recs)
    except ValueError as exc:
        raise Http404(str(exc)) from exc


def _decision(request: HttpRequest, code: str, year: int) -> tuple[Unit, list[Recognition]]:
    root = pages.unit_for_year(request, code, year, (Kind.COMMUNE, Kind.PROVINCE))
    recs = pages.decision_recognitions(root, year, request.GET.get("decision", "").strip()[:60])
    if not recs:
        raise Http404(gettext("Không có quyết định công nhận này."))
    return root, recs


@require_GET
@login_required
def decision_certificates(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Every certificate of one decision (``?decision=15/QĐ-UBND``) in a commune or province, one page each."""
    from phongtrao.core.jobs import background_units, start_job
    from phongtrao.recognition.documents import certificates_pdf
    from phongtrao.recognition.jobs import CERTIFICATES, certificates_file_name

    root, recs = _decision(request, code, year)
    if len(recs) >= background_units():  # a large decision: made by the task worker, with a progress bar
        title = gettext("Giấy công nhận theo quyết định số %(no)s (%(n)s đơn vị)") % {
            "no": recs[0].decision_no, "n": len(recs)}
        job = start_job(Actor.of_request(request).user, CERTIFICATES, root, title,  # type: ignore[arg-type]
                        params={"year": year, "decision": recs[0].decision_no}, total=len(recs))
        return redirect("core:job", job.pk)
    return _download(_document(certificates_pdf, recs), "application/pdf",
                     certificates_file_name(root.code, year, recs[0].decision_no))


@require_GET
@login_required
def decision_docx(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The recognition decision (``?decision=...``) with the annex list of its units, as .docx."""
    from phongtrao.recognition.documents import decision_docx as build_docx

    root, recs = _decision(request, code, year)
    return _download(_document(build_docx, recs), DOCX, f"quyet-dinh-{root.code}-{year}-{recs[0].decision_no}.docx")
