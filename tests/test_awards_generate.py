"""``phongtrao generate`` adds a year's awards through the awards app's hook: deterministic, at province scale."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count

from phongtrao.awards.figures import build_awards_section
from phongtrao.awards.models import AwardDecision, AwardRecipient
from phongtrao.units.models import Kind, Unit

pytestmark = pytest.mark.django_db


def _generate(seed: int = 1) -> str:
    out = io.StringIO()
    call_command("generate", "--scale", "province", "--province", "11", "--years", "1", "--end-year", "2025",
                 "--seed", str(seed), stdout=out)
    return out.getvalue()


def _fingerprint(recipients: Any = None) -> list[tuple[Any, ...]]:
    recipients = AwardRecipient.objects.all() if recipients is None else recipients
    return list(recipients.order_by("decision__authority__code", "decision__award_type__code",
                                                "position").values_list("decision__authority__code",
                                                                        "decision__award_type__code", "kind",
                                                                        "unit__code", "name", "title"))


def test_a_province_gets_3_to_15_recipients_per_commune_deterministically(official_register: None) -> None:
    out = _generate()
    province = Unit.objects.of_kind(Kind.PROVINCE).filter(code="11", valid_from__isnull=False).get()
    communes = Unit.objects.filter(parent=province, kind=Kind.COMMUNE).count()
    recipients = AwardRecipient.objects.count()
    assert "awards.recipients" in out and f"awards.recipients {recipients}" in out
    assert 3 * communes <= recipients <= 15 * communes
    assert AwardDecision.objects.filter(year=2025).count() >= communes  # a commune decision each, plus the province's
    per_commune = (AwardRecipient.objects.filter(unit__ancestor_links__ancestor__parent=province,
                                                 unit__ancestor_links__ancestor__kind=Kind.COMMUNE)
                   .values("unit__ancestor_links__ancestor").annotate(n=Count("pk")))
    assert all(3 <= row["n"] <= 15 for row in per_commune)
    section = build_awards_section(province, 2025)
    assert sum(r["collective"] + r["individual"] for r in section) == recipients
    first = _fingerprint()
    # The same seed makes the same awards (positions, names, units): run the hook again on the same communes.
    from phongtrao.awards.generate import generate_awards
    from phongtrao.core.management.commands.generate import GenerateContext

    last = AwardDecision.objects.order_by("-pk").values_list("pk", flat=True).first()
    communes = list(Unit.objects.filter(parent=province, kind=Kind.COMMUNE).select_related("parent").order_by("code"))
    generate_awards(GenerateContext(communes, [2025], 1, lambda text: None))
    assert _fingerprint(AwardRecipient.objects.filter(decision_id__gt=last)) == first
