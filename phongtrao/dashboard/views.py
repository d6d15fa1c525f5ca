"""The home page (what waits for the user, their figures of the year) and the list of waiting ANTT dossiers."""

from __future__ import annotations

from itertools import groupby

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from phongtrao.accounts.access import get_unit_for_user, scope_roots, visible_units
from phongtrao.dashboard import charts, todo, todo_recognition
from phongtrao.dashboard.cards import scope_cards
from phongtrao.units.models import Kind, Unit

PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR_MIN, YEAR_MAX = 2000, 2100


def year_param(value: str | None) -> int:
    """``?year=2024``, else this year; never an error."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit() and len(text) == 4 and YEAR_MIN <= int(text) <= YEAR_MAX:
        return int(text)
    return timezone.localdate().year


def year_choices(year: int) -> list[int]:
    this_year = timezone.localdate().year
    return sorted({*range(this_year - 5, this_year + 1), year}, reverse=True)


def download(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def home_unit(request: HttpRequest) -> object:
    """The user's one scope unit (the country for an administrator), or None with several or none."""
    roots = list(scope_roots(request.user)[:2])
    return roots[0] if len(roots) == 1 else None


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = todo.rows_for(request.user, today)
    groups = [(group, list(items)) for group, items in groupby(rows, key=lambda r: str(r.group))]
    unit = home_unit(request)
    cards = scope_cards(unit, today.year) if unit is not None else []  # type: ignore[arg-type]
    return render(request, "dashboard/home.html", {
        "groups": groups, "waiting": sum(r.count for r in rows), "unit": unit, "year": today.year,
        "cards": cards, "today": today})


@require_GET
@login_required
def dossiers(request: HttpRequest, step: str) -> HttpResponse:
    """The ANTT dossiers waiting for the user at ``step`` (review, decide), oldest first."""
    if step not in todo_recognition.STEPS:
        raise Http404(gettext("Không tìm thấy trang."))
    waiting = (todo_recognition.waiting(request.user, step).select_related("unit", "unit__parent")
               .order_by("submitted_on", "year", "unit__sort_key", "pk"))
    page = Paginator(waiting, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "dashboard/dossiers.html", {
        "page": page, "step": step, "label": todo_recognition.STEPS[step][2]})


CHART_KINDS = (Kind.PROVINCE, Kind.COMMUNE)


@require_GET
@login_required
def charts_page(request: HttpRequest) -> HttpResponse:
    """A province's or a commune's charts of a year (``?unit=&year=``; default: the user's own unit), each with
    its table; ``?export=<chart>`` downloads that table as Excel. A province's bars drill down to the commune."""
    year = year_param(request.GET.get("year"))
    unit: Unit | None = None
    if request.GET.get("unit"):
        unit = get_unit_for_user(request, request.GET["unit"])
        if unit.kind not in CHART_KINDS:
            raise Http404(gettext("Biểu đồ có cho tỉnh, thành phố và xã, phường."))
    else:
        home = home_unit(request)
        unit = home if isinstance(home, Unit) and home.kind in CHART_KINDS else None
    if unit is None:  # several scope units, or the whole country: choose a province
        provinces = visible_units(request.user).filter(kind=Kind.PROVINCE).vi_ordered()[:100]
        return render(request, "dashboard/charts.html", {
            "unit": None, "year": year, "years": year_choices(year),
            "choices": [(p, charts.charts_url(p, year)) for p in provinces]})
    if request.GET.get("export"):
        found = charts.chart(unit, year, request.GET["export"])
        if found is None:
            raise Http404(gettext("Không tìm thấy biểu đồ."))
        return download(found.workbook(unit, year), f"bieu-do-{found.key}-{unit.code}-{year}.xlsx")
    return render(request, "dashboard/charts.html", {
        "unit": unit, "year": year, "years": year_choices(year), "charts": charts.all_charts(unit, year),
        "parent_url": charts.charts_url(unit.parent_id, year) if unit.kind == Kind.COMMUNE and unit.parent_id
        and visible_units(request.user).filter(pk=unit.parent_id).exists() else ""})
