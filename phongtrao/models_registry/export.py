"""The model list as an Excel workbook (what the list shows, with its filters)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext, gettext_noop

from phongtrao.models_registry.models import Model

HEADERS = tuple(gettext_noop(title) for title in (
    "Mã", "Tên mô hình", "Lĩnh vực", "Cấp/cơ quan phát động", "Đơn vị quản lý", "Ngày xây dựng", "Trạng thái",
    "Ngày thanh loại", "Điển hình tiên tiến", "Đánh giá gần nhất",
))


def workbook(models: Iterable[Model]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("Mô hình"))
    for letter, width in zip("ABCDEFGHIJ", (12, 48, 28, 28, 28, 14, 16, 14, 12, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"

    def text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # never a formula, whatever a name starts with
        return cell

    def day(value: object) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "dd/mm/yyyy"
        return cell

    header = []
    for title in HEADERS:
        cell = text(gettext(title))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for m in models:
        sheet.append([text(m.code), text(m.name), text(m.field.name), text(m.initiator.name),
                      text(m.unit.name if m.unit else ""), day(m.started_on), text(m.get_status_display()),
                      day(m.retired_on), text(gettext("Có") if m.is_leading else ""),
                      day(getattr(m, "last_evaluated_on", None))])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
