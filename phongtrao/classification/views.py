"""Pages of the movement's classification: the scorecards with their basis, cut-offs and deadlines; a commune's grid
(the commune, its residential areas and organisations with status, points, level and next step: search, filters,
sort, pages, Excel); a unit's scoring page (self-scoring with the suggestions, submission, the review with a reason
per adjusted criterion, the classification, the history); a province's (or the country's) level distribution per
kind with the list of its units' years (search, filters, sort, pages, Excel).

Units come through ``unit_for_year`` (404 out of view); who may write is the ``classification.*`` policies, asked by
the actions (which refuse with ``ActionError``) and by the pages to show or hide a form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET

from phongtrao.accounts.access import may, visible_units
from phongtrao.audit.actions import Actor
from phongtrao.classification import actions
from phongtrao.classification.export import grid_workbook, list_workbook
from phongtrao.classification.figures import build_classification_section, classification_blocks, distribution
from phongtrao.classification.models import (
    CARD_KIND_OF,
    CLASSIFICATIONS,
    SCORED_KINDS,
    CardKind,
    Classification,
    ClassificationEvent,
    Level,
    Scorecard,
    Status,
)
from phongtrao.classification.rules import suggestions
from phongtrao.lib.forms import BootstrapForm
from phongtrao.lib.periods import year_end
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.recognition.pages import unit_for_year, year_choices
from phongtrao.reports.render.html import render_blocks
from phongtrao.units.models import Kind, Unit

PER_PAGE = 50
EXPORT_LIMIT = 50_000
NONE = "none"
LATE = "late"
KINDS_OF_CARD = {card: tuple(k for k, c in CARD_KIND_OF.items() if c == card) for card in CardKind.values}

STATUS_CHOICES = [("", gettext_lazy("Mọi trạng thái")), (NONE, gettext_lazy("Chưa chấm điểm")), *Status.choices,
                  (LATE, gettext_lazy("Gửi quá hạn"))]
COMMUNE_FIRST = Case(When(kind=Kind.COMMUNE, then=Value(0)), default=Value(1))
GRID_SORTS: dict[str, tuple[Any, ...]] = {
    "name": (COMMUNE_FIRST, "sort_key", "pk"), "-points": (F("c_points").desc(nulls_last=True), "sort_key"),
    "points": (F("c_points").asc(nulls_first=True), "sort_key"), "status": ("c_status", "sort_key")}
LIST_SORTS = {"name": ("unit__sort_key", "pk"), "-points": ("-final", "unit__sort_key"),
              "points": ("final", "unit__sort_key"), "status": ("status", "unit__sort_key")}
SORT_CHOICES = [("name", gettext_lazy("Tên đơn vị (A–Z)")), ("-points", gettext_lazy("Điểm cao trước")),
                ("points", gettext_lazy("Điểm thấp trước")), ("status", gettext_lazy("Theo trạng thái"))]


class FilterForm(BootstrapForm):
    """``?q=an binh&kind=residential_area&status=submitted&level=good&sort=-points&page=2``."""

    q = forms.CharField(label=gettext_lazy("Tên hoặc mã đơn vị"), required=False, max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Loại đơn vị"), required=False,
                             choices=[("", gettext_lazy("Mọi loại")), *CardKind.choices])
    status = forms.ChoiceField(label=gettext_lazy("Trạng thái"), required=False, choices=STATUS_CHOICES)
    level = forms.ChoiceField(label=gettext_lazy("Xếp loại"), required=False,
                              choices=[("", gettext_lazy("Mọi mức")), *Level.choices])
    sort = forms.ChoiceField(label=gettext_lazy("Sắp xếp"), required=False, choices=SORT_CHOICES)

    def values(self) -> dict[str, Any]:
        return self.cleaned_data if self.is_valid() else {}


def _home(request: HttpRequest) -> Unit | None:
    home = getattr(request.user, "unit", None)
    return home if isinstance(home, Unit) else None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The user's own page of this year: a commune's grid, a province's (or the country's) figures."""
    year = timezone.localdate().year
    home = _home(request)
    if home is not None and home.kind == Kind.COMMUNE:
        return redirect("classification:commune", code=home.code, year=year)
    if home is not None and home.kind in (Kind.PROVINCE, Kind.COUNTRY):
        return redirect("classification:overview", code=home.code, year=year)
    if home is not None and home.kind in SCORED_KINDS:
        return redirect("classification:unit", code=home.code, year=year)
    country = visible_units(request.user).filter(kind=Kind.COUNTRY).first()
    if country is not None:
        return redirect("classification:overview", code=country.code, year=year)
    return redirect("classification:scorecards")


@require_GET
@login_required
def scorecards(request: HttpRequest) -> HttpResponse:
    """Every scorecard version with its basis, note, cut-offs, deadline, sections and criteria."""
    cards = list(Scorecard.objects.select_related("province", "based_on")
                 .prefetch_related("sections__criteria").order_by("kind", "province__sort_key", "-effective_from"))
    return render(request, "classification/scorecards.html", {"cards": cards, "year": timezone.localdate().year})


# --- a commune's grid ---------------------------------------------------------------------------


def _of_year(year: int, field: str) -> Subquery:
    return Subquery(Classification.objects.filter(unit=OuterRef("pk"), year=year).values(field)[:1])


def grid_units(commune: Unit, year: int, values: dict[str, Any]) -> QuerySet[Unit]:
    """The commune itself and its units that are scored, valid on 31 December, with their record of the year."""
    units = (Unit.objects.in_subtree(commune).valid_on(year_end(year)).of_kind(*SCORED_KINDS)
             .annotate(c_pk=_of_year(year, "pk"), c_status=_of_year(year, "status"),
                       c_points=Coalesce(_of_year(year, "points"), _of_year(year, "self_points")),
                       c_level=_of_year(year, "level"), c_late=_of_year(year, "late"),
                       c_proposed=_of_year(year, "proposed_level")))
    if values.get("kind"):
        units = units.of_kind(*KINDS_OF_CARD[values["kind"]])
    if values.get("q"):
        units = units.search(values["q"])
    status = values.get("status")
    if status == NONE:
        units = units.filter(c_status__isnull=True)
    elif status == LATE:
        units = units.filter(c_late=True)
    elif status:
        units = units.filter(c_status=status)
    if values.get("level"):
        units = units.filter(c_level=values["level"])
    return units.order_by(*GRID_SORTS.get(values.get("sort") or "name", GRID_SORTS["name"]))


def next_step(user: Any, unit: Unit, status: str | None) -> str:
    if status in (None, Status.SCORING):
        return gettext("Tự chấm điểm") if may(user, "classification.score", unit) else gettext("Chờ đơn vị tự chấm")
    if status in (Status.SUBMITTED, Status.REVIEWED):
        return gettext("Thẩm định, xếp loại") if actions.may_review(user, unit) else gettext("Chờ cấp trên thẩm định")
    return gettext("Đã xếp loại")


@login_required
def commune(request: HttpRequest, code: str, year: int) -> HttpResponse:
    unit = unit_for_year(request, code, year, (Kind.COMMUNE,))
    form = FilterForm(request.GET)
    units = grid_units(unit, year, form.values())
    page = Paginator(units, PER_PAGE).get_page(request.GET.get("page"))
    lines = [_line(request.user, u) for u in page.object_list]
    section = build_classification_section(unit, year)
    return render(request, "classification/commune.html", {
        "unit": unit, "year": year, "years": year_choices(year), "form": form, "page": page, "lines": lines,
        "section": section, "section_html": render_blocks(classification_blocks(unit, year, section))})


def _line(user: Any, u: Any) -> dict[str, Any]:
    """One row of the grid (``u`` carries its year's record as ``c_*`` annotations)."""
    return {"unit": u, "status": u.c_status, "status_label": Status(u.c_status).label if u.c_status else
              gettext("Chưa chấm điểm"), "points": u.c_points, "level": Level(u.c_level).label if u.c_level else "",
              "proposed": Level(u.c_proposed).label if u.c_proposed else "", "late": bool(u.c_late),
              "next": next_step(user, u, u.c_status)}


@require_GET
@login_required
def commune_export(request: HttpRequest, code: str, year: int) -> HttpResponse:
    unit = unit_for_year(request, code, year, (Kind.COMMUNE,))
    units = grid_units(unit, year, FilterForm(request.GET).values())[:EXPORT_LIMIT]
    return _xlsx(grid_workbook(units), f"xep-loai-{unit.code}-{year}.xlsx")


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- a unit's scoring page ----------------------------------------------------------------------


def _version(request: HttpRequest) -> int | None:
    text = request.POST.get("version", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 5 else None


SCORING_ACTIONS = ("score", "submit", "adjust", "classify", "return")


@login_required
def unit_page(request: HttpRequest, code: str, year: int) -> HttpResponse:
    unit = unit_for_year(request, code, year, SCORED_KINDS)
    classification = (Classification.objects.filter(unit=unit, year=year).select_related("scorecard").first())
    card = classification.scorecard if classification else actions.scorecard_for(unit, year)
    can_score = may(request.user, "classification.score", unit)
    can_review = actions.may_review(request.user, unit)
    problems: list[str] = []
    posted: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        if not (can_score or can_review):
            return HttpResponse(gettext("Bạn không có quyền thực hiện thao tác này."), status=403)
        if action not in SCORING_ACTIONS:
            return HttpResponseBadRequest(gettext("Thao tác không hợp lệ."))
        if not (can_score if action in ("score", "submit") else can_review):
            return HttpResponse(gettext("Bạn không có quyền thực hiện thao tác này."), status=403)
        actor, version = Actor.of_request(request), _version(request)
        try:
            done = _apply(action, actor, unit, year, card, request, version)
        except ActionError as exc:
            problems = [m for ms in exc.errors.values() for m in ms]
            if isinstance(exc, StaleVersion) and not any("tải lại" in p for p in problems):
                problems.insert(0, gettext("Kết quả chấm điểm này vừa được người khác cập nhật sau khi bạn mở trang; "
                                           "hãy tải lại trang rồi làm lại."))
            posted = {k: str(request.POST.get(k, "")) for k in request.POST if k.startswith("p-")}
        else:
            messages.success(request, done)
            return redirect(request.path)
    return render(request, "classification/unit.html", _unit_context(request, unit, year, classification, card,
                                                                     can_score, can_review, problems, posted))


def _apply(action: str, actor: Actor, unit: Unit, year: int, card: Scorecard | None, request: HttpRequest,
           version: int | None) -> str:
    if action == "score":
        if card is None:
            raise ActionError(gettext("Chưa có bảng điểm xếp loại phong trào cho %(name)s năm %(year)s.")
                              % {"name": unit.name, "year": year})
        points: dict[int, int] = {}
        bad = []
        for criterion in card.criteria.order_by("order"):
            text = request.POST.get(f"p-{criterion.pk}", "").strip()
            if not text:
                continue
            value = _int(text)
            if value is None:
                bad.append(gettext("“%(text)s”: điểm phải là số nguyên không âm.") % {"text": criterion.text})
            else:
                points[criterion.pk] = value
        if bad:
            raise ActionError({"": bad})
        actions.do_score(actor, unit, year, points, expected_version=version)
        return gettext("Đã lưu điểm tự chấm.")
    if action == "submit":
        actions.do_submit(actor, unit, year, expected_version=version)
        return gettext("Đã gửi kết quả tự chấm lên cấp trên.")
    if action == "adjust":
        criterion_pk, value = _int(request.POST.get("criterion", "")), _int(request.POST.get("points", ""))
        if criterion_pk is None or value is None:
            raise ActionError({"points": [gettext("Chọn tiêu chí và nhập số điểm (số nguyên không âm).")]})
        actions.do_adjust(actor, unit, year, criterion_pk, value, reason=request.POST.get("reason", "")[:2000],
                          expected_version=version)
        return gettext("Đã điều chỉnh điểm.")
    if action == "classify":
        done = actions.do_classify(actor, unit, year, expected_version=version)
        return gettext("Đã xếp loại: %(level)s (%(points)s điểm).") % {"level": done.get_level_display(),
                                                                       "points": done.points}
    actions.do_return(actor, unit, year, reason=request.POST.get("reason", "")[:2000], expected_version=version)
    return gettext("Đã trả lại để đơn vị chấm lại.")


def _unit_context(request: HttpRequest, unit: Unit, year: int, classification: Classification | None,
                  card: Scorecard | None, can_score: bool, can_review: bool, problems: list[str],
                  posted: dict[str, str]) -> dict[str, Any]:
    criteria = list(card.criteria.select_related("section").order_by("order")) if card else []
    scores = {s.criterion_id: s for s in classification.scores.all()} if classification else {}
    hints = suggestions(unit, year, criteria) if criteria else {}
    editable = can_score and (classification is None or CLASSIFICATIONS.allows(classification, "score"))
    rows, section = [], None
    for c in criteria:
        score = scores.get(c.pk)
        hint = hints.get(c.pk)
        value = posted.get(f"p-{c.pk}", score.self_points if score else (hint[0] if hint and editable else ""))
        rows.append({"criterion": c, "new_section": c.section if c.section != section else None, "score": score,
                     "hint": hint, "value": value})
        section = c.section
    reviewing = can_review and classification is not None and CLASSIFICATIONS.allows(classification, "adjust")
    events = (list(ClassificationEvent.objects.filter(classification=classification).select_related("user")
                   .order_by("-at", "-pk")[:50]) if classification else [])
    names = {c.code: c.text for c in criteria}
    for event in events:
        event.criterion_text = names.get((event.details or {}).get("criterion", ""), "")  # type: ignore[attr-defined]
    province_pk = actions.province_of(unit)
    province = Unit.objects.filter(pk=province_pk).first() if province_pk else None
    return {
        "unit": unit, "year": year, "years": year_choices(year), "classification": classification, "card": card,
        "rows": rows, "problems": problems, "editable": editable,
        "can_submit": can_score and classification is not None and CLASSIFICATIONS.allows(classification, "submit"),
        "reviewing": reviewing, "total": sum(c.points for c in criteria),
        "deadline": card.deadline(year) if card else None, "events": events,
        "commune": unit if unit.kind == Kind.COMMUNE else unit.parent if unit.parent and
        unit.parent.kind == Kind.COMMUNE else None, "province": province,
        "version": classification.version if classification else 0,
    }


# --- a province's (or the country's) figures and list --------------------------------------------


def listed(root: Unit, year: int, values: dict[str, Any]) -> QuerySet[Classification]:
    rows = Classification.objects.filter(year=year).select_related("unit", "unit__parent", "scorecard")
    if root.kind != Kind.COUNTRY:
        rows = rows.in_subtree(root)
    rows = rows.annotate(final=Coalesce("points", "self_points", Value(0)))
    if values.get("kind"):
        rows = rows.filter(scorecard__kind=values["kind"])
    if values.get("q"):
        rows = rows.filter(unit__in=Unit.objects.search(values["q"]))
    status = values.get("status")
    if status == LATE:
        rows = rows.filter(late=True)
    elif status == NONE:
        rows = rows.none()
    elif status:
        rows = rows.filter(status=status)
    if values.get("level"):
        rows = rows.filter(level=values["level"])
    return rows.order_by(*LIST_SORTS.get(values.get("sort") or "name", LIST_SORTS["name"]))


@login_required
def overview(request: HttpRequest, code: str, year: int) -> HttpResponse:
    root = unit_for_year(request, code, year, (Kind.COUNTRY, Kind.PROVINCE))
    form = FilterForm(request.GET)
    values = form.values()
    by_kind = distribution(root, year)
    table = [{"kind": CardKind(k).label, "key": k, **figures} for k, figures in by_kind.items()]
    totals = {key: sum(row[key] for row in by_kind.values())
              for key in ("classified", *Level.values, "in_progress", "late")}
    page = Paginator(listed(root, year, values), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "classification/overview.html", {
        "unit": root, "year": year, "years": year_choices(year), "table": table, "totals": totals, "form": form,
        "page": page, "export_url": reverse("classification:overview_export", args=[root.code, year])})


@require_GET
@login_required
def overview_export(request: HttpRequest, code: str, year: int) -> HttpResponse:
    root = unit_for_year(request, code, year, (Kind.COUNTRY, Kind.PROVINCE))
    rows = listed(root, year, FilterForm(request.GET).values())[:EXPORT_LIMIT]
    return _xlsx(list_workbook(rows), f"xep-loai-{root.code}-{year}.xlsx")
