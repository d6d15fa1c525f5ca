"""Read endpoints of API v1 beside the register: recognitions, models, award decisions and the annual
report, each scoped like its web page (lists start from ``visible_units``; a unit named in a filter
comes from ``get_unit_for_user``: 404 out of view scope). Pages are a fixed number of queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch
from ninja import Query, Router

from phongtrao.accounts.access import get_unit_for_user, is_admin, visible_units
from phongtrao.api.schemas import (
    AnnualFilters,
    AwardDecisionPage,
    AwardFilters,
    ErrorOut,
    ModelFilters,
    ModelPage,
    RecognitionFilters,
    RecognitionPage,
)
from phongtrao.awards.models import AwardDecision, AwardRecipient
from phongtrao.models_registry.models import Model, Site
from phongtrao.recognition.models import Recognition, Status
from phongtrao.reports.annual import build_annual

if TYPE_CHECKING:
    from django.http import HttpRequest

router = Router()
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _visible_ids(request: HttpRequest, ids: set[int]) -> set[int] | None:
    """Which of ``ids`` (units) the caller may see; None means all (administrators)."""
    if is_admin(request.user):
        return None
    return set(visible_units(request.user).filter(pk__in=ids).values_list("pk", flat=True))


def _shown(unit_id: int | None, visible: set[int] | None) -> int | None:
    return unit_id if unit_id is not None and (visible is None or unit_id in visible) else None


@router.get("/recognitions", response={200: RecognitionPage, **ERRORS}, tags=["tiêu chuẩn ANTT"],
            summary="Kết quả tiêu chuẩn ANTT")
def list_recognitions(request: HttpRequest, filters: Query[RecognitionFilters]) -> dict[str, Any]:
    """The yearly records of units the caller may see, by year, then the units' Vietnamese order."""
    f = filters
    recs = Recognition.objects.filter(unit__in=visible_units(request.user).values("pk"))
    if f.year is not None:
        recs = recs.for_year(f.year)
    if f.unit_id is not None:
        recs = recs.filter(unit=get_unit_for_user(request, f.unit_id))
    if f.in_subtree is not None:
        recs = recs.in_subtree(get_unit_for_user(request, f.in_subtree))
    if f.status:
        recs = recs.filter(status=f.status)
    count = recs.count()
    page = list(recs.select_related("unit").order_by("-year", "unit__sort_key", "unit__code", "pk")
                [f.offset:f.offset + f.limit])
    visible = _visible_ids(request, {r.authority_id for r in page if r.authority_id})
    items = [{
        "id": r.pk, "unit_id": r.unit_id, "unit_code": r.unit.code, "unit_name": r.unit.name,
        "unit_kind": r.unit.kind, "year": r.year, "status": r.status, "status_label": str(Status(r.status).label),
        "registered_on": r.registered_on, "households_committed": r.households_committed,
        "checklist_met": r.checklist_met, "review_meeting_on": r.review_meeting_on, "submitted_on": r.submitted_on,
        "review_started_on": r.review_started_on, "decision_no": r.decision_no, "decision_date": r.decision_date,
        "signer_name": r.signer_name, "authority_level": r.authority_level,
        "authority_id": _shown(r.authority_id, visible), "version": r.version, "updated_at": r.updated_at,
    } for r in page]
    return {"count": count, "limit": f.limit, "offset": f.offset, "items": items}


@router.get("/models", response={200: ModelPage, **ERRORS}, tags=["mô hình"], summary="Danh sách mô hình")
def list_models(request: HttpRequest, filters: Query[ModelFilters]) -> dict[str, Any]:
    """Models owned by, or with a site in, a unit the caller may see; each with its visible sites."""
    f = filters
    units = visible_units(request.user)
    models = Model.objects.visible_to(request.user)
    if f.in_subtree is not None:
        models = models.touching(get_unit_for_user(request, f.in_subtree))
    if f.status:
        models = models.filter(status=f.status)
    if f.field:
        models = models.filter(field__code=f.field)
    if f.q:
        models = models.search(f.q)
    count = models.count()
    sites = Site.objects.filter(unit__in=units.values("pk")).select_related("unit").order_by("unit__sort_key", "pk")
    page = list(models.select_related("field", "initiator").prefetch_related(Prefetch("sites", queryset=sites))
                .vi_ordered()[f.offset:f.offset + f.limit])
    visible = _visible_ids(request, {m.unit_id for m in page if m.unit_id})
    items = [{
        "id": m.pk, "code": m.code, "name": m.name, "field": {"code": m.field.code, "name": m.field.name},
        "initiator": {"code": m.initiator.code, "name": m.initiator.name}, "unit_id": _shown(m.unit_id, visible),
        "status": m.status, "status_label": str(m.get_status_display()), "started_on": m.started_on,
        "retired_on": m.retired_on, "is_leading": m.is_leading, "leading_decision_no": m.leading_decision_no,
        "leading_decision_date": m.leading_decision_date, "version": m.version,
        "sites": [{"id": s.pk, "unit_id": s.unit_id, "unit_code": s.unit.code, "unit_name": s.unit.name,
                   "started_on": s.started_on, "teams": s.teams, "status": s.status, "retired_on": s.retired_on}
                  for s in m.sites.all()],
    } for m in page]
    return {"count": count, "limit": f.limit, "offset": f.offset, "items": items}


@router.get("/awards/decisions", response={200: AwardDecisionPage, **ERRORS}, tags=["khen thưởng"],
            summary="Quyết định khen thưởng")
def list_award_decisions(request: HttpRequest, filters: Query[AwardFilters]) -> dict[str, Any]:
    """Decisions issued by, or rewarding someone in, a unit the caller may see; only visible recipients."""
    f = filters
    units = visible_units(request.user)
    decisions = AwardDecision.objects.visible_in(units).search(f.q or "", within=units)
    if f.year is not None:
        decisions = decisions.for_year(f.year)
    if f.award_type:
        decisions = decisions.filter(award_type__code=f.award_type)
    if f.in_subtree is not None:
        root = get_unit_for_user(request, f.in_subtree)
        decisions = decisions.filter(pk__in=AwardRecipient.objects.in_subtree(root).values("decision_id"))
    count = decisions.count()
    recipients = (AwardRecipient.objects.filter(unit__in=units.values("pk")).select_related("unit").in_order())
    page = list(decisions.select_related("award_type", "authority")
                .prefetch_related(Prefetch("recipients", queryset=recipients))
                .order_by("-year", "-date", "number", "pk")[f.offset:f.offset + f.limit])
    items = [{
        "id": d.pk, "award_type": {"code": d.award_type.code, "name": d.award_type.name},
        "authority_level": d.award_type.authority_level, "year": d.year, "number": d.number, "date": d.date,
        "issuer": d.issuer, "signer_name": d.signer_name, "signer_title": d.signer_title,
        "recipients": [{"kind": r.kind, "unit_id": r.unit_id, "unit_code": r.unit.code, "unit_name": r.unit.name,
                        "name": r.name, "title": r.title} for r in d.recipients.all()],
    } for d in page]
    return {"count": count, "limit": f.limit, "offset": f.offset, "items": items}


@router.get("/reports/annual", response={200: dict[str, Any], **ERRORS}, tags=["báo cáo"],
            summary="Báo cáo năm (JSON)")
def annual_report(request: HttpRequest, filters: Query[AnnualFilters]) -> dict[str, Any]:
    """The same JSON as ``phongtrao report annual --format json`` (one builder), for a unit the caller may see."""
    return build_annual(get_unit_for_user(request, filters.unit_id), filters.year, filters.boundaries)
