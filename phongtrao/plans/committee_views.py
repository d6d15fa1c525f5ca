"""Pages of steering committees: the list (search, level filter, sort, pages, Excel), a committee's page (the
current composition, the meetings of the years, the history of compositions), the constitute and re-constitute
forms (the version read is checked by the action).

A committee is seen by whoever sees its unit (404 otherwise); writing needs ``plans.committees`` on the unit
(asked by the actions, which refuse with ``ActionError``, and by the pages to show or hide the buttons: 403).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET

from phongtrao.accounts.access import holds, may, units_where, visible_units
from phongtrao.audit.actions import Actor
from phongtrao.lib.workflow import ActionError
from phongtrao.lib.xlsx import ListSheet
from phongtrao.plans.committees import do_constitute, do_reconstitute, meetings
from phongtrao.plans.forms import COMMITTEE_SORTS, CommitteeListForm, CompositionForm
from phongtrao.plans.models import CommitteeMember, CommitteeVersion, SteeringCommittee
from phongtrao.plans.views import EXPORT_LIMIT, PER_PAGE, XLSX, nav_context, organisations_for
from phongtrao.units.models import Kind, Unit

MEETING_YEARS = 5


def _visible(request: HttpRequest) -> QuerySet[SteeringCommittee]:
    return SteeringCommittee.objects.filter(unit__in=visible_units(request.user))


def _filtered(request: HttpRequest) -> tuple[CommitteeListForm, QuerySet[SteeringCommittee]]:
    form = CommitteeListForm(request.GET)
    values = form.values()
    committees = (SteeringCommittee.objects.filter(unit__in=visible_units(request.user)).search(values.get("q") or "")
                  .select_related("unit", "current").annotate(member_count=Count("current__members")))
    if values.get("level"):
        committees = committees.filter(unit__kind=Kind.PROVINCE if values["level"] == "province" else Kind.COMMUNE)
    return form, committees.order_by(*COMMITTEE_SORTS.get(values.get("sort") or "unit", COMMITTEE_SORTS["unit"]))


@require_GET
@login_required
def committee_list(request: HttpRequest) -> HttpResponse:
    form, committees = _filtered(request)
    page = Paginator(committees, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "plans/committee_list.html", {
        "form": form, "page": page, "active": "committees", "can_constitute": holds(request.user, "plans.committees"),
        **nav_context(request)})


HEADERS = tuple(gettext_noop(h) for h in ("Đơn vị", "Mã đơn vị", "Tên Ban Chỉ đạo", "Lần", "Số quyết định",
                                         "Ngày quyết định", "Cơ quan ban hành", "Số thành viên hiện hành"))


@require_GET
@login_required
def committee_export(request: HttpRequest) -> HttpResponse:
    _form, committees = _filtered(request)
    sheet = ListSheet(gettext("Ban Chỉ đạo"), [gettext(h) for h in HEADERS], widths=(28, 14, 40, 6, 20, 14, 30, 10))
    text, day = sheet.text, sheet.day
    for c in committees[:EXPORT_LIMIT]:
        current = c.current
        sheet.append([text(c.unit.name), text(c.unit.code), text(c.name), c.version,
                      text(current.decision_number if current else ""), day(current.decided_on) if current else None,
                      text(current.issuer if current else ""), c.member_count])  # type: ignore[attr-defined]
    response = HttpResponse(sheet.to_bytes(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ban-chi-dao-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response


def _committee(request: HttpRequest, pk: int) -> SteeringCommittee:
    found = _visible(request).select_related("unit", "current", "meetings_element").filter(pk=pk).first()
    if found is None:
        raise Http404(gettext("Không tìm thấy Ban Chỉ đạo."))
    return found


def _members() -> Prefetch[Any]:
    return Prefetch("members", queryset=CommitteeMember.objects.select_related("organisation", "position"))


@require_GET
@login_required
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _committee(request, pk)
    versions = list(CommitteeVersion.objects.filter(committee=committee).select_related("user")
                    .prefetch_related(_members()).order_by("-number"))
    this_year = timezone.localdate().year
    years = list(range(this_year - MEETING_YEARS + 1, this_year + 1))
    held = meetings(committee, years)
    return render(request, "plans/committee_detail.html", {
        "committee": committee, "current": versions[0] if versions else None, "history": versions[1:],
        "meetings": [{"year": y, "count": held.get(y)} for y in years],
        "can_edit": may(request.user, "plans.committees", committee.unit)})


def _member_initial(version: CommitteeVersion | None) -> list[dict[str, Any]]:
    if version is None:
        return []
    return [{"organisation": str(m.organisation_id), "position": str(m.position_id), "title": m.title,
             "name": m.official_name} for m in version.members.all()]


def _form_page(request: HttpRequest, form: CompositionForm, committee: SteeringCommittee | None,
               initial: list[dict[str, Any]]) -> HttpResponse:
    return render(request, "plans/committee_form.html", {
        "form": form, "committee": committee, "rows": form.member_rows(initial),
        "organisations": list(form.organisations.values()), "positions": list(form.positions.values())})


@login_required
def committee_create(request: HttpRequest) -> HttpResponse:
    if not units_where(request.user, "plans.committees").exists():
        return HttpResponse(gettext("Bạn không có quyền thành lập Ban Chỉ đạo."), status=403)
    home: Unit | None = getattr(request.user, "unit", None)
    form = CompositionForm(request.POST or None, organisations=organisations_for(home), creating=True,
                           initial={"unit_code": home.code if isinstance(home, Unit) else ""})
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["unit_code"].strip()
        unit = visible_units(request.user).with_code(code, timezone.localdate()).first()
        if unit is None:
            form.add_error("unit_code", gettext("Không có đơn vị mã “%(code)s” trong phạm vi của bạn.")
                           % {"code": code})
        else:
            try:
                committee = do_constitute(Actor.of_request(request), unit, form.composition(),
                                          name=form.cleaned_data.get("name") or "")
            except ActionError as exc:
                form.add_action_error(exc)
            else:
                messages.success(request, gettext("Đã thành lập Ban Chỉ đạo của %(name)s.") % {"name": unit.name})
                return redirect("plans:committee", pk=committee.pk)
    return _form_page(request, form, None, [])


@login_required
def committee_reconstitute(request: HttpRequest, pk: int) -> HttpResponse:
    committee = _committee(request, pk)
    if not may(request.user, "plans.committees", committee.unit):
        return HttpResponse(gettext("Bạn không có quyền kiện toàn Ban Chỉ đạo này."), status=403)
    current = (CommitteeVersion.objects.filter(pk=committee.current_id).prefetch_related(_members()).first()
               if committee.current_id else None)
    form = CompositionForm(request.POST or None, organisations=organisations_for(committee.unit), creating=False,
                           initial={"version": committee.version,
                                    "issuer": current.issuer if current is not None else ""})
    if request.method == "POST" and form.is_valid():
        try:
            do_reconstitute(Actor.of_request(request), committee.pk, form.composition(),
                            expected_version=form.cleaned_data.get("version"))
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã kiện toàn Ban Chỉ đạo."))
            return redirect("plans:committee", pk=committee.pk)
    return _form_page(request, form, committee, _member_initial(current))
