"""Reads behind the models pages, each scoped through ``phongtrao.accounts.access``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from phongtrao.accounts.access import capture_units, holds, is_admin, scope_roots, visible_units
from phongtrao.models_registry.models import MODELS, Field, Initiator, Model, Result
from phongtrao.units.models import Kind, Unit, UnitQuerySet

if TYPE_CHECKING:
    from phongtrao.accounts.access import AnyUser
    from phongtrao.models_registry.models import CatalogueQuerySet

HISTORY_LIMIT = 100


def catalogue_provinces(user: AnyUser) -> UnitQuerySet:
    """Current provinces whose catalogue the user works with: every one for administrators, otherwise
    the provinces their scope lies in."""
    provinces = Unit.objects.of_kind(Kind.PROVINCE).valid_on(timezone.localdate())
    if not is_admin(user):
        provinces = provinces.filter(descendant_links__unit__in=scope_roots(user).order_by().values("pk"))
    return provinces.distinct().vi_ordered()


def user_catalogue(user: AnyUser) -> tuple[CatalogueQuerySet, CatalogueQuerySet]:
    """Fields and initiators the user may choose: the national ones and those of their provinces."""
    if is_admin(user):
        return Field.objects.in_catalogue_order(), Initiator.objects.in_catalogue_order()
    mine = Q(province__isnull=True) | Q(province__in=catalogue_provinces(user).order_by().values("pk"))
    return Field.objects.filter(mine).in_catalogue_order(), Initiator.objects.filter(mine).in_catalogue_order()


def picker_units(user: AnyUser) -> UnitQuerySet:
    """Units a site may be added at: below province level, valid today, where the user may change the register."""
    if not holds(user, "models.edit"):
        return Unit.objects.none()
    return capture_units(user).valid_on(timezone.localdate()).exclude(kind__in=(Kind.COUNTRY, Kind.PROVINCE))


PICKER_COMMUNES = 3
PICKER_GROUP_LIMIT = 500


def picker_communes(user: AnyUser, text: str) -> list[tuple[Unit, list[Unit]]]:
    """The communes whose name or code matches ``text``, each with every unit under it where a site may
    be added (so "an binh" offers all tổ dân phố of Xã An Bình, and all of them can be chosen at once):
    two queries, at most ``PICKER_COMMUNES`` communes."""
    units = picker_units(user)
    if not text.strip():
        return []
    communes = list(Unit.objects.of_kind(Kind.COMMUNE).valid_on(timezone.localdate())
                    .filter(pk__in=visible_units(user).values("pk")).search(text)
                    .order_by("sort_key", "code")[:PICKER_COMMUNES])
    children: dict[int, list[Unit]] = {c.pk: [] for c in communes}
    below = (units.filter(parent__in=[c.pk for c in communes]).select_related("parent")
             .order_by("parent_id", "sort_key", "code")[:PICKER_GROUP_LIMIT * PICKER_COMMUNES])
    for unit in below:
        if len(children[unit.parent_id]) < PICKER_GROUP_LIMIT:  # type: ignore[index]
            children[unit.parent_id].append(unit)  # type: ignore[index]
    return [(c, children[c.pk]) for c in communes if children[c.pk]]


def overdue_units(user: AnyUser) -> UnitQuerySet:
    """Provinces and communes the user may see (today), provinces first."""
    return (visible_units(user).of_kind(Kind.PROVINCE, Kind.COMMUNE).valid_on(timezone.localdate())
            .order_by("depth", "sort_key", "code"))


def model_page_context(user: AnyUser, model: Model) -> dict[str, Any]:
    """A model's sites and evaluations the user may see, its history, and what its evaluations propose."""
    visible = visible_units(user).values("pk")
    sites = list(model.sites.filter(unit__in=visible).select_related("unit__parent")
                 .order_by("status", "unit__sort_key", "started_on"))
    evaluations = list(model.evaluations.filter(Q(site__isnull=True) | Q(site__unit__in=visible))
                       .select_related("site__unit__parent").latest_first())
    latest = evaluations[0] if evaluations else None
    today = timezone.localdate()
    return {
        "model": model,
        "sites": sites,
        "active_sites": sum(1 for s in sites if s.status == "active"),
        "teams": sum(s.teams for s in sites if s.status == "active"),
        "evaluations": evaluations,
        "latest": latest,
        "proposes_retirement": latest is not None and latest.result == Result.INEFFECTIVE
        and model.status != "retired",
        "is_overdue": Model.objects.filter(pk=model.pk).overdue(today).exists(),
        "events": list(model.events.select_related("user").order_by("-at", "-pk")[:HISTORY_LIMIT]),
        "moves": {t.action: t for t in MODELS.moves_from(model)},  # the life cycle's table
    }
