"""Template filters of the unit pages: validity, subtype and ANTT-standard texts (no logic in templates)."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import gettext, gettext_noop

from phongtrao.lib import vnformat
from phongtrao.units.models import (
    STANDARD_KINDS,
    ExclusionField,
    Exclusions,
    Kind,
    Unit,
)

register = template.Library()


@register.filter
def validity(unit: Unit) -> str:
    """The validity interval: 01/07/2025 – 31/12/2025, Từ 01/07/2025, Đến 30/06/2025 or Không thời hạn."""
    start, end = vnformat.date_text(unit.valid_from), vnformat.date_text(unit.valid_to)
    if start and end:
        return f"{start} – {end}"
    if start:
        return gettext("Từ %(date)s") % {"date": start}
    if end:
        return gettext("Đến %(date)s") % {"date": end}
    return gettext("Không thời hạn")


SUBTYPE_LABELS = {
    "tinh": gettext_noop("Tỉnh"),
    "thanh_pho_tw": gettext_noop("Thành phố trực thuộc trung ương"),
    "thanh_pho": gettext_noop("Thành phố"),
    "quan": gettext_noop("Quận"),
    "huyen": gettext_noop("Huyện"),
    "thi_xa": gettext_noop("Thị xã"),
    "xa": gettext_noop("Xã"),
    "phuong": gettext_noop("Phường"),
    "thi_tran": gettext_noop("Thị trấn"),
    "dac_khu": gettext_noop("Đặc khu"),
    "thon": gettext_noop("Thôn"),
    "khu_pho": gettext_noop("Khu phố"),
    "to_dan_pho": gettext_noop("Tổ dân phố"),
    "ban": gettext_noop("Bản"),
    "ap": gettext_noop("Ấp"),
    "cong_ty_co_phan": gettext_noop("Công ty cổ phần"),
    "cong_ty_tnhh": gettext_noop("Công ty TNHH"),
    "doanh_nghiep_tu_nhan": gettext_noop("Doanh nghiệp tư nhân"),
}


@register.filter
def subtype_label(code: str) -> str:
    """The subtype's label (phuong -> Phường) in the active language; an unknown local subtype is shown as entered."""
    label = SUBTYPE_LABELS.get(code)
    return gettext(label) if label else code


@register.filter
def standard_exemption(unit: Unit) -> str:
    """Why the ANTT standard does not apply to the unit, with the exclusion's legal basis; "" when it applies."""
    if unit.subject_to_standard:
        return ""
    if unit.kind not in STANDARD_KINDS:
        return gettext("Toàn quốc, cấp tỉnh và cấp huyện không phải đối tượng công nhận đạt tiêu chuẩn.")
    rule = Exclusions.on().matching(unit.kind, armed_forces=unit.armed_forces, size=unit.size,
                                    school_level=unit.school_level)
    if rule is None:
        return gettext("Không thuộc diện tiêu chuẩn.")
    if rule.field == ExclusionField.ARMED_FORCES:
        reason = gettext("Cơ quan, đơn vị thuộc lực lượng vũ trang không thuộc diện")
    elif unit.kind == Kind.ENTERPRISE:
        reason = gettext("Doanh nghiệp nhỏ và siêu nhỏ không thuộc diện")
    else:
        reason = gettext("Cơ sở giáo dục mầm non, nhà trẻ, tiểu học không thuộc diện")
    return gettext("%(reason)s (%(basis)s).") % {"reason": reason, "basis": rule.legal_basis}


@register.filter
def share(weight: Decimal | None) -> str:
    """A succession weight (share of the old unit, 0..1) as a percentage: 0.25 -> 25,00%."""
    if weight is None:
        return ""
    return vnformat.percent_text(Decimal(weight) * 100)


@register.filter
def saved_value(form: object, name: str) -> str:
    """After a refused stale edit: the value now saved for field ``name`` when it differs from the input."""
    values: dict[str, str] = getattr(form, "saved_values", {})
    return values.get(name, "")
