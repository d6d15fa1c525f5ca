"""Upload, download and removal of a record's files. Records come through the owner's policy
(``pages``): out of view scope 404, visible but not changeable 403; writes are the named actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongtrao.attachments import pages
from phongtrao.attachments.actions import do_attach, do_remove_attachment, owner_of
from phongtrao.attachments.forms import AttachForm
from phongtrao.attachments.models import attachment_storage
from phongtrao.attachments.policy import policy_for
from phongtrao.audit.actions import Actor
from phongtrao.lib.workflow import ActionError

DENIED = "Bạn không có quyền đính kèm hay gỡ tệp của hồ sơ này."


@require_POST
@login_required
def upload(request: HttpRequest, key: str, object_id: str) -> HttpResponse:
    """Attach one file to a record, then back to the record's page (its errors as a message there)."""
    policy, owner = pages.owner_for_user(request.user, key, int(object_id))
    if not policy.can_attach(request.user, owner):
        raise PermissionDenied(gettext(DENIED))
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            done = do_attach(Actor.of_request(request), owner, form.cleaned_data["file"],
                             kind=form.cleaned_data["kind"])
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã đính kèm “%(name)s”.") % {"name": done.original_name})
            return redirect(f"{policy.page_url(owner)}#attachments")
    for error in [e for errors in form.errors.values() for e in errors]:
        messages.error(request, gettext("Chưa đính kèm được tệp: %(error)s") % {"error": error})
    return redirect(f"{policy.page_url(owner)}#attachments")


@require_GET
@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    """The file's bytes as a download under its original name; never rendered by the browser."""
    attachment = pages.attachment_for_user(request.user, pk)
    try:
        handle = attachment_storage().open(attachment.stored_name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404(gettext("Không tìm thấy nội dung của tệp.")) from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then remove one file from its record."""
    attachment = pages.attachment_for_user(request.user, pk)
    owner = owner_of(attachment)
    if owner is None:
        raise Http404
    policy = policy_for(owner)
    if not policy.can_attach(request.user, owner):
        raise PermissionDenied(gettext(DENIED))
    back = f"{policy.page_url(owner)}#attachments"
    if request.method == "POST" and request.POST.get("confirm") == "1":
        try:
            do_remove_attachment(Actor.of_request(request), attachment.pk)
        except ActionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, gettext("Đã gỡ tệp “%(name)s”.") % {"name": attachment.original_name})
        return redirect(back)
    return render(request, "attachments/remove.html", {"attachment": attachment, "back": back})
