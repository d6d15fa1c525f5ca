"""Loading the official register from the pinned ``vietnam-provinces`` package.

Current units (34 provinces, 3,321 communes) are valid from 2025-07-01; the
pre-reform units (63 provinces, 696 districts, 10,051 communes) are valid until
2025-06-30. Everything hangs under the national root ``VN``. Old-to-new links
come from the package's conversion table (N:M).

Re-running is idempotent. When the package data differs from what the database
holds (a newer package version), the differences are returned as a diff and
only applied when asked to.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import vietnam_provinces as vp
from django.db import transaction
from vietnam_provinces import legacy

from phongtrao.units.corrections import NAME_CORRECTIONS, correction_for
from phongtrao.units.models import (
    Kind,
    RegisterLoad,
    Source,
    Succession,
    SuccessionKind,
    Unit,
    UnitAncestor,
)

REFORM_DATE = dt.date(2025, 7, 1)
LAST_OLD_DAY = REFORM_DATE - dt.timedelta(days=1)
ROOT_CODE = "VN"
ROOT_NAME = "Toàn quốc"

SUBTYPES = {
    "tỉnh": "tinh",
    "thành phố trung ương": "thanh_pho_tw",
    "thành phố": "thanh_pho",
    "quận": "quan",
    "huyện": "huyen",
    "thị xã": "thi_xa",
    "xã": "xa",
    "phường": "phuong",
    "thị trấn": "thi_tran",
    "đặc khu": "dac_khu",
}

# A unit of the official register is identified by (kind, code, era); era "new" or "old".
Key = tuple[str, str, str]


@dataclass(frozen=True)
class OfficialRow:
    kind: str
    code: str
    name: str
    subtype: str
    era: str
    parent: Key | None

    @property
    def key(self) -> Key:
        return (self.kind, self.code, self.era)


@dataclass
class RegisterDiff:
    added: list[OfficialRow] = field(default_factory=list)
    changed: list[tuple[Unit, OfficialRow, dict[str, tuple[str, str]]]] = field(default_factory=list)
    missing: list[Unit] = field(default_factory=list)  # in the database, no longer in the package
    new_links: list[tuple[Key, Key, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.missing or self.new_links)

    def lines(self, limit: int = 50) -> list[str]:
        out: list[str] = []
        out += [f"+ {r.kind} {r.code} {r.name} ({r.era})" for r in self.added[:limit]]
        for unit, _row, changes in self.changed[:limit]:
            detail = ", ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in changes.items())
            out.append(f"~ {unit.kind} {unit.code} {unit.name}: {detail}")
        out += [f"- {u.kind} {u.code} {u.name} (không còn trong danh mục)" for u in self.missing[:limit]]
        if self.new_links:
            out.append(f"+ {len(self.new_links)} liên kết kế thừa mới")
        return out


def _code(value: int, width: int) -> str:
    return str(int(value)).zfill(width)


def _subtype(division_type: object) -> str:
    return SUBTYPES.get(str(division_type), str(division_type))


def official_rows() -> list[OfficialRow]:
    """The package's units as rows, parents before children."""
    root: Key = (Kind.COUNTRY, ROOT_CODE, "all")
    rows = [OfficialRow(Kind.COUNTRY, ROOT_CODE, ROOT_NAME, "", "all", None)]
    for p in legacy.Province.iter_all():
        rows.append(OfficialRow(Kind.PROVINCE, _code(p.code, 2), p.name, _subtype(p.division_type), "old", root))
    for d in legacy.District.iter_all():
        rows.append(OfficialRow(Kind.DISTRICT, _code(d.code, 3), d.name, _subtype(d.division_type), "old",
                                (Kind.PROVINCE, _code(d.province_code, 2), "old")))
    for w in legacy.Ward.iter_all():
        rows.append(OfficialRow(Kind.COMMUNE, _code(w.code, 5), w.name, _subtype(w.division_type), "old",
                                (Kind.DISTRICT, _code(w.district_code, 3), "old")))
    for province in vp.Province.iter_all():
        rows.append(OfficialRow(Kind.PROVINCE, _code(province.code, 2), province.name,
                                _subtype(province.division_type), "new", root))
    for ward in vp.Ward.iter_all():
        rows.append(OfficialRow(Kind.COMMUNE, _code(ward.code, 5), ward.name, _subtype(ward.division_type), "new",
                                (Kind.PROVINCE, _code(ward.province_code, 2), "new")))
    return [_corrected(row) for row in rows]


def _corrected(row: OfficialRow) -> OfficialRow:
    """The row with the name and subtype of ``corrections.NAME_CORRECTIONS`` where one applies."""
    fix = correction_for(row.kind, row.code, row.era, row.name)
    if fix is None:
        return row
    return OfficialRow(row.kind, row.code, fix.name, fix.subtype, row.era, row.parent)



def official_links() -> list[tuple[Key, Key, str]]:
    """(old key, new key, succession kind) for provinces and communes."""
    links: list[tuple[Key, Key, str]] = []
    for p in vp.Province.iter_all():
        for old_province in p.get_legacy_sources():
            links.append(((Kind.PROVINCE, _code(old_province.code, 2), "old"),
                          (Kind.PROVINCE, _code(p.code, 2), "new"), ""))
    for w in vp.Ward.iter_all():
        for old_ward in w.get_legacy_sources():
            links.append(((Kind.COMMUNE, _code(old_ward.code, 5), "old"), (Kind.COMMUNE, _code(w.code, 5), "new"), ""))
    fan_out = Counter(old for old, _new, _ in links)
    fan_in = Counter(new for _old, new, _ in links)
    result: list[tuple[Key, Key, str]] = []
    for old, new, _ in links:
        if fan_out[old] > 1:
            kind = SuccessionKind.SPLIT
        elif fan_in[new] == 1:
            kind = SuccessionKind.RENAME
        else:
            kind = SuccessionKind.MERGE
        result.append((old, new, kind))
    return result


def _era(unit: Unit) -> str:
    if unit.kind == Kind.COUNTRY:
        return "all"
    return "new" if unit.valid_from == REFORM_DATE else "old"


def _interval(era: str) -> tuple[dt.date | None, dt.date | None]:
    if era == "new":
        return REFORM_DATE, None
    if era == "old":
        return None, LAST_OLD_DAY
    return None, None


def compute_diff() -> tuple[RegisterDiff, dict[Key, Unit], list[OfficialRow], list[tuple[Key, Key, str]]]:
    rows = official_rows()
    links = official_links()
    existing = {(u.kind, u.code, _era(u)): u for u in Unit.objects.filter(source=Source.OFFICIAL)}
    parent_keys = {u.pk: key for key, u in existing.items()}
    diff = RegisterDiff()
    wanted = set()
    for row in rows:
        wanted.add(row.key)
        unit = existing.get(row.key)
        if unit is None:
            diff.added.append(row)
            continue
        changes: dict[str, tuple[str, str]] = {}
        if unit.name != row.name:
            changes["name"] = (unit.name, row.name)
        if unit.subtype != row.subtype:
            changes["subtype"] = (unit.subtype, row.subtype)
        current_parent = parent_keys.get(unit.parent_id) if unit.parent_id else None
        if current_parent != row.parent:
            changes["parent"] = (str(current_parent), str(row.parent))
        if changes:
            diff.changed.append((unit, row, changes))
    diff.missing = [u for key, u in existing.items() if key not in wanted]
    have_links = set()
    if existing:
        key_of = {u.pk: key for key, u in existing.items()}
        have_links = {
            (key_of.get(a), key_of.get(b))
            for a, b in Succession.objects.filter(source=Source.OFFICIAL).values_list("predecessor_id", "successor_id")
        }
    diff.new_links = [link for link in links if (link[0], link[1]) not in have_links]
    return diff, existing, rows, links


@transaction.atomic
def apply_official(rows: list[OfficialRow], links: list[tuple[Key, Key, str]], diff: RegisterDiff,
                   existing: dict[Key, Unit]) -> tuple[int, int]:
    """Create missing units, update changed ones, add new links. Returns (created, updated)."""
    units = dict(existing)
    added_keys = {r.key for r in diff.added}
    to_create: list[Unit] = []
    # Parents come before children in ``rows``, so create level by level.
    for depth_kind in (Kind.COUNTRY, Kind.PROVINCE, Kind.DISTRICT, Kind.COMMUNE):
        batch = []
        for row in rows:
            if row.kind != depth_kind or row.key not in added_keys:
                continue
            valid_from, valid_to = _interval(row.era)
            parent = units[row.parent] if row.parent else None
            unit = Unit(code=row.code, name=row.name, kind=row.kind, subtype=row.subtype, parent=parent,
                        valid_from=valid_from, valid_to=valid_to, source=Source.OFFICIAL)
            unit.refresh_derived()
            batch.append(unit)
        Unit.objects.bulk_create(batch, batch_size=2000)
        for unit in batch:
            units[(unit.kind, unit.code, _era(unit))] = unit
        to_create += batch
    changed_units = []
    for unit, row, _changes in diff.changed:
        unit.name = row.name
        unit.subtype = row.subtype
        unit.parent = units[row.parent] if row.parent else None
        unit.refresh_derived()
        unit.version += 1
        changed_units.append(unit)
    if changed_units:
        Unit.objects.bulk_update(changed_units, ["name", "subtype", "parent", "depth", "search_name", "sort_key",
                                                 "version"], batch_size=2000)
    _build_closure(to_create + changed_units, units)
    Succession.objects.bulk_create(
        [Succession(predecessor=units[old], successor=units[new], effective_on=REFORM_DATE, kind=kind,
                    source=Source.OFFICIAL) for old, new, kind in diff.new_links],
        batch_size=5000, ignore_conflicts=True,
    )
    return len(to_create), len(changed_units)


def _build_closure(touched: list[Unit], units: dict[Key, Unit]) -> None:
    """Closure rows for official units, computed in memory from the parent chain and bulk inserted."""
    if not touched:
        return
    by_id = {u.pk: u for u in units.values()}
    ids = [u.pk for u in touched]
    for start in range(0, len(ids), 900):  # within SQLite's parameter limit
        UnitAncestor.objects.filter(unit_id__in=ids[start:start + 900]).delete()
    rows = []
    for unit in touched:
        distance = 0
        current: Unit | None = unit
        while current is not None:
            rows.append(UnitAncestor(unit_id=unit.pk, ancestor_id=current.pk, distance=distance))
            current = by_id.get(current.parent_id) if current.parent_id else None
            distance += 1
    UnitAncestor.objects.bulk_create(rows, batch_size=5000)


def load_official(*, apply_changes: bool = False) -> tuple[RegisterDiff, int, int, bool]:
    """Load the package into the database. Returns (diff, created, updated, applied).

    On an empty register everything is applied. Otherwise additions of a newer
    package are applied only with ``apply_changes``; the diff is returned for review.
    """
    diff, existing, rows, links = compute_diff()
    if diff.empty:
        return diff, 0, 0, True
    first_load = not existing
    if not (first_load or apply_changes):
        corrections = _correction_changes(diff)
        if not corrections.changed:
            return diff, 0, 0, False
        # Our own reviewed corrections (units/corrections.py) are applied by every setup.
        _, updated = apply_official(rows, [], corrections, existing)
        RegisterLoad.objects.create(package_version=vp.__version__,
                                    data_version=getattr(vp, "__data_version__", ""), updated=updated)
        diff.changed = [c for c in diff.changed if c not in corrections.changed]
        return diff, 0, updated, diff.empty
    created, updated = apply_official(rows, links, diff, existing)
    RegisterLoad.objects.create(package_version=vp.__version__, data_version=getattr(vp, "__data_version__", ""),
                                created=created, updated=updated)
    return diff, created, updated, True


def _correction_changes(diff: RegisterDiff) -> RegisterDiff:
    """The part of ``diff`` that only renames units listed in ``NAME_CORRECTIONS``."""
    keys = {(c.kind, c.code, c.era) for c in NAME_CORRECTIONS}
    return RegisterDiff(changed=[
        (unit, row, changes) for unit, row, changes in diff.changed
        if row.key in keys and set(changes) <= {"name", "subtype"}
    ])
