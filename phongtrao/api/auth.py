"""How API callers prove who they are: ``Authorization: Bearer <key>``, or (same-site browser use) the session.

Either way ``request.user`` becomes the caller, so ``phongtrao.accounts.access`` applies unchanged.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from phongtrao.api.actions import authenticate_key
from phongtrao.api.errors import ApiError


class TokenAuth(HttpBearer):
    """An API token made on the "Khoá API" page; unknown or revoked keys are refused (401)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = authenticate_key(token.strip())
        if found is None:
            return None
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; writes need the CSRF token, as on any page.

    Unlike ninja's ``django_auth`` the CSRF check runs only when a session cookie is sent, so a
    request with a bad bearer key and no session is a 401, not a 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.COOKIES.get(self.param_name):
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise ApiError(403, "csrf_failed", gettext("Thiếu hoặc sai mã CSRF (yêu cầu từ trình duyệt)."))
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if key and user is not None and user.is_authenticated and user.is_active:
            return user
        return None
