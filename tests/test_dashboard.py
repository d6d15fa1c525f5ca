"""The home page: what waits for each role (counted here independently of the access rules: by the units'
places in the test province), scoped (a commune officer never counts another commune's items), the figure
cards from the annual report, and a bounded number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.awards.models import AuthorityLevel, AwardProposal, AwardType, ProposalStatus
from phongtrao.dashboard import todo
from phongtrao.recognition.models import Recognition, Status
from phongtrao.units.models import Unit
from tests.conftest import PASSWORD

SUBMITTED = ["KDC-T99000-01", "KDC-T99000-02", "AG-T99000-006", "KDC-T99001-03", "T99000"]
UNDER_REVIEW = ["KDC-T99000-03", "KDC-T99001-05", "T99001"]


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, timezone.localdate()).get()


@pytest.fixture
def world(example_units: None, make_user: Any) -> dict[str, Any]:
    year = timezone.localdate().year
    for codes, status in ((SUBMITTED, Status.SUBMITTED), (UNDER_REVIEW, Status.UNDER_REVIEW)):
        for code in codes:
            Recognition.objects.create(unit=unit(code), year=year, status=status)
    province, an_binh, anh_son = unit("T99"), unit("T99000"), unit("T99001")
    award = AwardType.objects.create(code="giay-khen-test", name="Giấy khen", authority="Chủ tịch UBND tỉnh",
                                     authority_level=AuthorityLevel.PROVINCE, certificate_title="GIẤY KHEN")
    for to_unit, state in ((province, ProposalStatus.SUBMITTED), (province, ProposalStatus.SUBMITTED),
                            (province, ProposalStatus.DRAFT), (an_binh, ProposalStatus.SUBMITTED)):
        AwardProposal.objects.create(proposing_unit=an_binh, to_unit=to_unit, award_type=award, year=year,
                                     title="Đề nghị khen thưởng", status=state)
    return {
        "province": make_user("canbo.tinh", Role.PROVINCE_OFFICER, province),
        "commune": make_user("canbo.xa", Role.COMMUNE_OFFICER, an_binh),
        "other_commune": make_user("canbo.anhson", Role.COMMUNE_OFFICER, anh_son),
        "approver": make_user("chutich.tinh", Role.APPROVER, province),
        "commune_approver": make_user("chutich.xa", Role.APPROVER, an_binh),
        "viewer": make_user("xem.tinh", Role.VIEWER, province),
        "units": {"province": province, "an_binh": an_binh, "anh_son": anh_son},
    }


def counts(user: Any) -> dict[str, int]:
    return {row.key: row.count for row in todo.rows_for(user, timezone.localdate())}


def waiting_under(status: str, *parents: Unit) -> int:
    """Dossiers of ``status`` whose unit sits directly under one of ``parents`` (never the parents' own)."""
    return Recognition.objects.filter(status=status, unit__parent__in=parents).count()


def test_each_role_counts_what_waits_for_it(world: dict[str, Any]) -> None:
    u = world["units"]
    communes = list(Unit.objects.filter(parent=u["province"]))
    # The province officer reviews every submitted dossier of the province: the communes' and their units'.
    expected_province = waiting_under(Status.SUBMITTED, u["province"], *communes)
    assert expected_province == 5
    assert counts(world["province"])["recognition.review"] == expected_province
    assert "recognition.decide" not in counts(world["province"])  # a province officer records no decision
    # The commune officer: the units of their own commune only, not the commune's own dossier (the province's).
    mine = counts(world["commune"])
    assert mine["recognition.review"] == waiting_under(Status.SUBMITTED, u["an_binh"]) == 3
    assert counts(world["other_commune"])["recognition.review"] == waiting_under(Status.SUBMITTED, u["anh_son"]) == 1
    # Approvers sign what is under review in their scope; proposals sent to their unit.
    approver = counts(world["approver"])
    assert approver["recognition.decide"] == waiting_under(Status.UNDER_REVIEW, u["province"], *communes) == 3
    assert approver["awards.approve"] == AwardProposal.objects.filter(
        to_unit=u["province"], status=ProposalStatus.SUBMITTED).count() == 2
    commune_approver = counts(world["commune_approver"])
    assert commune_approver["recognition.decide"] == waiting_under(Status.UNDER_REVIEW, u["an_binh"]) == 1
    assert commune_approver["awards.approve"] == 1
    # A viewer acts on nothing.
    assert counts(world["viewer"]) == {}


def test_home_page_lists_the_counts_and_links_through(world: dict[str, Any]) -> None:
    client = Client()
    client.login(username="canbo.tinh", password=PASSWORD)
    page = client.get("/").content.decode()
    assert 'id="todo-recognition-review"' in page and 'data-count="5"' in page
    assert reverse("dashboard:dossiers", args=["review"]) in page
    listing = client.get(reverse("dashboard:dossiers", args=["review"])).content.decode()
    year = timezone.localdate().year
    for code in SUBMITTED:
        assert reverse("recognition:unit", args=[code, year]) in listing
    for code in UNDER_REVIEW:
        assert reverse("recognition:unit", args=[code, year]) not in listing
    assert client.get(reverse("dashboard:dossiers", args=["nothing"])).status_code == 404
    # The commune officer's list holds their commune's units only.
    client.login(username="canbo.xa", password=PASSWORD)
    listing = client.get(reverse("dashboard:dossiers", args=["review"])).content.decode()
    assert reverse("recognition:unit", args=["KDC-T99000-01", year]) in listing
    assert reverse("recognition:unit", args=["KDC-T99001-03", year]) not in listing
    assert reverse("recognition:unit", args=["T99000", year]) not in listing


def test_sign_in_lands_on_the_home_page_with_the_cards(world: dict[str, Any]) -> None:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "canbo.tinh", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    page = response.content.decode()
    assert "Việc cần làm" in page
    total = Unit.objects.filter(parent__parent=unit("T99"), kind="residential_area").count()
    assert f"0<span class=\"fs-6 fw-normal text-body-secondary\">/{total}</span>" in page  # none recognised yet
    assert 'id="card-models"' in page and 'id="card-awards"' in page


def test_home_page_is_a_bounded_number_of_queries(world: dict[str, Any], django_assert_num_queries: Any) -> None:
    from phongtrao.budget.figures import BUDGET_QUERIES
    from phongtrao.classification.figures import CLASSIFICATION_QUERIES
    from phongtrao.datasets.completeness import COMPLETENESS_QUERIES
    from phongtrao.forces.figures import FORCES_QUERIES
    from phongtrao.plans.figures import PLANS_QUERIES
    from phongtrao.reports import annual

    client = Client()
    client.login(username="canbo.tinh", password=PASSWORD)
    client.get("/")  # the session and the user are loaded once
    rows = len(todo.rows_for(world["province"], timezone.localdate()))
    annual_queries = (len(annual.SECTIONS) - 5 + COMPLETENESS_QUERIES + FORCES_QUERIES + CLASSIFICATION_QUERIES
                      + BUDGET_QUERIES + PLANS_QUERIES)  # as tests/test_report_annual.py pins build_annual
    # the session, the user, the user's scopes (read once per request: accounts.access), one count per to-do row,
    # the scope unit, the annual report: whatever the province's size
    with django_assert_num_queries(2 + 1 + rows + 1 + annual_queries):
        client.get("/")


def recognise(*codes: str) -> None:
    year = timezone.localdate().year
    for code in codes:
        Recognition.objects.update_or_create(unit=unit(code), year=year, defaults={"status": Status.RECOGNISED})


def test_province_charts_rank_the_communes_and_drill_down(world: dict[str, Any]) -> None:
    import io

    from openpyxl import load_workbook

    recognise("KDC-T99000-01", "KDC-T99000-02", "KDC-T99005-01")
    year = timezone.localdate().year
    province = world["units"]["province"]
    client = Client()
    client.login(username="canbo.tinh", password=PASSWORD)
    url = reverse("dashboard:charts") + f"?unit={province.pk}&year={year}"
    page = client.get(url).content.decode()
    for key in ("recognition", "trends", "models_field", "models_initiator", "awards", "completeness",
                "classification"):
        assert f'id="chart-{key}"' in page, key
    # The ranking, computed here from the register: recognised / residential areas of each commune.
    shares = []
    for commune in Unit.objects.filter(parent=province, kind="commune"):
        areas = Unit.objects.filter(parent=commune, kind="residential_area")
        done = Recognition.objects.filter(unit__in=areas, year=year, status=Status.RECOGNISED).count()
        shares.append((-round(100 * done / areas.count(), 2), -done, commune))
    best = min(shares, key=lambda s: (s[0], s[1]))[2]
    workbook = client.get(url + "&export=recognition")
    assert workbook["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(workbook.content)).active.iter_rows(values_only=True))
    assert rows[1] == ("Xã, phường, đặc khu", "Được công nhận", "Tổng số", "Tỷ lệ (%)")
    assert rows[2][0] == best.name and rows[2][1] == 2
    assert len(rows) == 2 + len(shares)
    # Each commune's name drills down to its own charts.
    anbinh = world["units"]["an_binh"]
    drill = reverse("dashboard:charts") + f"?unit={anbinh.pk}&amp;year={year}"
    assert drill in page
    commune_page = client.get(reverse("dashboard:charts") + f"?unit={anbinh.pk}&year={year}")
    assert commune_page.status_code == 200 and 'id="chart-recognition"' in commune_page.content.decode()
    assert client.get(url + "&export=nothing").status_code == 404


def test_a_commune_officer_sees_no_other_communes_charts(world: dict[str, Any]) -> None:
    client = Client()
    client.login(username="canbo.xa", password=PASSWORD)
    other = world["units"]["anh_son"]
    assert client.get(reverse("dashboard:charts") + f"?unit={other.pk}").status_code == 404
    own = client.get(reverse("dashboard:charts"))  # the officer's own commune by default
    assert own.status_code == 200 and "Xã An Bình" in own.content.decode()
    assert client.get(reverse("dashboard:charts") + "?unit=abc&year=x").status_code == 404
