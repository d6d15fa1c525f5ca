"""Who recognises a unit: a table keyed by unit kind, managing level and date (DOMAIN.md §4).

Since 1 July 2025 (TT 48/2025/TT-BCA, two-level local government) the commune chairman
recognises residential areas and commune-managed agencies, enterprises and schools; the
provincial People's Committee recognises communes and province-managed units. Before
that (TT 124/2021/TT-BCA) the district chairman recognised communes and the agencies,
enterprises and schools managed by the district or the province in its area.

The table is data: a deployment may replace it with the ``COMPETENT_AUTHORITY`` key of
``settings.PHONGTRAO`` (same shape as ``DEFAULT_RULES``), without touching code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from phongtrao.units.models import Kind, ManagingLevel, Unit

ANY = "*"

# (kind, managing level or "*", valid from or None, valid to or None, deciding level)
DEFAULT_RULES: list[tuple[str, str, str | None, str | None, str]] = [
    # Two-level government, from 1 July 2025.
    (Kind.RESIDENTIAL_AREA, ANY, "2025-07-01", None, ManagingLevel.COMMUNE),
    (Kind.COMMUNE, ANY, "2025-07-01", None, ManagingLevel.PROVINCE),
    (Kind.AGENCY, ManagingLevel.COMMUNE, "2025-07-01", None, ManagingLevel.COMMUNE),
    (Kind.ENTERPRISE, ManagingLevel.COMMUNE, "2025-07-01", None, ManagingLevel.COMMUNE),
    (Kind.SCHOOL, ManagingLevel.COMMUNE, "2025-07-01", None, ManagingLevel.COMMUNE),
    (Kind.AGENCY, ManagingLevel.PROVINCE, "2025-07-01", None, ManagingLevel.PROVINCE),
    (Kind.ENTERPRISE, ManagingLevel.PROVINCE, "2025-07-01", None, ManagingLevel.PROVINCE),
    (Kind.SCHOOL, ManagingLevel.PROVINCE, "2025-07-01", None, ManagingLevel.PROVINCE),
    # Three-level government, until 30 June 2025.
    (Kind.RESIDENTIAL_AREA, ANY, None, "2025-06-30", ManagingLevel.COMMUNE),
    (Kind.COMMUNE, ANY, None, "2025-06-30", ManagingLevel.DISTRICT),
    (Kind.AGENCY, ManagingLevel.COMMUNE, None, "2025-06-30", ManagingLevel.COMMUNE),
    (Kind.ENTERPRISE, ManagingLevel.COMMUNE, None, "2025-06-30", ManagingLevel.COMMUNE),
    (Kind.SCHOOL, ManagingLevel.COMMUNE, None, "2025-06-30", ManagingLevel.COMMUNE),
    (Kind.AGENCY, ANY, None, "2025-06-30", ManagingLevel.DISTRICT),
    (Kind.ENTERPRISE, ANY, None, "2025-06-30", ManagingLevel.DISTRICT),
    (Kind.SCHOOL, ANY, None, "2025-06-30", ManagingLevel.DISTRICT),
]


class NoAuthority(ValueError):
    """No rule names a deciding level, or no unit of that level lies above the unit."""


@dataclass(frozen=True)
class Authority:
    level: str  # a ManagingLevel value: commune / district / province
    unit: Unit  # the commune, district or province whose People's Committee chairman decides

    @property
    def label(self) -> str:
        return f"Chủ tịch UBND {self.unit.name}"


def rules() -> list[tuple[str, str, str | None, str | None, str]]:
    return settings.PHONGTRAO.get("COMPETENT_AUTHORITY", DEFAULT_RULES)


def deciding_level(kind: str, managed_by: str, on_date: dt.date) -> str:
    """The level whose chairman decides, by the first matching rule (a specific managing level wins)."""
    iso = on_date.isoformat()
    matches = [
        r for r in rules()
        if r[0] == kind and r[1] in (managed_by, ANY)
        and (r[2] is None or r[2] <= iso) and (r[3] is None or r[3] >= iso)
    ]
    matches.sort(key=lambda r: r[1] == ANY)
    if not matches:
        level = f", cấp quản lý “{managed_by}”" if managed_by else ""
        raise NoAuthority(f"Không có quy định về thẩm quyền công nhận cho {Kind(kind).label.lower()}{level} "
                          f"vào ngày {on_date:%d/%m/%Y}.")
    return matches[0][4]


def competent_authority(unit: Unit, on_date: dt.date) -> Authority:
    """The level and the unit whose People's Committee chairman recognises ``unit`` on ``on_date``.

    The deciding unit is the nearest ancestor of that level (through the closure table).
    """
    level = deciding_level(unit.kind, unit.managed_by, on_date)
    above = (
        Unit.objects.filter(descendant_links__unit=unit, kind=level)
        .exclude(pk=unit.pk).order_by("-depth").first()
    )
    if above is None:
        raise NoAuthority(f"{unit.name} không thuộc đơn vị {ManagingLevel(level).label.lower()} nào "
                          "để xác định người có thẩm quyền công nhận.")
    return Authority(level=level, unit=above)


def competent_authorities(units: list[Unit], on_date: dt.date) -> dict[int, Authority | NoAuthority]:
    """``competent_authority`` for many units in one query (a refusal is returned, not raised)."""
    from phongtrao.units.models import UnitAncestor

    levels: dict[int, str] = {}
    out: dict[int, Authority | NoAuthority] = {}
    for unit in units:
        try:
            levels[unit.pk] = deciding_level(unit.kind, unit.managed_by, on_date)
        except NoAuthority as exc:
            out[unit.pk] = exc
    links = (
        UnitAncestor.objects.filter(unit_id__in=list(levels), distance__gt=0,
                                    ancestor__kind__in=set(levels.values()))
        .select_related("ancestor").order_by("distance")
    )
    for link in links:
        if link.unit_id not in out and link.ancestor.kind == levels[link.unit_id]:
            out[link.unit_id] = Authority(level=levels[link.unit_id], unit=link.ancestor)
    for unit in units:
        if unit.pk not in out:
            out[unit.pk] = NoAuthority(f"{unit.name} không thuộc đơn vị "
                                       f"{ManagingLevel(levels[unit.pk]).label.lower()} nào.")
    return out
