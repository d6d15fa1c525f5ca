from __future__ import annotations

from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from phongtrao.imports.storage import TOKEN_RE

ALLOWED_SUFFIXES = (".csv", ".xlsx")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Tệp dữ liệu"),
        help_text=_("CSV (UTF-8) hoặc Excel .xlsx, tối đa 20 MB. Dòng 1 là dòng tiêu đề."),
        max_length=255,
        error_messages={
            "required": _("Hãy chọn một tệp để tải lên."),
            "empty": _("Tệp tải lên rỗng."),
            "invalid": _("Không nhận được tệp; hãy chọn lại tệp."),
            "max_length": _("Tên tệp quá dài (tối đa %(max)d ký tự)."),
        },
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx", "class": "form-control"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        suffix = Path(upload.name or "").suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            raise forms.ValidationError(
                _("Chỉ nhận tệp .csv hoặc .xlsx; tệp “%(name)s” không phải."), params={"name": upload.name})
        size = upload.size or 0
        if size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("Tệp quá lớn (%(size)s); tối đa 20 MB. Hãy chia thành nhiều tệp nhỏ hơn."),
                params={"size": filesizeformat(size)})
        return upload

    def read(self) -> tuple[str, bytes]:
        upload: UploadedFile = self.cleaned_data["file"]
        return upload.name or "", b"".join(upload.chunks())

    def upload(self) -> UploadedFile:
        """The uploaded file itself (a stream; Django keeps a large one in a temporary file on disk)."""
        upload: UploadedFile = self.cleaned_data["file"]
        upload.seek(0)
        return upload


class ConfirmForm(forms.Form):
    token = forms.RegexField(regex=TOKEN_RE, max_length=32, widget=forms.HiddenInput)
