"""The demo's recognition hook: the cycle run for Đà Nẵng's first communes, the home commune's current year left
in progress for its officers, and a second run adding nothing. Its own module: the pages' module shares one
world of the example province (``built_once``), and the demo must start from the official register alone."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from phongtrao.recognition.models import Recognition, Status
from phongtrao.units.models import Kind, Unit

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 12, 31)


def test_demo_hook_runs_the_cycle_and_leaves_the_home_commune_in_progress(official_register: None) -> None:
    from django.utils import timezone

    call_command("demo", "--communes", "3", stdout=StringIO())
    this_year = timezone.localdate().year
    recs = Recognition.objects.filter(unit__ancestor_links__ancestor__code="48")
    assert recs.filter(year=this_year - 1, status=Status.RECOGNISED).exists()
    assert recs.filter(year=this_year - 1, status=Status.NOT_RECOGNISED).exists()
    assert not recs.filter(year=this_year - 1).in_progress().exists()
    home = Unit.objects.of_kind(Kind.COMMUNE).filter(parent__code="48", source="official").valid_on(DAY) \
        .order_by("code").first()
    assert home is not None
    at_home = recs.filter(year=this_year).in_subtree(home)
    assert at_home.in_progress().exists()
    assert at_home.filter(status=Status.UNDER_REVIEW).exists()  # work for the approver's bulk page
    assert all(r.authority_id for r in recs.passed())
    count = recs.count()
    out = StringIO()
    call_command("demo", "--communes", "3", stdout=out)
    assert recs.count() == count and "all demo recognitions present" in out.getvalue()
