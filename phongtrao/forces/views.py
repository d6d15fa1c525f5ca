"""Pages of the grassroots security force: the team list (search, filters, sort, pages, Excel), the teams below
their size rule, the size rules and the quota with their basis, a residential area's team (establish, edit,
dissolve, history) and a commune's yearly ratings (save, submit, return).

Units come through ``get_unit_for_user`` (404 out of view); who may write is the ``forces.*`` policies, asked by
the actions (which refuse with ``ActionError``) and by the pages to show or hide a form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, IntegerField, QuerySet, Value
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from phongtrao.accounts.access import get_unit_for_user, holds, may, visible_units
from phongtrao.audit.actions import Actor
from phongtrao.forces import actions
from phongtrao.forces.export import workbook
from phongtrao.forces.forms import BELOW, SORTS, DissolveForm, ProvinceRuleForm, ReturnForm, TeamForm, TeamListForm
from phongtrao.forces.models import (
    RATING_FIELDS,
    SHEETS,
    RatingSheet,
    SizeRule,
    Team,
    TeamEvent,
    TeamRating,
    TeamStatus,
)
from phongtrao.forces.rules import current_rating_year, quota, rating_period
from phongtrao.lib.workflow import ActionError
from phongtrao.units.models import Kind, Unit

PER_PAGE = 50
EXPORT_LIMIT = 50_000


def _filtered(request: HttpRequest, *, below: bool = False) -> tuple[TeamListForm, QuerySet[Team], Unit | None]:
    form = TeamListForm(request.GET)
    values = form.values()
    teams = (Team.objects.filter(unit__in=visible_units(request.user)).select_related("unit", "unit__parent",
                                                                                       "size_rule")
             .annotate(missing=Greatest(Coalesce(F("required_members"), Value(0)) - F("total_members"), Value(0),
                                          output_field=IntegerField())))
    within = visible_units(request.user).filter(pk=values["unit"]).first() if values.get("unit") else None
    if within is not None:
        teams = teams.in_subtree(within)
    teams = teams.search(values.get("q") or "")
    status = BELOW if below else values.get("status")
    if status == BELOW:
        teams = teams.filter(status=TeamStatus.ACTIVE).below_rule()
    elif status:
        teams = teams.filter(status=status)
    sort = values.get("sort") or ("shortfall" if below else "area")
    return form, teams.order_by(*SORTS.get(sort, SORTS["area"])), within


def rating_commune(request: HttpRequest, within: Unit | None = None) -> Unit | None:
    """The commune whose ratings the tabs link to: the one filtered on, else the user's own commune."""
    if within is not None and within.kind == Kind.COMMUNE:
        return within
    home = getattr(request.user, "unit", None)
    return home if isinstance(home, Unit) and home.kind == Kind.COMMUNE else None


def _nav(request: HttpRequest, within: Unit | None = None) -> dict[str, Any]:
    return {"rating_commune": rating_commune(request, within), "rating_year": current_rating_year(timezone.localdate())}


@require_GET
@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    form, teams, within = _filtered(request)
    page = Paginator(teams, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "forces/list.html", {"form": form, "page": page, "within": within, "below": False,
                                                **_nav(request, within)})


@require_GET
@login_required
def below_rule(request: HttpRequest) -> HttpResponse:
    """Active teams with fewer members than their size rule asks, the largest shortfall first."""
    form, teams, within = _filtered(request, below=True)
    page = Paginator(teams, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "forces/list.html", {"form": form, "page": page, "within": within, "below": True,
                                                **_nav(request, within)})


@require_GET
@login_required
def export(request: HttpRequest) -> HttpResponse:
    _form, teams, _within = _filtered(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(workbook(teams[:EXPORT_LIMIT]),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="to-bao-ve-antt-{stamp}.xlsx"'
    return response


def _provinces_for_rules(request: HttpRequest) -> list[Unit]:
    if not holds(request.user, "forces.rules"):
        return []
    day = timezone.localdate()
    provinces = visible_units(request.user).of_kind(Kind.PROVINCE).valid_on(day).vi_ordered()
    return [p for p in provinces if may(request.user, "forces.rules", p)][:100]


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """The size rules (national and of the provinces in view) and the quota, each with its basis; a province
    officer adopts a rule for their province."""
    provinces = _provinces_for_rules(request)
    form = ProvinceRuleForm(request.POST or None)
    if request.method == "POST":
        province = next((p for p in provinces if str(p.pk) == request.POST.get("province")), None)
        if province is None:
            raise Http404
        if form.is_valid():
            try:
                actions.do_add_province_rule(Actor.of_request(request), province,
                                             template=form.cleaned_data["template"],
                                             effective_from=form.cleaned_data["effective_from"],
                                             legal_basis=form.cleaned_data["legal_basis"],
                                             uncertain=form.cleaned_data["uncertain"], numbers=form.numbers())
            except ActionError as exc:
                form.add_action_error(exc)
            else:
                messages.success(request, gettext("Đã lưu quy mô tổ của %(name)s.") % {"name": province.name})
                return redirect("forces:rules")
    shown = (SizeRule.objects.filter(province__isnull=True)
             | SizeRule.objects.filter(province__in=visible_units(request.user).of_kind(Kind.PROVINCE)))
    return render(request, "forces/rules.html", {
        "rules": shown.select_related("province").order_by("province__sort_key", "-is_default", "-effective_from"),
        "quota": quota(), "form": form, "provinces": provinces, **_nav(request)})


def _area(request: HttpRequest, pk: int) -> Unit:
    area = get_unit_for_user(request, pk)
    if area.kind != Kind.RESIDENTIAL_AREA:
        raise Http404(gettext("Tổ bảo vệ ANTT được thành lập ở khu dân cư."))
    return area


@login_required
def area(request: HttpRequest, pk: int) -> HttpResponse:
    """A residential area's team: its details and history; establish one, or edit the active one."""
    unit = _area(request, pk)
    teams = list(Team.objects.filter(unit=unit).select_related("size_rule").order_by("-started_on", "-pk"))
    active = next((t for t in teams if t.status == TeamStatus.ACTIVE), None)
    can_edit = may(request.user, "forces.edit", unit)
    form = TeamForm.for_team(active, request.POST or None)
    if request.method == "POST":
        if not can_edit:
            return HttpResponse(gettext("Bạn không có quyền cập nhật tổ bảo vệ ANTT của %(name)s.")
                                % {"name": unit.name}, status=403)
        if form.is_valid():
            actor = Actor.of_request(request)
            try:
                if active is None:
                    actions.do_establish_team(actor, unit, form.team_data())
                else:
                    actions.do_update_team(actor, active.pk, form.team_data(),
                                           expected_version=form.cleaned_data.get("version"))
            except ActionError as exc:
                form.add_action_error(exc)
            else:
                messages.success(request, gettext("Đã lưu tổ bảo vệ ANTT của %(name)s.") % {"name": unit.name})
                return redirect("forces:area", pk=unit.pk)
    events = (TeamEvent.objects.filter(team__unit=unit).select_related("user", "team")
              .order_by("-at", "-pk")[:50])
    return render(request, "forces/area.html", {
        "unit": unit, "teams": teams, "active": active, "form": form, "can_edit": can_edit, "events": events,
        "dissolve_form": DissolveForm(initial={"version": active.version if active else None}),
        "rating_year": current_rating_year(timezone.localdate())})


@require_POST
@login_required
def dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _area(request, pk)
    if not may(request.user, "forces.edit", unit):
        return HttpResponse(gettext("Bạn không có quyền cập nhật tổ bảo vệ ANTT của %(name)s.") % {"name": unit.name},
                            status=403)
    active = Team.objects.filter(unit=unit, status=TeamStatus.ACTIVE).first()
    form = DissolveForm(request.POST)
    if active is None:
        messages.error(request, gettext("%(name)s không có tổ đang hoạt động.") % {"name": unit.name})
    elif form.is_valid():
        try:
            actions.do_dissolve_team(Actor.of_request(request), active.pk,
                                     dissolved_on=form.cleaned_data["dissolved_on"],
                                     decision_no=form.cleaned_data["decision_no"],
                                     expected_version=form.cleaned_data.get("version"))
        except ActionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext("Đã ghi giải thể tổ bảo vệ ANTT của %(name)s.") % {"name": unit.name})
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("forces:area", pk=unit.pk)


# --- ratings -------------------------------------------------------------------------------------


def _commune(request: HttpRequest, pk: int, year: int) -> Unit:
    commune = get_unit_for_user(request, pk)
    if commune.kind != Kind.COMMUNE:
        raise Http404(gettext("Kết quả đánh giá tổ được lập theo xã, phường, đặc khu."))
    try:
        actions.check_year(year)
    except ActionError:
        raise Http404 from None
    return commune


def _rated_teams(commune: Unit, year: int) -> list[Team]:
    start, end = rating_period(year)
    return list(Team.objects.filter(unit__parent=commune, started_on__lte=end).exclude(dissolved_on__lt=start)
                .select_related("unit").order_by("unit__sort_key", "pk"))


def _grid(teams: list[Team], ratings: dict[int, TeamRating], data: Any = None) -> list[dict[str, Any]]:
    rows = []
    for team in teams:
        rating = ratings.get(team.pk)
        cells = []
        for name, label in RATING_FIELDS:
            key = f"r-{team.pk}-{name}"
            value = data.get(key, "") if data is not None else (getattr(rating, name) if rating else "")
            cells.append({"name": key, "label": gettext(label), "value": value})
        rows.append({"team": team, "rating": rating, "cells": cells, "version": rating.version if rating else 0})
    return rows


def _parse_grid(request: HttpRequest, teams: list[Team]) -> tuple[list[actions.RatingInput], list[str]]:
    rows, problems = [], []
    for team in teams:
        counts: dict[str, int] = {}
        given = False
        for name, _label in RATING_FIELDS:
            text = request.POST.get(f"r-{team.pk}-{name}", "").strip()
            if not text:
                counts[name] = 0
                continue
            given = True
            if not text.isdigit() or int(text) > actions.MAX_COUNT:
                problems.append(gettext("%(team)s: số thành viên phải là số nguyên từ 0 đến %(max)s.")
                                % {"team": team, "max": actions.MAX_COUNT})
                break
            counts[name] = int(text)
        version = request.POST.get(f"v-{team.pk}", "")
        if given:
            rows.append(actions.RatingInput(team, counts, int(version) if version.isdigit() else None))
    return rows, problems


@login_required
def ratings(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """A commune's yearly ratings: one row of counts per team active in the period; save, then submit."""
    commune = _commune(request, pk, year)
    teams = _rated_teams(commune, year)
    can_rate = may(request.user, "forces.rate", commune)
    problems: list[str] = []
    if request.method == "POST":
        if not can_rate:
            return HttpResponse(gettext("Bạn không có quyền đánh giá Tổ bảo vệ ANTT của %(name)s.")
                                % {"name": commune.name}, status=403)
        rows, problems = _parse_grid(request, teams)
        if not problems:
            try:
                actions.do_save_ratings(Actor.of_request(request), commune, year, rows)
            except ActionError as exc:
                problems = [m for ms in exc.errors.values() for m in ms]
            else:
                messages.success(request, gettext("Đã lưu kết quả đánh giá."))
                return redirect("forces:ratings", pk=commune.pk, year=year)
    sheet = RatingSheet.objects.filter(commune=commune, year=year).first()
    existing = {r.team_id: r for r in TeamRating.objects.filter(year=year, team__in=teams)}
    violations = actions.quota_violations(list(existing.values())) if existing else []
    start, end = rating_period(year)
    reviewer = commune.parent is not None and may(request.user, "forces.review", commune.parent)
    return render(request, "forces/ratings.html", {
        "commune": commune, "year": year, "start": start, "end": end, "sheet": sheet,
        "rows": _grid(teams, existing, request.POST if problems else None), "problems": problems,
        "violations": violations, "quota": quota(), "can_rate": can_rate, "reviewer": reviewer,
        "editable": can_rate and (sheet is None or SHEETS.allows(sheet, "save")),
        "can_submit": can_rate and sheet is not None and SHEETS.allows(sheet, "submit"),
        "can_return": reviewer and sheet is not None and SHEETS.allows(sheet, "return"),
        "return_form": ReturnForm(initial={"version": sheet.version if sheet else None}),
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
    })


@require_POST
@login_required
def submit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    commune = _commune(request, pk, year)
    if not may(request.user, "forces.rate", commune):
        return HttpResponse(gettext("Bạn không có quyền đánh giá Tổ bảo vệ ANTT của %(name)s.")
                            % {"name": commune.name}, status=403)
    version = request.POST.get("version", "")
    try:
        actions.do_submit_ratings(Actor.of_request(request), commune, year,
                                  expected_version=int(version) if version.isdigit() else None)
    except ActionError as exc:
        for message in (m for ms in exc.errors.values() for m in ms):
            messages.error(request, message)
    else:
        messages.success(request, gettext("Đã gửi kết quả đánh giá năm %(year)s lên cấp trên.") % {"year": year})
    return redirect("forces:ratings", pk=commune.pk, year=year)


@require_POST
@login_required
def return_sheet(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    commune = _commune(request, pk, year)
    if commune.parent is None or not may(request.user, "forces.review", commune.parent):
        return HttpResponse(gettext("Bạn không có quyền trả lại kết quả đánh giá của %(name)s.")
                            % {"name": commune.name}, status=403)
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionError({"reason": [gettext("Nhập lý do trả lại.")]})
        actions.do_return_ratings(Actor.of_request(request), commune, year, reason=form.cleaned_data["reason"],
                                  expected_version=form.cleaned_data.get("version"))
    except ActionError as exc:
        for message in (m for ms in exc.errors.values() for m in ms):
            messages.error(request, message)
    else:
        messages.success(request, gettext("Đã trả lại kết quả đánh giá."))
    return redirect("forces:ratings", pk=commune.pk, year=year)

