"""API parity: imports of every kind through ``POST /api/v1/imports/{kind}``, and the read endpoints of
recognitions, models, award decisions and the annual report, scoped like the pages. The example
province goes in through the API; its annual JSON must equal expected.json (read, never copied).
Personas: an administrator, a commune officer of T99000, an officer of another province, anonymous."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from phongtrao.accounts.models import Role
from phongtrao.api.actions import do_create_token
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry, Channel
from phongtrao.recognition.models import Recognition
from phongtrao.units.models import Unit
from tests.conftest import EXAMPLES, built_once, create_user, ensure_official_register, import_example_units
from tests.test_report_annual import _contract_part

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 12, 31)
KINDS = ("recognitions", "models", "model_sites", "awards")


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, DAY).get()


def token_client(user: Any) -> Client:
    _, key = do_create_token(Actor(user=user), user, name="test")
    return Client(headers={"authorization": f"Bearer {key}"})


def upload(client: Client, kind: str, name: str, data: bytes, dry_run: bool = False) -> Any:
    return client.post(f"/api/v1/imports/{kind}", {"file": SimpleUploadedFile(name, data),
                                                   "dry_run": "true" if dry_run else "false"})


@pytest.fixture(scope="module")
def loaded_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The example province, every yearly file imported through the generic API endpoint by an admin: built
    once for the module (``built_once``), each test in a savepoint of it."""
    with built_once(django_db_blocker):
        ensure_official_register()
        import_example_units()
        call_command("setup", stdout=StringIO())
        admin = create_user("quantri", Role.ADMIN)
        api = token_client(admin)
        for kind in KINDS:
            response = upload(api, kind, f"{kind}.csv", (EXAMPLES / f"{kind}.csv").read_bytes())
            assert response.status_code == 200, (kind, response.content)
            assert response.json()["kind"] == kind and response.json()["created"] > 0
        danang = Unit.objects.with_code("48", DAY).get()
        yield {
            "admin": api,
            "commune": token_client(create_user("xa", Role.COMMUNE_OFFICER, unit("T99000"))),
            "other": token_client(create_user("tinh_khac", Role.PROVINCE_OFFICER, danang)),
        }


@pytest.fixture
def loaded(loaded_once: dict[str, Any], db: None) -> dict[str, Any]:
    return loaded_once


def test_every_import_kind_goes_through_the_api_and_the_annual_json_is_the_commands(
        loaded: dict[str, Any], example_dir: Path) -> None:
    assert {e.channel for e in AuditEntry.objects.filter(action="recognition.import")} == {Channel.API}
    expected = json.loads((example_dir / "expected.json").read_text(encoding="utf-8"))
    for year in ("2024", "2025"):
        response = loaded["admin"].get(f"/api/v1/reports/annual?unit_id={unit('T99').pk}&year={year}")
        assert response.status_code == 200
        body = response.json()
        for key in expected[year]:
            assert _contract_part(body[key], expected[year][key]) == expected[year][key], (year, key)
        assert {"recognition", "models", "awards"} <= set(expected["2025"])
        out = StringIO()
        call_command("report", "annual", "--unit", "T99", "--year", year, stdout=out)
        assert body == json.loads(out.getvalue())


def test_import_endpoint_dry_run_unknown_kinds_and_roles(loaded: dict[str, Any], example_dir: Path,
                                                         make_user: Any) -> None:
    before = Recognition.objects.count()
    csv = b"unit_code,year,registered\nKDC-T99000-01,2026,yes\n"
    response = upload(loaded["admin"], "recognitions", "r.csv", csv, dry_run=True)
    assert response.status_code == 200 and response.json()["dry_run"] is True
    assert Recognition.objects.count() == before
    missing = upload(loaded["admin"], "khong_co", "r.csv", csv)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert upload(loaded["admin"], "KHÔNG", "r.csv", csv).status_code in (404, 422)
    viewer = token_client(make_user("xem", Role.VIEWER, unit("T99")))
    refused = upload(viewer, "awards", "a.csv", (example_dir / "awards.csv").read_bytes())
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    # Outside the caller's capture scope: 422 with the row named, nothing written.
    outside = upload(loaded["other"], "recognitions", "r.csv", csv)
    assert outside.status_code == 422 and outside.json()["error"]["details"][0]["row"] == 2
    assert Recognition.objects.count() == before
    assert Client().post("/api/v1/imports/recognitions").status_code == 401


def test_recognitions_are_listed_within_scope_and_filtered(loaded: dict[str, Any]) -> None:
    mine = loaded["commune"].get("/api/v1/recognitions?year=2025&limit=500").json()
    in_commune = set(Unit.objects.in_subtree(unit("T99000")).values_list("pk", flat=True))
    assert mine["count"] == Recognition.objects.filter(year=2025, unit__in=in_commune).count() > 0
    assert {item["unit_id"] for item in mine["items"]} <= in_commune
    assert all(item["year"] == 2025 for item in mine["items"])
    # The deciding province is not in the commune officer's view: its id is not shown.
    assert all(item["authority_id"] in (None, unit("T99000").pk) for item in mine["items"])
    area = unit("KDC-T99000-05")
    one = loaded["commune"].get(f"/api/v1/recognitions?unit_id={area.pk}").json()
    expected = Recognition.objects.get(unit=area, year=2025)
    assert [(i["unit_code"], i["year"], i["status"], i["decision_no"]) for i in one["items"]] == [
        ("KDC-T99000-05", 2025, expected.status, expected.decision_no)]
    assert one["items"][0]["status_label"] == "Đạt" and one["items"][0]["decision_date"] == "2025-12-15"
    everything = loaded["admin"].get("/api/v1/recognitions?limit=1").json()
    assert everything["count"] == Recognition.objects.count() and len(everything["items"]) == 1
    # Another province sees none of T99 and may not name its units.
    assert loaded["other"].get("/api/v1/recognitions").json()["count"] == 0
    assert loaded["other"].get(f"/api/v1/recognitions?unit_id={area.pk}").status_code == 404
    assert loaded["other"].get(f"/api/v1/recognitions?in_subtree={unit('T99').pk}").status_code == 404
    assert loaded["admin"].get("/api/v1/recognitions?year=1999").status_code == 422


def test_models_list_their_visible_sites_only(loaded: dict[str, Any], example_dir: Path) -> None:
    from phongtrao.models_registry.models import Model, Site

    everything = loaded["admin"].get("/api/v1/models?limit=500").json()
    # Every row of the example's models.csv (below its header) is one model.
    rows = (example_dir / "models.csv").read_text(encoding="utf-8").strip().splitlines()
    assert everything["count"] == Model.objects.count() == len(rows) - 1
    assert sum(len(m["sites"]) for m in everything["items"]) == Site.objects.count()
    mine = loaded["commune"].get("/api/v1/models?limit=500").json()
    in_commune = set(Unit.objects.in_subtree(unit("T99000")).values_list("pk", flat=True))
    assert mine["count"] == Model.objects.visible_to(loaded_user(loaded["commune"])).count() > 0
    assert all(s["unit_id"] in in_commune for m in mine["items"] for s in m["sites"])
    assert all(m["unit_id"] is None or m["unit_id"] in in_commune for m in mine["items"])
    assert loaded["other"].get("/api/v1/models").json()["count"] == 0
    code = everything["items"][0]["code"]
    assert [m["code"] for m in loaded["admin"].get(f"/api/v1/models?q={code}").json()["items"]] == [code]


def test_award_decisions_show_only_visible_recipients(loaded: dict[str, Any]) -> None:
    from phongtrao.awards.models import AwardDecision, AwardRecipient

    everything = loaded["admin"].get("/api/v1/awards/decisions?limit=500").json()
    assert everything["count"] == AwardDecision.objects.count() > 0
    assert sum(len(d["recipients"]) for d in everything["items"]) == AwardRecipient.objects.count()
    mine = loaded["commune"].get("/api/v1/awards/decisions?limit=500&year=2025").json()
    in_commune = set(Unit.objects.in_subtree(unit("T99000")).values_list("pk", flat=True))
    assert all(r["unit_id"] in in_commune for d in mine["items"] for r in d["recipients"])
    assert mine["count"] == AwardDecision.objects.for_year(2025).filter(
        recipients__unit__in=in_commune).distinct().count()
    assert loaded["other"].get("/api/v1/awards/decisions").json()["count"] == 0


def test_annual_report_is_scoped(loaded: dict[str, Any]) -> None:
    province = unit("T99")
    assert loaded["other"].get(f"/api/v1/reports/annual?unit_id={province.pk}&year=2025").status_code == 404
    assert loaded["commune"].get(f"/api/v1/reports/annual?unit_id={province.pk}&year=2025").status_code == 404
    mine = loaded["commune"].get(f"/api/v1/reports/annual?unit_id={unit('T99000').pk}&year=2025")
    assert mine.status_code == 200 and mine.json()["unit"]["code"] == "T99000"
    assert loaded["commune"].get("/api/v1/reports/annual?year=2025").status_code == 422
    assert Client().get(f"/api/v1/reports/annual?unit_id={province.pk}&year=2025").status_code == 401


def loaded_user(client: Client) -> Any:
    from phongtrao.api.models import ApiToken, hash_key

    key = client.defaults["HTTP_AUTHORIZATION"].split()[1]
    return ApiToken.objects.get(key_hash=hash_key(key)).user


@pytest.mark.parametrize("url", ["/api/v1/recognitions", "/api/v1/models", "/api/v1/awards/decisions"])
def test_a_page_costs_the_same_queries_whatever_its_length(loaded: dict[str, Any], url: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    loaded["commune"].get(url)  # the token's first use of the minute writes last_used_at
    counts = []
    for limit in (1, 500):
        with CaptureQueriesContext(connection) as queries:
            assert loaded["commune"].get(f"{url}?limit={limit}").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
