"""The upload form of a record's files. It parses input; the checks and the write are ``do_attach``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from phongtrao.attachments.files import ACCEPT
from phongtrao.attachments.models import AttachmentKind
from phongtrao.lib.forms import BootstrapForm


class AttachForm(BootstrapForm):
    kind = forms.ChoiceField(label=_("Loại tài liệu"), choices=AttachmentKind.choices,
                             error_messages={"required": _("Chọn loại tài liệu."),
                                             "invalid_choice": _("Chọn loại tài liệu.")})
    file = forms.FileField(label=_("Tệp (PDF, ảnh PNG/JPEG, Word .docx)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
                           error_messages={"required": _("Chọn tệp cần đính kèm."),
                                           "empty": _("Tệp rỗng."),
                                           "invalid": _("Không đọc được tệp gửi lên.")})
