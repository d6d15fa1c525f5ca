"""Pages of the movement's money: the lines (estimates and allocations) and the spending entries of the units in
view (search, filters, sort, pages, Excel, totals by category, spent against allocated), the entries over the caps,
the caps with their basis, a unit's year (its lines and entries, with the forms to write them) and a province's
crime-prevention fund.

Units come through ``get_unit_for_user`` (404 out of view); who may write is the ``budget.*`` policies, asked by
the actions (which refuse with ``ActionError``) and by the pages to show or hide a form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from phongtrao.accounts.access import allowed_on, get_unit_for_user, may, visible_units
from phongtrao.audit.actions import Actor
from phongtrao.budget import actions
from phongtrao.budget.export import lines_workbook, spending_workbook
from phongtrao.budget.forms import (
    LINE_SORTS,
    OVER,
    SPENDING_SORTS,
    DeleteForm,
    FundForm,
    LineForm,
    ListForm,
    SpendingEditForm,
    SpendingForm,
    SpendingListForm,
)
from phongtrao.budget.models import BudgetLine, Cap, Category, Flow, FundEntry, FundPurpose, Spending
from phongtrao.lib.vnformat import percent
from phongtrao.lib.workflow import ActionError
from phongtrao.models_registry.models import Model as MovementModel
from phongtrao.units.models import Kind, Unit

PER_PAGE = 50
EXPORT_LIMIT = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _within(request: HttpRequest, values: dict[str, Any]) -> Unit | None:
    return visible_units(request.user).filter(pk=values["unit"]).first() if values.get("unit") else None


def _common(qs: QuerySet[Any], request: HttpRequest, values: dict[str, Any], within: Unit | None,
            text_fields: tuple[str, ...]) -> QuerySet[Any]:
    qs = qs.filter(unit__in=visible_units(request.user))
    if within is not None:
        qs = qs.filter(unit__ancestor_links__ancestor_id=within.pk)
    if values.get("year"):
        qs = qs.filter(year=values["year"])
    if values.get("category"):
        qs = qs.filter(category=values["category"])
    if values.get("source"):
        qs = qs.filter(source=values["source"])
    text = (values.get("q") or "").strip()
    if text:
        match = Q(unit__in=Unit.objects.search(text))
        for name in text_fields:
            match |= Q(**{f"{name}__icontains": text})
        qs = qs.filter(match)
    return qs


def _lines(request: HttpRequest) -> tuple[ListForm, QuerySet[BudgetLine], Unit | None, dict[str, Any]]:
    form = ListForm(request.GET)
    values = form.values()
    within = _within(request, values)
    qs = _common(BudgetLine.objects.select_related("unit", "category", "source"), request, values, within, ("note",))
    return form, qs.order_by(*LINE_SORTS.get(values.get("sort") or "unit", LINE_SORTS["unit"])), within, values


def _spending(request: HttpRequest, *, over: bool = False) -> tuple[SpendingListForm, QuerySet[Spending],
                                                                     Unit | None, dict[str, Any]]:
    form = SpendingListForm(request.GET)
    values = form.values()
    within = _within(request, values)
    qs = _common(Spending.objects.select_related("unit", "category", "source", "model", "cap"), request, values,
                 within, ("purpose",))
    if over or values.get("status") == OVER:
        qs = qs.filter(over_cap=True)
    sort = values.get("sort") or "-date"
    return form, qs.order_by(*SPENDING_SORTS.get(sort, SPENDING_SORTS["-date"])), within, values


def category_totals(lines: QuerySet[BudgetLine], spent: QuerySet[Spending]) -> dict[str, Any]:
    """Estimate, allocated and spent by category of the filtered lines and entries (two grouped queries)."""
    rows: dict[int, dict[str, Any]] = {c.pk: {"category": c, "estimate": 0, "allocated": 0, "spent": 0}
                                       for c in Category.objects.all()}
    grouped = lines.order_by().values_list("category_id").annotate(e=Coalesce(Sum("estimate"), 0),
                                                                   a=Coalesce(Sum("allocated"), 0))
    for category_id, estimate, allocated in grouped:
        rows[category_id]["estimate"], rows[category_id]["allocated"] = int(estimate), int(allocated)
    for category_id, amount in spent.order_by().values_list("category_id").annotate(s=Coalesce(Sum("amount"), 0)):
        rows[category_id]["spent"] = int(amount)
    shown = [r | {"percent": percent(r["spent"], r["allocated"])} for r in rows.values()
             if r["estimate"] or r["allocated"] or r["spent"]]
    total = {k: sum(r[k] for r in shown) for k in ("estimate", "allocated", "spent")}
    return {"rows": shown, "total": total | {"percent": percent(total["spent"], total["allocated"])}}


def _spent_like(request: HttpRequest, values: dict[str, Any], within: Unit | None) -> QuerySet[Spending]:
    return _common(Spending.objects.all(), request, values, within, ("purpose",))


def _home_year(request: HttpRequest, values: dict[str, Any]) -> dict[str, Any]:
    home = getattr(request.user, "unit", None)
    year = values.get("year") or timezone.localdate().year
    return {"home": home if isinstance(home, Unit) and home.kind in actions.BUDGET_KINDS else None,
            "home_year": year,
            "home_province": _visible_province(request, home) if isinstance(home, Unit) else None}


def _visible_province(request: HttpRequest, unit: Unit) -> Unit | None:
    """The unit's province when the user sees it (a commune officer sees their commune only)."""
    province = _province_of(unit)
    return province if province is not None and visible_units(request.user).filter(pk=province.pk).exists() else None


def _province_of(unit: Unit) -> Unit | None:
    if unit.kind == Kind.PROVINCE:
        return unit
    return Unit.objects.filter(descendant_links__unit=unit, kind=Kind.PROVINCE).first()


@require_GET
@login_required
def lines(request: HttpRequest) -> HttpResponse:
    form, qs, within, values = _lines(request)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "budget/lines.html", {
        "form": form, "page": page, "within": within, "active": "lines",
        "totals": category_totals(qs, _spent_like(request, values, within)), **_home_year(request, values)})


@require_GET
@login_required
def export_lines(request: HttpRequest) -> HttpResponse:
    _form, qs, _within_unit, _values = _lines(request)
    response = HttpResponse(lines_workbook(qs[:EXPORT_LIMIT]), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="du-toan-kinh-phi-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response


def _spending_page(request: HttpRequest, *, over: bool) -> HttpResponse:
    form, qs, within, values = _spending(request, over=over)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    total = qs.order_by().aggregate(amount=Coalesce(Sum("amount"), 0), entries=Count("pk"))
    units = list({entry.unit_id: entry.unit for entry in page}.values())
    editable = {pk for pk, names in allowed_on(request.user, ["budget.edit"], units).items() if names}
    return render(request, "budget/spending.html", {
        "form": form, "page": page, "within": within, "over": over, "total": total, "editable": editable,
        "active": "over" if over else "spending", **_home_year(request, values)})


@require_GET
@login_required
def spending(request: HttpRequest) -> HttpResponse:
    return _spending_page(request, over=False)


@require_GET
@login_required
def over_cap(request: HttpRequest) -> HttpResponse:
    """Entries saved over a cap, each with the cap, its limit and the override reason."""
    return _spending_page(request, over=True)


@require_GET
@login_required
def export_spending(request: HttpRequest) -> HttpResponse:
    _form, qs, _within_unit, _values = _spending(request)
    response = HttpResponse(spending_workbook(qs[:EXPORT_LIMIT]), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="khoan-chi-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response


@require_GET
@login_required
def caps(request: HttpRequest) -> HttpResponse:
    """The caps and the catalogues, each with its basis, effective date and what is uncertain."""
    return render(request, "budget/caps.html", {
        "caps": Cap.objects.select_related("category"), "categories": Category.objects.all(),
        "active": "caps", **_home_year(request, {})})


def _models(unit: Unit) -> QuerySet[MovementModel]:
    return MovementModel.objects.filter(Q(unit=unit) | Q(unit__in=Unit.objects.in_subtree(unit))).order_by("code")


def _year(year: int) -> None:
    try:
        actions.check_year(year)
    except ActionError:
        raise Http404 from None


@login_required
def unit_year(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """A unit's year: totals by category (spent against allocated), its lines and entries; the forms to save a line
    and to record an entry (over a cap: refused until a reason is given)."""
    unit = get_unit_for_user(request, pk)
    _year(year)
    if unit.kind not in actions.BUDGET_KINDS:
        raise Http404(gettext("Kinh phí được lập theo tỉnh, huyện hoặc xã."))
    can_edit = may(request.user, "budget.edit", unit)
    own_lines = BudgetLine.objects.filter(unit=unit, year=year).select_related("category", "source")
    entries = Spending.objects.filter(unit=unit, year=year).select_related("category", "source", "model", "cap")
    models = _models(unit)
    line_form = LineForm(request.POST if request.POST.get("form") == "line" else None, prefix="line")
    spending_form = SpendingForm(request.POST if request.POST.get("form") == "spending" else None, prefix="spend",
                                 models=models)
    needs_reason = False
    if request.method == "POST":
        if not can_edit:
            return HttpResponse(gettext("Bạn không có quyền cập nhật kinh phí của %(name)s.") % {"name": unit.name},
                                status=403)
        actor = Actor.of_request(request)
        if request.POST.get("form") == "line" and line_form.is_valid():
            version = line_form.cleaned_data.get("version")
            try:
                actions.do_save_line(actor, unit, line_form.line_data(year), expected_version=version)
            except ActionError as exc:
                line_form.add_action_error(exc)
            else:
                messages.success(request, gettext("Đã lưu dự toán."))
                return redirect("budget:unit", pk=unit.pk, year=year)
        elif request.POST.get("form") == "spending" and spending_form.is_valid():
            data = spending_form.spending_data()
            if data.spent_on.year != year:
                spending_form.add_error("spent_on", gettext("Ngày chi phải thuộc năm %(year)s.") % {"year": year})
            else:
                try:
                    actions.do_record_spending(actor, unit, data,
                                               override_reason=spending_form.cleaned_data.get("override_reason", ""))
                except actions.CapExceeded as exc:
                    spending_form.add_action_error(exc)
                    needs_reason = True
                except ActionError as exc:
                    spending_form.add_action_error(exc)
                else:
                    messages.success(request, gettext("Đã ghi khoản chi."))
                    return redirect("budget:unit", pk=unit.pk, year=year)
    versions = {f"{ln.category_id}-{ln.source_id}": ln.version for ln in own_lines}
    return render(request, "budget/unit.html", {
        "unit": unit, "year": year, "lines": own_lines.order_by("category__sort", "source__sort"),
        "entries": entries.order_by("-spent_on", "-pk")[:100], "entry_count": entries.count(),
        "totals": category_totals(own_lines, entries), "can_edit": can_edit, "line_form": line_form,
        "spending_form": spending_form, "needs_reason": needs_reason, "versions": versions,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)), "active": "unit",
        "province": _visible_province(request, unit), **_home_year(request, {"year": year})})


@login_required
def fund(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """A province's crime-prevention fund in a year: income by source and spending by purpose per quarter, the
    balance at the start and the end of the year (a warning below zero); the form to record a quarter's total."""
    province = get_unit_for_user(request, pk)
    _year(year)
    if province.kind != Kind.PROVINCE:
        raise Http404(gettext("Quỹ phòng, chống tội phạm được lập ở cấp tỉnh."))
    can_edit = may(request.user, "budget.fund", province)
    form = FundForm(request.POST or None)
    needs_reason = False
    if request.method == "POST":
        if not can_edit:
            return HttpResponse(gettext("Bạn không có quyền cập nhật Quỹ phòng, chống tội phạm của %(name)s.")
                                % {"name": province.name}, status=403)
        if form.is_valid():
            try:
                actions.do_record_fund(Actor.of_request(request), province, form.fund_data(year),
                                       negative_reason=form.cleaned_data.get("negative_reason", ""))
            except actions.NegativeBalance as exc:
                form.add_action_error(exc)
                needs_reason = True
            except ActionError as exc:
                form.add_action_error(exc)
            else:
                messages.success(request, gettext("Đã ghi thu, chi Quỹ."))
                return redirect("budget:fund", pk=province.pk, year=year)
    entries = FundEntry.objects.filter(province=province)
    grid = {(p, q): 0 for p in FundPurpose.values for q in (1, 2, 3, 4)}
    for purpose, quarter, amount in (entries.filter(year=year).values_list("purpose", "quarter")
                                     .annotate(s=Coalesce(Sum("amount"), 0))):
        grid[(purpose, quarter)] = int(amount)
    opening = entries.filter(year__lt=year).aggregate(
        income=Coalesce(Sum("amount", filter=Q(flow=Flow.INCOME)), 0),
        spending=Coalesce(Sum("amount", filter=Q(flow=Flow.SPENDING)), 0))
    rows = [{"purpose": p, "label": p.label, "income": p.value in ("auction", "donation", "other_income"),
             "quarters": [grid[(p.value, q)] for q in (1, 2, 3, 4)],
             "total": sum(grid[(p.value, q)] for q in (1, 2, 3, 4))} for p in FundPurpose]
    income = sum(int(r["total"]) for r in rows if r["income"])  # type: ignore[call-overload]
    spent = sum(int(r["total"]) for r in rows if not r["income"])  # type: ignore[call-overload]
    start = int(opening["income"]) - int(opening["spending"])
    return render(request, "budget/fund.html", {
        "province": province, "year": year, "rows": rows, "income": income, "spent": spent, "opening": start,
        "closing": start + income - spent, "form": form, "can_edit": can_edit, "needs_reason": needs_reason,
        "recent": entries.filter(year=year).order_by("-created_at", "-pk")[:50], "active": "fund",
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        **_home_year(request, {"year": year})})


def _editable_entry(request: HttpRequest, pk: int) -> tuple[Spending, Unit, HttpResponse | None]:
    """The entry when its unit is in view (else 404) and the 403 answer when the user may not write to it."""
    entry = (Spending.objects.select_related("unit", "category", "source", "model", "cap").filter(pk=pk).first())
    if entry is None:
        raise Http404(gettext("Không tìm thấy khoản chi."))
    unit = get_unit_for_user(request, entry.unit_id)
    if not may(request.user, "budget.edit", unit):
        return entry, unit, HttpResponse(gettext("Bạn không có quyền cập nhật kinh phí của %(name)s.")
                                         % {"name": unit.name}, status=403)
    return entry, unit, None


@login_required
def spending_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an entry: the form pre-filled with the version it was read at; the caps are checked again (over a
    cap: refused until a reason is given); a stale version is refused and the typed values stay on the form."""
    entry, unit, refused = _editable_entry(request, pk)
    if refused is not None:
        return refused
    form = SpendingEditForm(request.POST if request.method == "POST" else None, prefix="spend", models=_models(unit),
                            initial=SpendingEditForm.initial_of(entry))
    needs_reason = False
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.do_update_spending(Actor.of_request(request), entry.pk, form.spending_data(),
                                               override_reason=form.cleaned_data.get("override_reason", ""),
                                               expected_version=form.cleaned_data["version"])
        except actions.CapExceeded as exc:
            form.add_action_error(exc)
            needs_reason = True
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã sửa khoản chi."))
            return redirect("budget:unit", pk=unit.pk, year=saved.year)
    return render(request, "budget/spending_edit.html", {
        "entry": entry, "unit": unit, "form": form, "needs_reason": needs_reason, "active": "unit",
        **_home_year(request, {"year": entry.year})})


@login_required
def spending_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an entry after a confirmation step (a POST with the version it was read at)."""
    entry, unit, refused = _editable_entry(request, pk)
    if refused is not None:
        return refused
    form = DeleteForm(request.POST if request.method == "POST" else None, initial={"version": entry.version})
    if request.method == "POST":
        if not form.is_valid():
            form.add_error(None, gettext("Hãy xác nhận xoá từ trang này."))
        else:
            try:
                actions.do_delete_spending(Actor.of_request(request), entry.pk,
                                           expected_version=form.cleaned_data["version"])
            except ActionError as exc:
                form.add_action_error(exc)
            else:
                messages.success(request, gettext("Đã xoá khoản chi."))
                return redirect("budget:unit", pk=unit.pk, year=entry.year)
    return render(request, "budget/spending_delete.html", {
        "entry": entry, "unit": unit, "form": form, "active": "unit", **_home_year(request, {"year": entry.year})})
