"""Sign-in (password, then a code for accounts with a second factor), sign-out, account security, CSRF page.

Refusals are said in Vietnamese: wrong credentials (without saying which), a stopped
account, a lockout (``lockout.lockout_response``), a wrong or late code, an
expired session, a failed CSRF check.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login
from django_otp import verify_token

from phongtrao.accounts import otp
from phongtrao.accounts.access import can_import, can_manage_users
from phongtrao.accounts.actions import (
    do_change_password,
    do_confirm_totp,
    do_remove_totp,
    do_start_totp,
)
from phongtrao.accounts.forms import LoginForm, TokenForm
from phongtrao.accounts.lockout import lockout_response
from phongtrao.audit.actions import Actor
from phongtrao.lib.importing import IMPORT_KINDS
from phongtrao.lib.workflow import ActionError

# Set at sign-in, removed at sign-out, lives as long as the browser session: finding it on the
# login page of an anonymous visitor means their server session ended (expired), not that they signed out.
SIGNED_IN_COOKIE = "phongtrao_signed_in"


def _signed_in(response: HttpResponseBase) -> HttpResponseBase:
    response.set_cookie(SIGNED_IN_COOKIE, "1", secure=settings.SESSION_COOKIE_SECURE, httponly=True,
                        samesite="Lax")
    return response


def account_nav(request: HttpRequest) -> dict[str, Any]:
    """Context processor: which navigation entries the user may use, asked of the policy table as the views
    ask it (``accounts/policies.py``; the user pages: ``users.manage``; the import pages: ``import.<kind>``
    for some registered kind). Other templates ask with ``{% load policy_tags %}`` (``user|holds:"…"``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"can_manage_users": False, "nav_can_import": False}
    return {"can_manage_users": can_manage_users(user),
            "nav_can_import": any(can_import(user, kind) for kind in IMPORT_KINDS)}


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "htmx", False):
            # A fragment request after the session ended: send the whole page to the login page.
            return HttpResponseClientRedirect(_login_url(request.htmx.current_url_abs_path))  # type: ignore[attr-defined]
        if request.user.is_authenticated or not request.COOKIES.get(SIGNED_IN_COOKIE):
            return super().get(request, *args, **kwargs)
        messages.warning(request, gettext("Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại."))
        response = super().get(request, *args, **kwargs)
        response.delete_cookie(SIGNED_IN_COOKIE)
        return response

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if otp.confirmed_device(user) is not None:
            otp.start_pending(self.request, user, backend=user.backend, next_url=self.get_success_url())
            return redirect("accounts:login_otp")
        auth_login(self.request, user)
        return _signed_in(HttpResponseRedirect(self.get_success_url()))  # type: ignore[return-value]


def _login_url(next_path: str | None) -> str:
    url = reverse("accounts:login")
    if next_path and url_has_allowed_host_and_scheme(next_path, allowed_hosts=None) and next_path != url:
        url = f"{url}?{urlencode({'next': next_path})}"
    return url


def login_otp(request: HttpRequest) -> HttpResponse:
    """The second step: the code from the authenticator app, within five minutes of the password."""
    user, state = otp.pending(request)
    if user is None:
        if state.get("expired"):
            messages.warning(request, gettext(
                "Đã quá %(minutes)d phút kể từ khi nhập mật khẩu. Vui lòng đăng nhập lại.")
                % {"minutes": otp.PENDING_SECONDS // 60})
        return redirect("accounts:login")
    device = otp.confirmed_device(user)
    if device is None:  # turned off in the meantime
        otp.clear_pending(request)
        return redirect("accounts:login")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.get_username()}
        if AxesProxyHandler.is_locked(request, credentials):
            otp.clear_pending(request)
            return lockout_response(request, None, credentials)
        refusal = otp.throttled_message(device)
        if not refusal and verify_token(user, device.persistent_id, form.cleaned_data["token"]):
            otp.clear_pending(request)
            auth_login(request, user, backend=state["backend"])
            otp_login(request, device)
            return _signed_in(redirect(state["next"]))  # type: ignore[return-value]
        if not refusal:
            # A wrong code counts as a failed sign-in: django-axes locks after the tenth failure.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        form.add_error("token", refusal or otp.wrong_code_message())
    return render(request, "accounts/login_otp.html", {"form": form})


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response.delete_cookie(SIGNED_IN_COOKIE)
        return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the Vietnamese 403 page."""
    return render(request, "accounts/csrf_failure.html", {"no_cookie": reason == REASON_NO_CSRF_COOKIE},
                  status=403)


# --- account security -------------------------------------------------------------------------------------

@login_required
def security(request: HttpRequest) -> HttpResponse:
    device = otp.confirmed_device(request.user)  # type: ignore[arg-type]
    context = {
        "device": device,
        # Other roles are not offered the second factor (one they already have can still be turned off).
        "offer_totp": device is None and otp.can_use_totp(request.user),
        "pending": device is None and otp.unconfirmed_device(request.user) is not None,  # type: ignore[arg-type]
    }
    return render(request, "accounts/security.html", context)


@login_required
@require_POST
def totp_start(request: HttpRequest) -> HttpResponse:
    try:
        do_start_totp(Actor.of_request(request))
    except ActionError as exc:
        messages.info(request, str(exc))
        return redirect("accounts:security")
    return redirect("accounts:totp_enrol")


@login_required
def totp_enrol(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the secret), then confirm with a code before the device counts."""
    if not otp.can_use_totp(request.user):
        raise PermissionDenied(gettext("Vai trò của bạn không dùng xác thực hai bước."))
    device = otp.unconfirmed_device(request.user)  # type: ignore[arg-type]
    if device is None:
        return redirect("accounts:security")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_confirm_totp(Actor.of_request(request), form.cleaned_data["token"])
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext(
                "Đã bật xác thực hai bước. Từ lần đăng nhập sau, hệ thống sẽ hỏi mã trong ứng dụng."))
            return redirect("accounts:security")
    context = {"form": form, "qr": otp.qr_svg(device), "secret": otp.secret_text(device)}
    return render(request, "accounts/totp_enrol.html", context)


@login_required
def totp_remove(request: HttpRequest) -> HttpResponse:
    if otp.confirmed_device(request.user) is None:  # type: ignore[arg-type]
        return redirect("accounts:security")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_remove_totp(Actor.of_request(request), form.cleaned_data["token"])
        except ActionError as exc:
            form.add_action_error(exc)
        else:
            messages.success(request, gettext("Đã tắt xác thực hai bước."))
            return redirect("accounts:security")
    return render(request, "accounts/totp_remove.html", {"form": form})


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def get_form(self, form_class: Any = None) -> Any:
        form = super().get_form(form_class)
        for field in form.fields.values():
            field.widget.attrs["class"] = "form-control"
        return form

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            user = do_change_password(Actor.of_request(self.request), form.cleaned_data["new_password1"])
        except ActionError as exc:
            for message in exc.errors.get("password", []):
                form.add_error("new_password1", message)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        messages.success(self.request, gettext("Đã đổi mật khẩu."))
        return HttpResponseRedirect(self.get_success_url())
