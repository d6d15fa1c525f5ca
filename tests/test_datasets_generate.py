"""``phongtrao generate`` adds a year of values through the data sets app's hook: every commune and generated
residential area of the province, deterministic, and the activities section reads them."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from phongtrao.datasets.figures import build_activities_section
from phongtrao.datasets.models import DataSetReport, DataValue
from phongtrao.units.models import Kind, Unit

pytestmark = pytest.mark.django_db


def _generate(seed: int = 1) -> str:
    out = io.StringIO()
    call_command("generate", "--scale", "province", "--province", "11", "--years", "1", "--end-year", "2025",
                 "--seed", str(seed), stdout=out)
    return out.getvalue()


def _fingerprint() -> list[tuple[Any, ...]]:
    return list(DataValue.objects.order_by("unit__code", "element__code", "option_combo__code")
                .values_list("unit__code", "element__code", "option_combo__code", "value"))


def test_a_year_of_values_for_every_commune_and_area(official_register: None) -> None:
    _generate()
    province = Unit.objects.of_kind(Kind.PROVINCE).filter(code="11", valid_from__isnull=False).get()
    communes = Unit.objects.filter(parent=province, kind=Kind.COMMUNE)
    areas = Unit.objects.filter(parent__in=communes, kind=Kind.RESIDENTIAL_AREA, code__startswith="SIM-")
    reported = set(DataValue.objects.filter(period="2025").values_list("unit_id", flat=True))
    assert reported == set(communes.values_list("pk", flat=True)) | set(areas.values_list("pk", flat=True))
    assert DataSetReport.objects.filter(period="2025").count() == len(reported)
    with connection.cursor() as cursor:
        cursor.execute("SELECT SUM(v.value) FROM datasets_datavalue v JOIN datasets_dataelement e "
                       "ON e.id = v.element_id WHERE e.code = 'tuyen_truyen_buoi' AND v.period = '2025'")
        sessions = int(cursor.fetchone()[0])
    assert build_activities_section(province, 2025)["tuyen_truyen_buoi"]["total"] == sessions
    first = _fingerprint()
    # The same seed makes the same values: run the hook again on the same communes (its rows replaced).
    from phongtrao.core.management.commands.generate import GenerateContext
    from phongtrao.datasets.generate import generate_values

    generate_values(GenerateContext(communes=list(communes.order_by("code")), years=[2025], seed=1,
                                    say=lambda _message: None))
    assert _fingerprint() == first
