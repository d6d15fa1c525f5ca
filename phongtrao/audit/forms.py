"""The audit page's filter: ``?unit=T99&user=thu&start=01/12/2025&end=31/12/2025&action=unit.update&channel=web``.

A malformed parameter never breaks the page: it is reported on its field and that filter is
left out (a date, a channel), or it matches nothing (an unknown unit, user or action).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from phongtrao.accounts.access import visible_units
from phongtrao.audit.models import ACTION_GROUPS, ACTION_LABELS, Channel
from phongtrao.lib.forms import date_field

if TYPE_CHECKING:
    from phongtrao.accounts.access import AnyUser
    from phongtrao.audit.querysets import AuditEntryQuerySet
    from phongtrao.units.models import Unit

MAX_ID = 2**63 - 1


def action_choices() -> list[Any]:
    """All actions, then one group per kind of object: "every action on it" first, then each action."""
    choices: list[Any] = [("", gettext("Tất cả thao tác"))]
    for prefix, group in ACTION_GROUPS.items():
        actions = [(key, gettext(label)) for key, label in ACTION_LABELS.items() if key.startswith(prefix)]
        every = gettext("Mọi thao tác: %(group)s") % {"group": gettext(group)}
        choices.append((gettext(group), [(prefix, every), *actions]))
    return choices


class AuditFilterForm(forms.Form):
    unit = forms.CharField(label=gettext_lazy("Đơn vị (mã)"), required=False, max_length=40,
                           help_text=gettext_lazy("Đơn vị và mọi đơn vị trực thuộc."))
    unit_id = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    user = forms.CharField(label=gettext_lazy("Người thực hiện"), required=False, max_length=150,
                           help_text=gettext_lazy("Tên đăng nhập hoặc một phần họ tên."))
    start = date_field(gettext_lazy("Từ ngày"))
    end = date_field(gettext_lazy("Đến ngày"))
    action = forms.CharField(label=gettext_lazy("Thao tác"), required=False, max_length=60)
    channel = forms.ChoiceField(label=gettext_lazy("Kênh"), required=False,
                                choices=[("", gettext_lazy("Tất cả kênh")), *Channel.choices])
    object_type = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)
    object_id = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = user
        self.units: list[Unit] = []  # the units the "unit" filter resolved to (all visible to the viewer)
        self.fields["action"].widget = forms.Select(choices=action_choices())
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs["class"] = "form-control form-control-sm"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", gettext("Ngày kết thúc không được trước ngày bắt đầu."))
        return data

    def _chosen_units(self) -> list[Unit] | None:
        """None when no unit is asked for; else the visible units named by id or code (possibly none)."""
        if "unit" in self.errors or "unit_id" in self.errors:
            return []
        unit_id, code = self.cleaned_data.get("unit_id"), (self.cleaned_data.get("unit") or "").strip()
        if not unit_id and not code:
            return None
        visible = visible_units(self.viewer)
        chosen = visible.filter(pk=unit_id) if unit_id else visible.filter(code=code)
        # A code names a unit only with a date: every visible unit that held it counts (newest first).
        units = list(chosen.order_by("-valid_from", "pk")[:20])
        if not units:
            self.add_error("unit", gettext("Không có đơn vị mã “%(code)s” trong phạm vi bạn được xem.")
                           % {"code": code or unit_id})
        return units

    def apply(self, entries: AuditEntryQuerySet) -> AuditEntryQuerySet:
        """The entries matching every valid filter (``entries`` is already scoped to the viewer)."""
        self.is_valid()
        data = self.cleaned_data
        units = self._chosen_units()
        if units is not None:
            self.units = units
            entries = entries.in_subtree(u.pk for u in units) if units else entries.none()
        if data.get("user"):
            entries = entries.by_user(data["user"])
        if data.get("start") or data.get("end"):
            entries = entries.between(data.get("start"), data.get("end"))
        if data.get("action"):
            entries = entries.with_action(data["action"])
        if data.get("channel"):
            entries = entries.via(data["channel"])
        if data.get("object_type") and data.get("object_id"):
            entries = entries.for_object(data["object_type"], data["object_id"])
        return entries
