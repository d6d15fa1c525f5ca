"""The header and signature values of an official report (Nghị định 30/2020/NĐ-CP, Appendix I).

``DocumentMeta`` holds what the .docx and PDF print around the blocks: the issuing body and its
parent (top left), the number ("Số: .../BC-UBND"), place and date (italic, top right), the name
of the document and its subject, the signature block and the recipients ("Nơi nhận:").

``default_meta(unit, year)`` derives them from the unit, by the rules in ``ISSUERS`` (rules as
data: one row per kind of unit that issues an annual report, with its legal basis and a note
where the wording is a house choice rather than the decree's text). Every value may be
overridden: ``dataclasses.replace(default_meta(unit, year), number="15", signer_name="...")``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from phongtrao.lib.documents import date_line, in_running_text, place_name

ND30 = "Nghị định 30/2020/NĐ-CP, Phụ lục I"


@dataclass(frozen=True)
class IssuerRule:
    """How a unit of one kind signs its annual report (``{name}``: the unit's name in capitals;
    ``{parent}``: the parent unit's name in capitals; ``{where}``: the unit's name in running text;
    ``{parent_where}``: the parent's name in running text)."""

    parent_body: str
    body: tuple[str, ...]
    abbreviation: str  # after "BC-" in the number: "BC-UBND"
    sign_for: str  # "TM. ỦY BAN NHÂN DÂN" (the body signs collectively), or empty
    signer_deputy: str  # "KT. CHỦ TỊCH" (a deputy signs for the head), or empty
    signer_title: str
    recipients: tuple[str, ...]
    legal_basis: str = ND30
    note: str = ""


# The annual report of the movement is the people's committee's (the report the province and the commune
# send up), signed by a vice-chairman for the chairman. Kinds not listed use the province row's wording.
ISSUERS: dict[str, IssuerRule] = {
    "country": IssuerRule(
        parent_body="", body=("BỘ CÔNG AN",), abbreviation="BCA", sign_for="", signer_deputy="KT. BỘ TRƯỞNG",
        signer_title="THỨ TRƯỞNG",
        recipients=("- Thủ tướng Chính phủ (để báo cáo);", "- Công an các tỉnh, thành phố;", "- Lưu: VT."),
        note="Uncertain: the national summary is issued by the Ministry of Public Security (Cục Xây dựng phong "
             "trào bảo vệ ANTQ); the signer's title is a house default."),
    "province": IssuerRule(
        parent_body="", body=("ỦY BAN NHÂN DÂN", "{name}"), abbreviation="UBND",
        sign_for="TM. ỦY BAN NHÂN DÂN", signer_deputy="KT. CHỦ TỊCH", signer_title="PHÓ CHỦ TỊCH",
        recipients=("- Bộ Công an (để báo cáo);", "- Thường trực Tỉnh ủy (để báo cáo);",
                    "- Thường trực HĐND {where} (để báo cáo);", "- Công an {where};", "- Lưu: VT."),
        note="The people's committee has no parent body on its documents (NĐ 30/2020 Phụ lục I, II.2). "
             "Uncertain: the recipients are a house default, to be edited per report."),
    "district": IssuerRule(
        parent_body="", body=("ỦY BAN NHÂN DÂN", "{name}"), abbreviation="UBND",
        sign_for="TM. ỦY BAN NHÂN DÂN", signer_deputy="KT. CHỦ TỊCH", signer_title="PHÓ CHỦ TỊCH",
        recipients=("- UBND {parent_where} (để báo cáo);", "- Công an {parent_where} (để báo cáo);",
                    "- Lưu: VT."),
        note="Districts were abolished on 1 July 2025 (two-level local government); kept for earlier years."),
    "commune": IssuerRule(
        parent_body="", body=("ỦY BAN NHÂN DÂN", "{name}"), abbreviation="UBND",
        sign_for="TM. ỦY BAN NHÂN DÂN", signer_deputy="KT. CHỦ TỊCH", signer_title="PHÓ CHỦ TỊCH",
        recipients=("- UBND {parent_where} (để báo cáo);", "- Công an {parent_where} (để báo cáo);",
                    "- Thường trực Đảng ủy (để báo cáo);", "- Lưu: VT."),
        note="Uncertain: the recipients are a house default, to be edited per report."),
}
# A police body issuing the report instead (its parent above it, as the example in the issue).
POLICE_ISSUER = IssuerRule(
    parent_body="UBND {name}", body=("CÔNG AN {short}",), abbreviation="CA",
    sign_for="", signer_deputy="KT. GIÁM ĐỐC", signer_title="PHÓ GIÁM ĐỐC",
    recipients=("- Bộ Công an (để báo cáo);", "- UBND {where} (để báo cáo);", "- Lưu: VT."),
    note="Uncertain: documents of the provincial police usually carry “BỘ CÔNG AN” as parent body; "
         "“UBND TỈNH ...” above “CÔNG AN TỈNH” follows the example given for joint reports.")

SUBJECT = "Tổng kết phong trào toàn dân bảo vệ an ninh Tổ quốc năm {year}"


@dataclass(frozen=True)
class DocumentMeta:
    """What an official report prints around its blocks (NĐ 30/2020 Appendix I)."""

    body: tuple[str, ...] = ("ỦY BAN NHÂN DÂN",)
    parent_body: str = ""
    number: str = ""  # empty: a blank to fill in by hand ("Số:      /BC-UBND")
    abbreviation: str = "UBND"
    place: str = ""
    day: dt.date | None = None  # None: "ngày      tháng      năm YEAR" to fill in by hand
    year: int = 0
    kind_name: str = "BÁO CÁO"
    subject: str = ""
    sign_for: str = ""
    signer_deputy: str = ""
    signer_title: str = ""
    signer_name: str = ""
    recipients: tuple[str, ...] = field(default_factory=tuple)

    @property
    def number_line(self) -> str:
        """ "Số: 15/BC-UBND", or "Số:      /BC-UBND" with a blank for the number."""
        number = self.number.strip() or "\u00a0" * 6
        return f"Số: {number}/BC-{self.abbreviation}"

    @property
    def date_line(self) -> str:
        if self.day is not None:
            return date_line(self.place, self.day)
        blank = "\u00a0" * 5
        return f"{self.place}, ngày {blank} tháng {blank} năm {self.year}"

    @property
    def signer_lines(self) -> tuple[str, ...]:
        """The lines above the signature, in order: "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"."""
        return tuple(line for line in (self.sign_for, self.signer_deputy, self.signer_title) if line)


def _short(name: str) -> str:
    """ "TỈNH THỬ NGHIỆM" -> "TỈNH" for "CÔNG AN TỈNH" (the body's own level word)."""
    return name.split()[0] if name.split() else name


def default_meta(unit: object, year: int, *, police: bool = False) -> DocumentMeta:
    """The header values of ``unit``'s annual report for ``year`` (``unit`` has ``name``, ``kind`` and
    ``parent``), by ``ISSUERS`` (``police=True``: ``POLICE_ISSUER``)."""
    name = " ".join(str(getattr(unit, "name", "")).split())
    kind = str(getattr(unit, "kind", "province"))
    parent = getattr(unit, "parent", None)
    parent_name = " ".join(str(getattr(parent, "name", "")).split()) if parent is not None else ""
    rule = POLICE_ISSUER if police else ISSUERS.get(kind, ISSUERS["province"])
    values = {"name": name.upper(), "parent": parent_name.upper(), "where": in_running_text(name),
              "parent_where": in_running_text(parent_name) if parent_name else "cấp trên",
              "short": _short(name.upper())}
    return DocumentMeta(
        body=tuple(line.format(**values) for line in rule.body), parent_body=rule.parent_body.format(**values),
        abbreviation=rule.abbreviation, place=place_name(name) if name else "", year=year,
        subject=SUBJECT.format(year=year), sign_for=rule.sign_for, signer_deputy=rule.signer_deputy,
        signer_title=rule.signer_title, recipients=tuple(r.format(**values) for r in rule.recipients))
