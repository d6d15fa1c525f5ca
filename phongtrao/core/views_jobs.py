"""The page of a background document (``core.jobs``): its progress while it runs (htmx polls), then its link."""

from __future__ import annotations

import re
import unicodedata
import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from phongtrao.accounts.access import can_view
from phongtrao.core.models import FileJob, JobStatus


def attachment(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A download with an ASCII file name (Vietnamese letters without their marks, "đ" as "d")."""
    response = HttpResponse(content, content_type=content_type)
    plain = unicodedata.normalize("NFKD", filename.replace("Đ", "D").replace("đ", "d"))
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", plain.encode("ascii", "ignore").decode()).strip("-") or "tai-lieu"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response


def _job(request: HttpRequest, job_id: uuid.UUID) -> FileJob:
    """The user's own job on a unit still in their view scope; another user's job reads like no job at all."""
    user = request.user
    found = (FileJob.objects.defer("content").select_related("unit").filter(pk=job_id, user_id=user.pk).first()
             if user.pk is not None else None)
    if found is None or not can_view(user, found.unit):
        raise Http404(gettext("Không tìm thấy tác vụ tạo tài liệu."))
    return found


@login_required
@require_GET
def job(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    found = _job(request, job_id)
    template = "core/_job.html" if request.htmx else "core/job.html"  # type: ignore[attr-defined]
    return render(request, template, {"job": found})


@login_required
@require_GET
def download(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    found = _job(request, job_id)
    if found.status != JobStatus.DONE:
        raise Http404(gettext("Tài liệu chưa được tạo xong."))
    content = FileJob.objects.filter(pk=found.pk).values_list("content", flat=True).get()
    return attachment(bytes(content or b""), found.content_type, found.file_name)
