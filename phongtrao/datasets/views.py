"""Data-set pages: the catalogue, the units one may enter for, a unit's reports, the entry grid (saved per
cell by htmx or as a whole form), mark complete / reopen, the validation run, the template and the export.

Units come through ``accounts.access`` (out of view scope: 404); who may enter is ``datasets.policy``; every
write is a named action of ``datasets.actions``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongtrao.accounts.access import get_unit_for_user, visible_units
from phongtrao.audit.actions import Actor
from phongtrao.datasets import actions, policy
from phongtrao.datasets.actions import ActionError, StaleVersion, cell_key
from phongtrao.datasets.entry import Grid, build_grid
from phongtrao.datasets.export import export_values, template_workbook
from phongtrao.datasets.forms import ListForm, UnitListForm, ValidationForm, read_cells
from phongtrao.datasets.models import REPORTS, DataSet, DataSetReport, ReportStatus
from phongtrao.datasets.validation import run_validation
from phongtrao.lib.periods import Period
from phongtrao.lib.vntext import fold
from phongtrao.units.models import Unit

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError:
        raise Http404(gettext("Kỳ không hợp lệ.")) from None


def _report_for(request: HttpRequest, unit_id: int, code: str, period_id: str) -> tuple[Unit, DataSet, Period]:
    """The unit (404 out of view scope), the data set that applies to it, the period of the data set's type."""
    unit = get_unit_for_user(request, unit_id)
    dataset = get_object_or_404(DataSet, code=code)
    period = _period(period_id)
    if period.type.value != dataset.period_type or not dataset.applies_to(unit):
        raise Http404(gettext("Biểu mẫu không áp dụng cho đơn vị hoặc kỳ này."))
    return unit, dataset, period


def recent_periods(dataset: DataSet, count: int = 4) -> list[Period]:
    """The current period of the data set's type and the ones before it."""
    current = Period.containing(timezone.localdate(), dataset.period_type)
    out = [current]
    for _ in range(count - 1):
        out.append(out[-1].previous())
    return out


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The catalogue of data sets (search, period type, pages)."""
    form = ListForm(request.GET)
    datasets = DataSet.objects.select_related("root").order_by("position", "code")
    if period_type := form.value("period_type"):
        datasets = datasets.filter(period_type=period_type)
    found: Any = datasets
    if q := form.value("q"):  # a catalogue of a few dozen forms: matched without diacritics in Python
        folded = fold(q)
        found = [d for d in datasets if folded in fold(d.name) or folded in fold(d.name_en) or folded in d.code]
    page = Paginator(found, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "datasets/index.html", {"form": form, "page": page,
                                                   "can_enter": policy.entry_units(request.user).exists()})


@login_required
@require_GET
def dataset_detail(request: HttpRequest, code: str) -> HttpResponse:
    dataset = get_object_or_404(DataSet, code=code)
    versions = [(v, v.element_links.select_related("element", "element__combo").order_by("position"))
                for v in dataset.versions.order_by("-effective_from")]
    return render(request, "datasets/dataset.html", {"dataset": dataset, "versions": versions,
                                                     "rules": dataset.rules.order_by("code")})


@login_required
@require_GET
def template(request: HttpRequest, code: str) -> HttpResponse:
    dataset = get_object_or_404(DataSet, code=code)
    response = HttpResponse(template_workbook(dataset), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="mau-{dataset.code}.xlsx"'
    return response


@login_required
@require_GET
def units(request: HttpRequest) -> HttpResponse:
    """The units the user may enter for (their role's kinds in their capture scope), to pick one."""
    form = UnitListForm(request.GET)
    today = timezone.localdate()
    found = policy.entry_units(request.user).valid_on(today)
    if q := form.value("q"):
        found = found.search(q)
    if kind := form.value("kind"):
        found = found.of_kind(kind)
    page = Paginator(found.vi_ordered(), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "datasets/units.html", {"form": form, "page": page})


@login_required
@require_GET
def unit_reports(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's data sets with their recent periods and each report's status."""
    unit = get_unit_for_user(request, unit_id)
    datasets = [d for d in DataSet.objects.for_unit(unit).order_by("position", "code") if unit.kind in d.kinds]
    reports = {(r.dataset_id, r.period): r for r in DataSetReport.objects.filter(unit=unit)}
    lines = [(d, [(p, reports.get((d.pk, p.id))) for p in recent_periods(d)]) for d in datasets]
    return render(request, "datasets/unit.html", {"unit": unit, "lines": lines,
                                                  "can_enter": policy.may_enter(request.user, unit)})


_STATUS_CLASS: dict[str, str] = {ReportStatus.COMPLETE: "text-bg-info", ReportStatus.SUBMITTED: "text-bg-primary",
                 ReportStatus.APPROVED: "text-bg-success"}


def _entry_context(request: HttpRequest, grid: Grid, **extra: Any) -> dict[str, Any]:
    dataset, period = grid.dataset, grid.period
    user = request.user
    may = policy.may_enter(user, grid.unit)
    report = grid.report
    complete = report is not None and report.status == ReportStatus.COMPLETE
    locked = report is not None and report.values_locked
    reviewer = report is not None and policy.may_review(user, grid.unit)
    moves = {t.action for t in REPORTS.moves_from(report)} if report is not None else {"complete"}
    closing = dataset.closing_date(period)
    today = timezone.localdate()
    window_open = today >= dataset.opening_date(period) and (
        closing is None or today <= closing or policy.may_enter_late(user))
    return {"grid": grid, "unit": grid.unit, "dataset": dataset, "period": period,
            "report": report, "complete": complete, "editable": may and not locked and window_open,
            "may_enter": may, "locked": locked, "may_review": reviewer,
            "can_complete": may and window_open and "complete" in moves,
            "can_reopen": may and window_open and "reopen" in moves, "can_submit": may and "submit" in moves,
            "can_approve": reviewer and "approve" in moves, "can_return": reviewer and "return" in moves,
            "can_unapprove": reviewer and "unapprove" in moves,
            "events": list(report.events.select_related("user")) if report is not None else [],
            "status_class": _STATUS_CLASS.get(report.status if report else "", "text-bg-warning"),
            "window_open": window_open, "closing": closing,
            "opening": dataset.opening_date(period), "previous": period.previous(), "next": period.next(),
            **extra}


@login_required
@require_http_methods(["GET", "POST"])
def entry(request: HttpRequest, unit_id: int, code: str, period: str) -> HttpResponse:
    """The entry grid. A POST saves every changed cell at once (all or nothing)."""
    unit, dataset, per = _report_for(request, unit_id, code, period)
    version = dataset.version_for(per)
    if version is None:
        raise Http404(gettext("Biểu mẫu chưa có mẫu áp dụng cho kỳ này."))
    grid = build_grid(dataset, version, unit, per)
    if request.method != "POST":
        return render(request, "datasets/entry.html", _entry_context(request, grid))
    if not policy.may_enter(request.user, unit):
        raise PermissionDenied(gettext("Bạn không có quyền nhập số liệu cho đơn vị này."))
    inputs = read_cells(request.POST, grid.cells())
    errors = [c for c in grid.cells() if c.errors]
    form_errors: list[str] = []
    stale = False
    if not errors and inputs:
        try:
            result = actions.do_save_values(Actor.of_request(request), unit, dataset, per, inputs)
        except ActionError as exc:
            stale = isinstance(exc, StaleVersion)
            form_errors = _put_errors(grid, exc)
        else:
            messages.success(request, gettext("Đã lưu %(n)s ô số liệu.") % {"n": len(result.saved)})
            return redirect(request.path)
    elif not errors:
        messages.info(request, gettext("Chưa có ô nào được sửa."))
        return redirect(request.path)
    if stale:  # show what the other person saved beside the refused cells
        fresh = build_grid(dataset, version, unit, per)
        for cell, new in zip(grid.cells(), fresh.cells(), strict=True):
            cell.value = new.value
    context = _entry_context(request, grid, form_errors=form_errors, stale=stale, unsaved=True)
    return render(request, "datasets/entry.html", context)


def _put_errors(grid: Grid, exc: ActionError) -> list[str]:
    """An action's messages on their cells (keyed by ``cell_key``); the others for the whole form."""
    by_key = {cell_key(c.element, c.combo): c for c in grid.cells()}
    rest = []
    for key, texts in exc.errors.items():
        if key in by_key:
            by_key[key].errors += texts
        else:
            rest += texts
    return rest


@login_required
@require_POST
def cell(request: HttpRequest, unit_id: int, code: str, period: str) -> HttpResponse:
    """One cell saved by htmx (``cell`` names it); answers the cell again, saved or with its message."""
    unit, dataset, per = _report_for(request, unit_id, code, period)
    if not policy.may_enter(request.user, unit):
        raise PermissionDenied(gettext("Bạn không có quyền nhập số liệu cho đơn vị này."))
    version = dataset.version_for(per)
    if version is None:
        raise Http404
    grid = build_grid(dataset, version, unit, per)
    target = grid.cell(str(request.POST.get("cell", ""))[:40])
    if target is None:
        raise Http404
    inputs = read_cells(request.POST, [target])
    if inputs and not target.errors:
        try:
            actions.do_save_values(Actor.of_request(request), unit, dataset, per, inputs)
        except ActionError as exc:
            target.errors += [m for texts in exc.errors.values() for m in texts]
            if isinstance(exc, StaleVersion):
                fresh = build_grid(dataset, version, unit, per).cell(target.name)
                target.value = fresh.value if fresh else None
                target.posted = target.posted_comment = None
        else:
            grid = build_grid(dataset, version, unit, per)
            target = grid.cell(target.name) or target
            target.saved = True
    context = _entry_context(request, grid, cell=target, total_row=grid.row_of(target.name))
    return render(request, "datasets/_cell.html", context)


@login_required
@require_POST
def complete(request: HttpRequest, unit_id: int, code: str, period: str) -> HttpResponse:
    unit, dataset, per = _report_for(request, unit_id, code, period)
    if not policy.may_enter(request.user, unit):
        raise PermissionDenied(gettext("Bạn không có quyền nhập số liệu cho đơn vị này."))
    url = reverse("datasets:entry", args=[unit.pk, dataset.code, per.id])
    try:
        expected = int(str(request.POST.get("version", "")))
    except ValueError:
        expected = None
    try:
        actions.do_complete_report(Actor.of_request(request), unit, dataset, per, expected_version=expected)
    except ActionError as exc:
        version = dataset.version_for(per)
        if version is None:
            raise Http404 from None
        grid = build_grid(dataset, version, unit, per)
        violations = exc.errors.get("validation", [])
        others = [m for key, texts in exc.errors.items() if key != "validation" for m in texts]
        return render(request, "datasets/entry.html",
                      _entry_context(request, grid, violations=violations, form_errors=others))
    messages.success(request, gettext("Đã đánh dấu hoàn thành báo cáo."))
    return redirect(url)


@login_required
@require_POST
def reopen(request: HttpRequest, unit_id: int, code: str, period: str) -> HttpResponse:
    unit, dataset, per = _report_for(request, unit_id, code, period)
    if not policy.may_enter(request.user, unit):
        raise PermissionDenied(gettext("Bạn không có quyền nhập số liệu cho đơn vị này."))
    try:
        actions.do_reopen_report(Actor.of_request(request), unit, dataset, per)
    except ActionError as exc:
        for texts in exc.errors.values():
            for text in texts:
                messages.error(request, text)
    else:
        messages.success(request, gettext("Đã mở lại báo cáo để sửa."))
    return redirect(reverse("datasets:entry", args=[unit.pk, dataset.code, per.id]))


def _version(request: HttpRequest) -> int | None:
    try:
        return int(str(request.POST.get("version", "")))
    except ValueError:
        return None


def _refused(request: HttpRequest, exc: ActionError) -> None:
    for texts in exc.errors.values():
        for text in texts:
            messages.error(request, text)


@login_required
@require_POST
def submit(request: HttpRequest, unit_id: int, code: str, period: str) -> HttpResponse:
    """The unit sends its complete report to the level above."""
    unit, dataset, per = _report_for(request, unit_id, code, period)
    if not policy.may_enter(request.user, unit):
        raise PermissionDenied(gettext("Bạn không có quyền gửi báo cáo của đơn vị này."))
    try:
        report = actions.find_report(dataset, unit, per)
        actions.do_submit_report(Actor.of_request(request), report, expected_version=_version(request))
    except ActionError as exc:
        _refused(request, exc)
    else:
        messages.success(request, gettext("Đã gửi báo cáo lên cấp trên."))
    return redirect(reverse("datasets:entry", args=[unit.pk, dataset.code, per.id]))


REVIEW_DONE = {"approve": gettext_noop("Đã phê duyệt báo cáo; số liệu đã khóa."),
               "return": gettext_noop("Đã trả lại báo cáo để đơn vị sửa."),
               "unapprove": gettext_noop("Đã bỏ phê duyệt; đơn vị sửa được số liệu.")}


@login_required
@require_POST
def review(request: HttpRequest, unit_id: int, code: str, period: str) -> HttpResponse:
    """The level above approves, returns (with a reason) or un-approves (with a reason) the report."""
    unit, dataset, per = _report_for(request, unit_id, code, period)
    if not policy.may_review(request.user, unit):
        raise PermissionDenied(gettext("Bạn không có quyền duyệt báo cáo của đơn vị này."))
    move = str(request.POST.get("move", ""))
    reason = str(request.POST.get("reason", ""))[:2000]
    actor, version = Actor.of_request(request), _version(request)
    try:
        report = actions.find_report(dataset, unit, per)
        if move == "approve":
            actions.do_approve_report(actor, report, expected_version=version)
        elif move == "return":
            actions.do_return_report(actor, report, reason, expected_version=version)
        elif move == "unapprove":
            actions.do_unapprove_report(actor, report, reason, expected_version=version)
        else:
            raise ActionError(gettext("Chưa chọn thao tác."))
    except ActionError as exc:
        _refused(request, exc)
    else:
        messages.success(request, gettext(REVIEW_DONE[move]))
    back = str(request.POST.get("next", ""))
    if back == "reviews":
        return redirect(reverse("datasets:reviews"))
    return redirect(reverse("datasets:entry", args=[unit.pk, dataset.code, per.id]))


@login_required
@require_GET
def reviews(request: HttpRequest) -> HttpResponse:
    """The reports waiting for the user's review: submitted by the units one level below their scope."""
    waiting = (DataSetReport.objects.filter(status=ReportStatus.SUBMITTED,
                                            unit__in=policy.review_units(request.user).values("pk"))
               .select_related("dataset", "unit").order_by("period_start", "dataset__position", "unit__sort_key"))
    page = Paginator(waiting, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "datasets/reviews.html", {"page": page})


def _root(request: HttpRequest) -> Unit | None:
    """The unit named by ``?unit=`` (404 out of view scope), else the user's one scope root."""
    if request.GET.get("unit"):
        return get_unit_for_user(request, request.GET["unit"])
    from phongtrao.accounts.access import scope_roots

    roots = list(scope_roots(request.user)[:2])
    return roots[0] if len(roots) == 1 else None


@login_required
@require_GET
def completeness_page(request: HttpRequest) -> HttpResponse:
    """Expected, received, on-time and approved reports of a data set in a subtree and period: the totals, per
    child of the subtree's root, and the late units (a page of them)."""
    from phongtrao.datasets import completeness

    root = _root(request)
    form = ValidationForm(request.GET if "period" in request.GET else None,
                          initial={"period": str(Period.containing(timezone.localdate())),
                                   "dataset": DataSet.objects.filter(code="xa_nam").first()})
    context: dict[str, Any] = {"form": form, "root": root}
    if root is not None and form.is_valid():
        dataset, per = form.cleaned_data["dataset"], form.cleaned_data["period"]
        visible = visible_units(request.user).values("pk")
        late = Paginator(completeness.late_units(dataset, per, root, visible=visible), PER_PAGE).get_page(
            request.GET.get("page"))
        statuses = completeness.report_statuses(dataset, per, list(late))
        context |= {"dataset": dataset, "period": per, "closing": dataset.closing_date(per),
                    "totals": completeness.totals(dataset, per, root, visible=visible),
                    "children": completeness.by_child(dataset, per, root, visible=visible),
                    "late": late, "late_rows": [(u, statuses.get(u.pk)) for u in late]}
    return render(request, "datasets/completeness.html", context)


@login_required
@require_GET
def indicators_page(request: HttpRequest) -> HttpResponse:
    """The indicators with their numerator, denominator and value for a chosen unit (its subtree) and period."""
    from phongtrao.datasets.forms import IndicatorForm
    from phongtrao.datasets.indicators import evaluate_indicators

    root = _root(request)
    form = IndicatorForm(request.GET if "period" in request.GET else None,
                         initial={"period": str(Period.containing(timezone.localdate()))})
    results = None
    if root is not None and form.is_valid():
        results = evaluate_indicators(root, form.cleaned_data["period"])
    return render(request, "datasets/indicators.html", {"form": form, "root": root, "results": results})


@login_required
@require_GET
def validation(request: HttpRequest) -> HttpResponse:
    """The validation rules of a data set run over a subtree and period: the violations, by unit."""
    root = _root(request)
    form = ValidationForm(request.GET if "period" in request.GET else None,
                          initial={"period": str(Period.containing(timezone.localdate()))})
    violations = None
    if root is not None and form.is_valid():
        violations = run_validation(root, form.cleaned_data["dataset"], form.cleaned_data["period"],
                                    visible=visible_units(request.user).values("pk"))
    return render(request, "datasets/validation.html", {"form": form, "root": root, "violations": violations})


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The values of a data set in a subtree and period as CSV or XLSX, in the import's format."""
    root = _root(request)
    form = ValidationForm(request.GET)
    if root is None or not form.is_valid():
        raise Http404(gettext("Chọn đơn vị, biểu mẫu và kỳ."))
    fmt = "csv" if request.GET.get("format") == "csv" else "xlsx"
    dataset, per = form.cleaned_data["dataset"], form.cleaned_data["period"]
    data = export_values(root, dataset, per, fmt, visible=visible_units(request.user).values("pk"))
    response = HttpResponse(data, content_type="text/csv; charset=utf-8" if fmt == "csv" else XLSX)
    response["Content-Disposition"] = f'attachment; filename="so-lieu-{dataset.code}-{per.id}.{fmt}"'
    return response

