"""The shared form pieces: the dd/mm/yyyy date field and the rehearsal that lets a confirmation step
validate first."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms

from phongtrao.lib.forms import VnDateField, VnDateInput, date_field
from phongtrao.lib.rehearsal import rehearse
from phongtrao.lib.workflow import ActionError
from phongtrao.units.models import Kind, Unit


class DayForm(forms.Form):
    day = date_field("Ngày")


@pytest.mark.parametrize(("typed", "expected"), [
    ("15/12/2024", dt.date(2024, 12, 15)), ("1/2/2024", dt.date(2024, 2, 1)), (" 01/02/2024 ", dt.date(2024, 2, 1)),
    ("15-12-2024", dt.date(2024, 12, 15)), ("2024-12-15", dt.date(2024, 12, 15)),
])
def test_date_field_takes_vietnamese_and_iso_dates(typed: str, expected: dt.date) -> None:
    form = DayForm({"day": typed})
    assert form.is_valid() and form.cleaned_data["day"] == expected


@pytest.mark.parametrize("typed", ["12/15/2024", "31/02/2024", "15.12.24", "hôm nay", "2024/12/15"])
def test_date_field_refuses_other_forms_with_the_expected_form(typed: str) -> None:
    form = DayForm({"day": typed})
    assert not form.is_valid()
    assert form.errors["day"] == ["Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 15/12/2024."]


def test_date_input_renders_dd_mm_yyyy_as_text_with_a_hint() -> None:
    html = VnDateInput().render("day", dt.date(2025, 7, 1))
    assert 'type="text"' in html and 'value="01/07/2025"' in html
    assert 'placeholder="dd/mm/yyyy"' in html and "data-date-input" in html and 'inputmode="numeric"' in html
    assert isinstance(DayForm().fields["day"], VnDateField)


@pytest.mark.django_db
def test_rehearsal_keeps_nothing_and_returns_the_refusal() -> None:
    def create() -> Unit:
        return Unit.objects.create(code="R-1", name="Thử", kind=Kind.COUNTRY)

    assert rehearse(create, ActionError) is None
    assert not Unit.objects.filter(code="R-1").exists()

    def refused() -> None:
        create()
        raise ActionError({"valid_to": ["Sai ngày."]})

    error = rehearse(refused, ActionError)
    assert error is not None and error.errors == {"valid_to": ["Sai ngày."]}
    assert not Unit.objects.filter(code="R-1").exists()
