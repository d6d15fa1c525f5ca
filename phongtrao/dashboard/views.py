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

from phongtrao.accounts.access import scope_roots
from phongtrao.dashboard import todo, todo_recognition
from phongtrao.dashboard.cards import scope_cards

PER_PAGE = 50


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
