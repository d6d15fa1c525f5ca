"""Refuse requests that carry a NUL byte in the path, a query parameter or a url-encoded form field.

PostgreSQL text cannot hold NUL, so such a value reaching a query was a 500; no real input has one.
The refusal is Django's 400 page (``SuspiciousOperation``), logged under ``django.security.NulByte``;
under ``/api/`` it is the API's JSON error (``bad_request``).
Multipart form fields are left to the forms (Django's ``CharField`` refuses NUL already), so that an
upload is never parsed before its view chooses how; JSON bodies to the API, to its schemas (their text
type refuses NUL with a 422 naming the field).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.utils.translation import gettext


class NulByte(SuspiciousOperation):
    """A NUL byte in the request."""


def _in_query(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


def _in_query_string(query: str) -> bool:
    """A NUL in the raw query string: literal, or percent-encoded (the only way decoding yields one). Read from
    the string, not ``request.GET``, so a request that never asks for its query does not parse it here."""
    return "\x00" in query or "%00" in query


def has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or _in_query_string(request.META.get("QUERY_STRING", "")):
        return True
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        return _in_query(request.POST)
    return False


class RefuseNulBytesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            if request.path.startswith("/api/"):  # the API's one error shape (docs/api.md)
                message = gettext("Yêu cầu chứa ký tự NUL (mã 0), không được chấp nhận.")
                return JsonResponse({"error": {"code": "bad_request", "message": message, "details": []}},
                                    status=400)
            raise NulByte("NUL byte in the request")
        return self.get_response(request)
