"""A plan's files (the issuing decision, the plan itself) through ``phongtrao.attachments``: visible to whoever
sees the plan's unit, added or removed by whoever may edit the plan (``plans.edit`` on its unit)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.urls import reverse

from phongtrao.accounts.access import may, visible_units
from phongtrao.attachments.policy import OwnerPolicy, register_owner
from phongtrao.plans.models import Plan

if TYPE_CHECKING:
    from phongtrao.accounts.access import AnyUser


def visible_plans(user: AnyUser) -> QuerySet[Plan]:
    return Plan.objects.filter(unit_id__in=visible_units(user).values("pk"))


def can_attach(user: AnyUser, plan: Plan) -> bool:
    return may(user, "plans.edit", plan.unit)


def register() -> None:
    register_owner(OwnerPolicy(
        key="ke-hoach", model=Plan, visible=visible_plans, can_attach=can_attach, unit_of=lambda plan: plan.unit,
        page_url=lambda plan: reverse("plans:detail", args=[plan.pk])))
