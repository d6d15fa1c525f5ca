"""The rules of the movement's classification, as data with their basis and effective date.

- The scorecards (``Scorecard`` rows with their sections and criteria, seeded by migration 0002 from
  ``SEEDED_CARDS``): one national version per kind of unit, 100 points each (``check_total``). The exact items of
  QĐ 510/QĐ-BCA-V05 are not public: the seeded items paraphrase what the guidance is known to score (each set's
  note says so). A province may add or re-weight items within the total (``actions.do_adopt_scorecard``).
- The level cut-offs (Xuất sắc / Khá / Trung bình / Yếu) and the deadline are columns of each version.
- The suggestions: what the system already knows about a unit's year (``suggestions``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext

if TYPE_CHECKING:
    from phongtrao.classification.models import Scorecard, ScorecardCriterion
    from phongtrao.units.models import Unit

BASIS = ("Quyết định số 510/QĐ-BCA-V05 năm 2022 của Bộ Công an (Cục Xây dựng phong trào bảo vệ an ninh Tổ quốc) "
         "hướng dẫn đánh giá, chấm điểm, xếp loại phong trào toàn dân bảo vệ an ninh Tổ quốc")
EFFECTIVE_FROM = dt.date(2022, 1, 1)
NOTE = ("Nội dung chi tiết các tiêu chí của Quyết định 510/QĐ-BCA-V05 không được công bố công khai: các tiêu chí "
        "dưới đây được diễn giải (paraphrase) theo nội dung hướng dẫn thường được biết, với thang 100 điểm. Ngày hiệu "
        "lực 01/01/2022 và các mức điểm xếp loại (Xuất sắc từ 90, Khá từ 70, Trung bình từ 50, dưới 50 là Yếu) chưa "
        "được đối chiếu với văn bản gốc; tỉnh có hướng dẫn riêng cần nhập bảng điểm của tỉnh.")
CUTOFFS = {"excellent_from": 90, "good_from": 70, "average_from": 50}

# (section title, [(code, text, points, suggestion, element code, description), ...])
Item = tuple[str, str, int, str, str, str]
AREA_SECTIONS: list[tuple[str, list[Item]]] = [
    ("Công tác lãnh đạo, chỉ đạo, tổ chức phong trào", [
        ("ke_hoach", "Có kế hoạch xây dựng phong trào và đăng ký xây dựng khu dân cư “An toàn về ANTT” trong quý I",
         10, "registered_q1", "", "Đủ điểm khi đã đăng ký trong quý I; đăng ký muộn hơn tối đa một nửa số điểm."),
        ("ban_chi_dao", "Ban công tác Mặt trận, tổ tự quản hoạt động đều, có phân công trách nhiệm", 5, "", "", ""),
        ("so_ket", "Tổ chức sơ kết, tổng kết phong trào đúng kỳ", 5, "", "", ""),
    ]),
    ("Tuyên truyền, vận động quần chúng", [
        ("tuyen_truyen", "Tuyên truyền, phổ biến pháp luật về an ninh, trật tự đến các hộ gia đình", 10, "", "", ""),
        ("cam_ket", "Tỷ lệ hộ gia đình ký cam kết giữ gìn an ninh, trật tự", 10, "element_share", "ho_cam_ket",
         "Điểm theo tỷ lệ số hộ ký cam kết trên tổng số hộ của khu dân cư."),
        ("ngay_hoi", "Tổ chức Ngày hội toàn dân bảo vệ an ninh Tổ quốc", 10, "element_yes", "ngay_hoi_to_chuc",
         "Đủ điểm khi khu dân cư đã tổ chức Ngày hội trong năm."),
    ]),
    ("Xây dựng, nhân rộng mô hình, điển hình", [
        ("mo_hinh", "Có mô hình tự quản về an ninh, trật tự hoạt động hiệu quả", 10, "effective_model", "",
         "Đủ điểm khi có mô hình (điểm triển khai) được đánh giá hiệu quả trong năm."),
        ("to_bao_ve", "Tổ bảo vệ an ninh, trật tự hoạt động đều, tham gia tuần tra, hòa giải", 10, "", "", ""),
    ]),
    ("Kết quả bảo đảm an ninh, trật tự", [
        ("khong_vu_viec", "Không để xảy ra vụ việc phức tạp về an ninh, trật tự, trọng án", 15, "", "", ""),
        ("cong_nhan", "Được công nhận đạt tiêu chuẩn “An toàn về an ninh, trật tự”", 15, "recognised", "",
         "Đủ điểm khi khu dân cư được công nhận trong năm."),
    ]),
]
COMMUNE_SECTIONS: list[tuple[str, list[Item]]] = [
    ("Công tác lãnh đạo, chỉ đạo", [
        ("ke_hoach", "Ban hành kế hoạch, đăng ký xây dựng xã “An toàn về ANTT” trong quý I", 10, "registered_q1", "",
         "Đủ điểm khi đã đăng ký trong quý I."),
        ("ban_chi_dao", "Ban Chỉ đạo phong trào họp định kỳ, kiểm tra, đôn đốc khu dân cư", 10, "", "", ""),
    ]),
    ("Tuyên truyền, vận động", [
        ("tuyen_truyen", "Tuyên truyền, phổ biến pháp luật, vận động nhân dân tham gia phong trào", 10, "", "", ""),
        ("ngay_hoi", "Chỉ đạo, tổ chức Ngày hội toàn dân bảo vệ an ninh Tổ quốc", 10, "element_yes",
         "ngay_hoi_to_chuc", "Đủ điểm khi xã đã tổ chức Ngày hội trong năm."),
    ]),
    ("Mô hình, điển hình và lực lượng nòng cốt", [
        ("mo_hinh", "Xây dựng, duy trì mô hình về an ninh, trật tự hoạt động hiệu quả", 15, "effective_model", "",
         "Đủ điểm khi có mô hình được đánh giá hiệu quả trong năm."),
        ("luc_luong", "Xây dựng, củng cố lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở", 10, "", "", ""),
        ("khen_thuong", "Khen thưởng kịp thời tập thể, cá nhân có thành tích", 5, "", "", ""),
    ]),
    ("Kết quả bảo đảm an ninh, trật tự", [
        ("tinh_hinh", "Giữ vững an ninh chính trị, kiềm chế tội phạm, tai nạn, tệ nạn xã hội", 15, "", "", ""),
        ("cong_nhan", "Được công nhận đạt tiêu chuẩn “An toàn về an ninh, trật tự”", 15, "recognised", "",
         "Đủ điểm khi xã được công nhận trong năm."),
    ]),
]
ORGANISATION_SECTIONS: list[tuple[str, list[Item]]] = [
    ("Lãnh đạo, chỉ đạo", [
        ("ke_hoach", "Có kế hoạch bảo vệ an ninh, trật tự, đăng ký xây dựng tiêu chuẩn “An toàn về ANTT” trong quý I",
         10, "registered_q1", "", "Đủ điểm khi đã đăng ký trong quý I."),
        ("noi_quy", "Có nội quy, quy chế bảo vệ cơ quan, doanh nghiệp; phân công trách nhiệm", 10, "", "", ""),
    ]),
    ("Tuyên truyền, tham gia của cán bộ, người lao động", [
        ("tham_gia", "Tỷ lệ cán bộ, người lao động được phổ biến nội quy, tham gia phong trào", 15, "element_share",
         "ty_le_pho_bien", "Điểm theo tỷ lệ cán bộ, nhân viên được phổ biến nội quy."),
        ("tuyen_truyen", "Tuyên truyền, phổ biến pháp luật về an ninh, trật tự", 10, "", "", ""),
    ]),
    ("Lực lượng bảo vệ và mô hình", [
        ("bao_ve", "Lực lượng bảo vệ được kiện toàn, huấn luyện nghiệp vụ", 10, "", "", ""),
        ("mo_hinh", "Có mô hình bảo vệ an ninh, trật tự hoạt động hiệu quả", 15, "effective_model", "",
         "Đủ điểm khi có mô hình được đánh giá hiệu quả trong năm."),
    ]),
    ("Kết quả", [
        ("an_toan", "Không để xảy ra cháy nổ, mất tài sản, vụ việc phức tạp về an ninh, trật tự", 15, "", "", ""),
        ("cong_nhan", "Được công nhận đạt tiêu chuẩn “An toàn về an ninh, trật tự”", 15, "recognised", "",
         "Đủ điểm khi đơn vị được công nhận trong năm."),
    ]),
]
SCHOOL_SECTIONS: list[tuple[str, list[Item]]] = [
    ("Lãnh đạo, chỉ đạo", [
        ("ke_hoach", "Có kế hoạch bảo đảm an ninh, trật tự trường học, đăng ký tiêu chuẩn “An toàn về ANTT” trong "
         "quý I", 10, "registered_q1", "", "Đủ điểm khi đã đăng ký trong quý I."),
        ("phoi_hop", "Có quy chế phối hợp với Công an xã, gia đình học sinh", 10, "", "", ""),
    ]),
    ("Giáo dục, tuyên truyền", [
        ("giao_duc", "Giáo dục pháp luật, kỹ năng phòng ngừa cho học sinh, sinh viên", 15, "", "", ""),
        ("tham_gia", "Tỷ lệ cán bộ, giáo viên, nhân viên được phổ biến nội quy về an ninh, trật tự", 10,
         "element_share", "ty_le_pho_bien", "Điểm theo tỷ lệ cán bộ, giáo viên được phổ biến nội quy."),
    ]),
    ("Mô hình và lực lượng", [
        ("mo_hinh", "Có mô hình “Cổng trường an toàn”, “Trường học an toàn” hoạt động hiệu quả", 15,
         "effective_model", "", "Đủ điểm khi có mô hình được đánh giá hiệu quả trong năm."),
        ("bao_ve", "Bảo vệ trường học, đội thanh niên tình nguyện hoạt động đều", 10, "", "", ""),
    ]),
    ("Kết quả", [
        ("an_toan", "Không có học sinh vi phạm pháp luật nghiêm trọng, không có bạo lực học đường", 15, "", "", ""),
        ("cong_nhan", "Được công nhận đạt tiêu chuẩn “An toàn về an ninh, trật tự”", 15, "recognised", "",
         "Đủ điểm khi trường được công nhận trong năm."),
    ]),
]

SEEDED_CARDS: list[dict[str, Any]] = [
    {"code": "qd510-khu-dan-cu", "name": "Bảng điểm xếp loại phong trào của khu dân cư", "kind": "residential_area",
     "deadline": (11, 20), "sections": AREA_SECTIONS},
    {"code": "qd510-xa", "name": "Bảng điểm xếp loại phong trào của xã, phường, đặc khu", "kind": "commune",
     "deadline": (11, 30), "sections": COMMUNE_SECTIONS},
    {"code": "qd510-co-quan-doanh-nghiep", "name": "Bảng điểm xếp loại phong trào của cơ quan, doanh nghiệp",
     "kind": "organisation", "deadline": (11, 30), "sections": ORGANISATION_SECTIONS},
    {"code": "qd510-truong-hoc", "name": "Bảng điểm xếp loại phong trào của cơ sở giáo dục", "kind": "school",
     "deadline": (11, 30), "sections": SCHOOL_SECTIONS},
]


def seeded_total(card: dict[str, Any]) -> int:
    return sum(item[2] for _title, items in card["sections"] for item in items)


def total_problem(points: Iterable[int]) -> str | None:
    """Why a set of criteria with these standard points cannot be a scorecard (None: they total 100)."""
    from phongtrao.classification.models import TOTAL_POINTS

    listed = list(points)
    total = sum(listed)
    if any(p < 1 for p in listed):
        return gettext("Điểm chuẩn của mỗi tiêu chí phải từ 1 điểm.")
    if total != TOTAL_POINTS:
        return gettext("Tổng điểm chuẩn của bảng điểm là %(total)s, phải đúng %(max)s điểm.") % {
            "total": total, "max": TOTAL_POINTS}
    return None


def check_total(card: Scorecard) -> None:
    """Refuse (``ActionError``) a scorecard whose criteria do not total 100 points."""
    from phongtrao.lib.workflow import ActionError

    problem = total_problem(card.criteria.values_list("points", flat=True))
    if problem:
        raise ActionError({"points": [problem]})


def seed_cards(apps: Any = None) -> int:
    """The seeded national scorecards (idempotent: an existing code is kept as it is)."""
    if apps is None:
        from phongtrao.classification import models as live

        card_model: Any = live.Scorecard
        section_model: Any = live.ScorecardSection
        criterion_model: Any = live.ScorecardCriterion
    else:
        card_model = apps.get_model("classification", "Scorecard")
        section_model = apps.get_model("classification", "ScorecardSection")
        criterion_model = apps.get_model("classification", "ScorecardCriterion")
    created = 0
    for seed in SEEDED_CARDS:
        if seeded_total(seed) != 100:
            raise ValueError(f"{seed['code']}: {seeded_total(seed)} points, not 100")
        if card_model.objects.filter(code=seed["code"]).exists():
            continue
        month, day = seed["deadline"]
        card = card_model.objects.create(code=seed["code"], name=seed["name"], kind=seed["kind"], legal_basis=BASIS,
                                         effective_from=EFFECTIVE_FROM, note=NOTE, deadline_month=month,
                                         deadline_day=day, **CUTOFFS)
        order = 0
        for position, (title, items) in enumerate(seed["sections"], start=1):
            section = section_model.objects.create(scorecard=card, order=position, title=title)
            for code, text, points, suggestion, element, description in items:
                order += 1
                criterion_model.objects.create(scorecard=card, section=section, code=code, order=order, text=text,
                                               points=points, suggestion=suggestion, element_code=element,
                                               description=description)
        created += 1
    return created


def card_for(kind: str, province_id: int | None, day: dt.date, cards: Sequence[Scorecard]) -> Scorecard | None:
    """The version a unit of scorecard kind ``kind`` in ``province_id`` is scored on for a year ending ``day``:
    the province's own in force (the latest), else the national one in force (the latest)."""
    live = [c for c in cards if c.kind == kind and c.effective_from <= day
            and (c.effective_to is None or c.effective_to >= day)]
    own = [c for c in live if province_id is not None and c.province_id == province_id]
    national = [c for c in live if c.province_id is None]
    pool = own or national
    return max(pool, key=lambda c: c.effective_from) if pool else None


def capped(points: int, criterion: ScorecardCriterion) -> bool:
    """Whether ``points`` lie within the criterion's standard points (0 to the standard)."""
    return 0 <= points <= criterion.points


def suggestions(unit: Unit, year: int, criteria: Sequence[ScorecardCriterion]) -> dict[int, tuple[int, str]]:
    """For each criterion with an automatic suggestion: (points, why) from what the system holds about
    ``unit``'s ``year`` (a few queries per unit: the scoring page, never the figures)."""
    from phongtrao.datasets.models import DataValue
    from phongtrao.models_registry.models import Evaluation, Result
    from phongtrao.recognition.models import Recognition
    from phongtrao.recognition.models import Status as RecognitionStatus

    wanted = {c.suggestion for c in criteria if c.suggestion}
    if not wanted:
        return {}
    found: dict[int, tuple[int, str]] = {}
    recognition = (Recognition.objects.filter(unit=unit, year=year).first()
                   if wanted & {"registered_q1", "recognised"} else None)
    effective = (Evaluation.objects.filter(result=Result.EFFECTIVE, evaluated_on__year=year, site__unit=unit).exists()
                 if "effective_model" in wanted else False)
    codes = {c.element_code for c in criteria if c.element_code}
    values: dict[str, Decimal] = {}
    types: dict[str, str] = {}
    if codes:
        for code, value_type, value in (DataValue.objects.given().filter(
                unit=unit, element__code__in=codes, period_start__year=year)
                .order_by("period_end").values_list("element__code", "element__value_type", "value")):
            if value is not None:
                values[code] = max(values.get(code, Decimal(0)), value) if value_type != "count" \
                    else values.get(code, Decimal(0)) + value
                types[code] = value_type
    for c in criteria:
        if c.suggestion == "registered_q1":
            day = recognition.registered_on if recognition else None
            if day is None:
                found[c.pk] = (0, gettext("Chưa đăng ký xây dựng tiêu chuẩn “An toàn về ANTT” năm %(year)s.")
                               % {"year": year})
            elif day.month <= 3:
                found[c.pk] = (c.points, gettext("Đã đăng ký ngày %(day)s (trong quý I).")
                               % {"day": day.strftime("%d/%m/%Y")})
            else:
                found[c.pk] = (c.points // 2, gettext("Đăng ký ngày %(day)s (sau quý I).")
                               % {"day": day.strftime("%d/%m/%Y")})
        elif c.suggestion == "recognised":
            ok = recognition is not None and recognition.status == RecognitionStatus.RECOGNISED
            found[c.pk] = (c.points, gettext("Đã được công nhận năm %(year)s.") % {"year": year}) if ok else (
                0, gettext("Chưa được công nhận năm %(year)s.") % {"year": year})
        elif c.suggestion == "effective_model":
            found[c.pk] = (c.points, gettext("Có mô hình được đánh giá hiệu quả năm %(year)s.") % {"year": year}) \
                if effective else (0, gettext("Chưa có mô hình được đánh giá hiệu quả năm %(year)s.")
                                   % {"year": year})
        elif c.suggestion == "element_yes":
            held = values.get(c.element_code, Decimal(0)) > 0
            found[c.pk] = (c.points, gettext("Số liệu năm %(year)s ghi “có”.") % {"year": year}) if held else (
                0, gettext("Chưa có số liệu “có” năm %(year)s.") % {"year": year})
        elif c.suggestion == "element_share":
            share = share_of(values.get(c.element_code), types.get(c.element_code, ""), unit.households)
            if share is None:
                found[c.pk] = (0, gettext("Chưa có số liệu để tính tỷ lệ."))
            else:
                found[c.pk] = (int(c.points * share), gettext("Tỷ lệ %(share)s%%.") % {
                    "share": f"{share * 100:.1f}".replace(".", ",")})
    return found


def share_of(value: Decimal | None, value_type: str, households: int | None) -> Decimal | None:
    """The share (0..1) a data element's value gives: a percent as such, a count over the unit's households."""
    if value is None:
        return None
    if value_type == "percent":
        return min(Decimal(1), max(Decimal(0), value / 100))
    if not households:
        return None
    return min(Decimal(1), max(Decimal(0), value / households))
