"""A province's (or any unit's) "what changed on this date": the successions into or out of its subtree, with
search, filter by kind and date, paging and Excel export, like the other lists."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from phongtrao.accounts.access import get_unit_for_user, visible_units
from phongtrao.lib.forms import BootstrapForm, date_field
from phongtrao.lib.xlsx import ListSheet
from phongtrao.units.models import Succession, SuccessionKind, UnitAncestor

PER_PAGE = 50
EXPORT_LIMIT = 50_000
HEADERS = tuple(gettext_noop(title) for title in (
    "Ngày hiệu lực", "Hình thức", "Đơn vị cũ", "Mã đơn vị cũ", "Đơn vị mới", "Mã đơn vị mới", "Tỷ trọng"))


class ChangesForm(BootstrapForm):
    q = forms.CharField(label=gettext_lazy("Tìm theo tên hoặc mã"), required=False, max_length=100)
    on = date_field(gettext_lazy("Ngày hiệu lực"))
    kind = forms.ChoiceField(label=gettext_lazy("Hình thức"), required=False,
                             choices=[("", gettext_lazy("Tất cả")), *SuccessionKind.choices])


def changes_in(request: HttpRequest, pk: int) -> tuple[Any, ChangesForm, QuerySet[Succession]]:
    unit = get_unit_for_user(request, pk)
    form = ChangesForm(request.GET)
    subtree = UnitAncestor.objects.filter(ancestor_id=unit.pk).values("unit_id")
    visible = visible_units(request.user).values("pk")
    rows = (Succession.objects.filter(Q(successor_id__in=subtree) | Q(predecessor_id__in=subtree))
            .filter(predecessor_id__in=visible, successor_id__in=visible)
            .select_related("predecessor", "successor"))
    if form.is_valid():
        if form.cleaned_data["on"]:
            rows = rows.filter(effective_on=form.cleaned_data["on"])
        if form.cleaned_data["kind"]:
            rows = rows.filter(kind=form.cleaned_data["kind"])
        if q := form.cleaned_data["q"].strip():
            found = visible_units(request.user).search(q).values("pk")
            rows = rows.filter(Q(predecessor_id__in=found) | Q(successor_id__in=found))
    return unit, form, rows.order_by("-effective_on", "successor__sort_key", "predecessor__sort_key", "pk")


@login_required
def changes(request: HttpRequest, pk: int) -> HttpResponse:
    """The list (a read: any method reads it; out of view scope, 404 before anything else)."""
    unit, form, rows = changes_in(request, pk)
    if request.GET.get("export"):
        return _export(unit, rows)
    dates = (Succession.objects.filter(pk__in=rows.values("pk")).values_list("effective_on", flat=True)
             .distinct().order_by("-effective_on")[:20])
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "units/changes.html", {"unit": unit, "form": form, "page": page, "dates": list(dates)})


def _export(unit: Any, rows: QuerySet[Succession]) -> HttpResponse:
    sheet = ListSheet(gettext("Thay đổi đơn vị"), [gettext(h) for h in HEADERS], widths=(14, 18, 32, 14, 32, 14, 10))
    text, day = sheet.text, sheet.day
    for s in rows[:EXPORT_LIMIT]:
        sheet.append([day(s.effective_on), text(s.get_kind_display()), text(s.predecessor.name),
                      text(s.predecessor.code), text(s.successor.name), text(s.successor.code),
                      float(s.weight) if s.weight is not None else None])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(sheet.to_bytes(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="thay-doi-{unit.code}-{stamp}.xlsx"'
    return response
