"""Form pieces every app uses: the form base class with Bootstrap classes, and the one date input of the project.

A browser's ``<input type="date">`` shows the date in the browser's own format
(mm/dd/yyyy in an English Chromium), so every date input and filter is a text input
showing and accepting dd/mm/yyyy, helped by a small mask (``core/static/core/js/forms.js``)
and parsed on the server. ISO dates (links, the API, older bookmarks) are accepted too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from phongtrao.lib.workflow import ActionError

# The Vietnamese 15/12/2023 first (also 15-12-2023), then ISO 2023-12-15.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]
DATE_DISPLAY_FORMAT = "%d/%m/%Y"
# A format hint, never a date: it cannot be mistaken for an entered value.
DATE_PLACEHOLDER = "dd/mm/yyyy"


class VnDateInput(forms.DateInput):
    """A text input showing dd/mm/yyyy in every browser; ``data-date-input`` turns the mask on."""

    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        defaults = {"placeholder": DATE_PLACEHOLDER, "inputmode": "numeric", "autocomplete": "off",
                    "maxlength": "10", "data-date-input": "", "class": "date-input"}
        super().__init__({**defaults, **(attrs or {})}, format=DATE_DISPLAY_FORMAT)


class VnDateField(forms.DateField):
    """A date typed as dd/mm/yyyy (or ISO), with a Vietnamese message that shows the expected form."""

    widget = VnDateInput
    input_formats = DATE_INPUT_FORMATS
    default_error_messages = {
        "invalid": gettext_lazy("Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 15/12/2024."),
    }


def date_field(label: Any, *, required: bool = False, help_text: Any = "") -> VnDateField:
    return VnDateField(label=label, required=required, help_text=help_text)


class BootstrapForm(forms.Form):
    """Bootstrap classes on widgets, ``is-invalid`` on fields with errors, action errors on their fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:  # set by add_error (no validation is triggered)
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

    def add_action_error(self, exc: ActionError) -> None:
        """Each message of a refused action on its field (``parent_id`` on ``parent``), others on the form."""
        for key, messages in exc.errors.items():
            name = "parent" if key == "parent_id" else key
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
