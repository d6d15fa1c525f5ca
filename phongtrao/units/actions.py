"""Named actions that write units. Views, the importer and commands all call these.

Each action validates, runs in one transaction, writes the change and its audit row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext

from phongtrao.audit.actions import Actor, record
from phongtrao.lib.locks import REGISTER, serialise
from phongtrao.lib.vnformat import date_text, number
from phongtrao.lib.workflow import ActionError, StaleVersion
from phongtrao.units.models import (
    ALLOWED_PARENT_KINDS,
    CODE_RE,
    MAX_HOUSEHOLDS,
    ORGANISATION_KINDS,
    Kind,
    Unit,
    rebuild_closure,
)

UNIT_FIELDS = (
    "code", "name", "kind", "subtype", "parent_id", "managed_by", "size", "school_level",
    "armed_forces", "households", "valid_from", "valid_to",
)

KIND_VALUES = frozenset(Kind.values)  # read once: ``Kind.values`` builds a new list on every call


def snapshot(unit: Unit) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in UNIT_FIELDS:
        value = getattr(unit, name)
        data[name] = value.isoformat() if isinstance(value, dt.date) else value
    return data


def validate_unit(unit: Unit, *, check_overlap: bool = True) -> dict[str, list[str]]:
    """Every rule a unit must satisfy, as field -> messages (empty when valid).

    ``check_overlap`` queries the database for another unit of the same code and
    kind in an overlapping interval; the importer checks that in bulk instead.
    """
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not unit.code.strip():
        add("code", gettext("Mã không được để trống."))
    elif not CODE_RE.fullmatch(unit.code):
        add("code", gettext("Mã chỉ gồm chữ cái không dấu, chữ số và các dấu - _ . (bắt đầu bằng chữ cái hoặc "
                            "chữ số, không có khoảng trắng, tối đa 40 ký tự)."))
    if unit.households is not None and not 0 <= unit.households <= MAX_HOUSEHOLDS:
        add("households", gettext("Số hộ phải từ 0 đến %(max)s.") % {"max": number(MAX_HOUSEHOLDS)})
    if not unit.name.strip():
        add("name", gettext("Tên không được để trống."))
    if unit.kind not in KIND_VALUES:
        add("kind", gettext("Loại đơn vị “%(kind)s” không hợp lệ.") % {"kind": unit.kind})
        return errors
    if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
        add("valid_to", gettext("Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực."))
    allowed = ALLOWED_PARENT_KINDS[unit.kind]
    parent = unit.parent  # the cached object too, for an unsaved parent from the same import file
    if unit.kind == Kind.COUNTRY:
        if parent is not None:
            add("parent", gettext("Đơn vị toàn quốc không có cấp trên."))
    elif parent is None:
        add("parent", gettext("Phải có đơn vị cấp trên."))
    else:
        if parent.kind not in allowed:
            names = ", ".join(str(Kind(k).label) for k in allowed)
            add("parent", gettext("%(kind)s phải thuộc %(allowed)s, không thuộc %(parent_kind)s.") % {
                "kind": Kind(unit.kind).label, "allowed": names, "parent_kind": parent.get_kind_display()})
        start = unit.valid_from or parent.valid_from
        if start and not parent.is_valid_on(start):
            add("parent", gettext("Đơn vị cấp trên %(name)s không còn hiệu lực ngày %(date)s.")
                % {"name": parent.name, "date": date_text(start)})
        elif parent.valid_to and (unit.valid_to is None or unit.valid_to > parent.valid_to):
            add("parent", gettext("Đơn vị cấp trên %(name)s chỉ có hiệu lực đến %(date)s; "
                                  "đơn vị trực thuộc phải hết hiệu lực cùng lúc hoặc sớm hơn.")
                % {"name": parent.name, "date": date_text(parent.valid_to)})
        if unit.pk and parent.pk == unit.pk:
            add("parent", gettext("Đơn vị không thể là cấp trên của chính nó."))
    if unit.kind in ORGANISATION_KINDS and not unit.managed_by:
        add("managed_by", gettext("Cơ quan, doanh nghiệp, cơ sở giáo dục phải có cấp quản lý."))
    if unit.kind == Kind.ENTERPRISE and not unit.size:
        add("size", gettext("Doanh nghiệp phải có quy mô (siêu nhỏ, nhỏ, vừa, lớn)."))
    if unit.kind == Kind.SCHOOL and not unit.school_level:
        add("school_level", gettext("Cơ sở giáo dục phải có cấp học."))
    if unit.kind != Kind.ENTERPRISE and unit.size:
        add("size", gettext("Chỉ doanh nghiệp mới có quy mô."))
    if unit.kind != Kind.SCHOOL and unit.school_level:
        add("school_level", gettext("Chỉ cơ sở giáo dục mới có cấp học."))
    if unit.kind != Kind.AGENCY and unit.armed_forces:
        add("armed_forces", gettext("Chỉ cơ quan mới thuộc lực lượng vũ trang."))
    if check_overlap and unit.code.strip() and not errors.get("valid_to"):
        clash = overlapping(unit).first()
        if clash is not None:
            # Never the other unit's name: it may lie outside the user's scope (the code itself cannot be hidden).
            add("code", gettext("Mã %(code)s đã được dùng cho một đơn vị khác cùng loại trong cùng thời gian hiệu lực.")
                % {"code": unit.code})
    return errors


def overlapping(unit: Unit) -> Any:
    """Other units of the same code and kind whose validity overlaps this one's."""
    qs = Unit.objects.filter(code=unit.code, kind=unit.kind)
    if unit.pk:
        qs = qs.exclude(pk=unit.pk)
    if unit.valid_to:
        qs = qs.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=unit.valid_to))
    if unit.valid_from:
        qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=unit.valid_from))
    return qs


@transaction.atomic
def do_create_unit(actor: Actor, **fields: Any) -> Unit:
    serialise(REGISTER)  # the overlap check below and the insert, one writer at a time
    unit = Unit(**fields)
    unit.code = unit.code.strip()
    unit.name = " ".join(unit.name.split())
    errors = validate_unit(unit)
    if errors:
        raise ActionError(errors)
    unit.refresh_derived()
    _save_refusing_overlap(unit)
    rebuild_closure([unit])
    record(actor, "unit.create", unit, unit=unit, before=None, after=snapshot(unit))
    return unit


@transaction.atomic
def do_update_unit(actor: Actor, unit_id: int, *, expected_version: int | None = None, **changes: Any) -> Unit:
    serialise(REGISTER)  # waits for an import that holds the register, then sees what it wrote
    unit = Unit.objects.select_for_update().get(pk=unit_id)
    if expected_version is not None and unit.version != expected_version:
        raise StaleVersion(gettext(
            "Đơn vị này vừa được người khác sửa sau khi bạn mở biểu mẫu. "
            "Hãy tải lại trang để xem thay đổi mới nhất rồi sửa lại."
        ))
    before = snapshot(unit)
    old_parent = unit.parent_id
    for name, value in changes.items():
        setattr(unit, name, value)
    if "parent_id" in changes:
        unit.parent = Unit.objects.get(pk=unit.parent_id) if unit.parent_id else None
    errors = validate_unit(unit)
    if before["kind"] != unit.kind:
        misplaced = Unit.objects.filter(parent=unit).exclude(kind__in=_kinds_allowed_under(unit.kind)).count()
        if misplaced:
            errors.setdefault("kind", []).append(
                gettext("Không thể đổi loại: %(count)s đơn vị trực thuộc không được nằm trong %(kind)s.")
                % {"count": misplaced, "kind": Kind(unit.kind).label})
    if unit.parent_id and old_parent != unit.parent_id and unit.parent_id in set(
        Unit.objects.in_subtree(unit).values_list("pk", flat=True)
    ):
        errors.setdefault("parent", []).append(gettext("Không thể chuyển đơn vị vào bên trong chính nó."))
    if errors:
        raise ActionError(errors)
    after = snapshot(unit)
    if after == before:
        return unit
    unit.refresh_derived()
    unit.version += 1
    _save_refusing_overlap(unit)
    if old_parent != unit.parent_id:
        reparent_subtree(unit, list(Unit.objects.in_subtree(unit).order_by("depth")))
    record(actor, "unit.update", unit, unit=unit, before=before, after=after)
    return unit


def _save_refusing_overlap(unit: Unit) -> None:
    """Save; PostgreSQL's exclusion constraint (one unit per code and kind at any date) is the last word."""
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:
        if "unit_code_kind_no_overlap" not in str(exc):
            raise
        raise ActionError({"code": [gettext("Mã %(code)s đã dùng cho một đơn vị cùng loại trong cùng thời gian "
                                            "hiệu lực.") % {"code": unit.code}]}) from exc


save_refusing_overlap = _save_refusing_overlap  # for the named changes (units/changes.py)


def _kinds_allowed_under(kind: str) -> list[str]:
    return [child for child, parents in ALLOWED_PARENT_KINDS.items() if kind in parents]


def reparent_subtree(root: Unit, subtree: list[Unit]) -> None:
    """Recompute depth and closure rows of ``root``'s subtree after ``root`` moved. Not an action: the
    caller (``do_move_unit``, the units importer) is inside its transaction and writes the audit row."""
    by_id = {u.pk: u for u in subtree}
    ordered: list[Unit] = []
    pending = [root]
    while pending:
        current = pending.pop()
        ordered.append(current)
        pending.extend(u for u in subtree if u.parent_id == current.pk and u.pk != current.pk)
    for item in ordered:
        parent = by_id.get(item.parent_id) if item.parent_id in by_id else item.parent
        item.depth = (parent.depth + 1) if parent else 0
    Unit.objects.bulk_update(ordered, ["depth"])
    rebuild_closure(ordered)


@transaction.atomic
def do_close_unit(actor: Actor, unit_id: int, *, valid_to: dt.date, expected_version: int | None = None) -> Unit:
    """Closing sets ``valid_to``; a unit is never deleted (its history stays reportable)."""
    unit = Unit.objects.get(pk=unit_id)
    open_children = Unit.objects.filter(parent=unit).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=valid_to))
    count = open_children.count()
    if count:
        raise ActionError(
            {"valid_to": [gettext("Còn %(count)s đơn vị trực thuộc có hiệu lực sau ngày %(date)s; "
                                  "hãy đóng hoặc chuyển chúng trước.") % {"count": count, "date": date_text(valid_to)}]}
        )
    return do_update_unit(actor, unit_id, expected_version=expected_version, valid_to=valid_to)
