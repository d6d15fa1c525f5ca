"""The commune's grid and the province's list as Excel workbooks (what the page shows, with its filters)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext, gettext_noop

from phongtrao.classification.models import Classification, Level, Status
from phongtrao.lib.xlsx import ListSheet
from phongtrao.units.models import Unit

GRID_HEADERS = tuple(gettext_noop(t) for t in ("Mã đơn vị", "Đơn vị", "Loại", "Trạng thái", "Điểm", "Mức đề nghị",
                                               "Xếp loại", "Gửi quá hạn"))
LIST_HEADERS = tuple(gettext_noop(t) for t in ("Mã đơn vị", "Đơn vị", "Trực thuộc", "Loại", "Trạng thái",
                                               "Điểm tự chấm", "Điểm thẩm định", "Xếp loại", "Ngày gửi",
                                               "Gửi quá hạn", "Ngày xếp loại"))


def _label(choices: type[Status] | type[Level], value: str | None) -> str:
    return str(choices(value).label) if value else ""


def grid_workbook(units: Iterable[Unit]) -> bytes:
    sheet = ListSheet(gettext("Xếp loại phong trào"), [gettext(h) for h in GRID_HEADERS],
                      widths=(16, 36, 20, 20, 8, 14, 14, 10))
    text = sheet.text
    for u in units:
        c_status = getattr(u, "c_status", None)
        sheet.append([text(u.code), text(u.name), text(u.get_kind_display()),
                      text(_label(Status, c_status) or gettext("Chưa chấm điểm")), getattr(u, "c_points", None),
                      text(_label(Level, getattr(u, "c_proposed", None))),
                      text(_label(Level, getattr(u, "c_level", None))),
                      text(gettext("Có") if getattr(u, "c_late", False) else "")])
    return sheet.to_bytes()


def list_workbook(rows: Iterable[Classification]) -> bytes:
    sheet = ListSheet(gettext("Xếp loại phong trào"), [gettext(h) for h in LIST_HEADERS],
                      widths=(16, 36, 28, 20, 20, 10, 10, 14, 12, 10, 12))
    text, day = sheet.text, sheet.day
    for c in rows:
        sheet.append([text(c.unit.code), text(c.unit.name), text(c.unit.parent.name if c.unit.parent else ""),
                      text(c.scorecard.get_kind_display()), text(c.get_status_display()), c.self_points, c.points,
                      text(c.get_level_display() if c.level else ""), day(c.submitted_on),
                      text(gettext("Có") if c.late else ""), day(c.classified_on)])
    return sheet.to_bytes()
