"""Who recognises a unit: a table keyed by unit kind, managing level and date (DOMAIN.md §4).

Every rule carries its legal basis. Since 1 July 2025 (two-level local government; TT 124/2021/TT-BCA
Điều 10 as amended by TT 48/2025/TT-BCA) the commune chairman recognises residential areas and
commune-managed agencies, enterprises and schools; the provincial People's Committee chairman
recognises communes and province-managed units. Before that (TT 124/2021/TT-BCA Điều 10, from
10/02/2022) the commune chairman recognised residential areas and commune-managed units, the
district chairman communes and district-managed units, and the provincial chairman the agencies,
enterprises and schools managed by the province.

An organisation with no managing level recorded is taken as managed by the level of the unit it sits
in (``managing_level``), so one placed directly under a province is the province's.

The table is data: a deployment may replace it with the ``COMPETENT_AUTHORITY`` key of
``settings.PHONGTRAO`` (same shape as ``DEFAULT_RULES``; the legal basis may be left out), without
touching code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from phongtrao.units.models import ORGANISATION_KINDS, Kind, ManagingLevel, Unit

ANY = "*"
REFORM = "2025-07-01"  # two-level local government (Luật Tổ chức chính quyền địa phương 2025)
LAST_OLD_DAY = "2025-06-30"
BASIS_AFTER = ("TT 124/2021/TT-BCA, Điều 10, được sửa đổi bởi TT 48/2025/TT-BCA; "
               "Luật Tổ chức chính quyền địa phương ngày 16/6/2025 (chính quyền hai cấp từ 01/7/2025)")
BASIS_BEFORE = "TT 124/2021/TT-BCA, Điều 10 (hiệu lực từ 10/02/2022; chính quyền ba cấp)"

Rule = tuple[str, str, str | None, str | None, str, str]

# (kind, managing level or "*", valid from or None, valid to or None, deciding level, legal basis)
DEFAULT_RULES: list[Rule] = [
    # Two-level government, from 1 July 2025: the commune decides for what it manages, the province for the rest.
    (Kind.RESIDENTIAL_AREA, ANY, REFORM, None, ManagingLevel.COMMUNE, BASIS_AFTER),
    (Kind.COMMUNE, ANY, REFORM, None, ManagingLevel.PROVINCE, BASIS_AFTER),
    *[(kind, level, REFORM, None, level, BASIS_AFTER)
      for level in (ManagingLevel.COMMUNE, ManagingLevel.PROVINCE) for kind in ORGANISATION_KINDS],
    # Three-level government, until 30 June 2025: each managing level decided for its own organisations.
    (Kind.RESIDENTIAL_AREA, ANY, None, LAST_OLD_DAY, ManagingLevel.COMMUNE, BASIS_BEFORE),
    (Kind.COMMUNE, ANY, None, LAST_OLD_DAY, ManagingLevel.DISTRICT, BASIS_BEFORE),
    *[(kind, level, None, LAST_OLD_DAY, level, BASIS_BEFORE)
      for level in (ManagingLevel.COMMUNE, ManagingLevel.DISTRICT, ManagingLevel.PROVINCE)
      for kind in ORGANISATION_KINDS],
]


class NoAuthority(ValueError):
    """No rule names a deciding level, or no unit of that level lies above the unit."""


@dataclass(frozen=True)
class Authority:
    level: str  # a ManagingLevel value: commune / district / province
    unit: Unit  # the commune, district or province whose People's Committee chairman decides
    legal_basis: str = ""  # of the rule that named the level

    @property
    def label(self) -> str:
        """The competent chairman, in the reader's language (pages)."""
        return gettext("Chủ tịch UBND %(unit)s") % {"unit": self.unit.name}

    @property
    def official_label(self) -> str:
        """The same in Vietnamese, whatever the reader's language: what decisions, their signer title and
        the stored history say (NĐ 30/2020 documents are in Vietnamese)."""
        with translation.override("vi"):
            return self.label


def rules() -> list[Rule]:
    """The table, every row with its legal basis ("" where a deployment's own table gives none)."""
    # cast: mypy infers settings.PHONGTRAO as dict[str, object]; the setting is a list of rule rows.
    table = cast(list[Any], settings.PHONGTRAO.get("COMPETENT_AUTHORITY", DEFAULT_RULES))
    return [(*r[:5], r[5] if len(r) > 5 else "") for r in table]


def _rule(kind: str, managed_by: str, on_date: dt.date) -> Rule:
    """The first matching rule (a specific managing level wins over "*")."""
    iso = on_date.isoformat()
    matches = [
        r for r in rules()
        if r[0] == kind and r[1] in (managed_by, ANY)
        and (r[2] is None or r[2] <= iso) and (r[3] is None or r[3] >= iso)
    ]
    matches.sort(key=lambda r: r[1] == ANY)
    if not matches:
        values = {"kind": Kind(kind).label.lower(), "level": managed_by, "date": f"{on_date:%d/%m/%Y}"}
        if managed_by:
            raise NoAuthority(gettext("Không có quy định về thẩm quyền công nhận cho %(kind)s, cấp quản lý "
                                      "“%(level)s” vào ngày %(date)s.") % values)
        raise NoAuthority(gettext("Không có quy định về thẩm quyền công nhận cho %(kind)s vào ngày %(date)s.")
                          % values)
    return matches[0]


def deciding_level(kind: str, managed_by: str, on_date: dt.date) -> str:
    """The level whose chairman decides, by the first matching rule (a specific managing level wins)."""
    return _rule(kind, managed_by, on_date)[4]


def managing_level(unit: Unit) -> str:
    """The unit's managing level; for an organisation without one, the level of the unit it sits in."""
    if unit.managed_by or unit.kind not in ORGANISATION_KINDS or unit.parent_id is None:
        return unit.managed_by
    parent_kind = unit.parent.kind if unit.parent else ""
    return parent_kind if parent_kind in ManagingLevel.values else ""


def competent_authority(unit: Unit, on_date: dt.date) -> Authority:
    """The level and the unit whose People's Committee chairman recognises ``unit`` on ``on_date``.

    The deciding unit is the nearest ancestor of that level (through the closure table).
    """
    rule = _rule(unit.kind, managing_level(unit), on_date)
    level = rule[4]
    above = (
        Unit.objects.filter(descendant_links__unit=unit, kind=level)
        .exclude(pk=unit.pk).order_by("-depth").first()
    )
    if above is None:
        raise NoAuthority(gettext("%(unit)s không thuộc đơn vị %(level)s nào để xác định người có thẩm quyền "
                                  "công nhận.") % {"unit": unit.name, "level": ManagingLevel(level).label.lower()})
    return Authority(level=level, unit=above, legal_basis=rule[5])


def competent_authorities(units: list[Unit], on_date: dt.date) -> dict[int, Authority | NoAuthority]:
    """``competent_authority`` for many units in one query (a refusal is returned, not raised)."""
    from phongtrao.units.models import UnitAncestor

    levels: dict[int, str] = {}
    bases: dict[int, str] = {}
    out: dict[int, Authority | NoAuthority] = {}
    # Organisations without a managing level take their parent's (one more query, only when there are such).
    unknown = {u.parent_id for u in units if not u.managed_by and u.kind in ORGANISATION_KINDS and u.parent_id}
    parent_kinds = dict(Unit.objects.filter(pk__in=unknown).values_list("pk", "kind")) if unknown else {}
    for unit in units:
        managed_by = unit.managed_by
        if not managed_by and unit.kind in ORGANISATION_KINDS:
            managed_by = parent_kinds.get(unit.parent_id or 0, "")
        try:
            rule = _rule(unit.kind, managed_by, on_date)
        except NoAuthority as exc:
            out[unit.pk] = exc
        else:
            levels[unit.pk], bases[unit.pk] = rule[4], rule[5]
    # Every ancestor of the units (a few each), the level tested below: a filter on the ancestor's kind
    # lets SQLite start from all units of that kind (every commune of the country) instead of these units.
    links = (
        UnitAncestor.objects.filter(unit_id__in=list(levels), distance__gt=0)
        .select_related("ancestor").order_by("distance")
    )
    for link in links:
        if link.unit_id not in out and link.ancestor.kind == levels[link.unit_id]:
            out[link.unit_id] = Authority(level=levels[link.unit_id], unit=link.ancestor,
                                          legal_basis=bases[link.unit_id])
    for unit in units:
        if unit.pk not in out:
            out[unit.pk] = NoAuthority(gettext("%(unit)s không thuộc đơn vị %(level)s nào.")
                                       % {"unit": unit.name,
                                          "level": ManagingLevel(levels[unit.pk]).label.lower()})
    return out
