"""Who issues, approves and is printed on an award form: decided by the form's issuing level.

- ``ISSUING_KINDS``: the unit kinds a decision of each level may be recorded under. A commune chairman's
  Giấy khen is the commune's (never the province's); a provincial form is the province's; a national form
  (Prime Minister, Ministry of Public Security) is issued centrally and recorded by the country or by the
  province that proposed it.
- ``issuing_unit``: the unit whose authority approves a proposal for a form: the proposing unit itself
  or its nearest ancestor of the form's level (a commune proposes a commune Giấy khen to itself).
- ``issuer_for``: the issuing body and official printed on certificates.
- ``awaiting``: who must act next on a proposal, in words, for the pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from phongtrao.awards.models import AuthorityLevel, AwardProposal, AwardType, ProposalStatus
from phongtrao.lib import documents as docs
from phongtrao.units.models import Kind, Unit

# The level whose People's Committee (or police, or ministry) issues a form -> the unit kinds its
# decisions are recorded under. The first kind is the one a proposal is sent to.
ISSUING_KINDS: dict[str, tuple[str, ...]] = {
    AuthorityLevel.COMMUNE: (Kind.COMMUNE,),
    AuthorityLevel.DISTRICT: (Kind.DISTRICT,),
    AuthorityLevel.PROVINCE: (Kind.PROVINCE,),
    AuthorityLevel.NATIONAL: (Kind.PROVINCE, Kind.COUNTRY),
}


def issuing_kinds(award_type: AwardType) -> tuple[str, ...]:
    return ISSUING_KINDS.get(award_type.authority_level, ())


def issuing_unit(award_type: AwardType, unit: Unit) -> Unit | None:
    """The unit that approves ``unit``'s proposal for ``award_type``: itself or its nearest ancestor of the
    form's first issuing kind (one query through the closure table); None when there is none."""
    kinds = issuing_kinds(award_type)
    if not kinds:
        return None
    wanted = kinds[0]
    if award_type.authority_level == AuthorityLevel.NATIONAL and unit.kind in (Kind.PROVINCE, Kind.COUNTRY):
        wanted = Kind.COUNTRY  # a province's own proposal for a national form goes to the centre
    if unit.kind == wanted:
        return unit
    return (Unit.objects.filter(descendant_links__unit=unit, kind=wanted).exclude(pk=unit.pk)
            .order_by("-depth").first())


def wrong_issuer(award_type: AwardType, authority: Unit) -> str:
    """Why ``authority`` may not issue or record ``award_type`` ("" when it may)."""
    kinds = issuing_kinds(award_type)
    if authority.kind in kinds:
        return ""
    wanted = ", ".join(Kind(k).label.lower() for k in kinds)
    return gettext("“%(award)s” do %(level)s ban hành: cơ quan ban hành phải là %(wanted)s, không phải "
                   "%(authority)s.") % {"award": award_type.name, "level": award_type.get_authority_level_display()
                                        .lower(), "wanted": wanted, "authority": authority.name}


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


def issuer_for(award_type: AwardType, authority: Unit) -> Issuer:
    """Who issues ``award_type`` under ``authority``: printed on the certificates, named on the pages."""
    words = award_type.authority.casefold()
    if "thủ tướng" in words:
        return Issuer("", ("THỦ TƯỚNG CHÍNH PHỦ",), "THỦ TƯỚNG CHÍNH PHỦ", "THỦ TƯỚNG", "Hà Nội",
                      "Thủ tướng Chính phủ")
    if award_type.authority_level == AuthorityLevel.NATIONAL:
        return Issuer("", ("BỘ CÔNG AN",), "BỘ TRƯỞNG BỘ CÔNG AN", "BỘ TRƯỞNG", "Hà Nội", "Bộ trưởng Bộ Công an")
    if "công an" in words:
        return Issuer(f"UBND {_upper(authority.name)}", (f"CÔNG AN {_upper(authority.name)}",),
                      f"GIÁM ĐỐC CÔNG AN {_upper(authority.name)}", "GIÁM ĐỐC", docs.place_name(authority.name),
                      f"Giám đốc Công an {docs.in_running_text(authority.name)}")
    return Issuer("", ("ỦY BAN NHÂN DÂN", _upper(authority.name)),
                  f"CHỦ TỊCH ỦY BAN NHÂN DÂN {_upper(authority.name)}", "CHỦ TỊCH", docs.place_name(authority.name),
                  f"Chủ tịch Ủy ban nhân dân {docs.in_running_text(authority.name)}")


def awaiting(proposal: AwardProposal, *, decided: bool = False) -> str:
    """Who must act next on ``proposal`` and what they must do ("" when nothing is left to do)."""
    approver = issuer_for(proposal.award_type, proposal.to_unit).in_text
    if proposal.status == ProposalStatus.SUBMITTED:
        return gettext("%(who)s xem xét, duyệt hoặc trả lại đề nghị.") % {"who": approver}
    if proposal.status == ProposalStatus.APPROVED:
        if decided:
            return ""
        return gettext("%(unit)s ghi quyết định khen thưởng (%(who)s).") % {
            "unit": proposal.to_unit.name, "who": approver}
    if proposal.status == ProposalStatus.RETURNED:
        return gettext("%(unit)s sửa theo ý kiến trả lại, rồi gửi lại.") % {"unit": proposal.proposing_unit.name}
    return gettext("%(unit)s hoàn thiện và gửi đề nghị.") % {"unit": proposal.proposing_unit.name}
