"""Inputs that used to be a 500: a unit code with "/", the calendar's first and last days in the audit
filter, NUL bytes, households beyond the column's range, and a closure rebuild too large for one query."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role, User
from phongtrao.api.actions import do_create_token
from phongtrao.audit.actions import Actor
from phongtrao.lib.importing import run_import
from phongtrao.lib.workflow import ActionError
from phongtrao.units.actions import do_create_unit
from phongtrao.units.models import MAX_HOUSEHOLDS, Kind, Unit, UnitAncestor, rebuild_closure

pytestmark = pytest.mark.usefixtures("example_units")

CODE_MESSAGE = "Mã chỉ gồm chữ cái không dấu, chữ số và các dấu - _ ."


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, timezone.localdate()).get()


@pytest.fixture
def officer(make_user: Any) -> User:
    return make_user("tinh-t99", Role.PROVINCE_OFFICER, unit=unit("T99"))


@pytest.fixture
def client_in(client: Client, officer: User) -> Client:
    client.force_login(officer)
    return client


# --- unit codes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["KDC/01", "KDC 01", "KDC?01", "KDC#1", "Thôn-1", "-KDC", "%2F", "A" * 41])
def test_a_code_outside_the_character_set_is_refused_by_the_action(code: str) -> None:
    with pytest.raises(ActionError) as refused:
        do_create_unit(Actor.system(), code=code, name="Thôn thử", kind=Kind.RESIDENTIAL_AREA, parent=unit("T99001"))
    assert CODE_MESSAGE in refused.value.errors["code"][0]


@pytest.mark.parametrize("code", ["00004", "KDC-T99001-03", "SIM-MH_01.2", "VN"])
def test_codes_in_the_character_set_are_accepted(code: str) -> None:
    from phongtrao.units.models import CODE_RE

    assert CODE_RE.fullmatch(code)


def test_the_importer_refuses_a_code_with_a_slash_as_a_row_error(officer: User) -> None:
    data = "code,name,kind,parent_code\nKDC/09,Thôn Chín,residential_area,T99001\n".encode()
    result = run_import("units", "units.csv", data, actor=Actor(officer))
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(2, "code")]
    assert CODE_MESSAGE in result.errors[0].message
    assert not Unit.objects.filter(code="KDC/09").exists()


def test_the_api_refuses_a_code_with_a_slash(officer: User) -> None:
    _, key = do_create_token(Actor(user=officer), officer, name="test")
    api = Client(headers={"authorization": f"Bearer {key}"})
    body = {"code": "KDC/09", "name": "Thôn Chín", "kind": "residential_area", "parent_id": unit("T99001").pk}
    response = api.post("/api/v1/units", data=json.dumps(body), content_type="application/json")
    assert response.status_code in (400, 422), response.content
    assert not Unit.objects.filter(code="KDC/09").exists()


def test_the_commune_grid_survives_a_code_written_before_codes_were_checked(client_in: Client) -> None:
    """A unit with "/" in its code (as the register may already hold) no longer breaks the page for everyone."""
    commune = unit("T99001")
    legacy = Unit(code="KDC/CU", name="Thôn Mã Cũ", kind=Kind.RESIDENTIAL_AREA, parent=commune, households=10)
    legacy.refresh_derived()
    Unit.objects.bulk_create([legacy])  # bypassing the actions, as data from before the check
    rebuild_closure([legacy])
    year = timezone.localdate().year
    grid = client_in.get(reverse("recognition:commune", args=[commune.code, year]))
    assert grid.status_code == 200
    link = reverse("recognition:unit", args=[legacy.code, year])
    assert link in grid.content.decode()
    assert client_in.get(link).status_code == 200


# --- the audit filter's dates ----------------------------------------------------------------------


@pytest.mark.parametrize("params", [
    {"start": "01/01/0001", "end": "31/12/9999"},
    {"start": "0001-01-01"},
    {"end": "9999-12-31"},
    {"start": "9999-12-31"},
    {"end": "0001-01-01"},
    {"start": "02/01/0001", "end": "30/12/9999"},
])
def test_the_audit_filter_takes_the_first_and_last_days_of_the_calendar(client_in: Client,
                                                                        params: dict[str, str]) -> None:
    assert client_in.get(reverse("audit:list"), params).status_code == 200
    assert client_in.get(reverse("audit:export"), params).status_code == 200


def test_the_audit_filter_on_the_whole_calendar_finds_todays_entries(client_in: Client, officer: User) -> None:
    do_create_unit(Actor(officer), code="KDC-LICH", name="Thôn Lịch", kind=Kind.RESIDENTIAL_AREA,
                   parent=unit("T99001"))
    response = client_in.get(reverse("audit:list"), {"start": "01/01/0001", "end": "31/12/9999"})
    assert "Thôn Lịch" in response.content.decode()


# --- NUL bytes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [
    "/don-vi/tim-kiem/?q=%00",
    "/don-vi/tim-kiem/?q%00=x",
    "/nhat-ky/?unit=T99%00",
    "/antt/xa/T99%00001/2025/",
    "/%00/",
])
def test_a_nul_byte_in_the_path_or_query_is_a_400(client_in: Client, url: str) -> None:
    assert client_in.get(url).status_code == 400


def test_a_nul_byte_in_a_form_or_the_api_is_refused(client_in: Client, officer: User) -> None:
    area = unit("KDC-T99001-03")
    url = reverse("units:edit", args=[area.pk])
    fields = {"code": area.code, "name": "Khu\x00phố", "kind": area.kind, "parent": area.parent_id,
              "version": area.version}
    response = client_in.post(url, urlencode(fields), content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    # A multipart form is left to its form, whose text fields refuse NUL.
    response = client_in.post(url, fields)
    assert response.status_code == 200 and response.context["form"].errors["name"]
    _, key = do_create_token(Actor(user=officer), officer, name="test")
    api = Client(headers={"authorization": f"Bearer {key}"})
    response = api.patch(f"/api/v1/units/{area.pk}", data=json.dumps({"name": "Khu\x00phố", "version": area.version}),
                         content_type="application/json")
    assert response.status_code == 422  # the API's schema names the field
    assert response.json()["error"]["details"][0]["field"] == "name"
    response = api.get("/api/v1/units", {"q": "T99\x00"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "bad_request"
    area.refresh_from_db()
    assert area.name == "Khu phố 3"


# --- households ------------------------------------------------------------------------------------


@pytest.mark.parametrize("households", [str(MAX_HOUSEHOLDS + 1), "99999999999999999999"])
def test_households_beyond_the_columns_range_are_a_form_error(client_in: Client, households: str) -> None:
    area = unit("KDC-T99001-03")
    response = client_in.post(reverse("units:edit", args=[area.pk]),
                              {"code": area.code, "name": area.name, "kind": area.kind, "parent": area.parent_id,
                               "households": households, "version": area.version})
    assert response.status_code == 200
    assert response.context["form"].errors["households"]
    area.refresh_from_db()
    assert area.households == 509


def test_households_beyond_the_range_are_refused_by_the_action() -> None:
    with pytest.raises(ActionError) as refused:
        do_create_unit(Actor.system(), code="KDC-NHIEU", name="Thôn Nhiều Hộ", kind=Kind.RESIDENTIAL_AREA,
                       parent=unit("T99001"), households=MAX_HOUSEHOLDS + 1)
    assert "households" in refused.value.errors


def test_households_beyond_the_range_are_a_row_error_in_the_import(officer: User) -> None:
    data = f"code,name,kind,parent_code,households\nKDC-NHIEU,Thôn Nhiều,residential_area,T99001,{MAX_HOUSEHOLDS + 1}\n"
    result = run_import("units", "units.csv", data.encode(), actor=Actor(officer))
    assert [(e.row, e.column) for e in result.errors] == [(2, "households")]


# --- large imports on SQLite -----------------------------------------------------------------------


def largest_in_list(queries: list[dict[str, Any]]) -> int:
    sizes = [m.group(1).count(",") + 1 for q in queries for m in re.finditer(r" IN \(([^()]*)\)", q["sql"])]
    return max(sizes, default=0)


def test_the_closure_rebuild_keeps_every_query_within_sqlites_parameter_limit(officer: User) -> None:
    """1,500 new units at once with SQLite's limit lowered to 999 (its old default): the closure rows
    are deleted in batches instead of one ``IN (...)`` with every id."""
    rows = "\n".join(f"KDC-LON-{i:04d},Tổ {i},residential_area,T99001,{i}" for i in range(1500))
    data = f"code,name,kind,parent_code,households\n{rows}\n".encode()
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        previous = connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
    try:
        with CaptureQueriesContext(connection) as context:
            result = run_import("units", "units.csv", data, actor=Actor(officer))
    finally:
        if connection.vendor == "sqlite":
            connection.connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, previous)
    assert result.ok, [str(e) for e in result.errors[:3]]
    assert result.created == 1500
    assert largest_in_list(context.captured_queries) <= 900
    created = Unit.objects.filter(code__startswith="KDC-LON-")
    assert UnitAncestor.objects.filter(unit__in=created).count() == 1500 * 4  # itself, commune, province, VN
