"""The dossier of a unit's year (tờ trình, biên bản họp bình xét, bảng tự chấm điểm): files attached to
its ``Recognition`` through ``phongtrao.attachments``, visible to whoever sees the unit and added or
removed by whoever may enter the unit's yearly data (``can_capture``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse

from phongtrao.accounts.access import can_capture, visible_units
from phongtrao.attachments.policy import OwnerPolicy, register_owner
from phongtrao.recognition.models import Recognition

if TYPE_CHECKING:
    from phongtrao.accounts.access import AnyUser


def visible(user: AnyUser) -> QuerySet[Recognition]:
    return Recognition.objects.filter(unit_id__in=visible_units(user).values("pk"))


def can_attach(user: AnyUser, rec: Recognition) -> bool:
    return can_capture(user, rec.unit)


def register() -> None:
    register_owner(OwnerPolicy(
        key="antt", model=Recognition, visible=visible, can_attach=can_attach, unit_of=lambda rec: rec.unit,
        page_url=lambda rec: reverse("recognition:unit", args=[rec.unit.code, rec.year])))
