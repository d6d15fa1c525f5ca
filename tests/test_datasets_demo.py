"""The demo's data-set reports: three years for the demo province through the bulk action, a few late and a
few returned; ``report annual --unit 48 --year 2025`` has an ``activities`` section whose totals are the sums
of the entered values (hand-written SQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from phongtrao.audit.models import AuditEntry
from phongtrao.datasets import completeness
from phongtrao.datasets.models import DataSet, DataSetReport, ReportEvent, ReportStatus
from phongtrao.lib.periods import Period
from phongtrao.units.models import Unit
from tests.conftest import ensure_official_register


@pytest.fixture(scope="module")
def small_demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_official_register()
        call_command("demo", "--communes", "6", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_three_years_of_reports_with_late_and_returned_ones(small_demo: None) -> None:
    years = sorted(set(DataSetReport.objects.values_list("period", flat=True)))
    assert len(years) == 3
    statuses = set(DataSetReport.objects.values_list("status", flat=True))
    assert {ReportStatus.APPROVED, ReportStatus.OPEN} <= statuses
    returned = ReportEvent.objects.filter(action="return")
    assert returned.exists() and all(e.details.get("reason") for e in returned)
    assert AuditEntry.objects.filter(action="datasetreport.approve").count() == DataSetReport.objects.filter(
        status=ReportStatus.APPROVED).count()
    late = 0
    for year in years:
        for dataset in DataSet.objects.filter(code__in=["xa_nam", "kdc_nam"]):
            period = Period.parse(year)
            closing = dataset.closing_date(period)
            late += sum(1 for r in DataSetReport.objects.filter(dataset=dataset, period=year,
                                                                 completed_at__isnull=False)
                        if closing is not None and r.completed_at.date() > closing)
    assert late > 0
    province = Unit.objects.with_code("48", Period.year_of(2025).end).get()
    counts = completeness.totals(DataSet.objects.get(code="xa_nam"), Period.year_of(2025), province)
    assert counts.received >= 1 and counts.expected >= 6


@pytest.mark.django_db
def test_annual_activities_equal_a_sql_sum_of_the_values(small_demo: None) -> None:
    out = StringIO()
    call_command("report", "annual", "--unit", "48", "--year", "2025", "--format", "json", stdout=out)
    activities = json.loads(out.getvalue())["activities"]
    province = Unit.objects.with_code("48", Period.year_of(2025).end).get()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.code, SUM(v.value) FROM datasets_datavalue v JOIN datasets_dataelement e ON e.id = v.element_id "
            "JOIN units_unitancestor a ON a.unit_id = v.unit_id WHERE a.ancestor_id = %s AND v.period = '2025' "
            "AND v.value IS NOT NULL AND e.value_type IN ('count', 'amount') GROUP BY e.code", [province.pk])
        expected = {code: int(total) for code, total in cursor.fetchall()}
    assert expected and "tuyen_truyen_buoi" in expected
    assert {code: entry["total"] for code, entry in activities.items() if code in expected} == expected
