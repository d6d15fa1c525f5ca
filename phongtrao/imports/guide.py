"""What an officer needs to know about each import kind: a description, and for each column its
accepted values and notes. Used by the index page, the upload page and the template workbook.

Everything is derived from the registered ``ImportKind`` (key, label, columns). The accepted values
for the kinds named in INTERCHANGE.md are listed here; a kind may also carry its own, as an
optional ``choices`` attribute (column key -> [(value, label), ...]) and ``description``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from phongtrao.lib.importing import ImportKind
from phongtrao.lib.tabular import Column
from phongtrao.units.models import EnterpriseSize, Kind, ManagingLevel, SchoolLevel

Choices = list[tuple[str, str]]


def _text_choices(choices: Any) -> Choices:
    # The Vietnamese labels: the importers accept them in a file, whatever the UI language.
    with translation.override("vi"):
        return [(str(value), str(label)) for value, label in choices.choices]


BOOLEAN: Choices = [("có", "yes / true / 1"), ("không", "no / false / 0")]
STATUS: Choices = [("active", "Đang hoạt động"), ("retired", "Thanh loại")]

# Fixed lists from INTERCHANGE.md, by import kind and column key.
ACCEPTED: dict[str, dict[str, Choices]] = {
    "units": {
        "kind": _text_choices(Kind),
        "managed_by": _text_choices(ManagingLevel),
        "size": _text_choices(EnterpriseSize),
        "school_level": _text_choices(SchoolLevel),
        "armed_forces": BOOLEAN,
    },
    "recognitions": {
        "registered": BOOLEAN,
        "result": [("dat", "Đạt"), ("chua_dat", "Chưa đạt")],
    },
    "models": {"status": STATUS},
    "model_sites": {"status": STATUS},
    "awards": {"recipient_kind": [("collective", "Tập thể"), ("individual", "Cá nhân")]},
}

DESCRIPTIONS: dict[str, Promise] = {
    "units": _("Danh mục đơn vị: tỉnh, xã, khu dân cư, cơ quan, doanh nghiệp, cơ sở giáo dục. "
               "Dòng cùng mã và loại với một đơn vị đang có hiệu lực thì cập nhật đơn vị đó, "
               "nếu không thì tạo đơn vị mới."),
    "recognitions": _("Kết quả đăng ký và công nhận đạt tiêu chuẩn “An toàn về an ninh, trật tự” theo năm."),
    "models": _("Danh mục mô hình, điển hình tiên tiến trong phong trào."),
    "model_sites": _("Nơi triển khai mô hình: đơn vị, ngày triển khai, số tổ/nhóm."),
    "awards": _("Khen thưởng tập thể và cá nhân theo số và ngày quyết định."),
    "data_values": _("Số liệu các biểu mẫu báo cáo định kỳ: mỗi dòng một ô (chỉ tiêu, phân tổ, đơn vị, kỳ, giá trị). "
                     "Tải mẫu Excel của từng biểu ở trang Biểu mẫu báo cáo định kỳ."),
}

# Notes for particular columns of particular kinds.
COLUMN_NOTES: dict[str, dict[str, Promise]] = {
    "units": {
        "code": _("Mã chính thức hoặc mã địa phương tự đặt."),
        "parent_code": _("Đơn vị cấp trên, tra theo ngày hiệu lực của dòng; tỉnh mặc định thuộc VN."),
        "subtype": _("Tự do, ví dụ: xa, phuong, thi_tran, dac_khu, thon, to_dan_pho, khu_pho, ban, ap."),
        "managed_by": _("Bắt buộc với cơ quan, doanh nghiệp, cơ sở giáo dục."),
        "size": _("Bắt buộc với doanh nghiệp."),
        "school_level": _("Bắt buộc với cơ sở giáo dục."),
        "armed_forces": _("Chỉ dùng cho cơ quan; để trống là không."),
        "households": _("Chỉ dùng cho khu dân cư."),
        "valid_from": _("Ngày đơn vị được thành lập; để trống nếu không rõ."),
        "valid_to": _("Ngày cuối cùng đơn vị còn tồn tại; để trống nếu còn hiệu lực."),
    },
    "data_values": {
        "dataset": _("Để trống: biểu mẫu đầu tiên có chỉ tiêu này cho loại đơn vị và loại kỳ."),
        "unit_code": _("Tra theo ngày cuối kỳ."),
        "period": _("Kỳ: 2025 (năm), 2025S1 (6 tháng), 2025Q3 (quý), 202508 (tháng)."),
        "options": _("Mỗi nhóm phân tổ một lựa chọn, cách nhau bằng dấu “;”, "
                     "ví dụ: Trực tiếp; Tiếng dân tộc thiểu số."),
        "value": _("Số nguyên cho số đếm và số tiền (1.234), số thập phân cho tỷ lệ (97,5), "
                   "có/không, ngày 19/08/2025."),
    },
}

DATE_NOTE = _("Ngày dạng 15/12/2023 hoặc 2023-12-15.")
CODE_NOTE = _("Giữ nguyên số 0 ở đầu (00004 khác 4): định dạng ô là Văn bản.")
INTEGER_NOTE = _("Số nguyên, ví dụ 1234 hoặc 1.234.")
YEAR_NOTE = _("Năm, ví dụ 2024.")
INTEGER_KEYS = frozenset({"households", "households_committed", "teams"})


@dataclass(frozen=True)
class ColumnGuide:
    key: str
    label: str
    required: bool
    accepted: Choices
    notes: list[str]

    @property
    def title(self) -> str:
        return column_title_of(self.key, self.label)


def column_title_of(key: str, label: str) -> str:
    """How a column is named to the officer: its Vietnamese header with the English key."""
    return f"{label} ({key})" if label and label != key else key


def is_code_column(key: str) -> bool:
    return key == "code" or key.endswith("_code") or key == "decision_no"


def is_date_column(key: str) -> bool:
    return key.startswith("valid_") or key.endswith(("_date", "_on"))


def description(spec: ImportKind) -> str:
    own = getattr(spec, "description", "")
    if own:
        return str(own)
    if spec.key in DESCRIPTIONS:
        return str(DESCRIPTIONS[spec.key])
    return str(_("Nhập “%(label)s” từ tệp CSV hoặc Excel.") % {"label": spec.label})


def accepted_values(spec: ImportKind, column: Column) -> Choices:
    own = getattr(spec, "choices", None) or {}
    if column.key in own:
        return [(str(v), str(label)) for v, label in own[column.key]]
    return ACCEPTED.get(spec.key, {}).get(column.key, [])


def column_guides(spec: ImportKind) -> list[ColumnGuide]:
    guides = []
    for column in spec.columns:
        notes: list[str] = []
        specific = COLUMN_NOTES.get(spec.key, {}).get(column.key)
        if specific:
            notes.append(str(specific))
        if is_code_column(column.key):
            notes.append(str(CODE_NOTE))
        elif is_date_column(column.key):
            notes.append(str(DATE_NOTE))
        elif column.key == "year":
            notes.append(str(YEAR_NOTE))
        elif column.key in INTEGER_KEYS:
            notes.append(str(INTEGER_NOTE))
        guides.append(ColumnGuide(column.key, column.label, column.required, accepted_values(spec, column), notes))
    return guides


def column_title(spec: ImportKind, key: str) -> str:
    labels = {c.key: c.label for c in spec.columns}
    return column_title_of(key, labels.get(key, ""))
