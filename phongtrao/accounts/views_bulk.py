"""Commune officers' accounts in bulk (``/nguoi-dung/tao-hang-loat/``): upload the sheet, get back the
one-time passwords once (on the page or as .xlsx). Managers only; rows are checked against the
manager's scope by ``do_create_commune_officers``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET

from phongtrao.accounts import bulk
from phongtrao.accounts.actions import do_create_commune_officers
from phongtrao.accounts.views_users import manager_required
from phongtrao.audit.actions import Actor
from phongtrao.lib.forms import BootstrapForm
from phongtrao.lib.importing import RowError
from phongtrao.lib.workflow import ActionError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BulkAccountsForm(BootstrapForm):
    file = forms.FileField(label=gettext_lazy("Tệp danh sách (.xlsx hoặc .csv)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
                           error_messages={"required": gettext_lazy("Chọn tệp danh sách."),
                                           "empty": gettext_lazy("Tệp rỗng.")})
    output = forms.ChoiceField(label=gettext_lazy("Nhận mật khẩu tạm"), widget=forms.RadioSelect, initial="xlsx",
                               choices=[("xlsx", gettext_lazy("Tải tệp Excel ngay")),
                                        ("page", gettext_lazy("Hiện một lần trên trang"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["output"].widget.attrs["class"] = "form-check-input"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@manager_required
def bulk_create(request: HttpRequest) -> HttpResponse:
    form = BulkAccountsForm(request.POST or None, request.FILES or None)
    errors: list[RowError] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        rows, errors = bulk.read_sheet(upload.name or "", upload.read())
        if not errors:
            try:
                created = do_create_commune_officers(Actor(user=request.user, channel="web"), rows)  # type: ignore[arg-type]
            except ActionError as exc:
                errors = [RowError(int(key.split(":")[0]) if key.split(":")[0].isdigit() else 0,
                                   key.partition(":")[2], message)
                          for key, ms in exc.errors.items() for message in ms]
            else:
                if form.cleaned_data["output"] == "xlsx":
                    response = HttpResponse(bulk.passwords_workbook(created), content_type=XLSX)
                    response["Content-Disposition"] = 'attachment; filename="tai-khoan-can-bo-xa.xlsx"'
                    return _no_store(response)
                messages.success(request, gettext("Đã tạo %(n)s tài khoản cán bộ xã.") % {"n": len(created)})
                return _no_store(render(request, "accounts/users/bulk_done.html", {"created": created}))
    context = {"form": form, "errors": sorted(errors, key=lambda e: (e.row, e.column)),
               "labels": bulk.COLUMN_LABELS, "columns": bulk.COLUMNS}
    return render(request, "accounts/users/bulk.html", context)


@manager_required
@require_GET
def bulk_template(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(bulk.template_workbook(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-tai-khoan-can-bo-xa.xlsx"'
    return response
