"""Sign-in lockout (django-axes): the Vietnamese lockout page and who is locked out now.

Ten wrong passwords for one username lock that username (from every address) for
``AXES_COOLOFF_TIME``; a successful sign-in clears the count; an administrator
unlocks earlier through ``actions.do_unlock_user``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext


def cool_off_minutes() -> int:
    cool_off = get_cool_off()
    return int(cool_off.total_seconds() // 60) if cool_off else 0


def lockout_message() -> str:
    minutes = cool_off_minutes()
    if minutes:
        return gettext(
            "Tài khoản tạm thời bị khoá vì nhập sai mật khẩu quá nhiều lần. "
            "Hãy đợi %(minutes)d phút rồi thử lại, hoặc liên hệ quản trị hệ thống để được mở khoá ngay."
        ) % {"minutes": minutes}
    return gettext(
        "Tài khoản tạm thời bị khoá vì nhập sai mật khẩu quá nhiều lần. "
        "Hãy liên hệ quản trị hệ thống để được mở khoá."
    )


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: a Vietnamese page (JSON for API clients), HTTP 429."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if not request.accepts("text/html"):
        return JsonResponse({"detail": lockout_message()}, status=status)
    context = {
        "message": lockout_message(),
        "minutes": cool_off_minutes(),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "accounts/locked.html", context, status=status)


def _recent_attempts(usernames: Iterable[str]) -> Any:
    attempts = AccessAttempt.objects.filter(username__in=list(usernames))
    cool_off: dt.timedelta | None = get_cool_off()
    if cool_off is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts


def locked_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of ``usernames`` are locked out now (one query, for the user list)."""
    rows = (_recent_attempts(usernames).order_by().values("username")
            .annotate(failures=Sum("failures_since_start")).values_list("username", "failures"))
    return {name for name, failures in rows if failures >= settings.AXES_FAILURE_LIMIT}


def is_locked_out(username: str) -> bool:
    return username in locked_usernames([username])
