"""The forms of the report record's page: one officer's slot, and the issue of the report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from phongtrao.lib.forms import BootstrapForm, date_field
from phongtrao.reports.actions import MAX_SLOT_CHARS


class SlotForm(BootstrapForm):
    text = forms.CharField(label=gettext_lazy("Nội dung"), required=False, max_length=MAX_SLOT_CHARS,
                           widget=forms.Textarea(attrs={"rows": 6}))
    number = forms.IntegerField(min_value=0, max_value=1_000_000, widget=forms.HiddenInput)


class IssueForm(BootstrapForm):
    number = forms.CharField(label=gettext_lazy("Số báo cáo"), max_length=40,
                             help_text=gettext_lazy("Ví dụ: 125/BC-UBND"))
    issued_on = date_field(gettext_lazy("Ngày ban hành"), required=True)
    signer_lines = forms.CharField(label=gettext_lazy("Chức danh người ký (mỗi dòng một dòng của khối chữ ký)"),
                                   max_length=400, widget=forms.Textarea(attrs={"rows": 3}))
    signer_name = forms.CharField(label=gettext_lazy("Người ký"), max_length=120)
    version = forms.IntegerField(min_value=0, max_value=10_000_000, widget=forms.HiddenInput)

    def __init__(self, *args: Any, signer_lines: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issued_on"].initial = timezone.localdate()
        self.fields["signer_lines"].initial = "\n".join(signer_lines or [])

    def lines(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["signer_lines"].splitlines() if line.strip()]
