"""A form changed later does not rewrite earlier periods; a province adds its own elements and forms; the entry
page shows last period's value beside each field and warns about values unusual for the unit and its peers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.datasets.actions import (
    ActionError,
    ValueInput,
    do_add_dataset,
    do_add_dataset_version,
    do_add_element,
    do_save_values,
)
from phongtrao.datasets.models import CategoryCombo, DataElement, DataSet, DataValue, OptionCombo
from phongtrao.lib.periods import Period
from phongtrao.units.models import Unit

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system()
YEAR = timezone.localdate().year


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, Period.year_of(YEAR).end).get()


def save(code: str, dataset: str, year: int, element_code: str, value: int) -> None:
    element = DataElement.objects.get(code=element_code)
    do_save_values(SYSTEM, unit(code), DataSet.objects.get(code=dataset), Period.year_of(year),
                   [ValueInput(element, OptionCombo.objects.get(combo=element.combo), Decimal(value))])


def test_a_new_form_version_leaves_earlier_periods_and_their_values_alone(example_units: None) -> None:
    dataset = DataSet.objects.get(code="kdc_nam")
    save("KDC-T99001-03", "kdc_nam", YEAR - 1, "to_tu_quan", 3)
    old = [e.code for e in dataset.version_for(Period.year_of(YEAR - 1)).ordered_elements()]
    kept = [("Kết quả", DataElement.objects.get(code=c)) for c in ("tin_bao", "hoa_giai_thanh")]
    do_add_dataset_version(SYSTEM, dataset, effective_from=dt.date(YEAR, 1, 1), elements=kept)
    assert [e.code for e in dataset.version_for(Period.year_of(YEAR - 1)).ordered_elements()] == old
    assert [e.code for e in dataset.version_for(Period.year_of(YEAR)).ordered_elements()] == [
        "tin_bao", "hoa_giai_thanh"]
    assert DataValue.objects.get(element__code="to_tu_quan").value == 3  # the old period's value stays
    save("KDC-T99001-03", "kdc_nam", YEAR - 1, "to_tu_quan", 4)  # and the old form still takes it
    with pytest.raises(ActionError, match="không có trong biểu"):  # the new form has no such element
        save("KDC-T99001-03", "kdc_nam", YEAR, "to_tu_quan", 1)
    with pytest.raises(ActionError, match="phải áp dụng sau"):
        do_add_dataset_version(SYSTEM, dataset, effective_from=dt.date(YEAR - 1, 6, 1), elements=kept)


def test_a_province_adds_its_own_element_and_form(example_units: None, make_user: Any) -> None:
    province = unit("T99")
    officer = make_user("tinh-t99", Role.PROVINCE_OFFICER, province)
    commune_officer = make_user("xa-t99001", Role.COMMUNE_OFFICER, unit("T99001"))
    combo = CategoryCombo.objects.get(code="default")
    with pytest.raises(ActionError):
        do_add_element(Actor(user=commune_officer), code="t99_zalo", name="Số nhóm Zalo an ninh", value_type="count",
                       kinds=["commune"], combo=combo, province=province)
    element = do_add_element(Actor(user=officer), code="t99_zalo", name="Số nhóm Zalo an ninh", value_type="count",
                             kinds=["commune"], combo=combo, province=province)
    dataset = do_add_dataset(Actor(user=officer), code="t99_xa_nam", name="Biểu bổ sung của tỉnh T99",
                             period_type="year", kinds=["commune"], source="Kế hoạch của UBND tỉnh T99",
                             province=province, elements=[("", element)], effective_from=dt.date(2025, 1, 1))
    assert dataset.applies_to(unit("T99001")) and not dataset.applies_to(Unit.objects.filter(
        kind="commune", parent__code="48").first())
    assert AuditEntry.objects.filter(action__in=("dataelement.create", "dataset.create")).count() == 2
    save("T99001", "t99_xa_nam", YEAR, "t99_zalo", 6)
    assert DataValue.objects.get(element=element).value == 6


def test_entry_shows_last_periods_value_and_warns_about_unusual_values(example_units: None, make_user: Any) -> None:
    officer = make_user("xa-t99001", Role.COMMUNE_OFFICER, unit("T99001"))
    for code, value in (("KDC-T99001-02", 2), ("KDC-T99001-04", 3), ("KDC-T99001-05", 2)):
        save(code, "kdc_nam", YEAR, "tin_bao", value)
    save("KDC-T99001-03", "kdc_nam", YEAR - 1, "tin_bao", 3)
    save("KDC-T99001-03", "kdc_nam", YEAR, "tin_bao", 60)
    client = Client()
    client.force_login(officer)
    text = client.get(reverse("datasets:entry", args=[unit("KDC-T99001-03").pk, "kdc_nam", YEAR])).content.decode()
    row = text[text.index('id="row-tin_bao"'):]
    row = row[:row.index("</tr>")]
    # mean 2.5 of the four values (own 3 last year, peers 2, 3, 2), sd 0.5: usually 1–4 (rounded outwards)
    assert "Kỳ trước: 3" in row and "Khác thường: thường từ 1–4" in row
    usual = client.get(reverse("datasets:entry", args=[unit("KDC-T99001-02").pk, "kdc_nam", YEAR])).content.decode()
    usual_row = usual[usual.index('id="row-tin_bao"'):]
    assert "Khác thường" not in usual_row[:usual_row.index("</tr>")]
