"""Append-only audit trail: who changed what, when, through which channel, before and after.

Entries are written by ``phongtrao.audit.actions`` (inside every named action) and never
changed or deleted by the application: ``save()`` of an existing row, ``delete()`` and the
manager's ``update()``/``delete()`` raise ``ImmutableEntry``; ``bulk_create`` still works.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from phongtrao.audit.querysets import AuditEntryQuerySet, ImmutableEntry
from phongtrao.lib import vnformat

__all__ = ["ACTION_GROUPS", "ACTION_LABELS", "AuditEntry", "Change", "Channel", "ImmutableEntry"]

# Vietnamese labels of the actions named actions record, grouped by kind of object ("unit." ...);
# an action not listed is shown as written. Add a line here with each new named action.
ACTION_LABELS: dict[str, str] = {
    "unit.create": gettext_noop("Thêm đơn vị"),
    "unit.update": gettext_noop("Sửa đơn vị"),
    "unit.import": gettext_noop("Nhập đơn vị từ tệp"),
    "recognition.register": gettext_noop("Đăng ký xây dựng đạt chuẩn ANTT"),
    "recognition.self_assess": gettext_noop("Tự đánh giá"),
    "recognition.submit": gettext_noop("Đề nghị công nhận"),
    "recognition.start_review": gettext_noop("Bắt đầu thẩm định"),
    "recognition.decide": gettext_noop("Quyết định công nhận"),
    "recognition.withdraw": gettext_noop("Rút hồ sơ"),
    "recognition.import": gettext_noop("Nhập kết quả công nhận từ tệp"),
    "user.create": gettext_noop("Thêm người dùng"),
    "user.update": gettext_noop("Sửa người dùng"),
    "user.set_scopes": gettext_noop("Đặt phạm vi người dùng"),
    "user.grant_scope": gettext_noop("Cấp thêm phạm vi người dùng"),
    "user.deactivate": gettext_noop("Vô hiệu hoá tài khoản"),
    "user.reactivate": gettext_noop("Kích hoạt lại tài khoản"),
    "user.unlock": gettext_noop("Mở khoá đăng nhập"),
    "user.set_password": gettext_noop("Đặt lại mật khẩu"),
    "user.change_password": gettext_noop("Đổi mật khẩu"),
    "user.totp_start": gettext_noop("Bắt đầu bật xác thực hai bước"),
    "user.totp_confirm": gettext_noop("Bật xác thực hai bước"),
    "user.totp_remove": gettext_noop("Tắt xác thực hai bước"),
    "user.totp_reset": gettext_noop("Đặt lại xác thực hai bước"),
    "attachment.attach": gettext_noop("Đính kèm tệp"),
    "attachment.remove": gettext_noop("Gỡ tệp đính kèm"),
    "api_token.create": gettext_noop("Tạo khoá API"),
    "api_token.revoke": gettext_noop("Thu hồi khoá API"),
    "demo.load": gettext_noop("Nạp dữ liệu mẫu"),
}
# The action filter's groups: the prefix matches every action on that kind of object.
ACTION_GROUPS: dict[str, str] = {
    "unit.": gettext_noop("Đơn vị"),
    "recognition.": gettext_noop("Công nhận đạt chuẩn ANTT"),
    "user.": gettext_noop("Người dùng"),
    "attachment.": gettext_noop("Tệp đính kèm"),
    "api_token.": gettext_noop("Khoá API"),
    "demo.": gettext_noop("Dữ liệu mẫu"),
}


class Channel(models.TextChoices):
    WEB = "web", gettext_lazy("Giao diện web")
    API = "api", gettext_lazy("API")
    IMPORT = "import", gettext_lazy("Nhập tệp")
    COMMAND = "command", gettext_lazy("Dòng lệnh")
    SYSTEM = "system", gettext_lazy("Hệ thống")


class AuditEntry(models.Model):
    at = models.DateTimeField("Thời điểm", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             verbose_name="Người thực hiện")
    channel = models.CharField("Kênh", max_length=10, choices=Channel.choices)
    action = models.CharField("Thao tác", max_length=60)
    object_type = models.CharField("Loại đối tượng", max_length=60)
    object_id = models.CharField("Mã đối tượng", max_length=40)
    object_repr = models.CharField("Đối tượng", max_length=255, blank=True)
    # The unit the change belongs to, for subtree filtering (scoped audit pages).
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="Đơn vị")
    before = models.JSONField("Trước", null=True, blank=True)
    after = models.JSONField("Sau", null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "nhật ký"
        verbose_name_plural = "nhật ký"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableEntry("Không được sửa nhật ký thay đổi.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableEntry("Không được xoá nhật ký thay đổi.")

    @property
    def actor_label(self) -> str:
        """Who acted: the person's name (or username); "Hệ thống" for system changes without a person."""
        if self.user is not None:
            return self.user.get_full_name() or self.user.username
        return gettext("Hệ thống") if self.channel == Channel.SYSTEM else "—"

    @property
    def action_label(self) -> str:
        label = ACTION_LABELS.get(self.action)
        return gettext(label) if label else self.action

    @property
    def object_type_label(self) -> str:
        """The model's verbose name ("Đơn vị"), or the raw type for a model that no longer exists."""
        model = _model(self.object_type)
        return translated_name(model._meta.verbose_name) if model is not None else self.object_type

    def changed_keys(self) -> list[str]:
        """Keys whose values differ between before and after, in snapshot order.

        On a creation (no before) or a removal (no after), empty values (None, "", False) are left out.
        """
        before, after = _as_dict(self.before), _as_dict(self.after)
        one_sided = self.before is None or self.after is None
        keys: list[str] = []
        for key in dict.fromkeys([*before, *after]):
            old, new = before.get(key), after.get(key)
            if old == new:
                continue
            if one_sided and _is_blank(old) and _is_blank(new):
                continue
            keys.append(key)
        return keys

    def unit_references(self) -> set[int]:
        """Ids of units named by the changes (foreign keys such as ``parent_id``, scopes such as
        ``capture:12``, the units of nested rows), to be named in one query."""
        ids: set[int] = set()
        model = _model(self.object_type)
        for key in self.changed_keys():
            field = _field(model, key) or _relation(model, key)
            for value in (_as_dict(self.before).get(key), _as_dict(self.after).get(key)):
                ids |= _unit_ids(field, key, value)
        return ids

    def object_references(self) -> dict[type[models.Model], set[int]]:
        """Ids of the other objects (award types, proposals, people…) named by changed foreign keys."""
        found: dict[type[models.Model], set[int]] = {}
        model = _model(self.object_type)
        for key in self.changed_keys():
            field = _field(model, key)
            if field is None or not field.is_relation or field.related_model is _unit_model():
                continue
            for value in (_as_dict(self.before).get(key), _as_dict(self.after).get(key)):
                if isinstance(value, int) and not isinstance(value, bool):
                    found.setdefault(field.related_model, set()).add(value)
        return found

    def changes(self, unit_names: Mapping[int, str] | None = None,
                names: Mapping[tuple[type[models.Model], int], str] | None = None) -> list[Change]:
        """The compact diff: each changed key with its label and both values as display text in the active
        language; units by ``unit_names`` (those the reader may see), other objects by ``names``."""
        model = _model(self.object_type)
        before, after = _as_dict(self.before), _as_dict(self.after)
        result = []
        for key in self.changed_keys():
            field = _field(model, key)
            result.append(Change(
                key=key, label=key_label(model, key),
                before=display_value(field, before.get(key), unit_names, names, key=key, model=model),
                after=display_value(field, after.get(key), unit_names, names, key=key, model=model),
                created=self.before is None,
            ))
        return result


@dataclass(frozen=True)
class Change:
    """One changed field; on a creation (``created``) only the new value is worth showing."""

    key: str
    label: str
    before: str
    after: str
    created: bool = False

    def __str__(self) -> str:
        if self.created:
            return f"{self.label}: {self.after}"
        return f"{self.label}: {self.before} → {self.after}"


def _as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if value is None:
        return {}
    return {"": value}  # a bare value (not a snapshot of fields)


def _is_blank(value: Any) -> bool:
    return value is None or value is False or value in ("", [], {})


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _unit_model() -> type[models.Model]:
    return apps.get_model("units", "Unit")


def _field(model: type[models.Model] | None, key: str) -> Any:
    """The model field named ``key`` (its attname works too: ``parent_id``), or None."""
    if model is None or not key:
        return None
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None  # not a reverse relation


# Keys of snapshots that are not model fields, with their labels.
KEY_LABELS: dict[str, str] = {
    "scopes": gettext_noop("Phạm vi"),
    "recipients": gettext_noop("Người/tập thể được khen thưởng"),
    "cleared_attempts": gettext_noop("Số lần đăng nhập sai đã xoá"),
    "password_set": gettext_noop("Đã đặt mật khẩu"),
    "totp": gettext_noop("Xác thực hai bước"),
    "sites_retired": gettext_noop("Số điểm thanh loại"),
}
# Values of the "totp" key.
TOTP_LABELS: dict[str, str] = {"pending": gettext_noop("Đang chờ xác nhận"), "on": gettext_noop("Bật"),
                               "off": gettext_noop("Tắt")}
# Display functions of free-text fields holding codes ("units.unit.subtype": cong_ty_co_phan -> Công ty cổ
# phần), registered by the apps at ready().
VALUE_LABELS: dict[str, Callable[[str], str]] = {}
# Integer fields that are not quantities: shown without a thousands separator.
PLAIN_INTEGERS = frozenset({"year", "version", "order", "from_year", "to_year"})
SCOPE = re.compile(r"^(?P<kind>[a-z_]+):(?P<unit>\d+)$")


def key_label(model: type[models.Model] | None, key: str) -> str:
    """The label of a snapshot key in the active language: the field's verbose name, or a known key's label."""
    field = _field(model, key) or _relation(model, key)
    if field is not None and getattr(field, "verbose_name", None):
        return translated_name(field.verbose_name)
    if field is not None and hasattr(field, "related_model"):
        return translated_name(field.related_model._meta.verbose_name_plural)
    return gettext(KEY_LABELS[key]) if key in KEY_LABELS else key


def translated_name(name: Any) -> str:
    """A verbose name in the active language, capitalised ("đề nghị khen thưởng" is the msgid "Đề nghị khen
    thưởng" too)."""
    text = str(name)
    translated = gettext(text)
    if translated == text:
        translated = gettext(str(capfirst(text)))
    return str(capfirst(translated))


def _relation(model: type[models.Model] | None, key: str) -> Any:
    """A reverse relation named ``key`` (a snapshot's nested rows, e.g. a decision's ``recipients``)."""
    if model is None or not key:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _unit_ids(field: Any, key: str, value: Any) -> set[int]:
    ids: set[int] = set()
    if isinstance(value, list):
        for item in value:
            if isinstance(item, str) and (match := SCOPE.match(item)):
                ids.add(int(match["unit"]))
            elif isinstance(item, dict) and field is not None and hasattr(field, "related_model"):
                for sub_key, sub_value in item.items():
                    ids |= _unit_ids(_field(field.related_model, sub_key), sub_key, sub_value)
    elif field is not None and getattr(field, "is_relation", False) and field.related_model is _unit_model() \
            and isinstance(value, int) and not isinstance(value, bool):
        ids.add(value)
    return ids


def display_value(field: Any, value: Any, unit_names: Mapping[int, str] | None = None,
                  names: Mapping[tuple[type[models.Model], int], str] | None = None, *, key: str = "",
                  model: type[models.Model] | None = None) -> str:
    """A snapshot value as display text: — · Có/Không · 15/12/2023 · 1.234 · choice labels · names, never a raw
    code or id; lists of scopes and nested rows (a decision's recipients) one after another."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Có") if value else gettext("Không")
    if isinstance(value, list):
        relation = _relation(model, key)
        return "; ".join(_item_text(relation, item, unit_names, names) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{key_label(model, k)}: {display_value(_field(model, k), v, unit_names, names, key=k)}"
                         for k, v in value.items() if not _is_blank(v)) or "—"
    if field is None:
        if key == "totp" and value in TOTP_LABELS:
            return gettext(TOTP_LABELS[value])
        return vnformat.localized_number(value) if isinstance(value, int) else str(value)
    if field.is_relation:
        if field.related_model is _unit_model():
            return (unit_names or {}).get(value) or gettext("(đơn vị ngoài phạm vi xem)")
        return (names or {}).get((field.related_model, value)) or gettext("(không còn)")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if (labelled := VALUE_LABELS.get(f"{field.model._meta.label_lower}.{field.name}")) is not None:
        return labelled(str(value))
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return moment.strftime("%d/%m/%Y %H:%M")
    if isinstance(field, models.DateField) and isinstance(value, str):
        try:
            return vnformat.date_text(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if field.name in PLAIN_INTEGERS:
        return str(value)
    if isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)) and isinstance(
        value, (int, float, str)
    ):
        try:
            # A snapshot keeps decimals as text ("12.50"); text that is no number raises InvalidOperation.
            return vnformat.localized_number(Decimal(value) if isinstance(value, str) else value)
        except ArithmeticError:
            return str(value)
    return str(value)


def _item_text(relation: Any, item: Any, unit_names: Mapping[int, str] | None,
               names: Mapping[tuple[type[models.Model], int], str] | None) -> str:
    """One element of a listed value: a scope ("capture:12" -> Được nhập/sửa dữ liệu: Xã Anh Sơn) or a nested row."""
    if isinstance(item, str) and (match := SCOPE.match(item)):
        scope_kind = _field(apps.get_model("accounts", "UnitScope"), "kind")
        label = str(dict(scope_kind.flatchoices).get(match["kind"], match["kind"])) if scope_kind else match["kind"]
        unit = (unit_names or {}).get(int(match["unit"])) or gettext("(đơn vị ngoài phạm vi xem)")
        return f"{label}: {unit}"
    if isinstance(item, dict):
        related = getattr(relation, "related_model", None)
        return ", ".join(f"{key_label(related, k)}: {display_value(_field(related, k), v, unit_names, names, key=k)}"
                         for k, v in item.items() if not _is_blank(v))
    return display_value(None, item)
