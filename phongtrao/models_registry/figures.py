"""The models figures of the annual report (INTERCHANGE.md ``models``), and the web page's breakdowns.

A site is active in a year if it started on or before 31 December and was not retired before
1 January; a site marked retired with no date is not counted in any year (``site_active_in``).
A model counts if at least one of its sites in the unit's subtree is active in the year, and the
model itself neither starts after the year nor was retired before it. ``sites`` and ``teams``
sum those active sites. Each figure is one GROUP BY over the closure join, never a loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypedDict

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop, ngettext

from phongtrao.lib.periods import year_end, year_start
from phongtrao.lib.vnformat import localized_number
from phongtrao.models_registry.models import Initiator, Site, has_effective_site, model_active_in, site_active_in
from phongtrao.reports.blocks import Block, Column, Heading, Paragraph, Table
from phongtrao.reports.compare import compared
from phongtrao.units.lineage import RECORDED, in_subtree
from phongtrao.units.models import Kind, Unit, UnitQuerySet


class ModelsSection(TypedDict):
    models: int
    fields: int
    sites: int
    teams: int
    by_initiator: dict[str, int]
    # The year's flows (additive to the INTERCHANGE.md contract), among the counted models and sites:
    models_retired: int  # models retired (thanh loại) during the year
    sites_added: int  # sites started during the year
    sites_retired: int  # sites retired during the year


def counted_sites(root: Unit, year: int, boundaries: str = RECORDED) -> Any:
    """The active sites in ``root``'s subtree in ``year`` of models that count in it (the country holds every
    unit: no closure join needed)."""
    return Site.objects.filter(site_active_in(year), model_active_in(year),
                               in_subtree(root, boundaries=boundaries, prefix="unit__"))


def models_figures_many(roots: Sequence[Unit], year: int) -> dict[int, dict[str, int]]:
    """{root id: {"models", "sites", "teams"}} for each of ``roots`` in ONE query grouped by root (the counts of
    ``build_models_section``: a model has one initiator and one field, so its distinct models are the same)."""
    sites = Site.objects.filter(site_active_in(year), model_active_in(year),
                                unit__ancestor_links__ancestor_id__in=[r.pk for r in roots])
    rows = (sites.values("unit__ancestor_links__ancestor_id")
            .annotate(models=Count("model", distinct=True), sites=Count("pk"), teams=Sum("teams")).order_by())
    out = {r.pk: {"models": 0, "sites": 0, "teams": 0} for r in roots}
    for row in rows:
        out[row["unit__ancestor_links__ancestor_id"]] = {"models": row["models"], "sites": row["sites"],
                                                         "teams": row["teams"] or 0}
    return out


def build_models_section(root: Unit, year: int, boundaries: str = RECORDED) -> ModelsSection:
    """The ``models`` section in one query, grouped by (initiator, field): a model has exactly one of
    each, so models, sites and teams are sums over the groups and ``fields`` is the number of distinct
    fields among them."""
    start, end = year_start(year), year_end(year)
    rows = list(counted_sites(root, year, boundaries).values("model__initiator__code", "model__field_id")
                .annotate(models=Count("model", distinct=True), sites=Count("pk"), teams=Sum("teams"),
                          models_retired=Count("model", distinct=True,
                                               filter=Q(model__retired_on__range=(start, end))),
                          sites_added=Count("pk", filter=Q(started_on__gte=start)),
                          sites_retired=Count("pk", filter=Q(retired_on__lte=end)))
                .order_by("model__initiator__position", "model__initiator__code"))
    by_initiator: dict[str, int] = {}
    for r in rows:
        by_initiator[r["model__initiator__code"]] = by_initiator.get(r["model__initiator__code"], 0) + r["models"]
    return {"models": sum(r["models"] for r in rows), "fields": len({r["model__field_id"] for r in rows}),
            "sites": sum(r["sites"] for r in rows), "teams": sum(r["teams"] or 0 for r in rows),
            "by_initiator": {code: n for code, n in by_initiator.items() if n},
            "models_retired": sum(r["models_retired"] for r in rows),
            "sites_added": sum(r["sites_added"] for r in rows),
            "sites_retired": sum(r["sites_retired"] for r in rows)}


def _breakdown(root: Unit, year: int, key: str) -> list[dict[str, Any]]:
    rows = (counted_sites(root, year).values(f"model__{key}__code", f"model__{key}__name")
            .annotate(models=Count("model", distinct=True), sites=Count("pk"), teams=Sum("teams"))
            .order_by(f"model__{key}__position", f"model__{key}__sort_key"))
    return [{"code": r[f"model__{key}__code"], "name": r[f"model__{key}__name"], "models": r["models"],
             "sites": r["sites"], "teams": r["teams"] or 0} for r in rows]


def models_by_field(root: Unit, year: int) -> list[dict[str, Any]]:
    """Models, sites and teams per field (one GROUP BY)."""
    return _breakdown(root, year, "field")


def models_by_initiator(root: Unit, year: int) -> list[dict[str, Any]]:
    """Models, sites and teams per initiator, with its name (one GROUP BY)."""
    return _breakdown(root, year, "initiator")


def communes_without_effective_model(root: Unit, year: int) -> UnitQuerySet:
    """Communes in the subtree (valid on 31 December) with no site active in the year whose latest
    evaluation up to 31 December rates it effective (the ANTT standard wants at least one each)."""
    day = year_end(year)
    communes = Unit.objects.of_kind(Kind.COMMUNE).valid_on(day)
    if root.kind != Kind.COUNTRY:
        communes = communes.in_subtree(root)
    return communes.filter(~has_effective_site("pk", until=day)).vi_ordered()


# --- the report's blocks ----------------------------------------------------------------------------

WHOLE: dict[str, str] = {Kind.COUNTRY: gettext_noop("Toàn quốc"), Kind.DISTRICT: gettext_noop("Toàn huyện")}
WHOLE_WORDS = {"Thành phố": gettext_noop("Toàn thành phố"), "Tỉnh": gettext_noop("Toàn tỉnh"),
               "Xã": gettext_noop("Toàn xã"), "Phường": gettext_noop("Toàn phường"),
               "Thị trấn": gettext_noop("Toàn thị trấn"), "Đặc khu": gettext_noop("Toàn đặc khu")}


def whole_of(unit: Unit) -> str:
    """ "Toàn tỉnh", "Toàn thành phố", "Toàn xã", "Toàn phường", …: how a report names its own area
    (in the active language)."""
    if unit.kind in WHOLE:
        return gettext(WHOLE[unit.kind])
    for word, whole in WHOLE_WORDS.items():
        if unit.name.startswith(word + " "):
            return gettext(whole)
    return unit.name


def flows_sentence(section: ModelsSection) -> str:
    """ "Trong năm: 3 mô hình thanh loại; thêm 12 điểm mới; 5 điểm thanh loại." ("" when nothing moved)."""
    parts = []
    if section.get("models_retired"):
        parts.append(gettext("%(n)s mô hình thanh loại") % {"n": localized_number(section["models_retired"])})
    if section.get("sites_added"):
        parts.append(gettext("thêm %(n)s điểm mới") % {"n": localized_number(section["sites_added"])})
    if section.get("sites_retired"):
        parts.append(gettext("%(n)s điểm thanh loại") % {"n": localized_number(section["sites_retired"])})
    return gettext("Trong năm: %(flows)s.") % {"flows": "; ".join(parts)} if parts else ""


def effective_paragraph(unit: Unit, year: int) -> Paragraph:
    """Whether the commune has an effective model; for a province (or the country) the communes without one,
    named (a province's hundred at most), in one query."""
    without = communes_without_effective_model(unit, year)
    if unit.kind == Kind.COUNTRY:  # the count, not three thousand names
        n = without.count()
        return Paragraph(ngettext("%(n)s xã chưa có mô hình hiệu quả", "%(n)s xã chưa có mô hình hiệu quả", n)
                         % {"n": localized_number(n)} + "." if n else
                         gettext("Mọi xã đều có ít nhất một mô hình được đánh giá hiệu quả."))
    communes = list(without.values_list("name", flat=True))
    if unit.kind == Kind.COMMUNE:
        text = (gettext("%(name)s chưa có mô hình nào được đánh giá hiệu quả.") if communes
                else gettext("%(name)s có ít nhất một mô hình được đánh giá hiệu quả.")) % {"name": unit.name}
        return Paragraph(text)
    if not communes:
        return Paragraph(gettext("Mọi xã đều có ít nhất một mô hình được đánh giá hiệu quả."))
    count = ngettext("%(n)s xã chưa có mô hình hiệu quả", "%(n)s xã chưa có mô hình hiệu quả", len(communes)) % {
        "n": localized_number(len(communes))}
    return Paragraph(f"{count}: {', '.join(communes)}.")


def models_blocks(unit: Unit, year: int, section: ModelsSection, previous: ModelsSection | None = None) -> list[Block]:
    blocks: list[Block] = [Heading(gettext("Xây dựng, nhân rộng mô hình"))]
    if not section["models"]:
        blocks.append(Paragraph(gettext("Năm %(year)s, %(whole)s không có mô hình nào đang hoạt động.") % {
            "year": year, "whole": whole_of(unit).lower()}))
        return [*blocks, effective_paragraph(unit, year)]
    blocks.append(Paragraph(gettext("%(whole)s có %(models)s mô hình thuộc %(fields)s lĩnh vực, triển khai tại "
                                    "%(sites)s điểm với %(teams)s tổ, nhóm.") % {
        "whole": whole_of(unit), "models": localized_number(section["models"]),
        "fields": localized_number(section["fields"]), "sites": localized_number(section["sites"]),
        "teams": localized_number(section["teams"])}))
    flows = flows_sentence(section)
    if flows:
        blocks.append(Paragraph(flows))
    if previous is not None:
        blocks.append(Paragraph(gettext("Số mô hình %(models)s; số điểm triển khai %(sites)s.") % {
            "models": compared(section["models"], previous["models"], year - 1, gettext("mô hình")),
            "sites": compared(section["sites"], previous["sites"], year - 1, gettext("điểm"))}))
    blocks.append(effective_paragraph(unit, year))
    names = dict(Initiator.objects.filter(code__in=section["by_initiator"], province__isnull=True)
                 .values_list("code", "name"))
    blocks.append(Table(columns=(Column(gettext("Cấp/cơ quan phát động")), Column(gettext("Số mô hình"), "integer")),
                        rows=tuple((names.get(code, code), count) for code, count in section["by_initiator"].items())))
    return blocks


def models_links(unit: Unit, year: int, section: ModelsSection) -> list[tuple[str, str]]:
    """Under the section on the web: the models figures by field and initiator, and the communes without an
    effective model."""
    return [(gettext("Số liệu mô hình theo năm"), f"{reverse('models_registry:figures')}?unit={unit.pk}&year={year}")]
