"""The model list as an Excel workbook (what the list shows, with its filters)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext, gettext_noop

from phongtrao.lib.xlsx import ListSheet
from phongtrao.models_registry.models import Model

HEADERS = tuple(gettext_noop(title) for title in (
    "Mã", "Tên mô hình", "Lĩnh vực", "Cấp/cơ quan phát động", "Đơn vị quản lý", "Ngày xây dựng", "Trạng thái",
    "Ngày thanh loại", "Điển hình tiên tiến", "Đánh giá gần nhất",
))


def workbook(models: Iterable[Model]) -> bytes:
    sheet = ListSheet(gettext("Mô hình"), [gettext(h) for h in HEADERS],
                      widths=(12, 48, 28, 28, 28, 14, 16, 14, 12, 16))
    text, day = sheet.text, sheet.day
    for m in models:
        sheet.append([text(m.code), text(m.name), text(m.field.name), text(m.initiator.name),
                      text(m.unit.name if m.unit else ""), day(m.started_on), text(m.get_status_display()),
                      day(m.retired_on), text(gettext("Có") if m.is_leading else ""),
                      day(getattr(m, "last_evaluated_on", None))])
    return sheet.to_bytes()
