"""The annual report's pages: a province's overview and a commune's page, each with the report's sections
(``reports.web``) under the year's ANTT figures.

The URLs stay in the recognition namespace (``recognition:province``, ``recognition:commune``: links and
bookmarks keep working); the pages live here, above every domain app, since they show every app's section.
The commune page is also the ANTT grid where the commune's officer updates the units' year (one post saves
the edited rows through ``recognition.actions.do_update_grid``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from phongtrao.accounts.access import can_decide
from phongtrao.audit.actions import Actor
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.recognition import pages
from phongtrao.recognition.actions import allowed_moves, do_update_grid
from phongtrao.recognition.figures import recognition_by_child
from phongtrao.recognition.forms import GridFilterForm, parse_grid
from phongtrao.reports.web import annual_context
from phongtrao.units.lineage import boundaries_of, lookup_year
from phongtrao.units.models import Kind, Unit

PER_PAGE = 50


@login_required
def province(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Every commune of the province with its counts and progress, and the province's annual figures."""
    boundaries = boundaries_of(request)  # ?boundaries=today: the code names today's unit (units.lineage)
    unit = pages.unit_for_year(request, code, lookup_year(year, boundaries), (Kind.PROVINCE,))
    children = pages.with_all_kinds(recognition_by_child(unit, year))
    context = {"unit": unit, "year": year, "years": pages.year_choices(year), "children": children,
               "can_decide": can_decide(request.user, unit), **annual_context(unit, year, boundaries)}
    return render(request, "reports/province.html", context)


@login_required
def commune(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The commune's grid: every unit subject to the standard, editable in place (one post saves the edited rows)."""
    boundaries = boundaries_of(request)
    unit = pages.unit_for_year(request, code, lookup_year(year, boundaries), (Kind.COMMUNE,))
    filters = GridFilterForm(request.GET)
    units = pages.grid_units(unit, year, kind=filters.value("kind"), status=filters.value("status"),
                             q=filters.value("q"))
    totals = pages.criteria_totals(unit, year)
    outcome: dict[str, Any] = {}
    if request.method == "POST":
        outcome = _save_grid(request, unit, year)
        if outcome["saved"] and not request.htmx:  # type: ignore[attr-defined]
            messages.success(request, outcome["message"])
            return redirect(request.get_full_path())
    page = Paginator(units, PER_PAGE).get_page(request.GET.get("page"))
    lines = pages.grid_lines(list(page.object_list), year, request.user, totals)
    _keep_posted(lines, request, outcome)
    context = {"unit": unit, "year": year, "years": pages.year_choices(year), "filters": filters, "page": page,
               "lines": lines, "outcome": outcome, "editable": any(line.moves for line in lines),
               "can_decide": can_decide(request.user, unit), **annual_context(unit, year, boundaries)}
    return render(request, "reports/commune.html", context)


def _save_grid(request: HttpRequest, unit: Unit, year: int) -> dict[str, Any]:
    if not allowed_moves(request.user, [unit])[unit.pk]:
        raise PermissionDenied(gettext("Bạn không có quyền cập nhật dữ liệu của xã này."))
    ids = [int(k[2:]) for k in request.POST if k.startswith("v-") and k[2:].isdigit() and len(k) < 20][:500]
    posted_units = {u.pk: u for u in pages.grid_units(unit, year).filter(pk__in=ids)}
    rows, errors = parse_grid(request.POST, posted_units)
    stale = False
    if not errors and rows:
        try:
            do_update_grid(Actor.of_request(request), year, rows)
        except ActionError as exc:
            errors, stale = exc.errors, isinstance(exc, StaleVersion)
    saved = not errors and bool(rows)
    names = {str(pk): (u.name, u.code) for pk, u in posted_units.items()}
    return {"saved": saved, "nothing": not rows and not errors, "stale": stale, "errors": errors,
            "message": gettext("Đã lưu %(n)s dòng.") % {"n": len(rows)},
            "summary": [(*names.get(k, ("", "")), m) for k, ms in errors.items() for m in ms]}


def _keep_posted(lines: list[pages.GridLine], request: HttpRequest, outcome: dict[str, Any]) -> None:
    """After a refused save, each row shows its messages and what the user had typed."""
    if not outcome.get("errors"):
        return
    for line in lines:
        pk = line.unit.pk
        line.errors = outcome["errors"].get(str(pk), [])
        line.posted = {"reg": bool(request.POST.get(f"reg-{pk}")), "hh": request.POST.get(f"hh-{pk}", ""),
                       "adv": request.POST.get(f"adv-{pk}", "")}
