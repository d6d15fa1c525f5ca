"""Access to the awards pages about one object (a decision, a proposal, a catalogue entry), for every persona.

``check_awards_object_route`` is called by the route walk in ``tests/test_access_routes.py`` for every
route listed in ``AWARDS_OBJECT_ROUTES``: each target unit X, Y, Z of the personas gets a decision (its
commune's Giấy khen to the marker unit) and a submitted proposal (the marker unit proposed by its
commune to the province), and each persona must see exactly those of the units it may see.
The tests below check the same rules on the pages' content and the proposal workflow.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.awards.actions import RecipientData, do_create_decision, do_create_proposal, do_submit_proposal
from phongtrao.awards.catalogue import seed_award_types
from phongtrao.awards.models import AwardDecision, AwardProposal, AwardType, ProposalStatus, RecipientKind
from tests.personas import MARKERS, Persona, World, build_world

pytestmark = pytest.mark.django_db

# route -> (object: "decision" | "proposal" | "award_type", who may use it: "view" | "capture" | "decide" | "catalogue")
AWARDS_OBJECT_ROUTES: dict[str, tuple[str, str]] = {
    "awards:decision_detail": ("decision", "view"),
    "awards:certificates": ("decision", "view"),
    "awards:proposal_detail": ("proposal", "view"),
    "awards:proposal_edit": ("proposal", "capture"),
    "awards:proposal_submit": ("proposal", "capture"),
    "awards:proposal_reopen": ("proposal", "capture"),
    "awards:proposal_approve": ("proposal", "decide"),
    "awards:proposal_return": ("proposal", "decide"),
    "awards:award_type_edit": ("award_type", "catalogue"),
}
POST_ONLY = {"awards:proposal_submit", "awards:proposal_reopen", "awards:proposal_approve", "awards:proposal_return"}
CATALOGUE_KEEPERS = {"admin", "province", "other_province"}


def award_objects(world: World) -> dict[str, dict[str, Any]]:
    """One decision and one submitted proposal per target unit (made once per world)."""
    cached = getattr(world, "_awards", None)
    if cached is not None:
        return cached
    seed_award_types()
    system = Actor.system()
    xa = AwardType.objects.get(code="giay_khen_ubnd_xa")
    tinh = AwardType.objects.get(code="bang_khen_ubnd_tinh")
    objects: dict[str, dict[str, Any]] = {"decision": {}, "proposal": {}}
    for key, target in world.targets.items():
        commune = target.parent
        recipient = RecipientData(RecipientKind.COLLECTIVE, target, MARKERS[key], "", "Thành tích")
        objects["decision"][key] = do_create_decision(
            system, award_type=xa, year=2025, authority=commune, number=f"{key}/QĐ-UBND",
            date=dt.date(2025, 12, 20), recipients=[recipient])
        proposal = do_create_proposal(system, proposing_unit=commune, award_type=tinh, year=2025,
                                      title=f"Đề nghị {key}", recipients=[recipient])
        objects["proposal"][key] = do_submit_proposal(system, proposal.pk)
    world._awards = objects  # type: ignore[attr-defined]
    return objects


def _allowed(persona: Persona, key: str, rule: str) -> bool:
    if rule == "view":
        return key in persona.sees
    if rule == "capture":
        return key in persona.changes
    if rule == "decide":  # the province decides; only the administrator decides for T99 and Đà Nẵng here
        return persona.name == "admin"
    return persona.name in CATALOGUE_KEEPERS


def check_awards_object_route(world: World, persona: Persona, name: str) -> None:
    kind, rule = AWARDS_OBJECT_ROUTES[name]
    if kind == "award_type":
        seed_award_types()
        targets = {"X": AwardType.objects.order_by("order").first()}
    else:
        targets = award_objects(world)[kind]
    client = persona.client()
    for key, obj in targets.items():
        url = reverse(name, kwargs={"pk": obj.pk})
        for method in ("get", "post"):
            before = AuditEntry.objects.count()
            response = client.get(url) if method == "get" else client.post(url, {})
            code = response.status_code
            where = (persona.name, name, key, method, code)
            assert code < 500, where
            if persona.user is None:
                assert code in (302, 405), where
                if code == 302:
                    assert "/tai-khoan/dang-nhap/" in response["Location"], where
                assert AuditEntry.objects.count() == before, where
                continue
            visible = kind == "award_type" or key in persona.sees
            if not visible:
                assert code in (403, 404, 405), where
            elif not _allowed(persona, key, rule):
                assert code in (403, 405), where
            elif method == "get" and name not in POST_ONLY:
                # A proposal already sent is no longer editable: its edit page sends back to the proposal.
                assert code == 200 or (name == "awards:proposal_edit" and code == 302), where
                if code == 200 and name != "awards:certificates" and kind != "award_type":
                    assert MARKERS[key] in response.content.decode(), where
            if not visible or not _allowed(persona, key, rule):
                assert AuditEntry.objects.count() == before, (*where, "a refused request wrote something")
            if code == 200 and name != "awards:certificates":
                body = response.content.decode()
                leaked = {k for k, m in MARKERS.items() if k not in persona.sees and m in body}
                assert not leaked, (*where, leaked)


# --- the same rules, checked on content ---------------------------------------------------------


@pytest.fixture
def world(example_units: None) -> World:
    return build_world()


def test_decision_list_shows_only_decisions_in_view(world: World) -> None:
    award_objects(world)
    body = world.personas["commune"].client().get(reverse("awards:decision_list")).content.decode()
    assert "X/QĐ-UBND" in body and "Y/QĐ-UBND" not in body and "Z/QĐ-UBND" not in body
    body = world.personas["province"].client().get(reverse("awards:decision_list")).content.decode()
    assert "X/QĐ-UBND" in body and "Y/QĐ-UBND" in body and "Z/QĐ-UBND" not in body


def test_excel_export_lists_only_recipients_in_view(world: World) -> None:
    from tests.test_access_routes import _xlsx_text

    award_objects(world)
    response = world.personas["province"].client().get(reverse("awards:decision_list") + "?export=xlsx")
    assert response.status_code == 200
    text = _xlsx_text(response.content)
    assert MARKERS["X"] in text and MARKERS["Y"] in text and MARKERS["Z"] not in text


def test_bad_query_parameters_never_500(world: World) -> None:
    client = world.personas["province"].client()
    for query in ("?year=abc", "?year=99999", "?award_type=nope", "?sort=evil", "?page=-1"):
        assert client.get(reverse("awards:decision_list") + query).status_code == 200, query
    # A NUL byte is refused before any view runs (core/nul_bytes.py), with the site's 400 page.
    assert client.get(reverse("awards:decision_list") + "?q=%00").status_code == 400
    for query in ("?year=x", "?status=nope"):
        assert client.get(reverse("awards:proposal_list") + query).status_code == 200, query
    assert client.get(reverse("awards:proposal_create") + "?from=recognised&unit=abc&year=x").status_code == 200
    assert client.get(reverse("awards:unit_picker") + "?prefix=<script>&unit_q=x").status_code == 200


def test_proposal_workflow_refuses_illegal_moves_and_keeps_history(world: World) -> None:
    proposal = award_objects(world)["proposal"]["X"]
    admin = world.personas["admin"].client()
    commune = world.personas["commune"].client()
    # The commune cannot approve what it sent; the province's decider (here the administrator) can.
    assert commune.post(reverse("awards:proposal_approve", args=[proposal.pk])).status_code == 403
    response = admin.post(reverse("awards:proposal_return", args=[proposal.pk]), {"reason": ""}, follow=True)
    assert "Phải ghi lý do trả lại." in response.content.decode()
    admin.post(reverse("awards:proposal_return", args=[proposal.pk]), {"reason": "Thiếu thành tích"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.RETURNED and proposal.returned_reason == "Thiếu thành tích"
    response = admin.post(reverse("awards:proposal_approve", args=[proposal.pk]), follow=True)
    assert "Không thể duyệt đề nghị" in response.content.decode()
    commune.post(reverse("awards:proposal_reopen", args=[proposal.pk]))
    commune.post(reverse("awards:proposal_submit", args=[proposal.pk]))
    admin.post(reverse("awards:proposal_approve", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    assert [e.to_status for e in proposal.events.all()] == [
        "draft", "submitted", "returned", "draft", "submitted", "approved"]
    assert AuditEntry.objects.filter(object_type="awards.awardproposal", object_id=str(proposal.pk),
                                     action="award_proposal.approve").count() == 1
    # Approving lets the decider record a decision pre-filled with the proposal's recipients.
    page = admin.get(reverse("awards:decision_create") + f"?proposal={proposal.pk}").content.decode()
    assert MARKERS["X"] in page


def test_stale_version_is_refused(world: World) -> None:
    proposal = award_objects(world)["proposal"]["X"]
    admin = world.personas["admin"].client()
    response = admin.post(reverse("awards:proposal_approve", args=[proposal.pk]),
                          {"version": proposal.version - 1}, follow=True)
    assert "vừa được người khác thay đổi" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED


def test_decision_history_tab_and_detail(world: World) -> None:
    decision: AwardDecision = award_objects(world)["decision"]["X"]
    client = world.personas["commune"].client()
    page = client.get(reverse("awards:decision_detail", args=[decision.pk])).content.decode()
    assert "Lịch sử thay đổi" in page
    history = client.get(reverse("audit:history", args=["awards.awarddecision", str(decision.pk)]))
    assert history.status_code == 200
    assert world.personas["other_province"].client().get(
        reverse("audit:history", args=["awards.awarddecision", str(decision.pk)])).status_code == 404


def test_proposal_from_recognised_units(world: World, example_dir: Any) -> None:
    from phongtrao.lib.importing import run_import

    run_import("recognitions", "recognitions.csv", (example_dir / "recognitions.csv").read_bytes(),
               actor=Actor.system())
    commune = world.targets["X"].parent
    from phongtrao.recognition.models import Recognition

    expected = list(Recognition.objects.for_year(2025).passed().in_subtree(commune).exclude(unit=commune)
                    .values_list("unit__name", flat=True))
    assert expected
    page = world.personas["commune"].client().get(
        reverse("awards:proposal_create") + f"?from=recognised&unit={commune.pk}&year=2025").content.decode()
    for name in expected:
        assert name in page


def test_proposal_drafted_in_the_browserless_form(world: World) -> None:
    commune = world.targets["X"].parent
    seed_award_types()
    tinh = AwardType.objects.get(code="bang_khen_ubnd_tinh")
    client = world.personas["commune"].client()
    data = {"proposing_unit": commune.pk, "award_type": tinh.pk, "year": 2025, "title": "Đề nghị năm 2025",
            "r-TOTAL_FORMS": 2, "r-INITIAL_FORMS": 0, "r-MIN_NUM_FORMS": 0, "r-MAX_NUM_FORMS": 500,
            "r-0-kind": "individual", "r-0-unit": world.targets["X"].pk, "r-0-name": "Trần Thị Hoa",
            "r-0-title": "Trưởng thôn", "r-1-kind": "collective"}
    response = client.post(reverse("awards:proposal_create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    proposal = AwardProposal.objects.get(title="Đề nghị năm 2025")
    assert proposal.to_unit == commune.parent and proposal.status == ProposalStatus.DRAFT
    assert [(r.name, r.title) for r in proposal.recipients.all()] == [("Trần Thị Hoa", "Trưởng thôn")]
    # A unit outside the officer's scope is refused in the form, and nothing is written.
    data |= {"title": "Đề nghị khác", "r-0-unit": world.targets["Y"].pk}
    assert client.post(reverse("awards:proposal_create"), data).status_code == 200
    assert not AwardProposal.objects.filter(title="Đề nghị khác").exists()


def test_a_decision_dated_before_its_proposal_was_sent_is_refused(world: World) -> None:
    from django.utils import timezone

    from phongtrao.awards import actions
    from phongtrao.lib.workflow import ActionError

    proposal = award_objects(world)["proposal"]["X"]
    proposal = actions.do_approve_proposal(Actor.system(), proposal.pk)
    assert proposal.submitted_at is not None
    sent = timezone.localtime(proposal.submitted_at).date()
    fields = {"award_type": proposal.award_type, "year": proposal.year, "authority": proposal.to_unit,
              "recipients": actions.proposal_recipients(proposal), "number": "9/QĐ-UBND", "proposal": proposal,
              "confirm_repeats": True}
    with pytest.raises(ActionError) as refused:
        do_create_decision(Actor.system(), date=sent - dt.timedelta(days=1), **fields)
    assert refused.value.errors["date"] == [
        f"Ngày quyết định ({sent - dt.timedelta(days=1):%d/%m/%Y}) trước ngày gửi đề nghị ({sent:%d/%m/%Y})."]
    assert do_create_decision(Actor.system(), date=sent, **fields).date == sent


def test_search_never_matches_a_recipient_the_user_may_not_see(world: World) -> None:
    """A province decision names people in two communes; the officer of one must not find it by a name in the
    other (that would reveal the person and the award), and must still find it by a name in their own."""
    seed_award_types()
    tinh = AwardType.objects.get(code="bang_khen_ubnd_tinh")
    x, y = world.targets["X"], world.targets["Y"]
    do_create_decision(Actor.system(), award_type=tinh, year=2025, authority=x.parent.parent, number="77/QĐ-UBND",
                       date=dt.date(2025, 12, 20), recipients=[
                           RecipientData(RecipientKind.INDIVIDUAL, x, "Nguyễn Văn Ngay Thẳng", "Trưởng thôn"),
                           RecipientData(RecipientKind.INDIVIDUAL, y, "Lê Thị Kín Đáo", "Tổ trưởng")])
    commune = world.personas["commune"].client()
    url = reverse("awards:decision_list")
    assert "77/QĐ-UBND" in commune.get(url, {"q": "ngay thang"}).content.decode()
    assert "77/QĐ-UBND" not in commune.get(url, {"q": "kin dao"}).content.decode()
    from tests.test_access_routes import _xlsx_text

    exported = _xlsx_text(commune.get(url, {"q": "kin dao", "export": "xlsx"}).content)
    assert "77/QĐ-UBND" not in exported and "Kín Đáo" not in exported
    # The province officer sees both communes, so both names find it.
    assert "77/QĐ-UBND" in world.personas["province"].client().get(url, {"q": "kin dao"}).content.decode()
