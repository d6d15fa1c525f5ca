"""Award proposals sent to the unit the user decides for: ``to_unit`` is one of the user's scope units and
the user may record decisions there (``decisions.record``, as ``awards.actions`` checks before approving or
returning). A province approver may also decide a proposal sent to a commune, but it waits for the commune's
chairman, so it is not counted for the province (an administrator counts every one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from phongtrao.accounts import access
from phongtrao.awards.models import AwardProposal, ProposalStatus
from phongtrao.dashboard.todo import TodoRow

GROUP = gettext_lazy("Khen thưởng")


def waiting(user: Any) -> QuerySet[AwardProposal]:
    deciding = access.units_where(user, "decisions.record")
    if not access.is_admin(user):
        deciding = deciding.filter(pk__in=access.scope_roots(user).values("pk"))
    return AwardProposal.objects.filter(status=ProposalStatus.SUBMITTED, to_unit__in=deciding.values("pk"))


def rows(user: Any, today: dt.date) -> list[TodoRow]:
    if not access.holds(user, "decisions.record"):
        return []
    url = reverse("awards:proposal_list") + "?" + urlencode({"status": ProposalStatus.SUBMITTED})
    return [TodoRow("awards.approve", gettext_lazy("Đề nghị khen thưởng chờ duyệt"), waiting(user).count(), url,
                    GROUP)]
