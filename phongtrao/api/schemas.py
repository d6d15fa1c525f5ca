"""Typed input and output of API v1 (pydantic via django-ninja). Dates are ISO ``YYYY-MM-DD``."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict

from phongtrao.units.models import EnterpriseSize, Kind, ManagingLevel, SchoolLevel

# Bounds that hold on every database (SQLite, PostgreSQL): ids are 64-bit, counts 32-bit.
MAX_ID = 9_223_372_036_854_775_807
MAX_INT = 2_147_483_647
MAX_OFFSET = 1_000_000_000
MAX_LIMIT = 500
DEFAULT_LIMIT = 50

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: Any) -> Any:
    """Only ``YYYY-MM-DD`` strings (or dates): pydantic would also take numbers and datetimes."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("Phải là ngày dạng YYYY-MM-DD (ví dụ 2025-07-01).")


def _clean_text(value: str) -> str:
    """Text the databases can store: no NUL (PostgreSQL refuses it), no lone surrogates, no control chars."""
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value) or "\x7f" in value:
        raise ValueError("Không được chứa ký tự điều khiển.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Không phải văn bản UTF-8 hợp lệ.") from None
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Text = Annotated[str, AfterValidator(_clean_text)]
UnitId = Annotated[int, Field(ge=1, le=MAX_ID)]
ImportKindKey = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[a-z_]+$",
                                     description="Loại dữ liệu nhập, ví dụ recognitions.")]


class Paged(Schema):
    """The envelope of every list: ``count`` matching items, ``items`` of this page."""

    count: int
    limit: int
    offset: int


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: Kind
    kind_label: str
    subtype: str
    parent_id: int | None = Field(description="Đơn vị cấp trên; null nếu không có hoặc ngoài phạm vi được xem.")
    managed_by: str
    size: str
    school_level: str
    armed_forces: bool
    households: int | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    source: str
    subject_to_standard: bool
    depth: int
    version: int = Field(description="Gửi lại trong PATCH/close để không ghi đè thay đổi của người khác.")
    updated_at: dt.datetime


class UnitPage(Paged):
    items: list[UnitOut]


class UnitCreate(Schema):
    model_config = ConfigDict(extra="forbid")

    code: Text = Field(min_length=1, max_length=40)
    name: Text = Field(min_length=1, max_length=255)
    kind: Kind
    parent_id: UnitId
    subtype: Text = Field("", max_length=40)
    managed_by: ManagingLevel | None = None
    size: EnterpriseSize | None = None
    school_level: SchoolLevel | None = None
    armed_forces: bool = False
    households: int | None = Field(None, ge=0, le=MAX_INT)
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None


class UnitPatch(Schema):
    """Only the fields sent are changed; ``null`` clears an optional field."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=MAX_INT, description="Phiên bản đã đọc (trường version của đơn vị).")
    code: Text | None = Field(None, min_length=1, max_length=40)
    name: Text | None = Field(None, min_length=1, max_length=255)
    kind: Kind | None = None
    parent_id: UnitId | None = None
    subtype: Text | None = Field(None, max_length=40)
    managed_by: ManagingLevel | None = None
    size: EnterpriseSize | None = None
    school_level: SchoolLevel | None = None
    armed_forces: bool | None = None
    households: int | None = Field(None, ge=0, le=MAX_INT)
    valid_from: IsoDate | None = None
    valid_to: IsoDate | None = None


class UnitClose(Schema):
    model_config = ConfigDict(extra="forbid")

    valid_to: IsoDate = Field(description="Ngày cuối cùng đơn vị còn hiệu lực.")
    version: int | None = Field(None, ge=1, le=MAX_INT)


class ImportSummary(Schema):
    kind: str
    dry_run: bool = Field(description="true: đã kiểm tra, không ghi gì.")
    rows_read: int
    created: int
    updated: int
    unchanged: int
    warnings: list[str]


class Me(Schema):
    username: str
    full_name: str
    role: str
    unit_id: int | None
    token: str | None = Field(description="Đầu khoá API đang dùng (null khi dùng phiên đăng nhập).")


class ErrorDetail(Schema):
    field: str | None = Field(None, description="Trường bị lỗi, ví dụ name hoặc query.limit.")
    message: str
    code: str | None = Field(None, description="Mã lỗi kiểm tra dữ liệu, ví dụ missing.")
    row: int | None = Field(None, description="Nhập tệp: số dòng (dòng tiêu đề là 1; 0 là cả tệp).")
    column: str | None = Field(None, description="Nhập tệp: cột bị lỗi.")


class ErrorBody(Schema):
    code: str
    message: str
    details: list[ErrorDetail]


class ErrorOut(Schema):
    error: ErrorBody


class UnitFilters(Schema):
    """Query parameters of ``GET /units``."""

    kind: Kind | None = Field(None, description="Loại đơn vị.")
    parent: UnitId | None = Field(None, description="Chỉ các đơn vị trực thuộc đơn vị này.")
    in_subtree: UnitId | None = Field(None, description="Đơn vị này và mọi đơn vị bên dưới (phải được xem).")
    code: Text | None = Field(None, max_length=40, description="Mã đơn vị (giữ nguyên số 0 ở đầu).")
    as_of: IsoDate | None = Field(None, description="Chỉ các đơn vị còn hiệu lực ngày này (YYYY-MM-DD).")
    q: Text | None = Field(None, max_length=100, description="Tìm theo tên (không phân biệt dấu) hoặc mã.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Số đơn vị mỗi trang (tối đa 500).")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Bỏ qua bao nhiêu đơn vị đầu.")


# --- read endpoints: recognitions, models, awards, the annual report -------------------------------

Year = Annotated[int, Field(ge=2000, le=2100)]


class RecognitionOut(Schema):
    id: int
    unit_id: int
    unit_code: str
    unit_name: str
    unit_kind: str
    year: int
    status: str = Field(description="not_registered, registered, self_assessed, submitted, under_review, "
                                    "recognised, not_recognised, withdrawn.")
    status_label: str
    registered_on: dt.date | None
    households_committed: int | None
    checklist_met: bool | None
    review_meeting_on: dt.date | None
    submitted_on: dt.date | None
    review_started_on: dt.date | None
    decision_no: str
    decision_date: dt.date | None
    signer_name: str
    authority_level: str
    authority_id: int | None = Field(description="UBND ra quyết định; null nếu chưa có hoặc ngoài phạm vi được xem.")
    version: int
    updated_at: dt.datetime


class RecognitionPage(Paged):
    items: list[RecognitionOut]


class RecognitionFilters(Schema):
    """Query parameters of ``GET /recognitions``."""

    year: Year | None = Field(None, description="Năm đánh giá.")
    unit_id: UnitId | None = Field(None, description="Chỉ kết quả của đơn vị này (phải được xem).")
    in_subtree: UnitId | None = Field(None, description="Đơn vị này và mọi đơn vị bên dưới (phải được xem).")
    status: str | None = Field(None, max_length=20, description="Trạng thái (ví dụ recognised).")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class CatalogueRef(Schema):
    code: str
    name: str


class SiteOut(Schema):
    id: int
    unit_id: int
    unit_code: str
    unit_name: str
    started_on: dt.date
    teams: int
    status: str
    retired_on: dt.date | None


class ModelOut(Schema):
    id: int
    code: str
    name: str
    field: CatalogueRef
    initiator: CatalogueRef
    unit_id: int | None = Field(description="Đơn vị xây dựng; null nếu không có hoặc ngoài phạm vi được xem.")
    status: str
    status_label: str
    started_on: dt.date | None
    retired_on: dt.date | None
    is_leading: bool
    leading_decision_no: str
    leading_decision_date: dt.date | None
    sites: list[SiteOut] = Field(description="Các nơi triển khai trong phạm vi được xem.")
    version: int


class ModelPage(Paged):
    items: list[ModelOut]


class ModelFilters(Schema):
    """Query parameters of ``GET /models``."""

    in_subtree: UnitId | None = Field(None, description="Mô hình xây dựng hoặc triển khai trong đơn vị này.")
    status: str | None = Field(None, max_length=12, description="proposed, operating, retired …")
    field: Text | None = Field(None, max_length=60, description="Mã lĩnh vực.")
    q: Text | None = Field(None, max_length=100, description="Tìm theo tên (không phân biệt dấu) hoặc mã.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class RecipientOut(Schema):
    kind: str = Field(description="collective (tập thể) hoặc individual (cá nhân).")
    unit_id: int
    unit_code: str
    unit_name: str
    name: str
    title: str


class AwardDecisionOut(Schema):
    id: int
    award_type: CatalogueRef
    authority_level: str
    year: int
    number: str
    date: dt.date | None
    issuer: str
    signer_name: str
    signer_title: str
    recipients: list[RecipientOut] = Field(description="Người/tập thể được khen thuộc phạm vi được xem.")


class AwardDecisionPage(Paged):
    items: list[AwardDecisionOut]


class AwardFilters(Schema):
    """Query parameters of ``GET /awards/decisions``."""

    year: Year | None = None
    award_type: Text | None = Field(None, max_length=60, description="Mã hình thức khen thưởng.")
    in_subtree: UnitId | None = Field(None, description="Quyết định có người/tập thể được khen trong đơn vị này.")
    q: Text | None = Field(None, max_length=100, description="Số quyết định hoặc tên người/tập thể được khen.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class AnnualFilters(Schema):
    unit_id: UnitId = Field(description="Tỉnh, xã (hoặc đơn vị bất kỳ được xem) của báo cáo.")
    year: Year = Field(description="Năm báo cáo.")
    boundaries: Literal["recorded", "today"] = Field(
        "recorded", description="recorded: địa giới của năm báo cáo; today: địa giới hiện nay (đơn vị là đơn vị "
                                "hiện nay, gồm số liệu của các đơn vị trước đây đã hợp thành).")
