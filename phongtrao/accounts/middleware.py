"""Sends an account that must change its password (created with a one-time password) to the password
change page, whatever it opens, until it has chosen one; sign-out and the language switch still work.
The API answers 403 in its error shape for such a session."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

ALLOWED = ("accounts:password_change", "accounts:logout", "set_language")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "must_change_password", False):
            if request.path.startswith("/api/"):
                message = gettext("Tài khoản phải đổi mật khẩu trước khi dùng hệ thống.")
                return JsonResponse({"error": {"code": "password_change_required", "message": message,
                                               "details": []}}, status=403)
            if request.path not in {reverse(name) for name in ALLOWED} and not request.path.startswith(
                    ("/static/", "/i18n/")):
                if request.method == "GET":
                    messages.warning(request, gettext("Đây là lần đăng nhập đầu tiên với mật khẩu tạm: hãy đặt "
                                                      "mật khẩu của riêng bạn trước khi tiếp tục."))
                return redirect("accounts:password_change")
        return self.get_response(request)


class ScopeCacheMiddleware:
    """Each request reads the user's scope roots once (``access.scope_roots_read_once``): the scope filters then
    name the roots by id, which the database plans far better than a subquery (bench/README.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from phongtrao.accounts.access import scope_roots_read_once

        with scope_roots_read_once():
            return self.get_response(request)
