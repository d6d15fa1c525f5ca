"""Upload pages for every registered import kind: upload -> preview (dry run) -> confirm (real run)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from phongtrao.accounts.access import can_import
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import Channel
from phongtrao.imports import storage
from phongtrao.imports.forms import ConfirmForm, UploadForm
from phongtrao.imports.guide import column_guides, description
from phongtrao.imports.summary import run_upload, summarise
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
    name, data = form.read()
    actor = Actor(user=request.user, channel=Channel.IMPORT)  # type: ignore[arg-type]
    result = run_upload(spec, name, data, actor, dry_run=True)
    pending = storage.save(request.session, spec.key, name, data) if result.ok and (
        result.created or result.updated) else None
    return _render(request, spec, {"summary": summarise(spec, result), "pending": pending, "file_name": name})


@login_required
@require_POST
def confirm(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind, request.user)
    form = ConfirmForm(request.POST)
    found = storage.claim(request.session, spec.key, form.cleaned_data["token"]) if form.is_valid() else None
    if found is None:
        return _render(request, spec, {"expired": True})
    pending, data = found  # the stored file is gone now, whatever the outcome
    actor = Actor(user=request.user, channel=Channel.IMPORT)  # type: ignore[arg-type]
    # The database may have changed since the preview: the importer validates everything again.
    result = run_upload(spec, pending.name, data, actor, dry_run=False)
    return _render(request, spec, {"summary": summarise(spec, result), "applied": True,
                                   "file_name": pending.name})


@login_required
@require_GET
def template(request: HttpRequest, kind: str) -> HttpResponse:
    spec = _kind(kind, request.user)
    response = HttpResponse(build_template(spec), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="mau-{spec.key}.xlsx"'
    return response
