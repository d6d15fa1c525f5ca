"""JSON API v1 (``/api/v1/``): the unit register, imports of every kind, and (``api.reads``) the read
endpoints of recognitions, models, award decisions and the annual report.

Thin endpoints: units come through ``phongtrao.accounts.access`` (lists from ``visible_units``,
single units from ``get_unit_for_user``: 404 out of view scope, 403 when they may not be changed),
and every write goes through the same named actions as the web pages, with ``channel="api"``.
Errors share one shape (``phongtrao.api.errors``); the OpenAPI document is ``docs/openapi.json``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import get_language, gettext
from ninja import File, Form, NinjaAPI, Path, Query, Status
from ninja.files import UploadedFile

from phongtrao.accounts.access import can_change, can_import, get_unit_for_user, is_admin, visible_units
from phongtrao.api import committees as committee_reads
from phongtrao.api import datasets, reads
from phongtrao.api import plans as plan_reads
from phongtrao.api.auth import SessionAuth, TokenAuth
from phongtrao.api.errors import ApiError, detail, error_body, in_error_shape, install_error_handlers, not_found
from phongtrao.api.schemas import (
    ErrorOut,
    ImportKindKey,
    ImportSummary,
    Me,
    UnitClose,
    UnitCreate,
    UnitFilters,
    UnitId,
    UnitOut,
    UnitPage,
    UnitPatch,
)
from phongtrao.audit.actions import Actor
from phongtrao.audit.models import Channel
from phongtrao.lib.importing import IMPORT_KINDS, run_import
from phongtrao.units.actions import do_close_unit, do_create_unit, do_update_unit
from phongtrao.units.models import Unit

if TYPE_CHECKING:
    from django.http import HttpRequest

    from phongtrao.accounts.models import User

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Roles that may import through the API (see ``import_units``).

DESCRIPTION = """\
API của hệ thống quản lý Phong trào toàn dân bảo vệ an ninh Tổ quốc.

Xác thực: `Authorization: Bearer <khoá>` (tạo khoá ở trang "Khoá API"). Mọi lỗi có cùng dạng
`{"error": {"code", "message", "details"}}`. Danh sách phân trang bằng `limit` (tối đa 500) và `offset`.
Xem docs/api.md.
"""


class PhongtraoApi(NinjaAPI):
    def get_openapi_operation_id(self, operation: Any) -> str:
        return str(operation.view_func.__name__)

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        """Built once per address prefix and language (ninja rebuilds it, 0.2 s, on every request for it):
        the routes are fixed when the process starts."""
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        key = (path_prefix, get_language())
        cache: dict[tuple[str, str | None], Any] = self.__dict__.setdefault("_schema_cache", {})
        if key not in cache:
            cache[key] = super().get_openapi_schema(path_prefix=path_prefix)
        return cache[key]


api = PhongtraoApi(
    title="phongtrao API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
    docs_url=None,  # Swagger UI would load its assets from a CDN unless "ninja" is an installed app
)
install_error_handlers(api)


def urls() -> tuple[list[URLPattern | URLResolver], str, str]:
    """``api.urls`` with every response in the error shape, and a JSON 404 for unknown addresses."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = in_error_shape(pattern.callback)
    return [*patterns, re_path(r"", not_found)], app_name, namespace


ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorOut}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _unit_out(unit: Unit, visible_parents: set[int] | None) -> dict[str, Any]:
    """A unit as ``UnitOut``; the parent is shown only when the caller may see it (existence must not leak)."""
    parent_id = unit.parent_id
    if visible_parents is not None and parent_id not in visible_parents:
        parent_id = None
    return {
        "id": unit.pk, "code": unit.code, "name": unit.name, "kind": unit.kind,
        "kind_label": str(unit.get_kind_display()), "subtype": unit.subtype, "parent_id": parent_id,
        "managed_by": unit.managed_by, "size": unit.size, "school_level": unit.school_level,
        "armed_forces": unit.armed_forces, "households": unit.households,
        "valid_from": unit.valid_from, "valid_to": unit.valid_to, "source": unit.source,
        "subject_to_standard": unit.subject_to_standard, "depth": unit.depth, "version": unit.version,
        "updated_at": unit.updated_at,
    }


def _visible_parents(request: HttpRequest, units: list[Unit]) -> set[int] | None:
    """Ids among the units' parents the caller may see (None: all of them, for administrators)."""
    if is_admin(_user(request)):
        return None
    ids = {u.parent_id for u in units if u.parent_id is not None}
    return set(visible_units(_user(request)).filter(pk__in=ids).values_list("pk", flat=True))


def _one(request: HttpRequest, unit: Unit) -> dict[str, Any]:
    return _unit_out(unit, _visible_parents(request, [unit]))


def _changeable_parent(request: HttpRequest, parent_id: int) -> Unit:
    """The new parent of a unit: 404 when the caller cannot see it, 403 when they may not change it."""
    parent = visible_units(_user(request)).filter(pk=parent_id).first()
    if parent is None:
        raise ApiError(404, "not_found", gettext("Không tìm thấy đơn vị cấp trên."),
                       [detail(gettext("Không tìm thấy đơn vị cấp trên."), field="parent_id")])
    if not can_change(_user(request), parent):
        raise ApiError(403, "forbidden", gettext("Bạn không có quyền thêm hay chuyển đơn vị vào %(name)s.")
                       % {"name": parent.name}, [detail(gettext("Không có quyền."), field="parent_id")])
    return parent


@api.get("/me", response={200: Me, 401: ErrorOut}, tags=["tài khoản"], summary="Người dùng của khoá")
def me(request: HttpRequest) -> dict[str, Any]:
    user = _user(request)
    token = getattr(request, "api_token", None)
    return {"username": user.username, "full_name": user.get_full_name(), "role": user.role,
            "unit_id": user.unit_id, "token": token.prefix if token else None}


@api.get("/units", response={200: UnitPage, **ERRORS}, tags=["đơn vị"], summary="Danh sách đơn vị")
def list_units(
    request: HttpRequest,
    filters: Query[UnitFilters],
) -> dict[str, Any]:
    """Units the caller may see, in Vietnamese alphabetical order.

    ``as_of`` keeps units valid on that date (without it: every date; a code names a unit only
    together with a date). ``in_subtree`` keeps that unit and everything below it.
    """
    f = filters
    units = visible_units(_user(request))
    if f.in_subtree is not None:
        units = units.in_subtree(get_unit_for_user(request, f.in_subtree))
    if f.kind:
        units = units.of_kind(f.kind)
    if f.parent is not None:
        units = units.filter(parent_id=f.parent)
    if f.code:
        units = units.filter(code=f.code.strip())
    if f.as_of is not None:
        units = units.valid_on(f.as_of)
    if f.q:
        units = units.search(f.q)
    count = units.count()
    page = list(units.order_by("sort_key", "code", "pk")[f.offset:f.offset + f.limit])
    parents = _visible_parents(request, page)
    return {"count": count, "limit": f.limit, "offset": f.offset, "items": [_unit_out(u, parents) for u in page]}


@api.get("/units/{unit_id}", response={200: UnitOut, **ERRORS}, tags=["đơn vị"], summary="Một đơn vị")
def get_unit(request: HttpRequest, unit_id: Path[UnitId]) -> dict[str, Any]:
    return _one(request, get_unit_for_user(request, unit_id))


@api.post("/units", response={201: UnitOut, **WRITE_ERRORS}, tags=["đơn vị"], summary="Thêm đơn vị")
def create_unit(request: HttpRequest, payload: UnitCreate) -> Status[dict[str, Any]]:
    """A new unit under ``parent_id``, which the caller must be allowed to change (else 403)."""
    parent = _changeable_parent(request, payload.parent_id)
    fields = payload.model_dump(exclude={"parent_id"})
    for name in ("managed_by", "size", "school_level"):
        fields[name] = fields[name] or ""
    unit = do_create_unit(Actor.of_request(request, Channel.API), parent=parent, **fields)
    return Status(201, _one(request, unit))


NOT_NULL = ("code", "name", "kind", "subtype", "armed_forces")
BLANK_FOR_NULL = ("managed_by", "size", "school_level")


@api.patch("/units/{unit_id}", response={200: UnitOut, **WRITE_ERRORS}, tags=["đơn vị"],
           summary="Sửa đơn vị")
def update_unit(request: HttpRequest, unit_id: Path[UnitId], payload: UnitPatch) -> dict[str, Any]:
    """Change the fields sent. ``version`` must be the one read: if someone saved since, 409."""
    unit = get_unit_for_user(request, unit_id, for_change=True)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    nulls = [name for name in NOT_NULL if name in changes and changes[name] is None]
    if nulls:
        raise ApiError(422, "validation_error", gettext("Dữ liệu gửi lên không hợp lệ."),
                       [detail(gettext("Không được là null."), field=name, code="null") for name in nulls])
    for name in BLANK_FOR_NULL:
        if name in changes and changes[name] is None:
            changes[name] = ""
    if "parent_id" in changes:
        if changes["parent_id"] is None:
            raise ApiError(422, "validation_error", gettext("Dữ liệu gửi lên không hợp lệ."),
                           [detail(gettext("Phải có đơn vị cấp trên."), field="parent_id", code="null")])
        if changes["parent_id"] != unit.parent_id:
            _changeable_parent(request, changes["parent_id"])
    unit = do_update_unit(Actor.of_request(request, Channel.API), unit.pk, expected_version=payload.version, **changes)
    return _one(request, unit)


@api.post("/units/{unit_id}/close", response={200: UnitOut, **WRITE_ERRORS}, tags=["đơn vị"],
          summary="Đóng đơn vị")
def close_unit(request: HttpRequest, unit_id: Path[UnitId], payload: UnitClose) -> dict[str, Any]:
    """Set the last day the unit is valid (``valid_to``); nothing is deleted."""
    unit = get_unit_for_user(request, unit_id, for_change=True)
    unit = do_close_unit(Actor.of_request(request, Channel.API), unit.pk, valid_to=payload.valid_to,
                         expected_version=payload.version)
    return _one(request, unit)


def _import(request: HttpRequest, kind: str, file: UploadedFile,
            dry_run: bool) -> Status[dict[str, Any]] | dict[str, Any]:
    """Run one import of ``kind`` through the importer registry (the same ``run_import`` as the
    command and the upload page); its refusals in the error shape."""
    user = _user(request)
    # The importer checks each row against the caller's capture scope; the role is checked here first.
    if not can_import(user, kind):
        raise ApiError(403, "forbidden", gettext("Tài khoản này không có quyền nhập loại dữ liệu này."))
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise ApiError(413, "too_large", gettext("Tệp quá lớn (tối đa 20 MB)."))
    result = run_import(kind, file.name or "", file.read(), actor=Actor.of_request(request, Channel.API),
                        dry_run=dry_run)
    if not result.ok:
        details = [detail(e.message, field=e.column or None, row=e.row, column=e.column) for e in result.errors]
        message = gettext("Tệp có %(n)s lỗi; không ghi dữ liệu nào.") % {"n": len(result.errors)}
        return Status(422, error_body("import_failed", message, details))
    return {"kind": result.kind, "dry_run": result.dry_run, "rows_read": result.rows_read,
            "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "warnings": result.warnings}


IMPORT_RESPONSES: dict[int, Any] = {200: ImportSummary, **ERRORS, 413: ErrorOut}


@api.post("/imports/units", response=IMPORT_RESPONSES, tags=["nhập dữ liệu"], summary="Nhập đơn vị từ tệp")
def import_units(
    request: HttpRequest,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
) -> Status[dict[str, Any]] | dict[str, Any]:
    """Import a ``units`` file (CSV or XLSX, INTERCHANGE.md). All or nothing: with any error, 422 and
    every bad row in ``details`` (``row``, ``column``, ``message``); nothing is written.
    ``dry_run=true`` checks and counts without writing. The same as ``POST /imports/units`` of
    ``import_file``, kept for existing clients."""
    return _import(request, "units", file, dry_run)


@api.post("/imports/{kind}", response=IMPORT_RESPONSES, tags=["nhập dữ liệu"], summary="Nhập tệp (mọi loại)")
def import_file(
    request: HttpRequest,
    kind: Path[ImportKindKey],
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
) -> Status[dict[str, Any]] | dict[str, Any]:
    """Import a file of any registered kind (``units``, ``recognitions``, ``models``, ``model_sites``,
    ``awards``: the kinds of ``phongtrao import --help`` and of the upload page). All or nothing, as
    ``import_units``; an unknown kind is 404; a role that may not import the kind is 403."""
    if kind not in IMPORT_KINDS:
        raise ApiError(404, "not_found", gettext("Không có loại dữ liệu nhập này."))
    return _import(request, kind, file, dry_run)


api.add_router("", reads.router)
api.add_router("", datasets.router)
api.add_router("", plan_reads.router)
api.add_router("", committee_reads.router)
