"""The template workbook of an import kind: the columns to fill, and a "Hướng dẫn" sheet explaining them.

Row 1 of the first sheet holds the Vietnamese column labels, which the importer accepts as headers
(INTERCHANGE.md), so a filled-in template imports as it is.
"""

from __future__ import annotations

import io
import re

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from phongtrao.imports.guide import column_guides, is_code_column
from phongtrao.lib.importing import ImportKind

GUIDE_SHEET = "Hướng dẫn"
TEMPLATE_ROWS = 2000  # rows prepared with text format and drop-down lists
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def _sheet_title(label: str) -> str:
    title = re.sub(r"[\[\]:*?/\\]", "-", label).strip("' ")[:31]
    return title if title and title != GUIDE_SHEET else "Dữ liệu"


def build_template(spec: ImportKind) -> bytes:
    wb = Workbook()
    data = wb.active
    assert data is not None
    data.title = _sheet_title(str(spec.label))
    guides = column_guides(spec)
    for index, guide in enumerate(guides, start=1):
        letter = get_column_letter(index)
        cell = data.cell(row=1, column=index, value=guide.label)
        cell.font = BOLD
        cell.fill = REQUIRED_FILL if guide.required else HEADER_FILL
        required = _("bắt buộc") if guide.required else _("không bắt buộc")
        cell.comment = Comment(f"{guide.key} · {required}\n" + "\n".join(guide.notes), "phongtrao",
                               width=260, height=120)
        longest = max([len(guide.label), len(guide.key)] + [len(value) for value, _label in guide.accepted])
        data.column_dimensions[letter].width = min(max(longest + 4, 12), 45)
        if is_code_column(guide.key):
            # Text format so that Excel keeps leading zeros as the officer types them.
            data.column_dimensions[letter].number_format = "@"
        if guide.accepted:
            values = ",".join(value for value, _label in guide.accepted)
            if len(values) <= 250:  # Excel's limit for an inline list
                # A suggestion list only: labels (“Cơ quan”) are accepted too, so no error on other text.
                check = DataValidation(type="list", formula1=f'"{values}"', allow_blank=True,
                                       showErrorMessage=False)
                check.add(f"{letter}2:{letter}{TEMPLATE_ROWS}")
                data.add_data_validation(check)
    data.freeze_panes = "A2"
    _guide_sheet(wb, spec)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _guide_sheet(wb: Workbook, spec: ImportKind) -> None:
    sheet = wb.create_sheet(GUIDE_SHEET)
    headers = [_("Cột (tiêu đề tiếng Việt)"), _("Khóa (tiêu đề tiếng Anh)"), _("Bắt buộc"),
               _("Giá trị chấp nhận"), _("Ghi chú")]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = BOLD
        cell.fill = HEADER_FILL
    for guide in column_guides(spec):
        accepted = "\n".join(f"{value}: {label}" if label and label != value else value
                             for value, label in guide.accepted)
        sheet.append([guide.label, guide.key, _("Có") if guide.required else _("Không"), accepted,
                      "\n".join(guide.notes)])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP
    for letter, width in zip("ABCDE", (30, 22, 10, 48, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.append([])
    for line in (
        _("Điền dữ liệu vào trang đầu tiên, từ dòng 2; giữ nguyên dòng tiêu đề. "
          "Tiêu đề có thể là tiếng Việt hoặc khóa tiếng Anh, không phân biệt hoa thường."),
        _("Ngày: 15/12/2023 hoặc 2023-12-15. Có/không: có/không, yes/no, true/false, 1/0. Ô trống là không khai."),
        _("Mã là chuỗi ký tự: giữ nguyên số 0 ở đầu (00004 khác 4)."),
        _("Tệp được nhập trọn vẹn hoặc không nhập gì: nếu có một dòng lỗi, không dòng nào được ghi."),
        _("Có thể lưu thành CSV (UTF-8) thay cho Excel."),
    ):
        sheet.append([line])
