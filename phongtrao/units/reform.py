"""Carrying a province's residential areas and organisations across the 2025 reform (issue 14 item 1).

Every residential area, agency, enterprise and school valid on 30/06/2025 in one of the old provinces that
became the province gets a new version from 01/07/2025, with the same local code, under the right new
commune, linked old -> new by a ``Succession`` (kind ``rename``, the unit carried over unchanged; weight 1):

- under an old commune that went whole into one new commune: that commune (automatic);
- under an old commune split between several new communes: the one the officer assigns; the default
  suggestion is the successor with the largest official weight (the package ships no weights, so: the
  successor that kept the old commune's code, then the lowest code);
- under an old district (district-managed organisations, a level that no longer exists): the rule the
  officer confirms, ``province`` (under the new province, managed by the province) or ``commune`` (managed
  by the commune, under the new commune the officer assigns; suggested: the new commune that received most
  of the district's old communes); district-managed organisations under an old commune keep their commune
  and take the rule's managing level;
- under an old province: the new province.

``plan_carry_over`` reads (it is the preview, it writes nothing); ``do_carry_over`` plans again under the
province's lock (``lib.locks``: ``reform:<code>``) and the register's, checks, and writes everything in one
transaction with one audit row per new version and one for the whole carry-over. A unit that already has a
successor is skipped and counted, so running it again carries nothing twice. Yearly records stay on the old
versions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import require
from phongtrao.audit.actions import Actor, record, record_many
from phongtrao.lib.importing import RowError, open_table
from phongtrao.lib.locks import REGISTER, serialise
from phongtrao.lib.tabular import Column, FileFormatError
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.units.actions import snapshot
from phongtrao.units.models import (
    ORGANISATION_KINDS,
    Exclusions,
    Kind,
    ManagingLevel,
    Succession,
    SuccessionKind,
    Unit,
    add_closure,
)
from phongtrao.units.official import LAST_OLD_DAY, REFORM_DATE

CARRIED_KINDS = (Kind.RESIDENTIAL_AREA, *ORGANISATION_KINDS)
DISTRICT_RULES = {
    "commune": gettext_lazy("Chuyển về cấp xã: đơn vị do cấp huyện quản lý nay do xã quản lý"),
    "province": gettext_lazy("Chuyển về cấp tỉnh: đơn vị do cấp huyện quản lý nay do tỉnh quản lý"),
}
# How an item's new parent was chosen.
WHOLE, SPLIT, DISTRICT, PROVINCE = "whole", "split", "district", "province"
HOW_LABELS = {
    WHOLE: gettext_lazy("Xã cũ nhập nguyên vào một xã mới"),
    SPLIT: gettext_lazy("Xã cũ bị chia: cán bộ chọn xã mới"),
    DISTRICT: gettext_lazy("Trực thuộc huyện cũ"),
    PROVINCE: gettext_lazy("Trực thuộc tỉnh cũ"),
}
ASSIGNMENT_COLUMNS = [
    Column("unit_code", "Mã đơn vị", required=True),
    Column("commune_code", "Mã xã mới", required=True),
]


@dataclass
class CarryItem:
    """One unit to carry: where it can go, where it goes."""

    old: Unit
    how: str  # WHOLE, SPLIT, DISTRICT or PROVINCE
    candidates: list[Unit]  # the new parents it may go to (one for WHOLE and PROVINCE)
    suggested: Unit | None
    target: Unit | None = None  # the assignment, or the suggestion
    assigned: bool = False

    @property
    def needs_choice(self) -> bool:
        return len(self.candidates) > 1

    def managed_by(self, district_rule: str | None) -> str:
        if self.old.managed_by == ManagingLevel.DISTRICT and district_rule:
            return ManagingLevel.PROVINCE if district_rule == "province" else ManagingLevel.COMMUNE
        return self.old.managed_by


@dataclass
class CarryPlan:
    province: Unit
    district_rule: str | None
    items: list[CarryItem] = field(default_factory=list)
    skipped: int = 0  # already carried (they have a successor)
    elsewhere: int = 0  # under an old commune none of whose successors is in this province
    old_communes: int = 0

    @property
    def needs_district_rule(self) -> bool:
        return any(i.how == DISTRICT or i.old.managed_by == ManagingLevel.DISTRICT for i in self.items)

    @property
    def fingerprint(self) -> str:
        """What the preview showed: the units to carry and their versions (a confirmation carries it back)."""
        text = ",".join(f"{i.old.pk}:{i.old.version}" for i in sorted(self.items, key=lambda i: i.old.pk))
        return hashlib.sha256(f"{self.skipped};{text}".encode()).hexdigest()[:32]

    def counts(self) -> dict[str, int]:
        kinds = Counter(i.old.kind for i in self.items)
        return {str(kind): kinds[kind] for kind in CARRIED_KINDS}

    def by_how(self) -> dict[str, int]:
        hows = Counter(i.how for i in self.items)
        return {how: hows[how] for how in (WHOLE, SPLIT, DISTRICT, PROVINCE)}


@dataclass
class CarryResult:
    plan: CarryPlan
    created: list[Unit]

    @property
    def carried(self) -> int:
        return len(self.created)


def old_provinces(province: Unit) -> list[Unit]:
    """The pre-reform provinces that became ``province`` (the official succession links)."""
    return list(Unit.objects.filter(kind=Kind.PROVINCE, successor_links__successor=province)
                .valid_on(LAST_OLD_DAY).order_by("code"))


def _suggest(old_code: str, links: list[tuple[Unit, Decimal | None]]) -> Unit:
    """The largest weight; without weights, the successor that kept the old code, then the lowest code."""
    return min(links, key=lambda link: (-(link[1] or Decimal(0)), link[0].code != old_code, link[0].code))[0]


def plan_carry_over(province: Unit, *, district_rule: str | None = None,
                    assignments: dict[int, int] | None = None) -> CarryPlan:
    """The preview: every unit to carry with its candidates, suggestion and target (nothing is written).

    ``assignments`` maps an old unit's id to the id of the new parent chosen for it; an assignment outside
    the unit's candidates is an ``ActionError``."""
    if district_rule is not None and district_rule not in DISTRICT_RULES:
        raise ActionError({"district_rule": [gettext("Quy tắc cấp huyện không hợp lệ.")]})
    plan = CarryPlan(province=province, district_rule=district_rule)
    olds = old_provinces(province)
    new_communes = {u.pk: u for u in Unit.objects.in_subtree(province).of_kind(Kind.COMMUNE).valid_on(REFORM_DATE)}
    successors: dict[int, list[tuple[Unit, Decimal | None]]] = defaultdict(list)
    old_commune_district: dict[int, int | None] = {}
    for old_id, new_id, weight, district_id in (
        Succession.objects.filter(successor_id__in=list(new_communes), predecessor__kind=Kind.COMMUNE)
        .values_list("predecessor_id", "successor_id", "weight", "predecessor__parent_id")
    ):
        successors[old_id].append((new_communes[new_id], weight))
        old_commune_district[old_id] = district_id
    plan.old_communes = len(successors)
    by_district: dict[int, Counter[int]] = defaultdict(Counter)
    for old_id, links in successors.items():
        district = old_commune_district[old_id]
        if district is not None:
            for new, _weight in links:
                by_district[district][new.pk] += 1
    units = (Unit.objects.in_subtree(olds[0].pk) if len(olds) == 1 else
             Unit.objects.filter(ancestor_links__ancestor_id__in=[p.pk for p in olds]))
    units = (units.of_kind(*CARRIED_KINDS).valid_on(LAST_OLD_DAY).select_related("parent")
             .order_by("parent__code", "sort_key", "code"))
    carried = set(Succession.objects.filter(predecessor__in=units.values("pk")).values_list("predecessor_id",
                                                                                            flat=True))
    old_codes = {p.pk for p in olds}
    assignments = assignments or {}
    for unit in units:
        if unit.pk in carried:
            plan.skipped += 1
            continue
        parent = unit.parent
        if parent is None:
            continue
        if parent.kind == Kind.COMMUNE:
            links = sorted(successors.get(parent.pk, []), key=lambda link: link[0].code)
            if not links:
                plan.elsewhere += 1
                continue
            candidates = [new for new, _w in links]
            item = CarryItem(unit, WHOLE if len(links) == 1 else SPLIT, candidates, _suggest(parent.code, links))
        elif parent.kind == Kind.DISTRICT:
            counts = by_district.get(parent.pk, Counter())
            communes = sorted((new_communes[pk] for pk in counts), key=lambda u: u.code)
            suggested = min(communes, key=lambda u: (-counts[u.pk], u.code)) if communes else None
            if district_rule == "commune" and communes:
                item = CarryItem(unit, DISTRICT, communes, suggested)
            else:
                item = CarryItem(unit, DISTRICT, [province], province)
        elif parent.kind == Kind.PROVINCE and parent.pk in old_codes:
            item = CarryItem(unit, PROVINCE, [province], province)
        else:
            continue
        item.target = item.suggested
        chosen = assignments.get(unit.pk)
        if chosen is not None:
            match = next((c for c in item.candidates if c.pk == chosen), None)
            if match is None:
                raise ActionError({"assignments": [gettext(
                    "%(unit)s (mã %(code)s) không thể chuyển về đơn vị đã chọn: đơn vị đó không kế thừa "
                    "%(parent)s.") % {"unit": unit.name, "code": unit.code, "parent": parent.name}]})
            item.target, item.assigned = match, True
        plan.items.append(item)
    return plan


def parse_assignments(plan: CarryPlan, name: str, data: bytes | IO[bytes]) -> tuple[dict[int, int], list[RowError]]:
    """A CSV/XLSX of assignments (old unit code, new commune code) read against the plan: old unit id ->
    new parent id, or the row errors ("row N: column: what is wrong"); nothing is used unless all rows are
    valid."""
    errors: list[RowError] = []
    try:
        result, table = open_table("reform_assignments", name, data, ASSIGNMENT_COLUMNS, dry_run=True)
    except FileFormatError as exc:
        return {}, [RowError(0, "", str(exc))]
    if table is None:
        return {}, result.errors
    by_code: dict[str, list[CarryItem]] = defaultdict(list)
    for item in plan.items:
        by_code[item.old.code].append(item)
    assignments: dict[int, int] = {}
    seen: dict[int, int] = {}
    try:
        for number, raw in table.rows:
            code, commune = raw.get("unit_code", "").strip(), raw.get("commune_code", "").strip()
            if not code:
                errors.append(RowError(number, "unit_code", gettext("bắt buộc, không được để trống")))
                continue
            if not commune:
                errors.append(RowError(number, "commune_code", gettext("bắt buộc, không được để trống")))
                continue
            items = by_code.get(code, [])
            if not items:
                errors.append(RowError(number, "unit_code", gettext(
                    "không có đơn vị mã “%(code)s” còn phải chuyển sang đơn vị hành chính mới trong tỉnh này "
                    "(không có, ngoài tỉnh, hoặc đã chuyển)") % {"code": code}))
                continue
            if len(items) > 1:
                errors.append(RowError(number, "unit_code", gettext(
                    "mã “%(code)s” ứng với nhiều đơn vị cần chuyển") % {"code": code}))
                continue
            item = items[0]
            match = next((c for c in item.candidates if c.code == commune), None)
            if match is None:
                allowed = ", ".join(c.code for c in item.candidates)
                errors.append(RowError(number, "commune_code", gettext(
                    "“%(commune)s” không phải là đơn vị kế thừa %(parent)s; chọn một trong: %(allowed)s")
                    % {"commune": commune, "parent": item.old.parent.name if item.old.parent else "",
                       "allowed": allowed}))
                continue
            if item.old.pk in seen:
                errors.append(RowError(number, "unit_code", gettext(
                    "mã “%(code)s” đã có ở dòng %(row)s") % {"code": code, "row": seen[item.old.pk]}))
                continue
            seen[item.old.pk] = number
            assignments[item.old.pk] = match.pk
    except FileFormatError as exc:
        return {}, [RowError(0, "", str(exc))]
    errors.sort(key=lambda e: (e.row, e.column))
    return ({} if errors else assignments), errors


def check_plan(plan: CarryPlan) -> dict[str, list[str]]:
    """What forbids writing the plan: a missing district rule, a code already used from 01/07/2025."""
    errors: dict[str, list[str]] = {}
    if plan.needs_district_rule and plan.district_rule is None:
        errors["district_rule"] = [gettext(
            "Có đơn vị do cấp huyện quản lý hoặc trực thuộc huyện cũ: hãy xác nhận quy tắc chuyển "
            "(về cấp xã hoặc cấp tỉnh).")]
    codes = {(i.old.code, i.old.kind) for i in plan.items}
    own = {i.old.pk for i in plan.items}
    taken: set[tuple[str, str]] = set()
    code_list = sorted({c for c, _k in codes})
    for start in range(0, len(code_list), 900):
        taken |= {(code, kind) for pk, code, kind in
                  Unit.objects.filter(code__in=code_list[start:start + 900], kind__in=CARRIED_KINDS)
                  .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=REFORM_DATE))
                  .values_list("pk", "code", "kind") if pk not in own}
    clashes = sorted(c for c, k in codes & taken)
    if clashes:
        shown = ", ".join(clashes[:20]) + (" …" if len(clashes) > 20 else "")
        errors["code"] = [gettext("Mã đã được một đơn vị cùng loại dùng từ ngày 01/07/2025: %(codes)s. Đổi mã "
                                  "một trong hai đơn vị rồi chạy lại.") % {"codes": shown}]
    return errors


def province_lock(province: Unit) -> str:
    return f"reform:{province.code}"


@transaction.atomic
def do_carry_over(actor: Actor, province_id: int, *, district_rule: str | None = None,
                  assignments: dict[int, int] | None = None, expected_fingerprint: str | None = None,
                  dry_run: bool = False) -> CarryResult:
    """Carry the province's units over (all or nothing). ``expected_fingerprint`` is the preview's: when the
    units to carry changed since, nothing is written (``StaleVersion``)."""
    province = Unit.objects.get(pk=province_id)
    if province.kind != Kind.PROVINCE or not province.is_valid_on(REFORM_DATE):
        raise ActionError({"province": [gettext("Chỉ chuyển được cho một tỉnh, thành phố hiện hành.")]})
    require(actor.user, "units.carry_over", province, error=ActionError,
            message=gettext("Tài khoản này không có quyền chuyển đơn vị của tỉnh này sang đơn vị hành chính mới."))
    serialise(province_lock(province))  # one carry-over of a province at a time
    serialise(REGISTER)  # and no other register writer while the codes are checked and written
    plan = plan_carry_over(province, district_rule=district_rule, assignments=assignments)
    if expected_fingerprint is not None and plan.fingerprint != expected_fingerprint:
        raise StaleVersion(gettext("Danh sách đơn vị cần chuyển đã thay đổi từ lúc xem trước (có người vừa "
                                   "chuyển hoặc sửa đơn vị). Hãy xem trước lại rồi xác nhận."))
    errors = check_plan(plan)
    if errors:
        raise ActionError(errors)
    if dry_run or not plan.items:
        return CarryResult(plan, [])
    still_open = [i.old for i in plan.items if i.old.valid_to is None or i.old.valid_to > LAST_OLD_DAY]
    if still_open:  # an old version without an end (never under an official old commune): it ends now
        befores = [snapshot(u) for u in still_open]
        for unit in still_open:
            unit.valid_to, unit.version = LAST_OLD_DAY, unit.version + 1
        Unit.objects.bulk_update(still_open, ["valid_to", "version"], batch_size=1000)
        record_many(actor, "unit.update", [(u, u, before, snapshot(u))
                                           for u, before in zip(still_open, befores, strict=True)])
    exclusions = Exclusions.on(REFORM_DATE)
    created: list[Unit] = []
    for item in plan.items:
        old, target = item.old, item.target
        assert target is not None
        new = Unit(code=old.code, name=old.name, kind=old.kind, subtype=old.subtype, parent=target,
                   managed_by=item.managed_by(district_rule), size=old.size, school_level=old.school_level,
                   armed_forces=old.armed_forces, households=old.households, valid_from=REFORM_DATE,
                   valid_to=None, source=old.source)
        new.refresh_derived(exclusions)
        created.append(new)
    try:
        with transaction.atomic():
            Unit.objects.bulk_create(created, batch_size=1000)
    except IntegrityError as exc:  # PostgreSQL's exclusion constraint: the last word on codes
        raise ActionError({"code": [gettext("Mã đã được một đơn vị cùng loại dùng từ ngày 01/07/2025.")]}) from exc
    add_closure([u.pk for u in created])
    Succession.objects.bulk_create(
        [Succession(predecessor=item.old, successor=new, effective_on=REFORM_DATE, kind=SuccessionKind.RENAME,
                    weight=Decimal(1)) for item, new in zip(plan.items, created, strict=True)], batch_size=2000)
    record_many(actor, "unit.carry_over", [
        (new, new, None, {**snapshot(new), "predecessor_id": item.old.pk, "how": item.how,
                          "assigned": item.assigned})
        for item, new in zip(plan.items, created, strict=True)
    ])
    record(actor, "reform.carry_over", province, unit=province, before=None, after={
        "province": province.code, "carried": len(created), "skipped": plan.skipped,
        "district_rule": district_rule, "by_kind": plan.counts(), "by_how": plan.by_how(),
        "assigned": sum(1 for i in plan.items if i.assigned), "day": REFORM_DATE.isoformat(),
    })
    return CarryResult(plan, created)


def day_text(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def as_dict(plan: CarryPlan) -> dict[str, Any]:
    """The plan's totals (the command prints them)."""
    return {"province": plan.province.code, "to_carry": len(plan.items), "already_carried": plan.skipped,
            "outside_province": plan.elsewhere, "old_communes": plan.old_communes, "by_kind": plan.counts(),
            "by_how": plan.by_how(), "assigned": sum(1 for i in plan.items if i.assigned),
            "needs_choice": sum(1 for i in plan.items if i.needs_choice), "district_rule": plan.district_rule}
