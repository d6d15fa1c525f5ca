"""User management: who manages whom, roles and scopes a province officer may give, deactivation, audit."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phongtrao.accounts.actions import do_create_user, do_grant_scope, do_set_scopes
from phongtrao.accounts.models import Role, ScopeKind, UnitScope, User
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.workflow import ActionError
from phongtrao.units.models import Kind, Unit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("example_units")

NEW_PASSWORD = "Mat-khau-ban-dau-2026"


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, timezone.localdate()).get()


def danang_commune() -> Unit:
    return Unit.objects.filter(parent=unit("48"), kind=Kind.COMMUNE).valid_on(timezone.localdate()).order_by(
        "code").first()  # type: ignore[return-value]


def new_user_data(**changes: Any) -> dict[str, Any]:
    data = {
        "username": "canbo.moi", "first_name": "Nguyễn Văn Mới", "email": "moi@example.vn", "phone": "0901234567",
        "title": "Phó Trưởng Công an xã", "role": Role.COMMUNE_OFFICER, "unit": unit("T99001").pk,
        "scope_kind": ScopeKind.CAPTURE, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD,
    }
    data.update(changes)
    return data


@pytest.fixture
def admin(make_user: Any) -> User:
    return make_user("quantri", Role.ADMIN)


@pytest.fixture
def t99_officer(make_user: Any) -> User:
    return make_user("canbo.t99", Role.PROVINCE_OFFICER, unit("T99"))


@pytest.fixture
def commune_officer(make_user: Any) -> User:
    return make_user("canbo.xa", Role.COMMUNE_OFFICER, unit("T99001"))


@pytest.fixture
def danang_officer(make_user: Any) -> User:
    return make_user("canbo.danang", Role.COMMUNE_OFFICER, danang_commune())


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def audit_text(user: User) -> str:
    rows = AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk)).values("before", "after")
    return json.dumps(list(rows), ensure_ascii=False)


# --- create -------------------------------------------------------------------------------------------------


def test_admin_creates_a_user_with_scopes(admin: User) -> None:
    client = client_for(admin)
    response = client.post(reverse("users:create"), new_user_data(role=Role.APPROVER))
    user = User.objects.get(username="canbo.moi")
    assert response["Location"] == reverse("users:edit", args=[user.pk])
    assert (user.role, user.unit, user.get_full_name()) == (Role.APPROVER, unit("T99001"), "Nguyễn Văn Mới")
    assert user.check_password(NEW_PASSWORD)
    assert list(UnitScope.objects.filter(user=user).values_list("unit__code", "kind")) == [
        ("T99001", ScopeKind.CAPTURE)]

    # A view scope on the whole province, added on the edit page.
    response = client.post(reverse("users:scopes", args=[user.pk]), {"unit": unit("T99").pk, "kind": "view"})
    assert response.status_code == 302
    assert set(UnitScope.objects.filter(user=user).values_list("unit__code", "kind")) == {
        ("T99001", ScopeKind.CAPTURE), ("T99", ScopeKind.VIEW)}

    created = AuditEntry.objects.get(action="user.create", object_id=str(user.pk))
    assert created.user == admin and created.after["role"] == Role.APPROVER
    assert created.after["scopes"] == [f"capture:{unit('T99001').pk}"]
    scoped = AuditEntry.objects.get(action="user.set_scopes", object_id=str(user.pk))
    assert scoped.before == {"scopes": [f"capture:{unit('T99001').pk}"]}
    assert len(scoped.after["scopes"]) == 2


def test_admin_may_create_an_administrator_without_a_unit(admin: User) -> None:
    client = client_for(admin)
    response = client.post(reverse("users:create"), new_user_data(role=Role.ADMIN, unit="", scope_kind=""))
    assert response.status_code == 302
    assert User.objects.get(username="canbo.moi").role == Role.ADMIN


def test_province_officer_creates_a_commune_officer_in_their_province(t99_officer: User) -> None:
    response = client_for(t99_officer).post(reverse("users:create"), new_user_data())
    assert response.status_code == 302
    user = User.objects.get(username="canbo.moi")
    assert user.role == Role.COMMUNE_OFFICER
    assert UnitScope.objects.filter(user=user, unit=unit("T99001"), kind=ScopeKind.CAPTURE).exists()


def test_province_officer_cannot_create_a_user_for_another_provinces_commune(t99_officer: User) -> None:
    response = client_for(t99_officer).post(reverse("users:create"), new_user_data(unit=danang_commune().pk))
    assert response.status_code == 200
    assert "Đơn vị này không thuộc phạm vi bạn được quản lý." in response.content.decode()
    assert not User.objects.filter(username="canbo.moi").exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PROVINCE_OFFICER])
def test_province_officer_cannot_create_an_administrator_or_a_peer(t99_officer: User, role: str) -> None:
    response = client_for(t99_officer).post(reverse("users:create"), new_user_data(role=role))
    assert response.status_code == 200
    assert "Hãy chọn một lựa chọn hợp lệ" in response.content.decode()
    assert not User.objects.filter(username="canbo.moi").exists()


def test_the_action_refuses_what_the_form_would(t99_officer: User) -> None:
    """The same rules hold for the API and commands, which call the action directly."""
    actor = Actor(t99_officer)
    with pytest.raises(ActionError) as refused:
        do_create_user(actor, username="x.admin", password=NEW_PASSWORD, role=Role.ADMIN, unit=unit("T99001"))
    assert "role" in refused.value.errors
    with pytest.raises(ActionError) as refused:
        do_create_user(actor, username="x.danang", password=NEW_PASSWORD, role=Role.VIEWER,
                       unit=danang_commune(), scopes=[(danang_commune(), ScopeKind.VIEW)])
    assert "unit" in refused.value.errors
    assert not User.objects.filter(username__startswith="x.").exists()


def test_password_rules_and_duplicate_usernames_are_refused_in_vietnamese(admin: User,
                                                                         commune_officer: User) -> None:
    client = client_for(admin)
    html = client.post(reverse("users:create"), new_user_data(password="ngan", password_confirm="ngan")
                       ).content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in html
    html = client.post(reverse("users:create"), new_user_data(username="CANBO.XA")).content.decode()
    assert "đã có người dùng" in html
    html = client.post(reverse("users:create"), new_user_data(password_confirm="khac-nhau-12345")
                       ).content.decode()
    assert "Hai mật khẩu không giống nhau." in html
    assert not User.objects.filter(username="canbo.moi").exists()


# --- who may manage whom ------------------------------------------------------------------------------------


def test_commune_officer_may_not_manage_users(commune_officer: User, t99_officer: User) -> None:
    client = client_for(commune_officer)
    assert client.get(reverse("users:list")).status_code == 403
    assert client.get(reverse("users:create")).status_code == 403
    assert client.post(reverse("users:create"), new_user_data()).status_code == 403
    assert client.get(reverse("users:edit", args=[t99_officer.pk])).status_code == 403
    assert client.get(reverse("users:unit_picker"), {"unit_q": "T99"}).status_code == 403
    assert "Người dùng" not in client.get(reverse("accounts:security")).content.decode()


def test_anonymous_visitor_is_sent_to_login() -> None:
    response = Client().get(reverse("users:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_province_officer_lists_only_accounts_in_their_province(t99_officer: User, commune_officer: User,
                                                                danang_officer: User, admin: User) -> None:
    response = client_for(t99_officer).get(reverse("users:list"), {"status": "all"})
    listed = {row.user.username for row in response.context["page"]}
    assert listed == {"canbo.t99", "canbo.xa"}
    manageable = {row.user.username for row in response.context["page"] if row.manageable}
    assert manageable == {"canbo.xa"}  # not themselves, not a peer province officer
    assert "Người dùng" in response.content.decode()  # the navigation item


def test_account_with_a_scope_elsewhere_is_not_the_province_officers(t99_officer: User,
                                                                     commune_officer: User) -> None:
    do_set_scopes(Actor.system(), commune_officer.pk, [(unit("T99001"), ScopeKind.CAPTURE),
                                                       (danang_commune(), ScopeKind.VIEW)])
    client = client_for(t99_officer)
    assert client.get(reverse("users:edit", args=[commune_officer.pk])).status_code == 404


def test_out_of_scope_account_is_404_and_a_peer_is_403(t99_officer: User, danang_officer: User,
                                                       make_user: Any) -> None:
    peer = make_user("canbo.t99.2", Role.PROVINCE_OFFICER, unit("T99"))
    client = client_for(t99_officer)
    assert client.get(reverse("users:edit", args=[danang_officer.pk])).status_code == 404
    assert client.post(reverse("users:deactivate", args=[danang_officer.pk])).status_code == 404
    assert client.get(reverse("users:edit", args=[peer.pk])).status_code == 403
    assert client.post(reverse("users:deactivate", args=[peer.pk])).status_code == 403
    danang_officer.refresh_from_db()
    peer.refresh_from_db()
    assert danang_officer.is_active and peer.is_active


def test_province_officer_cannot_add_a_scope_outside_their_province(t99_officer: User,
                                                                   commune_officer: User) -> None:
    client = client_for(t99_officer)
    response = client.post(reverse("users:scopes", args=[commune_officer.pk]),
                           {"unit": danang_commune().pk, "kind": "view"})
    assert response.status_code == 200
    assert "Đơn vị này không thuộc phạm vi bạn được quản lý." in response.content.decode()
    assert list(UnitScope.objects.filter(user=commune_officer).values_list("unit__code", flat=True)) == ["T99001"]


def test_unit_picker_offers_only_units_in_the_managers_scope(t99_officer: User, admin: User) -> None:
    html = client_for(t99_officer).get(reverse("users:unit_picker"), {"unit_q": "xa anh son"}).content.decode()
    assert "Xã Anh Sơn" in html and 'name="unit"' in html
    html = client_for(t99_officer).get(reverse("users:unit_picker"), {"unit_q": "da nang"}).content.decode()
    assert "Đà Nẵng" not in html and "Không tìm thấy đơn vị nào" in html
    html = client_for(admin).get(reverse("users:unit_picker"), {"unit_q": "48"}).content.decode()
    assert "Thành phố Đà Nẵng" in html


# --- edit, scopes, deactivate -------------------------------------------------------------------------------


def test_edit_changes_role_and_unit_with_before_and_after(t99_officer: User, commune_officer: User) -> None:
    client = client_for(t99_officer)
    assert client.get(reverse("users:edit", args=[commune_officer.pk])).status_code == 200
    response = client.post(reverse("users:edit", args=[commune_officer.pk]), {
        "first_name": "Trần Thị Bình", "email": "", "phone": "", "title": "Trưởng Công an xã",
        "role": Role.APPROVER, "unit": unit("T99002").pk})
    assert response.status_code == 302
    commune_officer.refresh_from_db()
    assert (commune_officer.role, commune_officer.unit.code) == (Role.APPROVER, "T99002")
    entry = AuditEntry.objects.get(action="user.update", object_id=str(commune_officer.pk))
    assert entry.before["role"] == Role.COMMUNE_OFFICER and entry.after["role"] == Role.APPROVER
    assert entry.after["unit_id"] == unit("T99002").pk

    response = client.post(reverse("users:edit", args=[commune_officer.pk]), {
        "first_name": "Trần Thị Bình", "role": Role.ADMIN, "unit": unit("T99002").pk})
    assert response.status_code == 200
    commune_officer.refresh_from_db()
    assert commune_officer.role == Role.APPROVER


def test_removing_a_scope(admin: User, commune_officer: User) -> None:
    scope = UnitScope.objects.get(user=commune_officer)
    response = client_for(admin).post(reverse("users:scopes", args=[commune_officer.pk]),
                                      {"remove": scope.pk, "kind": scope.kind})
    assert response.status_code == 302
    assert not UnitScope.objects.filter(user=commune_officer).exists()
    assert AuditEntry.objects.get(action="user.set_scopes").after == {"scopes": []}


def test_deactivate_asks_first_then_stops_the_account(t99_officer: User, commune_officer: User) -> None:
    victim = Client()
    victim.force_login(commune_officer)
    client = client_for(t99_officer)
    page = client.get(reverse("users:deactivate", args=[commune_officer.pk]))
    assert page.status_code == 200 and "Ngừng tài khoản" in page.content.decode()
    commune_officer.refresh_from_db()
    assert commune_officer.is_active

    response = client.post(reverse("users:deactivate", args=[commune_officer.pk]))
    assert response["Location"] == reverse("users:list")
    commune_officer.refresh_from_db()
    assert not commune_officer.is_active
    assert User.objects.filter(pk=commune_officer.pk).exists()  # never deleted
    entry = AuditEntry.objects.get(action="user.deactivate", object_id=str(commune_officer.pk))
    assert (entry.before["is_active"], entry.after["is_active"]) == (True, False)

    # Their open session ends, and signing in says why.
    assert victim.get(reverse("units:browse")).status_code == 302
    html = Client().post(reverse("accounts:login"), {"username": "canbo.xa", "password": PASSWORD}).content.decode()
    assert "Tài khoản này đã ngừng hoạt động" in html

    client.post(reverse("users:reactivate", args=[commune_officer.pk]))
    commune_officer.refresh_from_db()
    assert commune_officer.is_active


def test_administrator_cannot_stop_their_own_account(admin: User) -> None:
    client = client_for(admin)
    response = client.post(reverse("users:deactivate", args=[admin.pk]), follow=True)
    assert "Bạn không thể tự ngừng tài khoản của mình." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_manager_sets_a_new_password(t99_officer: User, commune_officer: User) -> None:
    client = client_for(t99_officer)
    html = client.post(reverse("users:set_password", args=[commune_officer.pk]),
                       {"new_password1": "12345678901", "new_password2": "12345678901"}).content.decode()
    assert "Mật khẩu này hoàn toàn là số." in html
    new = "Mat-khau-dat-lai-2026"
    response = client.post(reverse("users:set_password", args=[commune_officer.pk]),
                           {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    commune_officer.refresh_from_db()
    assert commune_officer.check_password(new)
    assert AuditEntry.objects.filter(action="user.set_password", object_id=str(commune_officer.pk)).exists()


def test_audit_rows_never_hold_a_password(admin: User) -> None:
    client = client_for(admin)
    client.post(reverse("users:create"), new_user_data())
    user = User.objects.get(username="canbo.moi")
    client.post(reverse("users:edit", args=[user.pk]), {
        "first_name": "Nguyễn Văn Mới", "title": "Trưởng Công an xã", "role": Role.COMMUNE_OFFICER,
        "unit": unit("T99001").pk})
    client.post(reverse("users:scopes", args=[user.pk]), {"unit": unit("T99002").pk, "kind": "view"})
    new = "Mat-khau-dat-lai-2026"
    client.post(reverse("users:set_password", args=[user.pk]), {"new_password1": new, "new_password2": new})
    client.post(reverse("users:deactivate", args=[user.pk]))
    user.refresh_from_db()

    actions = set(AuditEntry.objects.filter(object_id=str(user.pk)).values_list("action", flat=True))
    assert actions == {"user.create", "user.update", "user.set_scopes", "user.set_password", "user.deactivate"}
    text = audit_text(user)
    for secret in (NEW_PASSWORD, new, user.password, user.password.split("$")[-1]):
        assert secret not in text
    assert '"password"' not in text


# --- the list -----------------------------------------------------------------------------------------------


def test_list_searches_without_diacritics_and_sorts_in_vietnamese(admin: User) -> None:
    for username, name in [("u.duong", "Dương Văn Ba"), ("u.dang", "Đặng Thị Hoa"), ("u.an", "An Văn Tư"),
                           ("u.anh", "Ánh Thị Năm"), ("u.bach", "Bạch Văn Sáu")]:
        do_create_user(Actor.system(), username=username, password=NEW_PASSWORD, role=Role.VIEWER,
                       first_name=name, unit=unit("T99001"), scopes=[(unit("T99001"), ScopeKind.VIEW)])
    client = client_for(admin)
    rows = client.get(reverse("users:list"), {"role": Role.VIEWER}).context["page"]
    assert [row.user.first_name for row in rows] == [
        "An Văn Tư", "Ánh Thị Năm", "Bạch Văn Sáu", "Dương Văn Ba", "Đặng Thị Hoa"]
    rows = client.get(reverse("users:list"), {"q": "dang thi"}).context["page"]
    assert [row.user.username for row in rows] == ["u.dang"]
    rows = client.get(reverse("users:list"), {"q": "U.BACH"}).context["page"]
    assert [row.user.username for row in rows] == ["u.bach"]


def test_list_pages_in_a_fixed_number_of_queries(admin: User, django_assert_max_num_queries: Any) -> None:
    for i in range(60):
        do_create_user(Actor.system(), username=f"u{i:02d}", password=NEW_PASSWORD, role=Role.VIEWER,
                       first_name=f"Người Thứ {i:02d}", unit=unit("T99001"),
                       scopes=[(unit("T99001"), ScopeKind.VIEW)])
    client = client_for(admin)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("users:list"))
    page = response.context["page"]
    assert page.paginator.count == 61 and len(page.object_list) == 50
    assert len(client.get(reverse("users:list"), {"page": 2}).context["page"].object_list) == 11


def test_granting_a_scope_is_audited_once(make_user: Any) -> None:
    commune = unit("T99001")
    user = make_user("mot-xa", Role.COMMUNE_OFFICER, unit=commune)
    entry = AuditEntry.objects.get(action="user.grant_scope", object_id=str(user.pk))
    assert (entry.channel, entry.unit_id, entry.before, entry.after) == (
        Actor.system().channel, commune.pk, {"scopes": []}, {"scopes": [f"{ScopeKind.CAPTURE}:{commune.pk}"]})
    other = unit("T99002")
    do_grant_scope(Actor.system(), user, other, ScopeKind.VIEW)
    do_grant_scope(Actor.system(), user, other, ScopeKind.VIEW)  # already held: nothing changes, nothing recorded
    assert AuditEntry.objects.filter(action="user.grant_scope", object_id=str(user.pk)).count() == 2
    assert set(UnitScope.objects.filter(user=user).values_list("unit_id", "kind")) == {
        (commune.pk, ScopeKind.CAPTURE), (other.pk, ScopeKind.VIEW)}
