"""Recording decisions: the medal repeat warning, the certificates of chosen recipients, the catalogue, the demo."""

from __future__ import annotations

import datetime as dt
import re
import zlib
from typing import Any

import pytest
from django.urls import reverse

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.awards.actions import RecipientData, RepeatWarning, do_create_decision
from phongtrao.awards.catalogue import MEDAL, seed_award_types
from phongtrao.awards.models import AwardDecision, AwardRecipient, AwardType, RecipientKind
from phongtrao.lib.workflow import ActionError
from phongtrao.units.models import Unit

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 12, 31)


def _pages(pdf: bytes) -> int:
    chunks = [pdf] + [zlib.decompress(m.group(1)) for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
                      if _inflates(m.group(1))]
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", c)) for c in chunks)


def _inflates(data: bytes) -> bool:
    try:
        zlib.decompress(data)
    except zlib.error:
        return False
    return True


@pytest.fixture
def province(example_units: None) -> Unit:
    seed_award_types()
    return Unit.objects.with_code("T99", ON).get()


def _post(client: Any, data: dict[str, Any], rows: list[dict[str, Any]]) -> Any:
    payload = {"r-TOTAL_FORMS": len(rows), "r-INITIAL_FORMS": 0, "r-MIN_NUM_FORMS": 0, "r-MAX_NUM_FORMS": 500} | data
    for i, row in enumerate(rows):
        payload |= {f"r-{i}-{k}": v for k, v in row.items()}
    return client.post(reverse("awards:decision_create"), payload)


def test_medal_repeat_warns_and_needs_confirmation(province: Unit, make_user: Any, client: Any) -> None:
    medal = AwardType.objects.get(code=MEDAL)
    area = Unit.objects.with_code("KDC-T99001-03", ON).get()
    do_create_decision(Actor.system(), award_type=medal, year=2024, authority=province, number="12/QĐ-BCA",
                       date=dt.date(2024, 8, 19),
                       recipients=[RecipientData(RecipientKind.INDIVIDUAL, area, "Lê Văn Tâm", "Trưởng thôn")])
    client.force_login(make_user("chutich", Role.APPROVER, unit=province))
    data = {"award_type": medal.pk, "year": 2025, "authority": province.pk, "number": "30/QĐ-BCA",
            "date": "2025-08-19"}
    rows = [{"kind": "individual", "unit": area.pk, "name": "LE VAN TAM", "title": "Trưởng thôn"}]
    response = _post(client, data, rows)
    assert response.status_code == 200
    assert "có thể đã nhận hình thức này theo quyết định số 12/QĐ-BCA ngày 19/08/2024" in response.content.decode()
    assert not AwardDecision.objects.filter(number="30/QĐ-BCA").exists()
    response = _post(client, data | {"confirm_repeats": "on"}, rows)
    assert response.status_code == 302
    assert AwardDecision.objects.get(number="30/QĐ-BCA").recipients.count() == 1
    # A collective cannot get the medal (individuals only): a refusal, not a warning.
    with pytest.raises(ActionError) as info:
        do_create_decision(Actor.system(), award_type=medal, year=2025, authority=province, number="31/QĐ-BCA",
                           recipients=[RecipientData(RecipientKind.COLLECTIVE, area)])
    assert not isinstance(info.value, RepeatWarning)


def test_outsider_cannot_record_for_another_province(province: Unit, make_user: Any, client: Any) -> None:
    other = Unit.objects.with_code("48", ON).get()
    client.force_login(make_user("chutich.dn", Role.APPROVER, unit=other))
    area = Unit.objects.with_code("KDC-T99001-03", ON).get()
    data = {"award_type": AwardType.objects.get(code="bang_khen_ubnd_tinh").pk, "year": 2025,
            "authority": province.pk, "number": "1/QĐ", "date": "2025-12-01"}
    before = AuditEntry.objects.count()
    response = _post(client, data, [{"kind": "collective", "unit": area.pk}])
    assert response.status_code == 200
    assert AwardDecision.objects.count() == 0 and AuditEntry.objects.count() == before
    client.force_login(make_user("xem", Role.VIEWER, unit=province))
    assert client.get(reverse("awards:decision_create")).status_code == 403


def test_certificates_of_the_chosen_recipients(province: Unit, make_user: Any, client: Any) -> None:
    communes = list(Unit.objects.filter(parent=province).order_by("code")[:3])
    decision = do_create_decision(
        Actor.system(), award_type=AwardType.objects.get(code="bang_khen_ubnd_tinh"), year=2025, authority=province,
        number="7/QĐ-UBND", date=dt.date(2025, 12, 15),
        recipients=[RecipientData(RecipientKind.COLLECTIVE, c) for c in communes])
    client.force_login(make_user("tinh", Role.PROVINCE_OFFICER, unit=province))
    chosen = list(decision.recipients.order_by("position").values_list("pk", flat=True)[:2])
    response = client.get(reverse("awards:certificates", args=[decision.pk]), {"r": chosen})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert _pages(response.content) == 2
    assert client.get(reverse("awards:certificates", args=[decision.pk]), {"r": ["x", "999999"]}).status_code == 404


def test_catalogue_add_edit_deactivate(province: Unit, make_user: Any, client: Any) -> None:
    client.force_login(make_user("tinh", Role.PROVINCE_OFFICER, unit=province))
    data = {"code": "giay_khen_mttq", "name": "Giấy khen của Ủy ban MTTQ tỉnh", "authority": "Chủ tịch UB MTTQ tỉnh",
            "authority_level": "province", "recipients": "both", "certificate_title": "GIẤY KHEN", "order": 95,
            "active": "on"}
    assert client.post(reverse("awards:award_type_create"), data).status_code == 302
    award_type = AwardType.objects.get(code="giay_khen_mttq")
    data |= {"version": award_type.version, "active": ""}
    assert client.post(reverse("awards:award_type_edit", args=[award_type.pk]), data).status_code == 302
    award_type.refresh_from_db()
    assert not award_type.active and award_type.version == 2
    assert AuditEntry.objects.filter(action="award_type.update").count() == 1
    stale = client.post(reverse("awards:award_type_edit", args=[award_type.pk]), data | {"name": "Khác", "version": 1})
    assert stale.status_code == 200 and "vừa được người khác sửa" in stale.content.decode()
    client.force_login(make_user("xa", Role.COMMUNE_OFFICER, unit=Unit.objects.with_code("T99001", ON).get()))
    assert client.get(reverse("awards:award_type_create")).status_code == 403


def test_demo_adds_awards_once(official_register: None) -> None:
    import io

    from django.core.management import call_command

    call_command("demo", "--communes", "3", stdout=io.StringIO())
    decisions, recipients = AwardDecision.objects.count(), AwardRecipient.objects.count()
    assert decisions and recipients
    assert AwardDecision.objects.exclude(proposal=None).count() == 0
    from phongtrao.awards.models import AwardProposal

    assert AwardProposal.objects.filter(status="submitted").count() == 1
    call_command("demo", "--communes", "3", stdout=io.StringIO())
    assert (AwardDecision.objects.count(), AwardRecipient.objects.count()) == (decisions, recipients)

