"""Award certificates (Bằng khen, Giấy khen, ...) printed in bulk: one A4 page per recipient, one PDF.

The page layout lives in ``phongtrao.lib.documents``; here each recipient becomes a ``Certificate``:
the issuing body and the granting official follow the award form's authority (UBND of the commune
or province, the provincial police, the Ministry of Public Security, the Prime Minister).
"""

from __future__ import annotations

from collections.abc import Sequence

from phongtrao.awards.authority import Issuer, issuer_for
from phongtrao.awards.models import AwardDecision, AwardRecipient, RecipientKind
from phongtrao.lib import documents as docs
from phongtrao.lib.periods import year_end
from phongtrao.lib.vnformat import date_text
from phongtrao.units.models import Kind, Unit


def issuer(decision: AwardDecision) -> Issuer:
    """Who issues ``decision``'s certificates, from its award form and issuing unit (``authority.issuer_for``)."""
    return issuer_for(decision.award_type, decision.authority)


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
    day = decision.date or year_end(decision.year)
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
