"""Upload pages for every registered import kind: upload -> preview (dry run) -> confirm (real run)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongtrao.accounts.access import can_import
from phongtrao.accounts.models import User
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import Channel
from phongtrao.imports import storage
from phongtrao.imports.forms import ConfirmForm, UploadForm
from phongtrao.imports.guide import column_guides, description
from phongtrao.imports.models import ImportJob
from phongtrao.imports.summary import run_upload, summarise
from phongtrao.imports.tasks import start_job
from phongtrao.imports.workbook import build_template
from phongtrao.lib.importing import IMPORT_KINDS, ImportKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _kind(key: str, user: Any = None) -> ImportKind:
    spec = IMPORT_KINDS.get(key)
    if spec is None:
        raise Http404(_("Không có loại dữ liệu nhập “%(key)s”.") % {"key": key})
    if user is not None and not can_import(user, key):
        raise PermissionDenied(_("Tài khoản này không có quyền nhập loại dữ liệu này."))
    return spec


def _signed_in(request: HttpRequest) -> User:
    """The user of a ``login_required`` view."""
    user = request.user
    if not isinstance(user, User):  # not signed in (never behind login_required)
        raise PermissionDenied
    return user


def _render(request: HttpRequest, spec: ImportKind, context: dict[str, Any]) -> HttpResponse:
    """The result panel alone for htmx, else the whole page around it."""
    context = {"spec": spec, "form": UploadForm(), **context}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "imports/_result.html", context)
    context["columns"] = column_guides(spec)
    return render(request, "imports/upload.html", context)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    kinds = [
        {"spec": spec, "description": description(spec), "required": [c.label for c in spec.columns if c.required]}
        for spec in IMPORT_KINDS.values()
        if can_import(request.user, spec.key)
    ]
    return render(request, "imports/index.html", {"kinds": kinds})


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind, request.user)
    if request.method != "POST":
        return _render(request, spec, {})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, spec, {"form": form, "form_errors": form.errors.get("file", [])})
    upload = form.upload()
    name = upload.name or ""
    if (upload.size or 0) > background_bytes():
        # A large file is checked by the task worker; the page polls the job (never minutes in a web worker).
        stored = storage.save(request.session, spec.key, name, upload)
        job = start_job(_signed_in(request), spec.key, stored.name, stored.token, dry_run=True)
        return _render(request, spec, {"job": job, "file_name": name})
    actor = Actor.of_request(request, Channel.IMPORT)
    result = run_upload(spec, name, upload, actor, dry_run=True)
    pending = storage.save(request.session, spec.key, name, upload) if result.ok and (
        result.created or result.updated) else None
    return _render(request, spec, {"summary": summarise(spec, result), "pending": pending, "file_name": name})


@login_required
@require_POST
def confirm(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind, request.user)
    form = ConfirmForm(request.POST)
    token = form.cleaned_data["token"] if form.is_valid() else ""
    waiting = storage.pending_upload(request.session, spec.key, token) if token else None
    if waiting is not None and waiting.size > background_bytes():
        claimed = storage.claim_file(request.session, spec.key, token)
        if claimed is None:
            return _render(request, spec, {"expired": True})
        job = start_job(_signed_in(request), spec.key, claimed.name, claimed.token, dry_run=False)
        return _render(request, spec, {"job": job, "file_name": claimed.name})
    found = storage.claim(request.session, spec.key, token) if token else None
    if found is None:
        return _render(request, spec, {"expired": True})
    pending, data = found  # the stored file is gone now, whatever the outcome
    actor = Actor.of_request(request, Channel.IMPORT)
    # The database may have changed since the preview: the importer validates everything again.
    result = run_upload(spec, pending.name, data, actor, dry_run=False)
    return _render(request, spec, {"summary": summarise(spec, result), "applied": True,
                                   "file_name": pending.name})


@login_required
@require_GET
def job(request: HttpRequest, kind: str, job_id: uuid.UUID) -> HttpResponse:
    """A background check or import: its progress while it runs (htmx polls), then its result."""
    spec = _kind(kind, request.user)
    found = ImportJob.objects.filter(pk=job_id, user=_signed_in(request), kind=spec.key).first()
    if found is None:  # another user's job reads like no job at all
        raise Http404(_("Không tìm thấy tác vụ nhập dữ liệu."))
    if not found.finished:
        return _render(request, spec, {"job": found, "file_name": found.file_name})
    result = found.import_result()
    pending = storage.pending_upload(request.session, spec.key, found.token) if found.dry_run and result.ok and (
        result.created or result.updated) else None
    return _render(request, spec, {"summary": summarise(spec, result), "pending": pending,
                                   "applied": not found.dry_run, "file_name": found.file_name})


def background_bytes() -> int:
    """Uploads larger than this are checked and imported by the task worker (settings: IMPORT_BACKGROUND_BYTES)."""
    # ``settings.PHONGTRAO`` is inferred as ``dict[str, object]``; this entry is a number of bytes.
    return int(cast(int, settings.PHONGTRAO.get("IMPORT_BACKGROUND_BYTES", 256 * 1024)))


@login_required
@require_GET
def template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind, request.user)
    response = HttpResponse(build_template(spec), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="mau-{spec.key}.xlsx"'
    return response
