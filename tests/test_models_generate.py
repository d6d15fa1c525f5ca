"""The models hooks of ``phongtrao generate`` (synthetic, province scale) and ``phongtrao demo``."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from phongtrao.models_registry.generate import PREFIX
from phongtrao.models_registry.models import Evaluation, Model, Site, Status
from phongtrao.units.models import Kind, Unit

pytestmark = pytest.mark.django_db
PROVINCE = "12"  # Lai Châu: the smallest current province (38 communes)
DAY = dt.date(2025, 12, 31)


def generate(seed: int = 7) -> str:
    out = io.StringIO()
    call_command("generate", "--scale", "province", "--province", PROVINCE, "--years", "1", "--end-year", "2025",
                 "--seed", str(seed), stdout=out)
    return out.getvalue()


def digest() -> str:
    models = Model.objects.order_by("code").values_list("code", "name", "field__code", "initiator__code",
                                                         "started_on", "status", "retired_on")
    sites = Site.objects.order_by("model__code", "unit__code").values_list("model__code", "unit__code",
                                                                           "started_on", "teams", "status")
    return hashlib.sha256(repr((list(models), list(sites))).encode()).hexdigest()


def rerun(seed: int) -> None:
    """The models hook alone, again, on the same generated units (its earlier models removed first)."""
    from phongtrao.core.management.commands.generate import REFORM, GenerateContext
    from phongtrao.models_registry.generate import _wipe_stale, generate_models

    province = Unit.objects.with_code(PROVINCE, DAY).get()
    communes = list(Unit.objects.filter(parent=province, kind=Kind.COMMUNE, valid_from__gte=REFORM).order_by("code"))
    _wipe_stale(communes)
    assert not Model.objects.filter(code__startswith=PREFIX).exists()
    generate_models(GenerateContext(communes, [2025], seed, lambda text: None))


def test_province_scale_models_and_sites_on_generated_units(official_register: None) -> None:
    text = generate()
    assert "models_registry.models" in text
    province = Unit.objects.with_code(PROVINCE, DAY).get()
    communes = Unit.objects.filter(parent=province, kind=Kind.COMMUNE).valid_on(DAY).count()
    models = Model.objects.filter(code__startswith=PREFIX)
    sites = Site.objects.filter(model__in=models)
    # About 1.3 models and 37 sites per commune, nationally 4,300 and 124,000 (DOMAIN.md §10).
    assert 0.6 * communes <= models.count() <= 2.0 * communes
    assert 15 * communes <= sites.count() <= 60 * communes
    # Every site is on a generated unit of the model's own commune.
    assert not sites.exclude(unit__code__startswith="SIM-").exists()
    assert not sites.exclude(unit__parent=F("model__unit")).exists()
    assert sites.values("model", "unit").annotate(n=Count("pk")).filter(n__gt=1).count() == 0
    assert Evaluation.objects.filter(model__in=models).count() > 0
    assert models.filter(status=Status.RETIRED).count() < models.count() / 4
    # The annual report counts them.
    out = io.StringIO()
    call_command("report", "annual", "--unit", PROVINCE, "--year", "2025", stdout=out)
    figures = json.loads(out.getvalue())["models"]
    assert 0 < figures["models"] <= models.count()
    assert 0 < figures["sites"] <= sites.count()
    assert sum(figures["by_initiator"].values()) == figures["models"]


def test_same_seed_same_models(official_register: None) -> None:
    generate(seed=7)
    first = digest()
    rerun(seed=7)
    assert digest() == first
    rerun(seed=8)
    assert digest() != first


def test_demo_adds_models_once_with_overdue_ones(official_register: None) -> None:
    out = io.StringIO()
    call_command("demo", "--communes", "4", stdout=out)
    assert "models: 10 models" in out.getvalue()
    province = Unit.objects.with_code("48", DAY).get()
    models = Model.objects.filter(code__startswith="MH-48-")
    assert models.count() == 10 and not models.exclude(unit__in=Unit.objects.in_subtree(province)).exists()
    assert models.filter(is_leading=True).count() == 1 and models.filter(status=Status.RETIRED).count() == 1
    overdue = Model.objects.touching(province).overdue(timezone.localdate())
    assert overdue.count() >= 2
    assert Site.objects.filter(model__in=models).count() >= 10
    again = io.StringIO()
    call_command("demo", "--communes", "4", stdout=again)
    assert "models: all demo models already present" in again.getvalue()
    assert Model.objects.filter(code__startswith="MH-48-").count() == 10
