"""Unit pages: the browser (country -> provinces -> communes ...), search, the unit page, create/edit/close.

Every unit comes through ``phongtrao.accounts.access``; every write through ``phongtrao.units.actions``.
What is shown depends on an "as of" date: a code names a unit only together with a date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext

from phongtrao.accounts.access import can_change, get_unit_for_user, scope_roots, visible_units
from phongtrao.accounts.models import User
from phongtrao.audit.actions import Actor
from phongtrao.lib.forms import VnDateInput
from phongtrao.lib.rehearsal import rehearse
from phongtrao.lib.vnformat import date_text
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.units.actions import do_close_unit, do_create_unit, do_update_unit
from phongtrao.units.forms import (
    BrowseForm,
    CloseForm,
    CreateUnitForm,
    EditUnitForm,
    SearchForm,
    child_kinds,
    parent_choices,
)
from phongtrao.units.lineage import lineage_graph
from phongtrao.units.models import ALLOWED_PARENT_KINDS, Kind, Succession, Unit, UnitAncestor, UnitQuerySet

PER_PAGE = 50


def _signed_in(request: HttpRequest) -> User:
    """The signed-in user of a view behind ``login_required`` (which redirects anonymous visitors)."""
    user = request.user
    assert isinstance(user, User), "only for views behind login_required"
    return user


def _last_old_day() -> dt.date:
    """30/06/2025: the last day of the pre-reform structure."""
    # cast: mypy infers settings.PHONGTRAO as dict[str, object]; REFORM_DATE is an ISO date string.
    return dt.date.fromisoformat(cast(str, settings.PHONGTRAO["REFORM_DATE"])) - dt.timedelta(days=1)


def _home_day(unit: Unit, today: dt.date) -> dt.date:
    """The date a unit page shows by default: today, or the last (first) day of a closed (future) unit."""
    if unit.is_valid_on(today):
        return today
    if unit.valid_to is not None and unit.valid_to < today:
        return unit.valid_to
    return unit.valid_from or today


def _date_context(day: dt.date) -> dict[str, Any]:
    today, last_old = timezone.localdate(), _last_old_day()
    return {
        "as_of": day, "today": today, "last_old_day": last_old,
        "is_today": day == today, "is_pre_reform": day == last_old,
        "as_of_iso": day.isoformat(), "last_old_iso": last_old.isoformat(),
        "as_of_input": VnDateInput({"id": "as-of-date", "class": "form-control form-control-sm w-auto"})
        .render("as_of", day),
        # Appended to links into unit pages so that drilling down stays on the chosen date.
        "as_of_query": "" if day == today else f"?as_of={day.isoformat()}",
    }


def _children(request: HttpRequest, children: UnitQuerySet, day: dt.date, kind: str) -> dict[str, Any]:
    """``children`` valid on ``day``: counts by kind (one GROUP BY), and one page of them.

    Each listed unit carries ``child_count``, its own children on ``day`` (a correlated subquery, not a loop).
    """
    children = children.valid_on(day)
    counts = dict(children.order_by().values_list("kind").annotate(n=Count("pk")))
    grandchildren = (visible_units(request.user).filter(parent=OuterRef("pk")).valid_on(day).order_by()
                     .values("parent").annotate(n=Count("pk")).values("n"))
    listed = children.of_kind(kind) if kind else children
    listed = listed.annotate(child_count=Coalesce(Subquery(grandchildren), Value(0))).vi_ordered()
    return {
        "kind_counts": [(k, Kind(k).label, counts[k]) for k in Kind.values if k in counts],
        "children_total": sum(counts.values()),
        "kind": kind,
        "page": Paginator(listed, PER_PAGE).get_page(request.GET.get("page")),
    }


def _parent_paths(page: Page) -> None:
    """Set ``path`` ("Toàn quốc › Thành phố Đà Nẵng") on each unit of the page, with one query."""
    units = list(page.object_list)
    names: dict[int, list[str]] = {}
    rows = (UnitAncestor.objects.filter(unit_id__in=[u.pk for u in units], distance__gt=0)
            .order_by("unit_id", "-distance").values_list("unit_id", "ancestor__name"))
    for unit_id, name in rows:
        names.setdefault(unit_id, []).append(name)
    for unit in units:
        unit.path = " › ".join(names.get(unit.pk, []))
    page.object_list = units


@login_required
def browse(request: HttpRequest) -> HttpResponse:
    """The register from the top of the user's view (the country for national users) on the chosen date.

    With several scope roots (e.g. two communes), the roots themselves are listed.
    """
    form = BrowseForm(request.GET)
    day = form.value("as_of", timezone.localdate())
    roots = list(scope_roots(request.user)[:2])
    root = roots[0] if len(roots) == 1 else None
    listed = visible_units(request.user).filter(parent=root) if root else scope_roots(request.user)
    context = {"form": form, "root": root, "has_scope": bool(roots), **_date_context(day),
               **_children(request, listed, day, form.value("kind"))}
    return render(request, "units/browse.html", context)


def _search_results(request: HttpRequest, form: SearchForm, within: Unit | None) -> Page | None:
    if not form.wants_results():
        return None
    units: UnitQuerySet = visible_units(request.user).search(form.value("q", ""))
    if form.value("kind"):
        units = units.of_kind(form.value("kind"))
    if not form.value("all_dates"):
        units = units.valid_on(form.value("as_of", timezone.localdate()))
    if within is not None:
        units = units.in_subtree(within, include_root=False)
    page = Paginator(units.vi_ordered(), PER_PAGE).get_page(request.GET.get("page"))
    _parent_paths(page)
    return page


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Diacritic- and case-insensitive search by name or code, by kind, valid on a date (or on any date)."""
    form = SearchForm(request.GET)
    within = None
    if form.value("within"):
        within = get_unit_for_user(request, form.value("within"))
    page = _search_results(request, form, within)
    return render(request, "units/search.html", {"form": form, "page": page, "within": within})


def _unit_context(request: HttpRequest, unit: Unit, day: dt.date) -> dict[str, Any]:
    visible = visible_units(request.user)
    links = Succession.objects.select_related("predecessor", "successor")
    # Every unit that held this code, the unit itself included, oldest first.
    versions = list(visible.filter(code=unit.code).order_by(F("valid_from").asc(nulls_first=True), "pk"))
    return {
        "unit": unit,
        "ancestors": list(unit.ancestors() & visible),
        "valid_on_day": unit.is_valid_on(day),
        "versions": versions,
        "has_versions": len(versions) > 1,
        "predecessors": links.filter(successor=unit, predecessor__in=visible)
                             .order_by("predecessor__sort_key"),
        "successors": links.filter(predecessor=unit, successor__in=visible).order_by("successor__sort_key"),
        "can_change": can_change(request.user, unit),
        "can_have_children": bool(child_kinds(unit.kind)),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The unit page: attributes, ancestors, children on the chosen date, codes over time, successions."""
    unit = get_unit_for_user(request, pk)
    form = BrowseForm(request.GET)
    day = form.value("as_of", _home_day(unit, timezone.localdate()))
    context = {"form": form, **_unit_context(request, unit, day), **_date_context(day),
               **_children(request, visible_units(request.user).filter(parent=unit), day, form.value("kind")),
               "graph": lineage_graph(unit, visible_units(request.user))}
    return render(request, "units/detail.html", context)


@login_required
def create(request: HttpRequest) -> HttpResponse:
    """A new unit under ``?parent=<pk>``."""
    parent = get_unit_for_user(request, request.GET.get("parent"), for_change=True)
    kinds = child_kinds(parent.kind)
    if not kinds:
        messages.error(request, gettext("Không thể thêm đơn vị trực thuộc %(kind)s.")
                       % {"kind": parent.get_kind_display()})
        return redirect("units:detail", parent.pk)
    user = _signed_in(request)
    parents = parent_choices(user, parent, (parent.kind,), _home_day(parent, timezone.localdate()))
    form = CreateUnitForm(request.POST or None, user=user, parents=parents, kinds=kinds,
                          initial={"parent": parent.pk})
    if request.method == "POST" and form.is_valid():
        try:
            unit = do_create_unit(Actor.of_request(request), **form.unit_fields())
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã thêm đơn vị %(name)s.") % {"name": unit.name})
            return redirect("units:detail", unit.pk)
    return render(request, "units/unit_form.html", {"form": form, "parent": parent, "unit": None})


def _edit_form(request: HttpRequest, unit: Unit) -> EditUnitForm:
    user = _signed_in(request)
    parents = kinds = None
    if unit.parent_id is not None:
        anchor = unit.parent
        assert anchor is not None
        kinds = list(dict.fromkeys([*child_kinds(anchor.kind), unit.kind]))
        parents = parent_choices(user, anchor, ALLOWED_PARENT_KINDS[unit.kind],
                                 _home_day(unit, timezone.localdate()))
    initial = {name: getattr(unit, name) for name in EditUnitForm.base_fields if name != "parent"}
    initial["parent"] = unit.parent_id
    return EditUnitForm(request.POST or None, user=user, parents=parents, kinds=kinds or [],
                        initial=initial)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a unit; the form's version makes a concurrent save a refusal, never a silent overwrite."""
    unit = get_unit_for_user(request, pk, for_change=True)
    form = _edit_form(request, unit)
    if request.method == "POST" and form.is_valid():
        try:
            do_update_unit(Actor.of_request(request), unit.pk, expected_version=form.cleaned_data["version"],
                           **form.unit_fields())
        except StaleVersion:
            form.mark_stale(get_unit_for_user(request, pk), gettext(
                "Đơn vị này vừa được người khác sửa sau khi bạn mở biểu mẫu, "
                "nên thay đổi của bạn CHƯA được lưu. Dữ liệu bạn nhập vẫn ở dưới; "
                "giá trị đang lưu được ghi dưới từng ô khác với bạn. "
                "Kiểm tra lại, rồi bấm Lưu lần nữa nếu vẫn muốn ghi đè."))
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã lưu thay đổi của %(name)s.") % {"name": unit.name})
            return redirect("units:detail", unit.pk)
    return render(request, "units/unit_form.html", {"form": form, "parent": unit.parent, "unit": unit})


@login_required
def close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close a unit (set the last day it is valid) after a confirmation step; nothing is deleted."""
    unit = get_unit_for_user(request, pk, for_change=True)
    form = CloseForm(request.POST or None,
                     initial={"valid_to": unit.valid_to or timezone.localdate(), "version": unit.version})
    confirming = False
    if request.method == "POST" and form.is_valid():
        def run() -> Unit:
            return do_close_unit(Actor.of_request(request), unit.pk, valid_to=form.cleaned_data["valid_to"],
                                 expected_version=form.cleaned_data["version"])

        if not form.cleaned_data["confirm"]:  # validate first (a rehearsal), then ask
            if (refusal := rehearse(run, ActionError)) is not None:
                form.add_action_error(refusal)
            else:
                confirming = True
        else:
            try:
                run()
            except ActionError as exc:
                form.add_action_error(exc)
            else:
                messages.success(request, gettext("Đã đóng %(name)s (hiệu lực đến %(date)s).")
                                 % {"name": unit.name, "date": date_text(form.cleaned_data["valid_to"])})
                return redirect("units:detail", unit.pk)
    return render(request, "units/close.html", {"form": form, "unit": unit, "confirming": confirming})
