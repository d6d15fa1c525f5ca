"""The one error shape of the API, for every refusal::

    {"error": {"code": "not_found", "message": "Không tìm thấy đơn vị.", "details": [...]}}

``install_error_handlers(api)`` replaces django-ninja's handlers (``{"detail": ...}``) so that
authentication, permission, validation (pydantic), action and unexpected errors all answer in it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext
from ninja.errors import AuthenticationError, HttpError, ValidationError

from phongtrao.lib.workflow import ActionError, StaleVersion

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """Raised by endpoints to answer with the error shape."""

    def __init__(self, status: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []


def detail(message: str, *, field: str | None = None, code: str | None = None,
           row: int | None = None, column: str | None = None) -> dict[str, Any]:
    return {"field": field, "message": message, "code": code, "row": row, "column": column}


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


def action_details(exc: ActionError) -> list[dict[str, Any]]:
    """An action's field -> messages as details (``parent`` is ``parent_id`` in the API)."""
    return [detail(m, field={"parent": "parent_id"}.get(f, f) or None)
            for f, messages in exc.errors.items() for m in messages]


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    """ninja's location as the name the client sent: ("body", "payload", "name") -> "name",
    ("query", "limit") -> "limit", ("file", "file") -> "file"; nested body fields are dotted."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]  # the body argument's name
    return ".".join(parts[1:])


def _vietnamese(error: dict[str, Any]) -> str:
    """A Vietnamese message for a pydantic error type; the type itself travels as ``code``."""
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind == "missing":
        return gettext("Bắt buộc, không được để trống.")
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return gettext("Phải là số nguyên.")
    if kind.startswith("date") or kind == "iso_date":
        return gettext("Phải là ngày dạng YYYY-MM-DD (ví dụ 2025-07-01).")
    if kind in {"bool_parsing", "bool_type"}:
        return gettext("Phải là true hoặc false.")
    if kind == "string_too_long":
        return gettext("Dài quá %(n)s ký tự.") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        return gettext("Không được để trống.")
    if kind in {"greater_than_equal", "greater_than"}:
        return gettext("Phải từ %(n)s trở lên.") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return gettext("Phải không quá %(n)s.") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind in {"enum", "literal_error"}:
        return gettext("Phải là một trong: %(values)s.") % {"values": ctx.get("expected", "")}
    if kind == "extra_forbidden":
        return gettext("Trường này không được nhận.")
    if kind in {"string_type", "model_type", "model_attributes_type", "dict_type", "list_type"}:
        return gettext("Sai kiểu dữ liệu.")
    if kind == "json_invalid":
        return gettext("Nội dung không phải JSON hợp lệ.")
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])
    return gettext("Giá trị không hợp lệ.")


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [detail(_vietnamese(e), field=_field_of(e.get("loc", ())) or None, code=e.get("type"))
            for e in errors]


def _response(api: NinjaAPI, request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    response = api.create_response(request, body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="phongtrao"'
    return response


def json_error(status: int, code: str, message: str) -> HttpResponse:
    """The error shape outside ninja's operations (unknown URL, unsupported method)."""
    return JsonResponse(error_body(code, message), status=status, json_dumps_params={"ensure_ascii": False})


def in_error_shape(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap one of ninja's URL views so its 404 and 405 (which bypass the handlers) use the error shape."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return not_found(request)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            response = json_error(405, "method_not_allowed",
                                  gettext("Phương thức %(method)s không dùng được ở địa chỉ này (dùng: %(allowed)s).")
                                  % {"method": request.method, "allowed": allowed})
            response["Allow"] = allowed
        return response

    return wrapped


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    return json_error(404, "not_found", gettext("Không có địa chỉ API này; xem docs/api.md."))


def install_error_handlers(api: NinjaAPI) -> None:
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return _response(api, request, exc.status, error_body(exc.code, exc.message, exc.details))

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if exc.errors and all(e.get("type") == "json_invalid" for e in exc.errors):
            return _response(api, request, 400, error_body(
                "bad_request", gettext("Nội dung yêu cầu không phải JSON hợp lệ."), validation_details(exc.errors)))
        return _response(api, request, 422, error_body(
            "validation_error", gettext("Dữ liệu gửi lên không hợp lệ."), validation_details(exc.errors)))

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, AuthenticationError) or exc.status_code == 401:
            return _response(api, request, 401, error_body(
                "unauthorized", gettext("Thiếu khoá API hoặc khoá không hợp lệ, đã bị thu hồi. "
                                        "Gửi tiêu đề Authorization: Bearer <khoá>.")))
        codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                 409: "conflict", 413: "too_large", 429: "too_many_requests"}
        messages = {400: gettext("Không đọc được nội dung yêu cầu (JSON hoặc multipart bị hỏng)."),
                    403: gettext("Bạn không có quyền thực hiện thao tác này."),
                    404: gettext("Không tìm thấy."), 413: gettext("Nội dung gửi lên quá lớn."),
                    429: gettext("Quá nhiều yêu cầu; hãy thử lại sau.")}
        return _response(api, request, exc.status_code, error_body(
            codes.get(exc.status_code, "error"), messages.get(exc.status_code, str(exc))))

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _response(api, request, 404, error_body("not_found", str(exc) or gettext("Không tìm thấy.")))

    def on_403(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        message = str(exc) or gettext("Bạn không có quyền thực hiện thao tác này.")
        return _response(api, request, 403, error_body("forbidden", message))

    def on_stale(request: HttpRequest, exc: StaleVersion) -> HttpResponse:
        return _response(api, request, 409, error_body(
            "stale_version", gettext("Đơn vị đã được sửa sau phiên bản bạn gửi (version); "
                                     "hãy đọc lại đơn vị rồi gửi lại thay đổi."),
            action_details(exc)))

    def on_action(request: HttpRequest, exc: ActionError) -> HttpResponse:
        return _response(api, request, 422, error_body(
            "invalid", gettext("Thay đổi bị từ chối vì dữ liệu chưa hợp lệ."), action_details(exc)))

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return _response(api, request, 413, error_body("too_large", gettext("Nội dung gửi lên quá lớn.")))

    def on_bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _response(api, request, 400, error_body("bad_request", gettext("Yêu cầu không đọc được.")))

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return _response(api, request, 500, error_body(
            "server_error", gettext("Lỗi hệ thống; lỗi đã được ghi lại để xử lý.")))

    handlers: list[tuple[type[Exception], Any]] = [
        (ApiError, on_api_error),
        (ValidationError, on_validation),
        (HttpError, on_http_error),
        (Http404, on_404),
        (PermissionDenied, on_403),
        (StaleVersion, on_stale),
        (ActionError, on_action),
        (RequestDataTooBig, on_too_big),
        (SuspiciousOperation, on_bad_request),
        (MultiPartParserError, on_bad_request),
        (Exception, on_unexpected),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, handler)
