"""The audit pages: the filterable list, its Excel export, and one object's history (an htmx tab).

Every read goes through ``AuditEntry.objects.visible_to(user)``. There is deliberately no
view that changes or deletes an entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import batched
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET

from phongtrao.accounts.access import visible_units
from phongtrao.audit.forms import AuditFilterForm
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.xlsx import ListSheet

if TYPE_CHECKING:
    from django.db.models import Model

    from phongtrao.accounts.access import AnyUser
    from phongtrao.audit.querysets import AuditEntryQuerySet

PER_PAGE = 50
HISTORY_LIMIT = 50
EXPORT_LIMIT = 100_000
EXPORT_BATCH = 2000


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, AuditEntryQuerySet]:
    form = AuditFilterForm(request.GET, user=request.user)
    entries = form.apply(AuditEntry.objects.visible_to(request.user))
    return form, entries.select_related("user", "unit").newest_first()


def with_changes(entries: Iterable[AuditEntry], user: AnyUser) -> list[AuditEntry]:
    """Set ``change_list`` (the compact diff) on each entry; units named in it are read in one query (only those
    the user may see), other named objects in one query per model."""
    entries = list(entries)
    ids = set().union(*(entry.unit_references() for entry in entries))
    unit_names = dict(visible_units(user).filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    wanted: dict[type[Model], set[int]] = {}
    for entry in entries:
        for model, pks in entry.object_references().items():
            wanted.setdefault(model, set()).update(pks)
    names = {(model, obj.pk): str(obj) for model, pks in wanted.items()
             for obj in model._default_manager.filter(pk__in=pks)}
    for entry in entries:
        entry.change_list = entry.changes(unit_names, names)  # type: ignore[attr-defined]
    return entries


@require_GET
@login_required
def entry_list(request: HttpRequest) -> HttpResponse:
    """Who changed what, newest first, filtered by unit subtree, user, dates, action and channel."""
    form, entries = _filtered(request)
    page = Paginator(entries, PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = with_changes(page.object_list, request.user)
    return render(request, "audit/list.html", {"form": form, "page": page})


@require_GET
@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The filtered list as an Excel workbook (at most ``EXPORT_LIMIT`` rows, newest first)."""
    _form, entries = _filtered(request)
    rows = entries[:EXPORT_LIMIT].iterator(chunk_size=EXPORT_BATCH)
    content = _workbook(entry for chunk in batched(rows, EXPORT_BATCH)
                        for entry in with_changes(chunk, request.user))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-{stamp}.xlsx"'
    return response


@require_GET
@login_required
def history(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    """One object's entries: the partial for its history tab (htmx), or a page. 404 when none is visible."""
    found = list(AuditEntry.objects.visible_to(request.user).for_object(object_type, object_id)
                 .select_related("user", "unit").newest_first()[:HISTORY_LIMIT + 1])
    if not found and not request.htmx:  # type: ignore[attr-defined]
        raise Http404(gettext("Không có thay đổi nào bạn được xem."))
    context = {
        "entries": with_changes(found[:HISTORY_LIMIT], request.user),
        "has_more": len(found) > HISTORY_LIMIT,
        "object_type": object_type, "object_id": object_id,
        "object_repr": found[0].object_repr if found else "",
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "audit/_history.html", context, status=200 if found else 404)
    return render(request, "audit/history.html", context)


HEADERS = tuple(gettext_noop(title) for title in (
    "Thời điểm", "Người thực hiện", "Tên đăng nhập", "Kênh", "Thao tác", "Loại đối tượng",
    "Mã đối tượng", "Đối tượng", "Mã đơn vị", "Đơn vị", "Thay đổi",
))


def _workbook(entries: Iterator[AuditEntry]) -> bytes:
    sheet = ListSheet(gettext("Nhật ký"), [gettext(h) for h in HEADERS],
                      widths=(17, 24, 16, 14, 20, 14, 12, 32, 14, 28, 60))
    text = sheet.text
    for entry in entries:
        changes = "\n".join(str(change) for change in entry.change_list)  # type: ignore[attr-defined]
        sheet.append([
            sheet.moment(timezone.localtime(entry.at).replace(tzinfo=None)), text(entry.actor_label),
            text(entry.user.username if entry.user else ""), text(entry.get_channel_display()),
            text(entry.action_label), text(entry.object_type_label), text(entry.object_id), text(entry.object_repr),
            text(entry.unit.code if entry.unit else ""), text(entry.unit.name if entry.unit else ""),
            text(changes, wrap=True),
        ])
    return sheet.to_bytes()
