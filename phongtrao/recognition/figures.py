"""The ANTT recognition figures of the annual report (INTERCHANGE.md, ``report annual``, section ``recognition``).

Every figure is one set-based query: the units of a subtree come from the closure table
(``UnitAncestor``), the year's results from a LEFT JOIN on (unit, year), grouped by kind.
Nothing here loops over units in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, TypedDict

from django.db.models import Count, FilteredRelation, Q

from phongtrao.lib.periods import year_end
from phongtrao.lib.vnformat import percent
from phongtrao.recognition.models import REGISTERED_STATUSES, Status
from phongtrao.units.lineage import RECORDED, in_subtree
from phongtrao.units.models import ORGANISATION_KINDS, STANDARD_KINDS, Kind, Unit, UnitAncestor

ORGANISATION = "organisation"
# The order of the ``recognition`` section (INTERCHANGE.md).
RECOGNITION_KEYS = (Kind.RESIDENTIAL_AREA.value, Kind.COMMUNE.value, ORGANISATION,
                    Kind.AGENCY.value, Kind.ENTERPRISE.value, Kind.SCHOOL.value)


class Counts(TypedDict):
    recognised: int
    registered: int
    total: int
    percent: float


# Yearly figures count the units valid on 31 December of the year (the year period's reference date).
reference_date = year_end


def _valid_on(prefix: str, day: dt.date) -> Q:
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": day})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": day}))


def _standard(prefix: str, day: dt.date) -> Q:
    """Units the ANTT standard applies to, valid on ``day`` (the denominators)."""
    return Q(**{f"{prefix}subject_to_standard": True, f"{prefix}kind__in": STANDARD_KINDS}) & _valid_on(prefix, day)


def _section(rows: dict[str, tuple[int, int, int]]) -> dict[str, Counts]:
    """{kind: (total, recognised, registered)} -> the six entries, organisation = the three kinds."""

    def entry(total: int, recognised: int, registered: int) -> Counts:
        return {"recognised": recognised, "registered": registered, "total": total,
                "percent": percent(recognised, total)}

    zero = (0, 0, 0)
    org = tuple(sum(rows.get(k, zero)[i] for k in ORGANISATION_KINDS) for i in range(3))
    out: dict[str, Counts] = {}
    for key in RECOGNITION_KEYS:
        out[key] = entry(*(org if key == ORGANISATION else rows.get(key, zero)))
    return out


def recognition_figures(root: Unit, year: int, boundaries: str = RECORDED) -> dict[str, Counts]:
    """The ``recognition`` section for ``root``'s subtree in ``year``: one GROUP BY kind query.

    total = units subject to the standard in the subtree valid on 31 December; recognised =
    result "dat"; registered = registered or has a result. The national root holds every
    unit, so for it the closure join is left out (same rows, less work). ``boundaries``:
    ``recorded`` (the year's own structure) or ``today`` (the units attributed to ``root`` today,
    ``units.lineage``).
    """
    day = reference_date(year)
    units = Unit.objects.filter(_standard("", day), in_subtree(root, boundaries=boundaries))
    rows = (
        units.annotate(rec=FilteredRelation("recognitions", condition=Q(recognitions__year=year)))
        .values("kind")
        .annotate(total=Count("pk"),
                  recognised=Count("pk", filter=Q(rec__status=Status.RECOGNISED)),
                  registered=Count("pk", filter=Q(rec__status__in=REGISTERED_STATUSES)))
        .order_by()
    )
    return _section({r["kind"]: (r["total"], r["recognised"], r["registered"]) for r in rows})


def recognition_figures_many(roots: Sequence[Unit], year: int) -> dict[int, dict[str, Counts]]:
    """``recognition_figures`` for each of ``roots`` (e.g. every commune of a province) in ONE query grouped by
    root and kind: {root id: section}; a root with no unit subject to the standard gets zeros."""
    day = reference_date(year)
    std = _standard("unit__", day)
    rows = (UnitAncestor.objects.filter(std, ancestor_id__in=[r.pk for r in roots])
            .annotate(rec=FilteredRelation("unit__recognitions", condition=Q(unit__recognitions__year=year)))
            .values("ancestor_id", "unit__kind")
            .annotate(total=Count("pk"), recognised=Count("pk", filter=Q(rec__status=Status.RECOGNISED)),
                      registered=Count("pk", filter=Q(rec__status__in=REGISTERED_STATUSES)))
            .order_by())
    counts: dict[int, dict[str, tuple[int, int, int]]] = {r.pk: {} for r in roots}
    for r in rows:
        counts[r["ancestor_id"]][r["unit__kind"]] = (r["total"], r["recognised"], r["registered"])
    return {pk: _section(by_kind) for pk, by_kind in counts.items()}


def recognition_by_child(root: Unit, year: int) -> list[dict[str, Any]]:
    """The same section for each direct child of ``root`` valid on 31 December (e.g. each commune
    of a province), in Vietnamese order: one query grouped by child and kind.

    Each child's own closure row (distance 0) is kept even when it is not counted, so a child
    with no unit subject to the standard is listed with zeros.
    """
    day = reference_date(year)
    std = _standard("unit__", day)
    rows = (
        UnitAncestor.objects.filter(_valid_on("ancestor__", day), ancestor__parent_id=root.pk)
        .filter(Q(distance=0) | std)
        .annotate(rec=FilteredRelation("unit__recognitions", condition=Q(unit__recognitions__year=year)))
        .values("ancestor_id", "ancestor__code", "ancestor__name", "ancestor__kind", "ancestor__sort_key",
                "unit__kind")
        .annotate(total=Count("pk", filter=std),
                  recognised=Count("pk", filter=std & Q(rec__status=Status.RECOGNISED)),
                  registered=Count("pk", filter=std & Q(rec__status__in=REGISTERED_STATUSES)))
        .order_by()
    )
    children: dict[int, dict[str, Any]] = {}
    counts: dict[int, dict[str, tuple[int, int, int]]] = {}
    for r in rows:
        cid = r["ancestor_id"]
        children.setdefault(cid, {"unit": {"code": r["ancestor__code"], "name": r["ancestor__name"],
                                           "kind": r["ancestor__kind"]}, "_sort": r["ancestor__sort_key"]})
        if r["total"]:
            counts.setdefault(cid, {})[r["unit__kind"]] = (r["total"], r["recognised"], r["registered"])
    ordered = sorted(children.items(), key=lambda item: (item[1].pop("_sort"), item[1]["unit"]["code"]))
    return [child | {"recognition": _section(counts.get(cid, {}))} for cid, child in ordered]
