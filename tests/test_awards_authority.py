"""Award authority: an award form's issuing level decides who approves a proposal, under which unit a
decision is recorded and whose name is printed; the pages say who must act next on a proposal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from phongtrao.accounts.models import Role
from phongtrao.audit.actions import Actor
from phongtrao.awards.actions import (
    RecipientData,
    do_approve_proposal,
    do_create_decision,
    do_create_proposal,
    do_submit_proposal,
    do_update_proposal,
)
from phongtrao.awards.catalogue import seed_award_types
from phongtrao.awards.documents import certificates
from phongtrao.awards.models import AwardDecision, AwardType, ProposalStatus, RecipientKind
from phongtrao.lib.workflow import ActionError
from phongtrao.units.models import Unit

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 12, 31)
SYSTEM = Actor.system()


@pytest.fixture
def units(example_units: None) -> dict[str, Unit]:
    seed_award_types()
    return {"province": Unit.objects.with_code("T99", ON).get(), "commune": Unit.objects.with_code("T99001", ON).get(),
            "area": Unit.objects.with_code("KDC-T99001-03", ON).get(), "vn": Unit.objects.get(code="VN")}


def form(code: str) -> AwardType:
    return AwardType.objects.get(code=code)


def collective(unit: Unit) -> list[RecipientData]:
    return [RecipientData(RecipientKind.COLLECTIVE, unit, "", "", "Thành tích")]


def propose(unit: Unit, code: str, recipient: Unit) -> Any:
    return do_create_proposal(SYSTEM, proposing_unit=unit, award_type=form(code), year=2025, title=f"Đề nghị {code}",
                              recipients=collective(recipient))


def test_a_proposal_goes_to_the_unit_of_the_forms_issuing_level(units: dict[str, Unit]) -> None:
    commune, province, area = units["commune"], units["province"], units["area"]
    assert propose(commune, "giay_khen_ubnd_xa", area).to_unit == commune  # approved in the commune
    assert propose(commune, "bang_khen_ubnd_tinh", area).to_unit == province
    assert propose(commune, "bang_khen_bo_cong_an", area).to_unit == province  # forwarded by the province
    assert propose(province, "bang_khen_bo_cong_an", commune).to_unit == units["vn"]
    # A province cannot propose a commune chairman's Giấy khen: no commune above it.
    with pytest.raises(ActionError) as info:
        propose(province, "giay_khen_ubnd_xa", commune)
    assert "award_type" in info.value.errors
    # Changing the form of a draft re-addresses it.
    draft = propose(commune, "giay_khen_ubnd_xa", area)
    draft = do_update_proposal(SYSTEM, draft.pk, expected_version=draft.version, award_type=form("bang_khen_ubnd_tinh"),
                               year=2025, title=draft.title, recipients=collective(area))
    assert draft.to_unit == province


def test_a_commune_giay_khen_is_approved_in_the_commune(units: dict[str, Unit], make_user: Any) -> None:
    commune, area = units["commune"], units["area"]
    proposal = do_submit_proposal(SYSTEM, propose(commune, "giay_khen_ubnd_xa", area).pk)
    chairman = make_user("chutich.xa", Role.APPROVER, unit=commune)
    approved = do_approve_proposal(Actor(user=chairman, channel="web"), proposal.pk)
    assert approved.status == ProposalStatus.APPROVED


def test_a_commune_giay_khen_is_never_recorded_as_the_provinces(units: dict[str, Unit]) -> None:
    commune, province, area = units["commune"], units["province"], units["area"]
    with pytest.raises(ActionError) as info:
        do_create_decision(SYSTEM, award_type=form("giay_khen_ubnd_xa"), year=2025, authority=province,
                           number="1/QĐ-UBND", recipients=collective(area))
    assert "authority" in info.value.errors and "cấp xã" in " ".join(info.value.errors["authority"])
    assert not AwardDecision.objects.filter(number="1/QĐ-UBND").exists()
    with pytest.raises(ActionError):  # nor a provincial form under a commune
        do_create_decision(SYSTEM, award_type=form("bang_khen_ubnd_tinh"), year=2025, authority=commune,
                           number="2/QĐ-UBND", recipients=collective(area))
    decision = do_create_decision(SYSTEM, award_type=form("giay_khen_ubnd_xa"), year=2025, authority=commune,
                                  number="3/QĐ-UBND", date=dt.date(2025, 12, 20), recipients=collective(area))
    page = certificates(decision, list(decision.recipients.all()))[0]
    assert page.lead == f"CHỦ TỊCH ỦY BAN NHÂN DÂN {commune.name.upper()}"
    assert page.body == ("ỦY BAN NHÂN DÂN", commune.name.upper())
    assert "tỉnh" not in page.decision_ref.casefold().replace(commune.name.casefold(), "")
    # A national form is recorded by the province that proposed it; its certificate is the Ministry's.
    national = do_create_decision(SYSTEM, award_type=form("bang_khen_bo_cong_an"), year=2025, authority=province,
                                  number="4/QĐ-BCA", recipients=collective(area))
    assert certificates(national, list(national.recipients.all()))[0].lead == "BỘ TRƯỞNG BỘ CÔNG AN"


def test_the_province_officer_sees_who_must_act(units: dict[str, Unit], make_user: Any, client: Any) -> None:
    commune, province, area = units["commune"], units["province"], units["area"]
    local = do_submit_proposal(SYSTEM, propose(commune, "giay_khen_ubnd_xa", area).pk)
    upward = do_submit_proposal(SYSTEM, propose(commune, "bang_khen_ubnd_tinh", area).pk)
    client.force_login(make_user("tinh", Role.PROVINCE_OFFICER, unit=province))
    listing = client.get(reverse("awards:proposal_list")).content.decode()
    commune_text = commune.name[0].lower() + commune.name[1:]
    assert f"Chủ tịch Ủy ban nhân dân {commune_text} xem xét, duyệt hoặc trả lại đề nghị." in listing
    assert "Chủ tịch Ủy ban nhân dân tỉnh Thử Nghiệm xem xét, duyệt hoặc trả lại đề nghị." in listing
    detail = client.get(reverse("awards:proposal_detail", args=[local.pk])).content.decode()
    waiting = detail[detail.index('id="proposal-awaiting"'):][:300]
    assert f"Chủ tịch Ủy ban nhân dân {commune_text}" in waiting
    detail = client.get(reverse("awards:proposal_detail", args=[upward.pk])).content.decode()
    assert "tỉnh Thử Nghiệm" in detail[detail.index('id="proposal-awaiting"'):][:300]
