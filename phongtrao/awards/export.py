"""Excel export of award recipients (the decisions list's "Xuất Excel")."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils.translation import gettext, gettext_noop

from phongtrao.awards.models import AwardRecipient
from phongtrao.lib.vnformat import date_text

HEADERS = tuple(gettext_noop(title) for title in (
    "Năm", "Số quyết định", "Ngày quyết định", "Hình thức khen thưởng", "Cơ quan ban hành", "Đối tượng",
    "Tên", "Chức vụ", "Mã đơn vị", "Đơn vị", "Thành tích",
))
WIDTHS = (8, 18, 14, 40, 30, 10, 32, 24, 16, 32, 60)


def recipients_workbook(recipients: Iterable[AwardRecipient]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(gettext("Khen thưởng"))
    for index, width in enumerate(WIDTHS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"

    def text(value: object) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
        cell.data_type = "s"  # never a formula, whatever a name starts with
        return cell

    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = text(gettext(title))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for r in recipients:
        d = r.decision
        sheet.append([d.year, text(d.number), text(date_text(d.date) if d.date else ""), text(d.award_type.name),
                      text(d.issuer), text(r.get_kind_display()), text(r.name), text(r.title), text(r.unit.code),
                      text(r.unit.name), text(r.achievement)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
