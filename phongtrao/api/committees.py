"""Read endpoints of steering committees (Ban Chỉ đạo) in API v1: the committees a caller may see (their unit in
view scope) and one committee with its current composition and the history of its compositions (each
constitution or re-constitution, newest first). A committee out of view scope is 404 as if unknown. Pages are
a fixed number of queries.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Prefetch
from django.http import Http404
from django.utils.translation import gettext
from ninja import Field, Path, Query, Router, Schema

from phongtrao.accounts.access import get_unit_for_user, visible_units
from phongtrao.api.schemas import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, ErrorOut, UnitId
from phongtrao.plans.models import CommitteeMember, CommitteeVersion, SteeringCommittee
from phongtrao.units.models import Kind

if TYPE_CHECKING:
    from django.http import HttpRequest

router = Router(tags=["kế hoạch"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class CommitteeFilters(Schema):
    """Query parameters of ``GET /steering-committees``."""

    in_subtree: UnitId | None = Field(None, description="Ban Chỉ đạo của đơn vị này và các đơn vị bên dưới (phải "
                                                        "được xem).")
    level: str | None = Field(None, max_length=10, description="Cấp: province, commune.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class CommitteeOut(Schema):
    id: int
    name: str
    unit_id: int
    unit_code: str
    unit_name: str
    version: int = Field(description="Lần thành lập (1) hoặc kiện toàn (2, 3, ...) của thành phần hiện hành.")
    decision_number: str | None
    decided_on: dt.date | None
    issuer: str | None
    members_count: int


class CommitteePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CommitteeOut]


class MemberOut(Schema):
    organisation: str = Field(description="Mã cơ quan, tổ chức (danh mục cơ quan, tổ chức phối hợp).")
    position: str = Field(description="truong_ban, pho_truong_ban_thuong_truc, pho_truong_ban, thanh_vien.")
    title: str
    official_name: str


class VersionOut(Schema):
    number: int
    decision_number: str
    decided_on: dt.date
    issuer: str
    members: list[MemberOut]


class CommitteeDetail(CommitteeOut):
    members: list[MemberOut]
    history: list[VersionOut]


def _out(c: SteeringCommittee, members: int) -> dict[str, Any]:
    current = c.current
    return {"id": c.pk, "name": c.name, "unit_id": c.unit_id, "unit_code": c.unit.code, "unit_name": c.unit.name,
            "version": c.version, "decision_number": current.decision_number if current else None,
            "decided_on": current.decided_on if current else None, "issuer": current.issuer if current else None,
            "members_count": members}


def _members(version: CommitteeVersion) -> list[dict[str, Any]]:
    return [{"organisation": m.organisation.code, "position": m.position.code, "title": m.title,
             "official_name": m.official_name} for m in version.members.all()]


@router.get("/steering-committees", response={200: CommitteePage, **ERRORS}, summary="Danh sách Ban Chỉ đạo")
def list_committees(request: HttpRequest, filters: Query[CommitteeFilters]) -> dict[str, Any]:
    """Committees whose unit the caller may see, in the order of the units."""
    f = filters
    committees = SteeringCommittee.objects.filter(unit__in=visible_units(request.user).values("pk"))
    if f.in_subtree is not None:
        committees = committees.in_subtree(get_unit_for_user(request, f.in_subtree))
    if f.level:
        committees = committees.filter(unit__kind=Kind.PROVINCE if f.level == "province" else Kind.COMMUNE)
    count = committees.count()
    page = list(committees.select_related("unit", "current").annotate(n=Count("current__members"))
                .order_by("unit__sort_key", "pk")[f.offset:f.offset + f.limit])
    return {"count": count, "limit": f.limit, "offset": f.offset, "items": [_out(c, c.n) for c in page]}


@router.get("/steering-committees/{committee_id}", response={200: CommitteeDetail, **ERRORS},
            summary="Một Ban Chỉ đạo: thành phần hiện hành và các lần kiện toàn")
def get_committee(request: HttpRequest, committee_id: Path[UnitId]) -> dict[str, Any]:
    committee = (SteeringCommittee.objects.filter(pk=committee_id, unit__in=visible_units(request.user).values("pk"))
                 .select_related("unit", "current").first())
    if committee is None:
        raise Http404(gettext("Không tìm thấy Ban Chỉ đạo."))
    versions = list(CommitteeVersion.objects.filter(committee=committee).prefetch_related(Prefetch(
        "members", queryset=CommitteeMember.objects.select_related("organisation", "position"))).order_by("-number"))
    current = _members(versions[0]) if versions else []
    out = _out(committee, len(current))
    out.update({"members": current, "history": [
        {"number": v.number, "decision_number": v.decision_number, "decided_on": v.decided_on, "issuer": v.issuer,
         "members": _members(v)} for v in versions]})
    return out
