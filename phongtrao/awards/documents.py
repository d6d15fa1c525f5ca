"""Award certificates (Bằng khen, Giấy khen, ...) printed in bulk: one A4 page per recipient, one PDF.

The page layout lives in ``phongtrao.lib.documents``; here each recipient becomes a ``Certificate``:
the issuing body and the granting official follow the award form's authority (UBND of the commune
or province, the provincial police, the Ministry of Public Security, the Prime Minister).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from phongtrao.awards.models import AuthorityLevel, AwardDecision, AwardRecipient, RecipientKind
from phongtrao.lib import documents as docs
from phongtrao.lib.vnformat import date_text
from phongtrao.units.models import Kind, Unit


@dataclass(frozen=True)
class Issuer:
    parent_body: str
    body: tuple[str, ...]
    lead: str
    signer_title: str
    place: str
    in_text: str  # "Chủ tịch Ủy ban nhân dân tỉnh Thử Nghiệm", after "Quyết định số ... của"


def _upper(name: str) -> str:
    return " ".join(name.split()).upper()


def issuer(decision: AwardDecision) -> Issuer:
    """Who issues ``decision``'s certificates, from its award form and issuing unit."""
    authority, award = decision.authority, decision.award_type
    words = award.authority.casefold()
    if "thủ tướng" in words:
        return Issuer("", ("THỦ TƯỚNG CHÍNH PHỦ",), "THỦ TƯỚNG CHÍNH PHỦ", "THỦ TƯỚNG", "Hà Nội",
                      "Thủ tướng Chính phủ")
    if award.authority_level == AuthorityLevel.NATIONAL:
        return Issuer("", ("BỘ CÔNG AN",), "BỘ TRƯỞNG BỘ CÔNG AN", "BỘ TRƯỞNG", "Hà Nội", "Bộ trưởng Bộ Công an")
    if "công an" in words:
        return Issuer(f"UBND {_upper(authority.name)}", (f"CÔNG AN {_upper(authority.name)}",),
                      f"GIÁM ĐỐC CÔNG AN {_upper(authority.name)}", "GIÁM ĐỐC", docs.place_name(authority.name),
                      f"Giám đốc Công an {docs.in_running_text(authority.name)}")
    return Issuer("", ("ỦY BAN NHÂN DÂN", _upper(authority.name)),
                  f"CHỦ TỊCH ỦY BAN NHÂN DÂN {_upper(authority.name)}", "CHỦ TỊCH", docs.place_name(authority.name),
                  f"Chủ tịch Ủy ban nhân dân {docs.in_running_text(authority.name)}")


def _where(unit: Unit) -> str:
    """The unit's commune and province, as written under a name: "xã An Bình, tỉnh Thử Nghiệm"."""
    names = [docs.in_running_text(u.name) for u in (unit.parent, unit.parent.parent if unit.parent else None)
             if u is not None and u.kind != Kind.COUNTRY]
    return ", ".join(names)


def recipient_lines(recipient: AwardRecipient) -> list[str]:
    if recipient.kind == RecipientKind.INDIVIDUAL:
        unit = recipient.unit.name + (f", {_where(recipient.unit)}" if _where(recipient.unit) else "")
        return [line for line in (recipient.title, unit) if line]
    where = _where(recipient.unit)
    return [where] if where else []


def certificate(recipient: AwardRecipient, decision: AwardDecision) -> docs.Certificate:
    who = issuer(decision)
    day = decision.date or dt.date(decision.year, 12, 31)
    reference = ""
    if decision.number:
        reference = f"(Quyết định số {decision.number}"
        reference += f" ngày {date_text(decision.date)}" if decision.date else ""
        reference += f" của {who.in_text})"
    achievement = recipient.achievement or (
        f"Đã có thành tích trong phong trào toàn dân bảo vệ an ninh Tổ quốc năm {decision.year}")
    return docs.Certificate(
        parent_body=who.parent_body,
        body=who.body,
        title=decision.award_type.certificate_title or decision.award_type.name.upper(),
        lead=who.lead,
        verb="Tặng",
        recipient=recipient.name,
        recipient_lines=recipient_lines(recipient),
        achievement=achievement,
        decision_ref=reference,
        date_line=docs.date_line(who.place, day),
        signer_title=(decision.signer_title or who.signer_title).upper(),
        signer_name=decision.signer_name,
        serial=f"{decision.pk}/{recipient.position:03d}",
    )


def certificates(decision: AwardDecision, recipients: Sequence[AwardRecipient]) -> list[docs.Certificate]:
    return [certificate(r, decision) for r in recipients]


def certificates_pdf(decision: AwardDecision, recipients: Sequence[AwardRecipient]) -> bytes:
    """All ``recipients``' certificates in one PDF, one page each (ValueError when there are none)."""
    return docs.certificates_pdf(certificates(decision, recipients))
