"""The home redirect and the error pages (400, 403, 404, 500) inside the site's layout, in the active language.

The 403 and 404 pages are rendered with the request, so the menu shows for a signed-in user; the 400 and
500 pages are rendered without it (no context processors, no database), as Django's own handlers do:
they must render when the request or the database is what failed.
"""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
)
from django.shortcuts import redirect
from django.template import loader
from django.utils.translation import gettext
from django.views.decorators.csrf import requires_csrf_token

# Messages of Django's own lookups (``get_object_or_404``), in English and naming models: not shown.
_DJANGO_MESSAGE = re.compile(r"^No .+ (matches the given query|found matching the query)\.?$")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("units:browse")


def _reason(exception: Exception | None) -> str:
    """The exception's own sentence (our refusals are Vietnamese gettext strings), when it is one."""
    message = exception.args[0] if exception is not None and exception.args else ""
    if not isinstance(message, str) or not message.strip() or _DJANGO_MESSAGE.match(message):
        return ""
    return gettext(message)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler403``: the user is signed in (or not) and may not use this page."""
    context = {"status": 403, "reason": _reason(exception)}
    return HttpResponseForbidden(loader.render_to_string("core/error.html", context, request))


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: no such page, or nothing the user may see (existence is not told apart)."""
    context = {"status": 404, "reason": _reason(exception)}
    return HttpResponseNotFound(loader.render_to_string("core/error.html", context, request))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler400``: rendered without the request (it may be what is broken)."""
    return HttpResponseBadRequest(loader.render_to_string("core/error.html", {"status": 400}))


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: rendered without the request and without the database."""
    return HttpResponseServerError(loader.render_to_string("core/error.html", {"status": 500}))
