from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Tên gợi nhớ"), max_length=100,
        help_text=gettext_lazy("Để nhận ra khoá sau này, ví dụ “Đồng bộ phần mềm tỉnh”."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
