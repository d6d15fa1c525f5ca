"""The documents of an ANTT decision: the decision itself (.docx, NĐ 30/2020 layout) with its annex
listing the recognised units, and one "GIẤY CÔNG NHẬN" certificate per unit (PDF).

Both take the recognitions of one decision (same number and date, all recognised) and read them
again in one query with their units, the units' parents and the deciding authority, in Vietnamese
alphabetical order of the unit names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from phongtrao.lib import documents as docs
from phongtrao.lib.vnformat import date_text
from phongtrao.recognition.criteria import tt48_effective_from
from phongtrao.recognition.models import Recognition, Status
from phongtrao.units.models import Kind, ManagingLevel, Unit

DECISION_TEMPLATE = Path(__file__).resolve().parent / "templates" / "recognition" / "documents" / \
    "quyet_dinh_cong_nhan.docx"
STANDARD = "“An toàn về an ninh, trật tự”"
# From this date TT 48/2025/TT-BCA and the 2025 Law on local government apply (two-level government).
REFORM_DAY = dt.date(2025, 7, 1)

# How a kind is named in the subject line ("công nhận khu dân cư, cơ quan ... đạt tiêu chuẩn")
# and in the annex's "Loại" column.
KIND_NOUNS: dict[str, str] = {
    Kind.RESIDENTIAL_AREA: "khu dân cư", Kind.COMMUNE: "xã, phường, đặc khu", Kind.AGENCY: "cơ quan",
    Kind.ENTERPRISE: "doanh nghiệp", Kind.SCHOOL: "cơ sở giáo dục",
}
KIND_LABELS: dict[str, str] = {
    Kind.RESIDENTIAL_AREA: "Khu dân cư", Kind.COMMUNE: "Xã, phường", Kind.AGENCY: "Cơ quan",
    Kind.ENTERPRISE: "Doanh nghiệp", Kind.SCHOOL: "Cơ sở giáo dục",
}


# --- reading and checking ------------------------------------------------------------------------


def _load(recognitions: Sequence[Recognition]) -> list[Recognition]:
    """The recognitions again, in one query, with what the documents print, in Vietnamese order."""
    pks = [r.pk for r in recognitions]
    if not pks:
        raise ValueError("Chưa chọn đơn vị nào.")
    return list(
        Recognition.objects.filter(pk__in=pks)
        .select_related("unit__parent__parent", "authority__parent")
        .order_by("unit__sort_key", "unit__parent__sort_key", "unit__code", "pk")
    )


def _one_decision(recognitions: Sequence[Recognition]) -> list[Recognition]:
    """Refuse anything that is not one decision recognising every unit given (ValueError)."""
    recs = _load(recognitions)
    not_recognised = [r.unit.name for r in recs if r.status != Status.RECOGNISED]
    if not_recognised:
        raise ValueError("Chưa được công nhận đạt tiêu chuẩn: " + ", ".join(not_recognised) + ".")
    decisions = {(r.decision_no, r.decision_date, r.authority_id, r.year) for r in recs}
    if len(decisions) > 1:
        listed = "; ".join(sorted({f"số {no} ngày {date_text(day)}" for no, day, _, _ in decisions}))
        raise ValueError(f"Các đơn vị đã chọn không thuộc cùng một quyết định ({listed}).")
    first = recs[0]
    if not first.decision_no or first.decision_date is None or first.authority is None:
        raise ValueError(f"Quyết định công nhận {first.unit.name} thiếu số, ngày hoặc cấp ra quyết định.")
    return recs


# --- wording derived from the deciding authority -------------------------------------------------


def _authority_level(rec: Recognition) -> str:
    authority = rec.authority
    assert authority is not None
    return rec.authority_level or authority.kind


def issuer_lines(authority: Unit) -> list[str]:
    """The issuing body at the top left: ["ỦY BAN NHÂN DÂN", "XÃ AN BÌNH"]."""
    return ["ỦY BAN NHÂN DÂN", " ".join(authority.name.split()).upper()]


def _police_head(authority: Unit, level: str) -> str:
    name = docs.in_running_text(authority.name)
    return f"Giám đốc Công an {name}" if level == ManagingLevel.PROVINCE else f"Trưởng Công an {name}"


def _office_head(authority: Unit, level: str) -> str:
    prefix, _ = docs.split_admin_prefix(authority.name)
    short = prefix.lower() or "tỉnh"
    if level == ManagingLevel.PROVINCE:
        return f"Chánh Văn phòng Ủy ban nhân dân {short}"
    return f"Chánh Văn phòng Hội đồng nhân dân và Ủy ban nhân dân {short}"


def _grounds(day: dt.date) -> list[str]:
    if day >= REFORM_DAY:
        law = "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;"
    else:
        law = ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số "
               "điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;")
    if day >= tt48_effective_from():  # a setting: TT 48's effective date is not checked against the gazette
        circular = ("Căn cứ Thông tư số 124/2021/TT-BCA của Bộ trưởng Bộ Công an quy định về khu dân cư, xã, "
                    "phường, thị trấn, cơ quan, doanh nghiệp, cơ sở giáo dục đạt tiêu chuẩn " + STANDARD
                    + ", được sửa đổi, bổ sung bởi Thông tư số 48/2025/TT-BCA của Bộ trưởng Bộ Công an;")
    else:
        circular = ("Căn cứ Thông tư số 124/2021/TT-BCA của Bộ trưởng Bộ Công an quy định về khu dân cư, xã, "
                    "phường, thị trấn, cơ quan, doanh nghiệp, cơ sở giáo dục đạt tiêu chuẩn " + STANDARD + ";")
    return [law, circular]


def _recipients(authority: Unit, level: str) -> list[str]:
    above = authority.parent
    if level == ManagingLevel.PROVINCE or above is None:
        report_to = "- Bộ Công an (để báo cáo);"
    else:
        report_to = f"- Công an {docs.in_running_text(above.name)} (để báo cáo);"
    return ["- Như Điều 3;", report_to, "- Lưu: VT."]


def _subject_nouns(recs: Sequence[Recognition]) -> str:
    kinds = [k for k in KIND_NOUNS if any(r.unit.kind == k for r in recs)]
    nouns = [KIND_NOUNS[k] for k in kinds]
    return nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " và " + nouns[-1]


def _kind_label(unit: Unit) -> str:
    if unit.kind == Kind.COMMUNE:
        prefix, _ = docs.split_admin_prefix(unit.name)
        return prefix or KIND_LABELS[Kind.COMMUNE]
    return KIND_LABELS.get(unit.kind) or str(Kind(unit.kind).label)


def decision_context(recognitions: Sequence[Recognition]) -> dict[str, Any]:
    """The values ``quyet_dinh_cong_nhan.docx`` prints (see ``scripts/make_docx_templates.py``)."""
    recs = _one_decision(recognitions)
    first = recs[0]
    authority, day = first.authority, first.decision_date
    assert authority is not None and day is not None
    level = _authority_level(first)
    in_text = docs.in_running_text(authority.name)
    police = _police_head(authority, level)
    return {
        "issuer_parent": "",
        "issuer_lines": issuer_lines(authority),
        "decision_no": first.decision_no,
        "date_line": docs.date_line(docs.place_name(authority.name), day),
        "subject": f"Về việc công nhận {_subject_nouns(recs)} đạt tiêu chuẩn {STANDARD} năm {first.year}",
        "authority_title": f"CHỦ TỊCH ỦY BAN NHÂN DÂN {authority.name.upper()}",
        "grounds": _grounds(day),
        "proposer": f"Xét đề nghị của {police}.",
        "count": len(recs),
        "year": first.year,
        "article1": (f"Công nhận {len(recs):02d} đơn vị có tên tại Phụ lục kèm theo Quyết định này đạt tiêu chuẩn "
                     f"{STANDARD} năm {first.year}."),
        "executors": f"{_office_head(authority, level)}, {police}, người đứng đầu các cơ quan, đơn vị có liên quan "
                     "và các đơn vị có tên tại Điều 1",
        # The chairman decides in his own name (TT 124/2021/TT-BCA), so no "TM. ỦY BAN NHÂN DÂN".
        "sign_for": "",
        "signer_title": "CHỦ TỊCH",
        "signer_name": first.signer_name,
        "recipients": _recipients(authority, level),
        "decided_by": f"Chủ tịch Ủy ban nhân dân {in_text}",
        "decision_date_text": date_text(day),
        "rows": [
            {"no": i, "name": r.unit.name, "kind": _kind_label(r.unit),
             "parent": r.unit.parent.name if r.unit.parent else ""}
            for i, r in enumerate(recs, start=1)
        ],
    }


def decision_docx(recognitions: Sequence[Recognition]) -> bytes:
    """The decision recognising ``recognitions`` (one decision, all recognised; else ValueError)."""
    return docs.render_docx(DECISION_TEMPLATE, decision_context(recognitions))


# --- certificates --------------------------------------------------------------------------------


def _where(unit: Unit) -> list[str]:
    """The line under the unit's name: its commune and province ("Xã An Bình, Tỉnh Thử Nghiệm")."""
    names = [u.name for u in (unit.parent, unit.parent.parent if unit.parent else None)
             if u is not None and u.kind not in (Kind.COUNTRY,)]
    return [", ".join(names)] if names else []


def _register_numbers(rec: Recognition) -> dict[int, int]:
    """Recognition pk -> its row in the decision's annex, counted over the whole decision (one query),
    so a certificate printed again on its own keeps its number."""
    pks = (
        Recognition.objects.filter(decision_no=rec.decision_no, decision_date=rec.decision_date,
                                   authority_id=rec.authority_id, year=rec.year)
        .order_by("unit__sort_key", "unit__parent__sort_key", "unit__code", "pk").values_list("pk", flat=True)
    )
    return {pk: i for i, pk in enumerate(pks, start=1)}


def certificates(recognitions: Sequence[Recognition]) -> list[docs.Certificate]:
    """One "GIẤY CÔNG NHẬN" per recognised unit, in the annex's order; the serial is the unit's row in
    the decision's annex."""
    recs = _one_decision(recognitions)
    numbers = _register_numbers(recs[0])
    out = []
    for rec in recs:
        authority, day = rec.authority, rec.decision_date
        assert authority is not None and day is not None
        out.append(docs.Certificate(
            body=issuer_lines(authority),
            title="GIẤY CÔNG NHẬN",
            lead=f"CHỦ TỊCH ỦY BAN NHÂN DÂN {authority.name.upper()}",
            verb="Công nhận",
            recipient=rec.unit.name,
            recipient_lines=_where(rec.unit),
            achievement=f"Đạt tiêu chuẩn {STANDARD} năm {rec.year}",
            decision_ref=f"(Quyết định số {rec.decision_no} ngày {date_text(day)} của Chủ tịch Ủy ban nhân dân "
                         f"{docs.in_running_text(authority.name)})",
            date_line=docs.date_line(docs.place_name(authority.name), day),
            signer_title="CHỦ TỊCH",
            signer_name=rec.signer_name,
            serial=f"{numbers.get(rec.pk, 0):02d}",
        ))
    return out


def certificates_pdf(recognitions: Sequence[Recognition],
                     progress: Callable[[int, int], None] | None = None) -> bytes:
    """One A4 landscape certificate page per recognised unit, in one PDF (else ValueError); ``progress``
    (done, total) is told after each chunk of pages (a background job, ``recognition.jobs``)."""
    return docs.certificates_pdf(certificates(recognitions), progress)
