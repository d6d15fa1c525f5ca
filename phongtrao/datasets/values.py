"""Reading and checking one value as its element says (Vietnamese messages; the same for every door)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from phongtrao.datasets.models import VALUE_PLACES, DataElement, ValueType, normalised
from phongtrao.lib.forms import DATE_INPUT_FORMATS
from phongtrao.lib.vnformat import number

# The largest value a type takes: a count over a billion is a typing mistake; VND amounts reach 10^15.
MAXIMUM = {ValueType.COUNT: Decimal(10) ** 9, ValueType.AMOUNT: Decimal(10) ** 15, ValueType.PERCENT: Decimal(100),
           ValueType.NUMBER: Decimal(10) ** 12, ValueType.YES_NO: Decimal(1)}
INTEGER_TYPES = frozenset({ValueType.COUNT, ValueType.AMOUNT, ValueType.YES_NO})
YES = {"1", "có", "co", "yes", "true", "x"}
NO = {"0", "không", "khong", "no", "false"}
MAX_COMMENT = 2000
_GROUPED = {".": re.compile(r"[0-9]{1,3}(\.[0-9]{3})+"), ",": re.compile(r"[0-9]{1,3}(,[0-9]{3})+")}
_PLAIN = re.compile(r"[0-9]+(\.[0-9]+)?")


class InvalidValue(ValueError):
    """A value refused; the message is Vietnamese (or the active language)."""


def _number_text(text: str, thousands: str) -> Decimal:
    """ "1.234,5" (Vietnamese) or "1,234.5" (English, ``thousands=","``); a lone separator that cannot group
    thousands ("12,5", "12.5") is the decimal mark."""
    decimal = "," if thousands == "." else "."
    t = text.replace(" ", "").replace("\u00a0", "")
    sign = ""
    if t[:1] in "+-":
        sign, t = t[:1], t[1:]
    whole, sep, frac = t.rpartition(decimal) if decimal in t else (t, "", "")
    if not sep:
        whole, frac = t, ""
    if thousands in whole:
        if not _GROUPED[thousands].fullmatch(whole):
            if frac or whole.count(thousands) > 1:
                raise InvalidValue(gettext("“%(text)s” không phải là số.") % {"text": text[:30]})
            whole, frac = whole.split(thousands)  # "12.5" in Vietnamese: a decimal point after all
        else:
            whole = whole.replace(thousands, "")
    candidate = whole + ("." + frac if frac else "")
    if not _PLAIN.fullmatch(candidate):
        raise InvalidValue(gettext("“%(text)s” không phải là số.") % {"text": text[:30]})
    try:
        return Decimal(sign + candidate)
    except InvalidOperation as exc:
        raise InvalidValue(gettext("“%(text)s” không phải là số.") % {"text": text[:30]}) from exc


def parse_value(element: DataElement, text: str, *, english: bool = False) -> Decimal | dt.date | None:
    """The cell's text as the element's value (``None`` for an empty cell); refused with a ``InvalidValue``."""
    text = (text or "").strip()
    if "\x00" in text:
        raise InvalidValue(gettext("Giá trị chứa ký tự không hợp lệ."))
    if not text:
        return None
    if len(text) > 40:
        raise InvalidValue(gettext("Giá trị quá dài."))
    if element.value_type == ValueType.DATE:
        for fmt in DATE_INPUT_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
            except ValueError:
                continue
        raise InvalidValue(gettext("Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 19/08/2025."))
    if element.value_type == ValueType.YES_NO:
        low = text.casefold()
        if low in YES:
            return Decimal(1)
        if low in NO:
            return Decimal(0)
        raise InvalidValue(gettext("Nhập có hoặc không (1 hoặc 0)."))
    value = _number_text(text.rstrip("%").strip() if element.value_type == ValueType.PERCENT else text,
                         "," if english else ".")
    check_value(element, value)
    return value


def check_value(element: DataElement, value: Decimal | dt.date | None) -> None:
    """Refuse what the element cannot hold: negative numbers, decimals where a whole number is counted,
    percentages over 100, numbers too large to be true."""
    if value is None:
        return
    if element.value_type == ValueType.DATE:
        if not isinstance(value, dt.date):
            raise InvalidValue(gettext("Chỉ tiêu này nhận một ngày."))
        if not 1990 <= value.year <= 2100:
            raise InvalidValue(gettext("Ngày nằm ngoài khoảng cho phép."))
        return
    if isinstance(value, dt.date) or not isinstance(value, Decimal) or not value.is_finite():
        raise InvalidValue(gettext("Chỉ tiêu này nhận một số."))
    if value < 0:
        raise InvalidValue(gettext("Không nhận số âm."))
    if element.value_type in INTEGER_TYPES and value != value.to_integral_value():
        raise InvalidValue(gettext("Chỉ tiêu này nhận số nguyên, không có phần thập phân."))
    top = MAXIMUM[ValueType(element.value_type)]
    if value > top:
        if element.value_type == ValueType.PERCENT:
            raise InvalidValue(gettext("Tỷ lệ không vượt quá 100%."))
        if element.value_type == ValueType.YES_NO:
            raise InvalidValue(gettext("Nhập có hoặc không (1 hoặc 0)."))
        raise InvalidValue(gettext("Số quá lớn (tối đa %(n)s).") % {"n": number(top)})
    if value.quantize(Decimal(1).scaleb(-VALUE_PLACES)) != value:
        raise InvalidValue(gettext("Nhiều nhất %(n)s chữ số sau dấu phẩy.") % {"n": VALUE_PLACES})


def check_comment(text: str) -> str:
    text = (text or "").strip()
    if "\x00" in text:
        raise InvalidValue(gettext("Ghi chú chứa ký tự không hợp lệ."))
    if len(text) > MAX_COMMENT:
        raise InvalidValue(gettext("Ghi chú dài quá %(n)s ký tự.") % {"n": MAX_COMMENT})
    return text


def value_text(element: DataElement, value: Decimal | dt.date | None, *, english: bool = False) -> str:
    """A stored value as the entry field shows it (no thousands separator: easy to retype)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = format(normalised(value), "f")
    return text if english else text.replace(".", ",")
