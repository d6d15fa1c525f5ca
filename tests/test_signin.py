"""Signing in: Vietnamese refusals, lockout after ten wrong passwords, the optional second factor, CSRF, cookies."""

from __future__ import annotations

import datetime as dt
import os
import runpy
import time
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from phongtrao.accounts.actions import do_confirm_totp, do_start_totp
from phongtrao.accounts.models import Role, User
from phongtrao.accounts.otp import PENDING_KEY
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

WRONG_CREDENTIALS = "Tên đăng nhập hoặc mật khẩu không đúng."
LOCKED = "Tài khoản tạm thời bị khoá"


def login_url() -> str:
    return reverse("accounts:login")


def sign_in(client: Client, username: str, password: str, **extra: Any) -> Any:
    return client.post(login_url(), {"username": username, "password": password}, **extra)


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or ``steps_ahead`` periods later: a used code is refused)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrol(user: User) -> TOTPDevice:
    """A confirmed authenticator, through the real actions."""
    device = do_start_totp(Actor(user))
    return do_confirm_totp(Actor(user), code(device))


@pytest.fixture
def officer(make_user: Any) -> User:
    return make_user("canbo.tinh", Role.PROVINCE_OFFICER)


@pytest.fixture
def no_otp_throttle(settings: Any) -> None:
    """django-otp makes a second try wait 1 s after a wrong code; these tests try again at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


# --- password step ---------------------------------------------------------------------------------------


def test_right_password_signs_in(client: Client, officer: User) -> None:
    response = sign_in(client, "canbo.tinh", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_wrong_password_and_unknown_username_get_the_same_vietnamese_message(client: Client,
                                                                           officer: User) -> None:
    wrong_password = sign_in(client, "canbo.tinh", "sai-mat-khau-123")
    unknown_user = sign_in(client, "khong.ton.tai", PASSWORD)
    for response in (wrong_password, unknown_user):
        assert response.status_code == 200
        assert WRONG_CREDENTIALS in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_stopped_account_is_told_so_only_with_the_right_password(client: Client, officer: User) -> None:
    officer.is_active = False
    officer.save()
    html = sign_in(client, "canbo.tinh", PASSWORD).content.decode()
    assert "Tài khoản này đã ngừng hoạt động" in html
    html = sign_in(client, "canbo.tinh", "sai-mat-khau-123").content.decode()
    assert WRONG_CREDENTIALS in html and "ngừng hoạt động" not in html


# --- lockout ------------------------------------------------------------------------------------------------


def test_ten_wrong_passwords_lock_the_account_until_reset(client: Client, officer: User) -> None:
    for _ in range(9):
        response = sign_in(client, "canbo.tinh", "sai-mat-khau-123")
        assert response.status_code == 200
        assert WRONG_CREDENTIALS in response.content.decode()
    response = sign_in(client, "canbo.tinh", "sai-mat-khau-123")
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html
    assert "30 phút" in html and "liên hệ quản trị hệ thống" in html

    # The right password is refused too, from any address: the lock is on the username.
    response = sign_in(Client(REMOTE_ADDR="10.9.8.7"), "canbo.tinh", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lock_is_per_username_not_per_address(client: Client, officer: User, make_user: Any) -> None:
    make_user("dong.nghiep", Role.VIEWER)
    for _ in range(10):
        sign_in(client, "canbo.tinh", "sai-mat-khau-123")
    # A colleague behind the same office address still signs in.
    assert sign_in(client, "dong.nghiep", PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_count(client: Client, officer: User) -> None:
    for _ in range(9):
        sign_in(client, "canbo.tinh", "sai-mat-khau-123")
    assert sign_in(client, "canbo.tinh", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(9):
        assert sign_in(client, "canbo.tinh", "sai-mat-khau-123").status_code == 200
    assert sign_in(client, "canbo.tinh", PASSWORD).status_code == 302


def test_lock_ends_after_the_cool_off(client: Client, officer: User) -> None:
    for _ in range(10):
        sign_in(client, "canbo.tinh", "sai-mat-khau-123")
    assert sign_in(client, "canbo.tinh", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert sign_in(client, "canbo.tinh", PASSWORD).status_code == 302


def test_administrator_unlocks_from_the_user_page(client: Client, officer: User, make_user: Any) -> None:
    admin = make_user("quantri", Role.ADMIN)
    for _ in range(10):
        sign_in(client, "canbo.tinh", "sai-mat-khau-123")
    admin_client = Client()
    admin_client.force_login(admin)
    page = admin_client.get(reverse("users:edit", args=[officer.pk])).content.decode()
    assert "Đang bị khoá đăng nhập" in page and "Mở khoá đăng nhập" in page

    response = admin_client.post(reverse("users:unlock", args=[officer.pk]))
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="canbo.tinh").exists()
    entry = AuditEntry.objects.get(action="user.unlock", object_id=str(officer.pk))
    assert entry.user == admin
    assert sign_in(client, "canbo.tinh", PASSWORD).status_code == 302


# --- second factor ------------------------------------------------------------------------------------------


def test_province_officer_enrols_an_authenticator_confirmed_by_a_code(client: Client, officer: User,
                                                                    no_otp_throttle: None) -> None:
    client.force_login(officer)
    security = client.get(reverse("accounts:security")).content.decode()
    assert "Bật xác thực hai bước" in security

    response = client.post(reverse("accounts:totp_start"))
    assert response["Location"] == reverse("accounts:totp_enrol")
    device = TOTPDevice.objects.get(user=officer)
    assert not device.confirmed
    page = client.get(reverse("accounts:totp_enrol")).content.decode()
    assert "<svg" in page and 'id="secret"' in page

    wrong = f"{(int(code(device)) + 1) % 1_000_000:06d}"
    html = client.post(reverse("accounts:totp_enrol"), {"token": wrong}).content.decode()
    assert "Mã xác thực không đúng" in html
    device.refresh_from_db()
    assert not device.confirmed

    response = client.post(reverse("accounts:totp_enrol"), {"token": code(device)})
    assert response["Location"] == reverse("accounts:security")
    device.refresh_from_db()
    assert device.confirmed
    actions = list(AuditEntry.objects.filter(object_id=str(officer.pk)).values_list("action", flat=True))
    assert {"user.totp_start", "user.totp_confirm"} <= set(actions)
    assert device.key not in str(list(AuditEntry.objects.values_list("before", "after")))


def test_sign_in_with_an_authenticator_asks_for_the_code_before_logging_in(client: Client, officer: User,
                                                                         no_otp_throttle: None) -> None:
    device = enrol(officer)
    response = sign_in(client, "canbo.tinh", PASSWORD)
    assert response["Location"] == reverse("accounts:login_otp")
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("core:home"))["Location"].startswith(login_url())

    html = client.post(reverse("accounts:login_otp"), {"token": "000000"}).content.decode()
    assert "Mã xác thực không đúng" in html
    assert "_auth_user_id" not in client.session

    response = client.post(reverse("accounts:login_otp"), {"token": code(device, steps_ahead=1)})
    assert response.status_code == 302 and response["Location"] == reverse("core:home")
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert client.session["otp_device_id"] == device.persistent_id
    assert PENDING_KEY not in client.session


def test_the_code_step_expires_after_five_minutes(client: Client, officer: User) -> None:
    device = enrol(officer)
    sign_in(client, "canbo.tinh", PASSWORD)
    session = client.session
    state = session[PENDING_KEY]
    state["since"] -= 5 * 60 + 1
    session[PENDING_KEY] = state
    session.save()
    response = client.post(reverse("accounts:login_otp"), {"token": code(device, steps_ahead=1)}, follow=True)
    assert response.redirect_chain[-1][0] == login_url()
    assert "Đã quá 5 phút" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_codes_count_towards_the_lockout(client: Client, officer: User, no_otp_throttle: None) -> None:
    enrol(officer)
    sign_in(client, "canbo.tinh", PASSWORD)
    for _ in range(9):
        assert client.post(reverse("accounts:login_otp"), {"token": "000000"}).status_code == 200
    response = client.post(reverse("accounts:login_otp"), {"token": "000000"})
    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_removing_the_authenticator_needs_a_current_code(client: Client, officer: User,
                                                         no_otp_throttle: None) -> None:
    device = enrol(officer)
    client.force_login(officer)
    assert "Tắt xác thực hai bước" in client.get(reverse("accounts:security")).content.decode()
    html = client.post(reverse("accounts:totp_remove"), {"token": "000000"}).content.decode()
    assert "Mã xác thực không đúng" in html
    assert TOTPDevice.objects.filter(user=officer).exists()
    response = client.post(reverse("accounts:totp_remove"), {"token": code(device, steps_ahead=1)})
    assert response["Location"] == reverse("accounts:security")
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert AuditEntry.objects.filter(action="user.totp_remove", object_id=str(officer.pk)).exists()


def test_viewer_is_not_offered_the_second_factor(client: Client, make_user: Any) -> None:
    viewer = make_user("lanh.dao", Role.VIEWER)
    client.force_login(viewer)
    security = client.get(reverse("accounts:security")).content.decode()
    assert "Đổi mật khẩu" in security
    assert "Xác thực hai bước" not in security
    assert client.post(reverse("accounts:totp_start")).status_code == 403
    assert client.get(reverse("accounts:totp_enrol")).status_code == 403
    assert not TOTPDevice.objects.filter(user=viewer).exists()


# --- session, CSRF, password rules ----------------------------------------------------------------------


def test_expired_session_sends_back_to_login_with_a_message(client: Client, officer: User) -> None:
    sign_in(client, "canbo.tinh", PASSWORD)
    Session.objects.all().delete()  # the server-side session ended (8 hours, or an administrator)
    response = client.get(reverse("units:browse"), follow=True)
    assert response.redirect_chain[-1][0].startswith(login_url())
    assert "Phiên làm việc đã hết hạn" in response.content.decode()
    # Said once; signing out on purpose does not say it.
    assert "Phiên làm việc đã hết hạn" not in client.get(login_url()).content.decode()


def test_signing_out_is_not_reported_as_an_expired_session(client: Client, officer: User) -> None:
    sign_in(client, "canbo.tinh", PASSWORD)
    response = client.post(reverse("accounts:logout"), follow=True)
    assert "Phiên làm việc đã hết hạn" not in response.content.decode()


def test_htmx_request_after_the_session_ended_reloads_the_login_page(client: Client) -> None:
    response = client.get(reverse("units:browse"), headers={"HX-Request": "true",
                                                            "HX-Current-URL": "http://testserver/don-vi/"},
                          follow=True)
    assert response["HX-Redirect"] == f"{login_url()}?next=%2Fdon-vi%2F"


def test_csrf_failure_page_is_vietnamese(officer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    response = sign_in(client, "canbo.tinh", PASSWORD)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Không thực hiện được yêu cầu" in html and "tải lại trang" in html
    assert "CSRF verification failed" not in html


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Ngan-1", "Mật khẩu quá ngắn: cần ít nhất 10 ký tự."),
        ("1234567890123", "Mật khẩu này hoàn toàn là số."),
        ("password123", "Mật khẩu này quá phổ biến."),
    ],
)
def test_password_rules_are_explained_in_vietnamese(client: Client, officer: User, password: str,
                                                    message: str) -> None:
    client.force_login(officer)
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert message in response.content.decode()


def test_password_change_is_audited_without_the_password(client: Client, officer: User) -> None:
    client.force_login(officer)
    new = "Mot-mat-khau-moi-2026"
    html = client.post(reverse("accounts:password_change"), {
        "old_password": "khong-dung-123", "new_password1": new, "new_password2": new}).content.decode()
    assert "Mật khẩu cũ không chính xác" in html
    response = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert response["Location"] == reverse("accounts:security")
    assert client.get(reverse("accounts:security")).status_code == 200  # still signed in
    officer.refresh_from_db()
    assert officer.check_password(new)
    entry = AuditEntry.objects.get(action="user.change_password")
    assert new not in str(entry.after) and officer.password not in str(entry.after)


def test_session_cookie_flags_follow_debug(client: Client, officer: User, monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    response = sign_in(client, "canbo.tinh", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"]  # the tests run with DEBUG off, like production
    assert cookie["max-age"] == ""  # ends when the browser closes

    settings_file = Path(__file__).resolve().parent.parent / "phongtrao" / "settings.py"
    monkeypatch.setenv("PHONGTRAO_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("SECURE_COOKIES", raising=False)
    for debug, secure in (("true", False), ("false", True)):
        monkeypatch.setenv("DEBUG", debug)
        loaded = runpy.run_path(str(settings_file))
        assert (loaded["SESSION_COOKIE_SECURE"], loaded["CSRF_COOKIE_SECURE"]) == (secure, secure)
        assert loaded["SESSION_COOKIE_HTTPONLY"] and loaded["SESSION_EXPIRE_AT_BROWSER_CLOSE"]
        assert loaded["SESSION_COOKIE_AGE"] == 8 * 3600


def test_admin_site_shows_accounts_read_only(client: Client, officer: User) -> None:
    root = User.objects.create_superuser("goc", password=PASSWORD)
    client.force_login(root)
    assert client.get("/quan-tri/accounts/user/").status_code == 200
    page = client.get(f"/quan-tri/accounts/user/{officer.pk}/change/")
    assert page.status_code == 200
    assert 'name="role"' not in page.content.decode()
    assert client.get("/quan-tri/accounts/user/add/").status_code == 403


# --- in a real browser --------------------------------------------------------------------------------------


@pytest.mark.browser
def test_ten_wrong_passwords_in_the_login_form_show_the_lockout_page(live_server: Any, page: Any,
                                                                    make_user: Any) -> None:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    make_user("canbo.xa", Role.COMMUNE_OFFICER)
    page.goto(f"{live_server.url}{login_url()}")
    for attempt in range(10):
        page.fill("#id_username", "canbo.xa")
        page.fill("#id_password", f"sai-mat-khau-{attempt}")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if attempt < 9:
            assert page.locator("#login-error").inner_text() == WRONG_CREDENTIALS
    assert LOCKED in page.locator("#lockout").inner_text()
    assert "30 phút" in page.locator("#lockout").inner_text()
