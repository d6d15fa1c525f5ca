"""The JSON API (/api/v1/) and the API token pages: auth, scope, one error shape, writes through actions."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.models import Role
from phongtrao.api.actions import do_create_token, do_revoke_token
from phongtrao.api.models import ApiToken
from phongtrao.api.openapi import DOCUMENT_PATH, REGENERATE, openapi_document
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry, Channel
from phongtrao.units.models import Kind, Unit

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 12, 31)
UNITS = "/api/v1/units"


def unit(code: str, day: dt.date = TODAY) -> Unit:
    return Unit.objects.with_code(code, day).get()


def token_client(user: Any) -> Client:
    _, key = do_create_token(Actor(user=user), user, name="test")
    return Client(headers={"authorization": f"Bearer {key}"})


def send(client: Client, method: str, url: str, body: Any = None) -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


@pytest.fixture
def admin(make_user: Any) -> Any:
    return make_user("quantri", Role.ADMIN)


@pytest.fixture
def commune(example_units: None) -> Unit:
    return unit("T99001")


@pytest.fixture
def officer(make_user: Any, commune: Unit) -> Any:
    """A commune officer of T99001 who may also view (not change) the whole province T99."""
    return make_user("canbo_xa", Role.COMMUNE_OFFICER, commune, view=unit("T99"))


# --- token pages -------------------------------------------------------------------------------


def test_token_pages_require_login(client: Client) -> None:
    response = client.get(reverse("api_tokens:list"))
    assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_user_creates_token_sees_key_once_and_revokes_it(client: Client, make_user: Any) -> None:
    user = make_user("canbo", Role.VIEWER)
    client.force_login(user)
    response = client.post(reverse("api_tokens:create"), {"name": "Đồng bộ phần mềm tỉnh"})
    assert response.status_code == 200
    key = response.context["key"]
    assert key in response.content.decode()
    token = ApiToken.objects.get(user=user)
    # Only the hash is stored, never the key itself.
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.name, token.prefix, token.key_hash} and key.startswith(token.prefix)
    assert response["Cache-Control"].startswith("max-age=0")

    listing = client.get(reverse("api_tokens:list")).content.decode()
    assert "Đồng bộ phần mềm tỉnh" in listing and token.prefix in listing and key not in listing

    confirm = client.get(reverse("api_tokens:revoke", args=[token.pk]))
    assert confirm.status_code == 200 and "confirm-revoke" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # GET only asks
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert "đã thu hồi" in client.get(reverse("api_tokens:list")).content.decode()
    actions = list(AuditEntry.objects.filter(object_type="api.apitoken").values_list("action", "channel"))
    assert sorted(actions) == [("api_token.create", Channel.WEB), ("api_token.revoke", Channel.WEB)]


def test_token_name_is_required(client: Client, make_user: Any) -> None:
    client.force_login(make_user("canbo", Role.VIEWER))
    response = client.post(reverse("api_tokens:create"), {"name": "  "})
    assert response.status_code == 200 and "key" not in response.context
    assert not ApiToken.objects.exists()


def test_user_cannot_see_or_revoke_another_users_token(client: Client, make_user: Any) -> None:
    owner, other = make_user("chu", Role.VIEWER), make_user("nguoikhac", Role.ADMIN)
    token, _ = do_create_token(Actor(user=owner), owner, name="của chủ")
    client.force_login(other)
    assert "của chủ" not in client.get(reverse("api_tokens:list")).content.decode()
    assert client.get(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- authentication ----------------------------------------------------------------------------


def test_no_token_is_401_in_the_error_shape(client: Client, official_register: None) -> None:
    error = assert_error(client.get(UNITS), 401, "unauthorized")
    assert error["details"] == []
    assert client.get(UNITS)["WWW-Authenticate"].startswith("Bearer")


def test_unknown_or_revoked_token_is_401(admin: Any) -> None:
    assert_error(Client(headers={"authorization": "Bearer ptk_khong-ton-tai"}).get(UNITS), 401, "unauthorized")
    token, key = do_create_token(Actor(user=admin), admin, name="sẽ thu hồi")
    api = Client(headers={"authorization": f"Bearer {key}"})
    assert api.get("/api/v1/me").json()["username"] == "quantri"
    do_revoke_token(Actor(user=admin), token.pk)
    assert_error(api.get("/api/v1/me"), 401, "unauthorized")
    assert_error(send(api, "post", UNITS, {}), 401, "unauthorized")


def test_token_of_deactivated_user_is_401(admin: Any) -> None:
    api = token_client(admin)
    admin.is_active = False
    admin.save()
    assert_error(api.get("/api/v1/me"), 401, "unauthorized")


def test_last_used_at_is_written_at_most_once_a_minute(admin: Any) -> None:
    token, key = do_create_token(Actor(user=admin), admin, name="t")
    api = Client(headers={"authorization": f"Bearer {key}"})
    api.get("/api/v1/me")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    api.get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(seconds=61))
    api.get("/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at is not None and token.last_used_at > first


def test_signed_in_browser_session_may_read_but_writes_need_csrf(make_user: Any, commune: Unit) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("quantri", Role.ADMIN))
    assert browser.get(f"{UNITS}/{commune.pk}").json()["code"] == "T99001"
    response = send(browser, "patch", f"{UNITS}/{commune.pk}", {"version": commune.version, "name": "X"})
    assert_error(response, 403, "csrf_failed")


# --- scope ---------------------------------------------------------------------------------------


def test_commune_officer_lists_only_units_of_their_commune_subtree(make_user: Any, commune: Unit) -> None:
    api = token_client(make_user("canbo_xa", Role.COMMUNE_OFFICER, commune))
    body = api.get(UNITS, {"limit": 500}).json()
    expected = set(Unit.objects.in_subtree(commune).values_list("pk", flat=True))
    assert body["count"] == len(expected) > 1
    assert {item["id"] for item in body["items"]} == expected
    # The commune's parent (the province) is out of view: its id is not shown.
    own = next(item for item in body["items"] if item["id"] == commune.pk)
    assert own["parent_id"] is None
    assert api.get(UNITS, {"code": "48"}).json()["count"] == 0


def test_commune_officer_gets_404_for_a_unit_of_another_commune(make_user: Any, commune: Unit) -> None:
    api = token_client(make_user("canbo_xa", Role.COMMUNE_OFFICER, commune))
    other = unit("T99002")
    assert_error(api.get(f"{UNITS}/{other.pk}"), 404, "not_found")
    assert_error(send(api, "patch", f"{UNITS}/{other.pk}", {"version": other.version, "name": "X"}),
                 404, "not_found")
    assert_error(api.get(UNITS, {"in_subtree": other.pk}), 404, "not_found")
    # Not existing and not visible look the same.
    assert_error(api.get(f"{UNITS}/999999999"), 404, "not_found")


def test_commune_officer_gets_403_changing_a_visible_unit_they_do_not_capture(officer: Any) -> None:
    api = token_client(officer)
    other = unit("T99002")
    assert api.get(f"{UNITS}/{other.pk}").status_code == 200
    assert_error(send(api, "patch", f"{UNITS}/{other.pk}", {"version": other.version, "name": "X"}),
                 403, "forbidden")
    assert_error(send(api, "post", f"{UNITS}/{other.pk}/close", {"valid_to": "2025-12-31"}), 403, "forbidden")
    other.refresh_from_db()
    assert other.name == "Phường Đông Hà" and other.valid_to is None


NEW_AREA = {"code": "KDC-API-01", "name": "Thôn Mới", "kind": "residential_area", "subtype": "thon",
            "households": 120, "valid_from": "2025-09-01"}


def test_commune_officer_cannot_create_under_another_commune(make_user: Any, commune: Unit) -> None:
    api = token_client(make_user("canbo_xa", Role.COMMUNE_OFFICER, commune))
    assert_error(send(api, "post", UNITS, {**NEW_AREA, "parent_id": unit("T99002").pk}), 404, "not_found")
    with_view = token_client(make_user("canbo_xa2", Role.COMMUNE_OFFICER, commune, view=unit("T99")))
    error = assert_error(send(with_view, "post", UNITS, {**NEW_AREA, "parent_id": unit("T99002").pk}),
                         403, "forbidden")
    assert error["details"][0]["field"] == "parent_id"
    assert not Unit.objects.filter(code="KDC-API-01").exists()


def test_commune_officer_creates_a_unit_in_their_commune_through_the_action(officer: Any, commune: Unit) -> None:
    api = token_client(officer)
    response = send(api, "post", UNITS, {**NEW_AREA, "parent_id": commune.pk})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["parent_id"], body["kind"], body["version"]) == ("KDC-API-01", commune.pk,
                                                                               Kind.RESIDENTIAL_AREA, 1)
    assert body["valid_from"] == "2025-09-01"
    created = Unit.objects.get(pk=body["id"])
    assert created in Unit.objects.in_subtree(commune)
    entry = AuditEntry.objects.get(action="unit.create", object_id=str(created.pk))
    assert (entry.channel, entry.user, entry.before, entry.after["code"]) == (Channel.API, officer, None,
                                                                             "KDC-API-01")


# --- writes ---------------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent_and_bumps_the_version(admin: Any, commune: Unit) -> None:
    api = token_client(admin)
    response = send(api, "patch", f"{UNITS}/{commune.pk}", {"version": commune.version, "name": "Xã Anh Sơn Mới"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["code"], body["version"]) == ("Xã Anh Sơn Mới", "T99001", commune.version + 1)
    entry = AuditEntry.objects.get(action="unit.update", object_id=str(commune.pk))
    assert entry.channel == Channel.API
    assert (entry.before["name"], entry.after["name"]) == ("Xã Anh Sơn", "Xã Anh Sơn Mới")


def test_patch_with_a_stale_version_is_409_and_changes_nothing(admin: Any, commune: Unit) -> None:
    api = token_client(admin)
    stale = commune.version
    assert send(api, "patch", f"{UNITS}/{commune.pk}", {"version": stale, "name": "Lần một"}).status_code == 200
    error = assert_error(send(api, "patch", f"{UNITS}/{commune.pk}", {"version": stale, "name": "Lần hai"}),
                         409, "stale_version")
    assert "sửa" in error["message"]
    commune.refresh_from_db()
    assert commune.name == "Lần một"


def test_patch_cannot_null_a_required_field(admin: Any, commune: Unit) -> None:
    error = assert_error(send(token_client(admin), "patch", f"{UNITS}/{commune.pk}",
                              {"version": commune.version, "name": None}), 422, "validation_error")
    assert error["details"][0]["field"] == "name"


def test_close_sets_valid_to_and_refuses_with_open_children(admin: Any, commune: Unit) -> None:
    api = token_client(admin)
    error = assert_error(send(api, "post", f"{UNITS}/{commune.pk}/close", {"valid_to": "2025-12-31"}),
                         422, "invalid")
    assert error["details"][0]["field"] == "valid_to"
    leaf = Unit.objects.in_subtree(commune).of_kind(Kind.RESIDENTIAL_AREA).first()
    assert leaf is not None
    response = send(api, "post", f"{UNITS}/{leaf.pk}/close", {"valid_to": "2025-12-31", "version": leaf.version})
    assert response.status_code == 200, response.content
    assert response.json()["valid_to"] == "2025-12-31"


# --- the one error shape -----------------------------------------------------------------------


def test_validation_errors_use_the_one_error_shape(admin: Any, commune: Unit) -> None:
    api = token_client(admin)
    error = assert_error(send(api, "post", UNITS, {"name": "Thiếu mã"}), 422, "validation_error")
    fields = {d["field"]: d for d in error["details"]}
    assert {"code", "kind", "parent_id"} <= set(fields)
    assert fields["code"]["code"] == "missing" and fields["code"]["message"] == "Bắt buộc, không được để trống."
    error = assert_error(send(api, "post", UNITS, {**NEW_AREA, "parent_id": commune.pk, "valid_from": "1/9/2025"}),
                         422, "validation_error")
    assert error["details"][0]["field"] == "valid_from"
    error = assert_error(send(api, "post", UNITS, {**NEW_AREA, "parent_id": commune.pk, "colour": "red"}),
                         422, "validation_error")
    assert error["details"][0]["field"] == "colour"
    assert_error(send(api, "post", UNITS, {**NEW_AREA, "parent_id": commune.pk, "name": "a\x00b"}),
                 422, "validation_error")
    error = assert_error(api.get(UNITS, {"limit": 0}), 422, "validation_error")
    assert error["details"][0]["field"] == "limit"
    assert_error(api.get(UNITS, {"as_of": "31/12/2025"}), 422, "validation_error")
    assert_error(api.get(f"{UNITS}/abc"), 422, "validation_error")
    assert_error(api.get(f"{UNITS}/99999999999999999999999"), 422, "validation_error")
    bad_json = api.post(UNITS, data="{not json", content_type="application/json")
    assert_error(bad_json, 400, "bad_request")
    deep = api.post(UNITS, data="[" * 100_000, content_type="application/json")
    assert_error(deep, 400, "bad_request")


def test_unknown_addresses_and_methods_use_the_one_error_shape(admin: Any, commune: Unit) -> None:
    api = token_client(admin)
    assert_error(api.get("/api/v1/khong-co"), 404, "not_found")
    assert_error(api.get("/api/v1/"), 404, "not_found")
    response = api.delete(f"{UNITS}/{commune.pk}")
    assert_error(response, 405, "method_not_allowed")
    assert "PATCH" in response["Allow"]


def test_a_refused_action_is_422_with_field_messages(admin: Any, commune: Unit) -> None:
    api = token_client(admin)
    # An enterprise needs a size and a managing level: the action says so in Vietnamese.
    body = {"code": "DN-API-1", "name": "Công ty A", "kind": "enterprise", "parent_id": commune.pk}
    error = assert_error(send(api, "post", UNITS, body), 422, "invalid")
    fields = {d["field"] for d in error["details"]}
    assert {"size", "managed_by"} <= fields
    # A residential area under a province is the wrong parent kind.
    error = assert_error(send(api, "post", UNITS, {**NEW_AREA, "parent_id": unit("T99").pk}), 422, "invalid")
    assert error["details"][0]["field"] == "parent_id"


# --- lists --------------------------------------------------------------------------------------


def test_pagination_counts_and_pages_in_vietnamese_order(admin: Any, commune: Unit) -> None:
    api = token_client(admin)
    params = {"in_subtree": unit("T99").pk}
    whole = api.get(UNITS, {**params, "limit": 500}).json()
    assert whole["count"] == len(whole["items"]) == Unit.objects.in_subtree(unit("T99")).count()
    first = api.get(UNITS, {**params, "limit": 10}).json()
    second = api.get(UNITS, {**params, "limit": 10, "offset": 10}).json()
    assert (first["count"], first["limit"], first["offset"], len(first["items"])) == (whole["count"], 10, 0, 10)
    assert [u["id"] for u in first["items"] + second["items"]] == [u["id"] for u in whole["items"][:20]]
    assert api.get(UNITS, {**params, "offset": 10_000}).json()["items"] == []
    assert api.get(UNITS).json()["limit"] == 50
    error = assert_error(api.get(UNITS, {"limit": 501}), 422, "validation_error")
    assert error["details"][0]["field"] == "limit"


def test_filters_by_code_and_date_kind_parent_and_search(admin: Any, official_register: None) -> None:
    api = token_client(admin)
    # The reform reused codes: a code names a unit only together with a date.
    both = api.get(UNITS, {"code": "22918"}).json()
    assert both["count"] == 2
    old = api.get(UNITS, {"code": "22918", "as_of": "2024-12-31"}).json()["items"]
    new = api.get(UNITS, {"code": "22918", "as_of": "2025-07-01"}).json()["items"]
    assert [u["name"] for u in old] == ["Phường Hàm Tiến"] and [u["name"] for u in new] == ["Phường Mũi Né"]
    assert api.get(UNITS, {"code": "4", "as_of": "2025-07-01"}).json()["count"] == 0
    found = api.get(UNITS, {"q": "da nang", "kind": "province", "as_of": "2025-07-01"}).json()["items"]
    assert [u["code"] for u in found] == ["48"]
    danang = found[0]["id"]
    communes = api.get(UNITS, {"parent": danang, "kind": "commune", "limit": 500}).json()
    assert communes["count"] == Unit.objects.filter(parent_id=danang, kind=Kind.COMMUNE).count() > 0
    names = [u["name"] for u in communes["items"]]
    assert names == [u.name for u in Unit.objects.filter(parent_id=danang, kind=Kind.COMMUNE).vi_ordered()]


# --- imports -------------------------------------------------------------------------------------

HEADER = "code,name,kind,parent_code,subtype,households,valid_from"


def upload(api: Client, text: str, *, dry_run: bool = False, name: str = "units.csv") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return api.post("/api/v1/imports/units", {"file": file, "dry_run": "true" if dry_run else "false"})


def test_import_creates_units_and_audits_them_on_the_api_channel(admin: Any, commune: Unit) -> None:
    api = token_client(admin)
    response = upload(api, f"{HEADER}\nKDC-API-01,Thôn Mới,residential_area,T99001,thon,120,2025-09-01\n")
    assert response.status_code == 200, response.content
    assert response.json() == {"kind": "units", "dry_run": False, "rows_read": 1, "created": 1, "updated": 0,
                               "unchanged": 0, "warnings": []}
    created = Unit.objects.get(code="KDC-API-01")
    assert created.parent == commune
    entry = AuditEntry.objects.get(object_id=str(created.pk))
    assert (entry.channel, entry.user, entry.before, entry.after["name"]) == (Channel.API, admin, None, "Thôn Mới")
    # Importing the same unit again with a new name updates it: before and after are recorded.
    response = upload(api, f"{HEADER}\nKDC-API-01,Thôn Mới Đổi,residential_area,T99001,thon,120,2025-09-01\n")
    assert response.json()["updated"] == 1
    entry = AuditEntry.objects.filter(object_id=str(created.pk)).order_by("-id").first()
    assert entry is not None and entry.channel == Channel.API
    assert (entry.before["name"], entry.after["name"]) == ("Thôn Mới", "Thôn Mới Đổi")


def test_import_with_errors_is_422_with_every_bad_row_and_writes_nothing(admin: Any, commune: Unit) -> None:
    api = token_client(admin)
    before = (Unit.objects.count(), AuditEntry.objects.count())
    response = upload(api, f"{HEADER}\nKDC-API-01,Thôn Tốt,residential_area,T99001,thon,1,2025-09-01\n"
                           f"KDC-API-02,Thôn Xấu,planet,T99001,thon,1,2025-09-01\n"
                           f"KDC-API-03,,residential_area,KHONG-CO,thon,1,2025-09-01\n")
    error = assert_error(response, 422, "import_failed")
    rows = {(d["row"], d["column"]) for d in error["details"]}
    assert (3, "kind") in rows and (4, "name") in rows
    assert all(d["message"] for d in error["details"])
    assert (Unit.objects.count(), AuditEntry.objects.count()) == before


def test_import_dry_run_counts_and_writes_nothing(admin: Any, commune: Unit) -> None:
    api = token_client(admin)
    response = upload(api, f"{HEADER}\nKDC-API-01,Thôn Mới,residential_area,T99001,thon,1,2025-09-01\n",
                      dry_run=True)
    assert response.status_code == 200, response.content
    assert (response.json()["dry_run"], response.json()["created"]) == (True, 1)
    assert not Unit.objects.filter(code="KDC-API-01").exists()


def test_import_of_a_file_that_is_not_a_table_is_422(admin: Any, official_register: None) -> None:
    error = assert_error(upload(token_client(admin), "hello", name="notes.txt"), 422, "import_failed")
    assert error["details"][0]["row"] == 0
    assert_error(token_client(admin).post("/api/v1/imports/units", {}), 422, "validation_error")


def test_import_acts_only_inside_the_callers_capture_scope(make_user: Any, commune: Unit) -> None:
    api = token_client(make_user("canbo_xa", Role.COMMUNE_OFFICER, commune))
    response = upload(api, f"{HEADER}\nKDC-API-01,Thôn Mới,residential_area,T99001,thon,1,2025-09-01\n")
    assert response.status_code == 200, response.content
    assert Unit.objects.filter(code="KDC-API-01").exists()
    response = upload(api, f"{HEADER}\nKDC-API-02,Thôn Khác,residential_area,T99002,thon,1,2025-09-01\n")
    assert_error(response, 422, "import_failed")
    assert "phạm vi" in response.json()["error"]["details"][0]["message"]
    assert not Unit.objects.filter(code="KDC-API-02").exists()


def test_import_is_refused_to_viewers(make_user: Any, commune: Unit) -> None:
    api = token_client(make_user("xem_api", Role.VIEWER, commune))
    response = upload(api, f"{HEADER}\nKDC-API-03,Thôn Mới,residential_area,T99001,thon,1,2025-09-01\n")
    assert_error(response, 403, "forbidden")
    assert not Unit.objects.filter(code="KDC-API-03").exists()


# --- the OpenAPI document -------------------------------------------------------------------------


def test_checked_in_openapi_document_is_up_to_date() -> None:
    current = DOCUMENT_PATH.read_text(encoding="utf-8") if DOCUMENT_PATH.exists() else ""
    assert current == openapi_document(), (
        f"{DOCUMENT_PATH} differs from the API's generated OpenAPI document; regenerate it with "
        f"`{REGENERATE}` and commit the result."
    )


def test_openapi_document_is_served(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["version"] == "1"
    assert {"/api/v1/units", "/api/v1/units/{unit_id}", "/api/v1/units/{unit_id}/close",
            "/api/v1/imports/units"} <= set(schema["paths"])


def test_api_dates_are_iso(admin: Any, commune: Unit) -> None:
    body = token_client(admin).get(f"{UNITS}/{commune.pk}").json()
    assert body["valid_from"] is None or dt.date.fromisoformat(body["valid_from"])
    assert dt.datetime.fromisoformat(body["updated_at"]) <= timezone.now() + dt.timedelta(seconds=1)


def test_listing_units_takes_a_fixed_number_of_queries(officer: Any, django_assert_max_num_queries: Any) -> None:
    api = token_client(officer)
    api.get("/api/v1/me")  # last_used_at is written now, not during the pinned request
    province = unit("T99")
    # The token, the user's scopes (read once per request: accounts.access), the in_subtree unit, the count, the
    # page, the visible parents: however many are listed.
    with django_assert_max_num_queries(6):
        body = api.get(UNITS, {"limit": 500, "in_subtree": province.pk}).json()
    assert body["count"] == len(body["items"]) > 10
