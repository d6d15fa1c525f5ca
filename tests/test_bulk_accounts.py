"""Commune officers' accounts in bulk from a sheet: one login per commune with the capture scope on it,
one-time passwords given back once (page or .xlsx), all or nothing with row errors, the manager's
scope, the audit rows, and the password change forced at first sign-in. Personas: an administrator,
a province officer of T99, a commune officer, an anonymous visitor."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from phongtrao.accounts.actions import NewOfficer, do_create_commune_officers
from phongtrao.accounts.models import Role, ScopeKind, UnitScope, User
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from phongtrao.lib.workflow import ActionError
from phongtrao.units.models import Kind, Unit

pytestmark = pytest.mark.usefixtures("example_units")
URL = "/nguoi-dung/tao-hang-loat/"
CHOSEN = "Mat-khau-rieng-cua-toi-2026"


def unit(code: str) -> Unit:
    return Unit.objects.with_code(code, timezone.localdate()).get()


def danang_commune() -> Unit:
    found = Unit.objects.filter(parent=unit("48"), kind=Kind.COMMUNE).valid_on(timezone.localdate()).order_by("code")
    return found.first()  # type: ignore[return-value]


@pytest.fixture
def officer(make_user: Any) -> Any:
    return make_user("canbo.t99", Role.PROVINCE_OFFICER, unit("T99"))


def signed_in(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def sheet(rows: list[str], header: str = "Mã xã,Tên đăng nhập,Họ tên,Thư điện tử") -> SimpleUploadedFile:
    return SimpleUploadedFile("danh-sach.csv", ("\n".join([header, *rows]) + "\n").encode())


def post(user: Any, rows: list[str], output: str = "xlsx", **kwargs: Any) -> Any:
    return signed_in(user).post(URL, {"file": sheet(rows, **kwargs), "output": output})


def test_a_province_officer_creates_one_login_per_commune_with_its_scope(officer: Any) -> None:
    response = post(officer, ["T99000,canbo.anbinh,Nguyễn Văn An,an@example.vn", "T99001,canbo.anhson,Trần Thị Sơn,"])
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"] == 'attachment; filename="tai-khoan-can-bo-xa.xlsx"'
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("Mã xã", "Tên xã", "Tên đăng nhập")
    given = {r[2]: r for r in rows[1:]}
    assert set(given) == {"canbo.anbinh", "canbo.anhson"}
    assert given["canbo.anbinh"][:2] == ("T99000", "Xã An Bình") and given["canbo.anbinh"][3] == "Nguyễn Văn An"
    for username, row in given.items():
        user = User.objects.get(username=username)
        assert (user.role, user.unit.code, user.must_change_password, user.is_active) == (
            Role.COMMUNE_OFFICER, row[0], True, True)
        assert list(UnitScope.objects.filter(user=user).values_list("unit__code", "kind")) == [
            (row[0], ScopeKind.CAPTURE)]
        assert user.check_password(row[4]) and len(row[4]) == 19  # 16 characters in four groups
    assert User.objects.get(username="canbo.anbinh").email == "an@example.vn"
    entries = AuditEntry.objects.filter(action="user.create", user=officer)
    assert entries.count() == 2
    assert all(e.after["one_time_password"] is True and "password" not in e.after for e in entries)
    assert {e.unit.code for e in entries} == {"T99000", "T99001"}
    assert given["canbo.anbinh"][4] != given["canbo.anhson"][4]
    assert not AuditEntry.objects.filter(after__icontains=given["canbo.anbinh"][4]).exists()


def test_the_page_output_shows_the_passwords_once_and_is_not_cached(officer: Any) -> None:
    response = post(officer, ["T99000,canbo.anbinh,Nguyễn Văn An,"], output="page")
    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    assert "canbo.anbinh" in body and "Mật khẩu tạm chỉ hiện một lần" in body
    assert "Đã tạo 1 tài khoản cán bộ xã." in body


def test_any_bad_row_creates_nothing_and_every_error_names_its_row(officer: Any, make_user: Any) -> None:
    make_user("da.co", Role.COMMUNE_OFFICER, unit("T99002"))
    other = danang_commune()
    before = User.objects.count(), AuditEntry.objects.count()
    response = post(officer, [
        "T99000,canbo.anbinh,Nguyễn Văn An,",       # row 2: fine
        f"{other.code},canbo.khac,Lê Văn Khác,",   # row 3: another province
        "T99000,canbo.trung,Phạm Trùng,",          # row 4: the commune again
        "T99002,canbo.t99002,Vũ Đã Có,",           # row 5: the commune already has an officer
        "X999,DA.CO,,khong-phai-thu",              # row 6: unknown code, taken username, no name, bad e-mail
        "T99001,canbo.anbinh,Ngô Trùng Tên,",      # row 7: the username of row 2
        "T99003,có dấu cách,Hà Văn Dấu,",          # row 8: a username with a space
    ], output="page")
    body = response.content.decode()
    assert response.status_code == 200 and (User.objects.count(), AuditEntry.objects.count()) == before
    assert "chưa tạo tài khoản nào" in body
    for text in (f"Dòng 3 · Mã xã: {other.name} ngoài phạm vi bạn quản lý.",
                 "Dòng 4 · Mã xã: Xã An Bình đã có ở dòng 2: mỗi xã một tài khoản.",
                 "Dòng 5 · Mã xã: ", "đã có tài khoản cán bộ xã “da.co”.",
                 "Dòng 6 · Mã xã: Không có xã, phường, đặc khu nào đang hiệu lực với mã “X999”.",
                 "Dòng 6 · Tên đăng nhập: Tên đăng nhập “DA.CO” đã có người dùng.",
                 "Dòng 6 · Họ tên: Thiếu họ tên.", "Dòng 6 · Thư điện tử: ",
                 "Dòng 7 · Tên đăng nhập: Tên đăng nhập “canbo.anbinh” đã có ở dòng 2.",
                 "Dòng 8 · Tên đăng nhập: Tên đăng nhập chỉ gồm chữ"):
        assert text.replace("“", "&ldquo;") in body or text in body, text


def test_missing_columns_and_unreadable_files_are_explained(officer: Any) -> None:
    body = post(officer, ["T99000,canbo.x"], header="Mã xã,Tên đăng nhập").content.decode()
    assert "thiếu cột bắt buộc" in body and "full_name" in body
    response = signed_in(officer).post(URL, {"file": SimpleUploadedFile("a.pdf", b"%PDF"), "output": "page"})
    assert "Chỉ nhận tệp .csv hoặc .xlsx." in response.content.decode()
    assert signed_in(officer).post(URL, {"output": "page"}).status_code == 200
    assert User.objects.filter(role=Role.COMMUNE_OFFICER).count() == 0


def test_only_managers_may_create_accounts_in_bulk(make_user: Any) -> None:
    commune = make_user("xa", Role.COMMUNE_OFFICER, unit("T99000"))
    assert signed_in(commune).get(URL).status_code == 403
    assert post(commune, ["T99001,canbo.anhson,Trần Thị Sơn,"]).status_code == 403
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and "/tai-khoan/dang-nhap/" in anonymous["Location"]
    with pytest.raises(Exception, match="quyền"):
        do_create_commune_officers(Actor(user=commune), [NewOfficer(2, "T99001", "canbo.anhson", "Trần Thị Sơn")])
    assert not User.objects.filter(username="canbo.anhson").exists()


def test_an_administrator_may_create_for_any_province(make_user: Any) -> None:
    admin = make_user("quantri", Role.ADMIN)
    other = danang_commune()
    created = do_create_commune_officers(Actor(user=admin), [NewOfficer(2, other.code, "canbo.dn", "Lê Đà")])
    assert [u.unit for u, _ in created] == [other]
    with pytest.raises(ActionError) as refused:
        do_create_commune_officers(Actor(user=admin), [])
    assert "Tệp không có dòng nào." in str(refused.value)


def test_the_template_sheet_has_the_columns(officer: Any) -> None:
    response = signed_in(officer).get(reverse("users:bulk_template"))
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("Mã xã", "Tên đăng nhập", "Họ tên", "Thư điện tử")


def test_one_time_passwords_use_the_light_hasher_and_the_real_one_the_default(officer: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "phongtrao.accounts.hashers.OneTimePasswordHasher"]
    [(user, password)] = do_create_commune_officers(Actor(user=officer), [
        NewOfficer(2, "T99000", "canbo.anbinh", "Nguyễn Văn An")])
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256_onetime$10000$") and user.check_password(password)
    client = Client()
    assert client.login(username="canbo.anbinh", password=password)
    client.post(reverse("accounts:password_change"), {"old_password": password, "new_password1": CHOSEN,
                                                      "new_password2": CHOSEN})
    user.refresh_from_db()
    assert user.password.startswith("md5$") and not user.must_change_password


def test_the_first_sign_in_must_change_the_one_time_password(officer: Any) -> None:
    [(user, password)] = do_create_commune_officers(Actor(user=officer), [
        NewOfficer(2, "T99000", "canbo.anbinh", "Nguyễn Văn An")])
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "canbo.anbinh", "password": password},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:password_change")
    assert "Đây là lần đăng nhập đầu tiên với mật khẩu tạm" in response.content.decode()
    # Every page, and the API through the session, wait for the change; signing out still works.
    for url in (reverse("core:home"), reverse("recognition:commune", args=["T99000", 2025]), URL):
        assert client.get(url)["Location"] == reverse("accounts:password_change"), url
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["error"]["code"] == "password_change_required"
    # The one-time password cannot be chosen again.
    same = client.post(reverse("accounts:password_change"), {"old_password": password, "new_password1": password,
                                                             "new_password2": password})
    assert "Mật khẩu mới phải khác mật khẩu tạm được cấp." in same.content.decode()
    done = client.post(reverse("accounts:password_change"), {"old_password": password, "new_password1": CHOSEN,
                                                             "new_password2": CHOSEN})
    assert done.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password(CHOSEN)
    assert client.get(reverse("recognition:commune", args=["T99000", 2025])).status_code == 200
    assert AuditEntry.objects.filter(action="user.change_password", user=user).count() == 1
