"""Named changes of residential areas and organisations (issue 14 item 5): merge, split, rename, move.

Each change has a day D. The old versions end on D - 1 (``valid_to``), the new ones begin on D, and a
``Succession`` links each old unit to each new one with its weight; nothing is deleted and no recorded value
is rewritten (an old version keeps its name, parent and households; a rename or a move is a new version with
the same code). Merging into one of the merged units ("continuing") leaves that unit's record open and closes
the others.

Yearly records of D's year still in progress on the old units (a recognition not yet decided) are carried to the
primary successor (the one with the largest weight) by the apps that own them: an app registers a
``Carrier`` at ``ready()`` (``register_carrier``), so this module imports no app that depends on units. The
rule is each carrier's ``rule`` text, shown before confirming; ``preview_change`` runs the whole change and
rolls it back (``lib.rehearsal``-style), so the preview is exactly what the confirmation writes.

All changes take the register's lock, lock the rows they read and refuse a stale version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import may
from phongtrao.audit.actions import Actor, record
from phongtrao.lib.locks import REGISTER, serialise
from phongtrao.lib.vnformat import date_text
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.units.actions import save_refusing_overlap, snapshot, validate_unit
from phongtrao.units.models import ORGANISATION_KINDS, Kind, Succession, SuccessionKind, Unit, rebuild_closure

CHANGEABLE_KINDS = (Kind.RESIDENTIAL_AREA, *ORGANISATION_KINDS)
CHANGE_KINDS = {
    "merge": gettext_lazy("Sáp nhập"),
    "split": gettext_lazy("Chia tách"),
    "rename": gettext_lazy("Đổi tên"),
    "move": gettext_lazy("Chuyển sang xã khác"),
}
WEIGHT_TOLERANCE = Decimal("0.001")


@dataclass(frozen=True)
class Carrier:
    """An app's yearly records that follow a change: ``carry(actor, links, year)`` gets (old unit, primary
    successor) pairs and returns one note per record carried; ``rule`` says which records, for the preview."""

    key: str
    rule: Any  # gettext_lazy
    carry: Callable[[Actor, list[tuple[Unit, Unit]], int, str], list[str]]


CARRIERS: dict[str, Carrier] = {}


def register_carrier(carrier: Carrier) -> None:
    CARRIERS[carrier.key] = carrier


def carrier_rules() -> list[str]:
    return [str(c.rule) for c in CARRIERS.values()]


@dataclass
class NewUnit:
    """A unit a change opens: its code, name and (optionally) households, subtype and weight."""

    code: str
    name: str
    households: int | None = None
    weight: Decimal = Decimal(1)
    subtype: str | None = None


@dataclass
class ChangeResult:
    kind: str
    day: dt.date
    closed: list[Unit] = field(default_factory=list)
    opened: list[Unit] = field(default_factory=list)
    links: list[Succession] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _locked(actor: Actor, ids: Sequence[int], versions: dict[int, int] | None, day: dt.date) -> list[Unit]:
    rows = Unit.objects.select_for_update(of=("self",)).filter(pk__in=list(ids)).select_related("parent")
    units = {u.pk: u for u in rows}
    if len(units) != len(set(ids)):
        raise ActionError(gettext("Không tìm thấy đơn vị."))
    out = []
    for pk in ids:
        unit = units[pk]
        if versions is not None and pk in versions and versions[pk] != unit.version:
            raise StaleVersion(gettext("%(name)s vừa được người khác sửa sau khi bạn mở trang. Hãy xem trước lại.")
                               % {"name": unit.name})
        if unit.kind not in CHANGEABLE_KINDS:
            raise ActionError(gettext("Chỉ sáp nhập, chia tách, đổi tên, chuyển được khu dân cư, cơ quan, doanh "
                                      "nghiệp, cơ sở giáo dục."))
        if actor.user is not None and not may(actor.user, "units.edit", unit):
            raise ActionError(gettext("Tài khoản này không có quyền thay đổi %(name)s.") % {"name": unit.name})
        last = day - dt.timedelta(days=1)
        if not unit.is_valid_on(last) or not unit.is_valid_on(day):
            raise ActionError(gettext("%(name)s không còn hiệu lực ngày %(last)s và %(day)s: chỉ thay đổi được đơn "
                                      "vị đang có hiệu lực.") % {"name": unit.name, "last": date_text(last),
                                                                 "day": date_text(day)})
        if Unit.objects.filter(parent=unit).exists():
            raise ActionError(gettext("%(name)s còn đơn vị trực thuộc.") % {"name": unit.name})
        out.append(unit)
    return out


def _close(actor: Actor, unit: Unit, day: dt.date, result: ChangeResult) -> None:
    before = snapshot(unit)
    unit.valid_to = day - dt.timedelta(days=1)
    unit.version += 1
    unit.save(update_fields=["valid_to", "version", "updated_at"])
    record(actor, "unit.update", unit, unit=unit, before=before, after=snapshot(unit))
    result.closed.append(unit)


def _open(actor: Actor, like: Unit, spec: NewUnit, parent: Unit, day: dt.date, result: ChangeResult) -> Unit:
    unit = Unit(code=spec.code.strip(), name=" ".join(spec.name.split()), kind=like.kind,
                subtype=like.subtype if spec.subtype is None else spec.subtype, parent=parent,
                managed_by=like.managed_by, size=like.size, school_level=like.school_level,
                armed_forces=like.armed_forces, households=spec.households, valid_from=day, source=like.source)
    errors = validate_unit(unit)
    if errors:
        raise ActionError(errors)
    unit.refresh_derived()
    save_refusing_overlap(unit)
    rebuild_closure([unit])
    record(actor, "unit.create", unit, unit=unit, before=None, after=snapshot(unit))
    result.opened.append(unit)
    return unit


def _link(actor: Actor, old: Unit, new: Unit, day: dt.date, kind: str, weight: Decimal,
          result: ChangeResult) -> None:
    link = Succession.objects.create(predecessor=old, successor=new, effective_on=day, kind=kind, weight=weight)
    record(actor, "succession.create", link, unit=new, before=None, after={
        "predecessor_id": old.pk, "successor_id": new.pk, "effective_on": day.isoformat(), "kind": kind,
        "weight": str(weight)})
    result.links.append(link)


def _carry(actor: Actor, pairs: list[tuple[Unit, Unit]], day: dt.date, what: str, result: ChangeResult) -> None:
    for carrier in CARRIERS.values():
        result.notes += carrier.carry(actor, pairs, day.year, what)


def _finish(actor: Actor, result: ChangeResult, what: str) -> ChangeResult:
    record(actor, f"unit.{result.kind}", result.opened[0] if result.opened else result.closed[0],
           unit=result.opened[0] if result.opened else result.closed[0], before=None, after={
               "day": result.day.isoformat(), "what": what, "closed": [u.pk for u in result.closed],
               "opened": [u.pk for u in result.opened], "notes": result.notes})
    return result


@transaction.atomic
def do_merge(actor: Actor, unit_ids: Sequence[int], *, day: dt.date, continuing_id: int | None = None,
             new: NewUnit | None = None, versions: dict[int, int] | None = None) -> ChangeResult:
    """Merge the units into one: ``continuing_id`` (one of them, which stays open) or ``new`` (a unit opened on
    ``day`` under their common commune; households default to their sum)."""
    serialise(REGISTER)
    if len(set(unit_ids)) < 2:
        raise ActionError(gettext("Sáp nhập cần ít nhất hai đơn vị."))
    if (continuing_id is None) == (new is None):
        raise ActionError(gettext("Chọn một đơn vị tiếp tục hoặc khai báo đơn vị mới."))
    units = _locked(actor, list(dict.fromkeys(unit_ids)), versions, day)
    if len({u.kind for u in units}) > 1 or len({u.parent_id for u in units}) > 1:
        raise ActionError(gettext("Chỉ sáp nhập các đơn vị cùng loại, cùng một xã."))
    result = ChangeResult("merge", day)
    what = gettext("sáp nhập")
    if continuing_id is not None:
        target = next((u for u in units if u.pk == continuing_id), None)
        if target is None:
            raise ActionError(gettext("Đơn vị tiếp tục phải là một trong các đơn vị sáp nhập."))
        for unit in units:
            if unit.pk != target.pk:
                _close(actor, unit, day, result)
                _link(actor, unit, target, day, SuccessionKind.MERGE, Decimal(1), result)
    else:
        assert new is not None
        if new.households is None and all(u.households is not None for u in units):
            new.households = sum(u.households or 0 for u in units)
        for unit in units:
            _close(actor, unit, day, result)
        parent = units[0].parent
        assert parent is not None
        target = _open(actor, units[0], new, parent, day, result)
        for unit in units:
            _link(actor, unit, target, day, SuccessionKind.MERGE, Decimal(1), result)
    _carry(actor, [(u, target) for u in units if u.pk != target.pk], day, what, result)
    return _finish(actor, result, what)


@transaction.atomic
def do_split(actor: Actor, unit_id: int, *, day: dt.date, parts: Sequence[NewUnit],
             version: int | None = None) -> ChangeResult:
    """Split a unit into ``parts`` (at least two, weights summing to 1), under the same commune."""
    serialise(REGISTER)
    if len(parts) < 2:
        raise ActionError(gettext("Chia tách cần ít nhất hai đơn vị mới."))
    if any(p.weight <= 0 for p in parts) or abs(sum((p.weight for p in parts), Decimal(0)) - 1) > WEIGHT_TOLERANCE:
        raise ActionError({"weight": [gettext("Tỷ trọng các đơn vị mới phải lớn hơn 0 và cộng lại bằng 1.")]})
    [unit] = _locked(actor, [unit_id], {unit_id: version} if version is not None else None, day)
    result = ChangeResult("split", day)
    _close(actor, unit, day, result)
    assert unit.parent is not None
    opened = [_open(actor, unit, part, unit.parent, day, result) for part in parts]
    for part, new in zip(parts, opened, strict=True):
        _link(actor, unit, new, day, SuccessionKind.SPLIT, part.weight, result)
    primary = max(zip(parts, opened, strict=True), key=lambda p: (p[0].weight, -p[1].pk))[1]
    what = gettext("chia tách")
    _carry(actor, [(unit, primary)], day, what, result)
    return _finish(actor, result, what)


@transaction.atomic
def do_rename(actor: Actor, unit_id: int, *, day: dt.date, name: str, code: str | None = None,
              version: int | None = None) -> ChangeResult:
    """A new version with the new name (and code, if given) from ``day``; the old one keeps its name."""
    serialise(REGISTER)
    [unit] = _locked(actor, [unit_id], {unit_id: version} if version is not None else None, day)
    if " ".join(name.split()) == unit.name and (code is None or code.strip() == unit.code):
        raise ActionError({"name": [gettext("Tên mới trùng tên hiện tại.")]})
    result = ChangeResult("rename", day)
    _close(actor, unit, day, result)
    assert unit.parent is not None
    new = _open(actor, unit, NewUnit(code or unit.code, name, unit.households), unit.parent, day, result)
    _link(actor, unit, new, day, SuccessionKind.RENAME, Decimal(1), result)
    what = gettext("đổi tên")
    _carry(actor, [(unit, new)], day, what, result)
    return _finish(actor, result, what)


@transaction.atomic
def do_move(actor: Actor, unit_id: int, *, day: dt.date, parent_id: int, version: int | None = None) -> ChangeResult:
    """A new version under another commune from ``day`` (same code, name and households)."""
    serialise(REGISTER)
    [unit] = _locked(actor, [unit_id], {unit_id: version} if version is not None else None, day)
    parent = Unit.objects.filter(pk=parent_id).first()
    if parent is None or parent.pk == unit.parent_id:
        raise ActionError({"parent": [gettext("Chọn một đơn vị cấp trên khác đơn vị hiện tại.")]})
    if actor.user is not None and not may(actor.user, "units.edit", parent):
        raise ActionError({"parent": [gettext("Tài khoản này không có quyền thêm đơn vị vào %(name)s.")
                                      % {"name": parent.name}]})
    result = ChangeResult("move", day)
    _close(actor, unit, day, result)
    new = _open(actor, unit, NewUnit(unit.code, unit.name, unit.households), parent, day, result)
    _link(actor, unit, new, day, SuccessionKind.RENAME, Decimal(1), result)
    what = gettext("chuyển sang %(name)s") % {"name": parent.name}
    _carry(actor, [(unit, new)], day, what, result)
    return _finish(actor, result, what)


class _Rollback(Exception):
    pass


def preview_change(run: Callable[[], ChangeResult]) -> ChangeResult:
    """Run the change and roll it back: what the confirmation would write (or its ``ActionError``)."""
    outcome: list[ChangeResult] = []
    try:
        with transaction.atomic():
            outcome.append(run())
            raise _Rollback
    except _Rollback:
        pass
    return outcome[0]
