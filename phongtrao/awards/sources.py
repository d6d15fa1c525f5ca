"""Starting a proposal from the figures: recipients suggested from what the system already knows.

- ``recognised``: the units of the proposing unit's subtree recognised "An toàn về an ninh, trật tự"
  in the year (``Recognition`` with status recognised);
- ``effective_models``: the units running a site of a model whose latest evaluation up to 31 December
  of the year rated it effective (``phongtrao.models_registry``).

Each source gives collectives (the units) with an achievement line; the officer edits before saving.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext_noop

from phongtrao.awards.actions import RecipientData
from phongtrao.awards.models import RecipientKind
from phongtrao.lib.periods import year_end
from phongtrao.units.models import Unit

LIMIT = 200  # suggestions per source (a province has thousands of recognised units: the form is for picking)


def recognised_units(root: Unit, year: int) -> list[RecipientData]:
    from phongtrao.recognition.models import Recognition

    recs = (Recognition.objects.for_year(year).passed().in_subtree(root).exclude(unit=root)
            .select_related("unit").order_by("unit__sort_key", "unit__code")[:LIMIT])
    return [RecipientData(RecipientKind.COLLECTIVE, r.unit, r.unit.name, "",
                          f"Đạt tiêu chuẩn “An toàn về an ninh, trật tự” năm {year}") for r in recs]


def effective_models(root: Unit, year: int) -> list[RecipientData]:
    from phongtrao.models_registry.models import Evaluation, Result, Site

    until = year_end(year)
    latest = (Evaluation.objects.filter(Q(site=OuterRef("pk")) | Q(model=OuterRef("model_id"), site__isnull=True))
              .filter(evaluated_on__lte=until).latest_first().values("result")[:1])
    sites = (Site.objects.active_in(year).filter(unit__ancestor_links__ancestor_id=root.pk)
             .annotate(latest=Subquery(latest)).filter(latest=Result.EFFECTIVE)
             .select_related("unit", "model").order_by("unit__sort_key", "model__code")[:LIMIT])
    out: list[RecipientData] = []
    seen: set[int] = set()
    for site in sites:
        if site.unit_id in seen:
            continue
        seen.add(site.unit_id)
        out.append(RecipientData(RecipientKind.COLLECTIVE, site.unit, site.unit.name, "",
                                 f"Xây dựng mô hình “{site.model.name}” được đánh giá hiệu quả năm {year}"))
    return out


SOURCES: dict[str, tuple[str, Callable[[Unit, int], list[RecipientData]]]] = {
    "recognised": (gettext_noop("Các đơn vị được công nhận đạt chuẩn ANTT trong năm"), recognised_units),
    "effective_models": (gettext_noop("Các đơn vị có mô hình được đánh giá hiệu quả"), effective_models),
}
