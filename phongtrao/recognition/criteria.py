"""The criteria sets seeded by ``phongtrao setup`` and the evaluation of a checklist.

Criteria are paraphrased from TT 124/2021/TT-BCA and its amendment TT 48/2025/TT-BCA
(DOMAIN.md §4). They are data: a new version is a new ``CriteriaSet`` with a later
effective date, and a province adds its own criteria as a set with ``province`` set.

Two versions are seeded: the original TT 124 sets (from 10/02/2022, code ``...-tt124``, the
commune set named for "xã, phường, thị trấn"), ending the day before TT 48 took effect, and the
amended sets (from ``tt48_effective_from()``, the codes without suffix).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, FilteredRelation, Q

from phongtrao.lib.periods import year_end
from phongtrao.recognition.models import (
    CriteriaSet,
    Criterion,
    CriterionType,
    Derivation,
    Recognition,
    Status,
    needed_for_share,
    share_threshold,
)
from phongtrao.units.models import Kind, Unit

# TT 124/2021/TT-BCA (signed 28/12/2021) took effect on 10/02/2022.
TT124_EFFECTIVE_FROM = dt.date(2022, 2, 10)
TT124_BASIS = "TT 124/2021/TT-BCA ngày 28/12/2021 của Bộ trưởng Bộ Công an (hiệu lực từ 10/02/2022)"
TT48_BASIS = ("TT 124/2021/TT-BCA, được sửa đổi, bổ sung bởi TT 48/2025/TT-BCA của Bộ trưởng Bộ Công an "
              "(hiệu lực từ {day})")
TT124_NOTE = ("Bộ tiêu chí gốc của TT 124/2021/TT-BCA, áp dụng từ 10/02/2022 đến ngày trước khi "
              "TT 48/2025/TT-BCA có hiệu lực.")
TT48_NOTE = ("Ngày hiệu lực của TT 48/2025/TT-BCA chưa được đối chiếu với văn bản gốc: lấy theo thiết lập "
             "TT48_EFFECTIVE_FROM (mặc định 01/07/2025, cùng ngày chính quyền địa phương hai cấp). TT 48 chủ yếu "
             "sửa thủ tục (hồ sơ gửi Công an cấp xã) và tên gọi đơn vị hành chính; nội dung tiêu chí diễn giải "
             "giữ như TT 124.")


def tt48_effective_from() -> dt.date:
    """When TT 48/2025/TT-BCA took effect: uncertain, so a setting (``PHONGTRAO["TT48_EFFECTIVE_FROM"]``)."""
    return dt.date.fromisoformat(str(settings.PHONGTRAO.get("TT48_EFFECTIVE_FROM", "2025-07-01")))


YES_NO = CriterionType.YES_NO
NO_EVENT = CriterionType.NO_EVENT
PERCENT = CriterionType.PERCENT_THRESHOLD
AT_LEAST = CriterionType.AT_LEAST_N
NOT_WORSE = CriterionType.NOT_WORSE
SHARE = CriterionType.SHARE_RECOGNISED

# code, name, kinds, [(code, text, type, threshold, derived_from)]
SEED_SETS: list[tuple[str, str, list[str], list[tuple[str, str, str, int | None, str]]]] = [
    ("antt-khu-dan-cu", "Tiêu chuẩn “An toàn về ANTT” đối với khu dân cư", [Kind.RESIDENTIAL_AREA], [
        ("dang-ky-quy-1", "Trong quý I, chi bộ có nghị quyết và khu dân cư đăng ký xây dựng tiêu chuẩn "
         "“An toàn về an ninh, trật tự”.", YES_NO, None, ""),
        ("ho-ky-cam-ket", "100% hộ gia đình ký cam kết thực hiện tiêu chuẩn.", PERCENT, 100,
         Derivation.HOUSEHOLDS_COMMITTED),
        ("chinh-sach-quy-uoc", "Thực hiện tốt chủ trương, chính sách, pháp luật và quy ước, hương ước "
         "về an ninh, trật tự.", YES_NO, None, ""),
        ("khong-vu-viec-nghiem-trong", "Không để xảy ra vụ việc nghiêm trọng về an ninh, trật tự thuộc danh mục "
         "(số vụ trong kỳ).", NO_EVENT, None, ""),
        ("kiem-che-toi-pham", "Tội phạm, tai nạn, tệ nạn xã hội được kiềm chế, không tăng so với năm trước "
         "(số vụ trong kỳ).", NOT_WORSE, None, ""),
        ("luc-luong-co-so", "Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở và các tổ tự quản hoạt động "
         "hiệu quả.", YES_NO, None, ""),
    ]),
    ("antt-xa", "Tiêu chuẩn “An toàn về ANTT” đối với {communes}", [Kind.COMMUNE], [
        ("dang-ky-quy-1", "Trong quý I có nghị quyết, kế hoạch và đăng ký xây dựng tiêu chuẩn.", YES_NO, None, ""),
        ("mo-hinh-hieu-qua", "Có ít nhất một mô hình tự phòng, tự quản, tự bảo vệ hoạt động hiệu quả.",
         AT_LEAST, 1, ""),
        ("khong-vu-viec-nghiem-trong", "Không để xảy ra vụ việc nghiêm trọng về an ninh, trật tự thuộc danh mục "
         "(số vụ trong kỳ).", NO_EVENT, None, ""),
        ("kiem-che-toi-pham", "Tội phạm, tai nạn, tệ nạn xã hội được kiềm chế, không tăng so với năm trước "
         "(số vụ trong kỳ).", NOT_WORSE, None, ""),
        ("cong-an-xa", "Công an xã hoạt động hiệu quả, không có cán bộ bị xử lý kỷ luật.", YES_NO, None, ""),
        ("ty-le-khu-dan-cu", "Đạt tỷ lệ tối thiểu khu dân cư được công nhận “An toàn về an ninh, trật tự” "
         "(làm tròn lên).", SHARE, None, ""),
    ]),
    ("antt-co-quan-doanh-nghiep", "Tiêu chuẩn “An toàn về ANTT” đối với cơ quan, doanh nghiệp",
     [Kind.AGENCY, Kind.ENTERPRISE], [
        ("dang-ky-quy-1", "Trong quý I có nghị quyết (nơi có tổ chức đảng), kế hoạch và đăng ký xây dựng "
         "tiêu chuẩn.", YES_NO, None, ""),
        ("noi-quy", "Có nội quy, quy chế về bảo vệ an ninh, bảo vệ bí mật nhà nước, phòng cháy, chữa cháy "
         "và an toàn lao động.", YES_NO, None, ""),
        ("pho-bien", "100% cán bộ, công nhân viên, người lao động được phổ biến, quán triệt.", PERCENT, 100, ""),
        ("mo-hinh-hieu-qua", "Có ít nhất một mô hình tự phòng, tự quản, tự bảo vệ hoạt động hiệu quả.",
         AT_LEAST, 1, ""),
        ("phoi-hop-cong-an", "Phối hợp chặt chẽ với cơ quan Công an trong bảo vệ an ninh, trật tự.",
         YES_NO, None, ""),
    ]),
    ("antt-co-so-giao-duc", "Tiêu chuẩn “An toàn về ANTT” đối với cơ sở giáo dục", [Kind.SCHOOL], [
        ("dang-ky-quy-1", "Trong quý I có kế hoạch và đăng ký xây dựng tiêu chuẩn.", YES_NO, None, ""),
        ("mo-hinh-hieu-qua", "Có mô hình bảo đảm an ninh, trật tự trường học hoạt động hiệu quả.",
         AT_LEAST, 1, ""),
        ("phoi-hop-gia-dinh", "Phối hợp chặt chẽ với gia đình người học trong giáo dục, quản lý người học.",
         YES_NO, None, ""),
        ("khong-vi-pham-trat-tu", "Không để xảy ra vụ việc vi phạm về an ninh, trật tự trong cơ sở giáo dục "
         "(số vụ trong kỳ).", NO_EVENT, None, ""),
        ("khong-bao-luc-hoc-duong", "Không để xảy ra bạo lực học đường (số vụ trong kỳ).", NO_EVENT, None, ""),
        ("phoi-hop-cong-an", "Phối hợp với cơ quan Công an bảo đảm an ninh, trật tự trong và xung quanh "
         "cơ sở giáo dục.", YES_NO, None, ""),
    ]),
]


def seed_versions() -> list[tuple[str, str, str, dt.date, dt.date | None, str]]:
    """(code suffix, commune wording, legal basis, effective from, effective to, note) per version."""
    tt48 = tt48_effective_from()
    return [
        ("-tt124", "xã, phường, thị trấn", TT124_BASIS, TT124_EFFECTIVE_FROM, tt48 - dt.timedelta(days=1),
         TT124_NOTE),
        ("", "xã, phường, đặc khu", TT48_BASIS.format(day=f"{tt48:%d/%m/%Y}"), tt48, None, TT48_NOTE),
    ]


@transaction.atomic
def seed_criteria_sets() -> tuple[int, int]:
    """Create or refresh the national sets of both versions (idempotent). Returns (sets, criteria) created."""
    sets_created = criteria_created = 0
    for suffix, communes, basis, start, end, note in seed_versions():
        for code, name, kinds, criteria in SEED_SETS:
            cs, created = CriteriaSet.objects.update_or_create(
                code=code + suffix,
                defaults={"name": name.format(communes=communes), "kinds": [str(k) for k in kinds],
                          "legal_basis": basis, "effective_from": start, "effective_to": end, "province": None,
                          "note": note},
            )
            sets_created += created
            for order, (ccode, text, ctype, threshold, derived) in enumerate(criteria, start=1):
                _, made = Criterion.objects.update_or_create(
                    criteria_set=cs, code=ccode,
                    defaults={"order": order, "text": text, "type": ctype,
                              "threshold": Decimal(threshold) if threshold is not None else None,
                              "derived_from": derived},
                )
                criteria_created += made
    return sets_created, criteria_created


# --- evaluation -------------------------------------------------------------------------------


class AnswerError(ValueError):
    """An answer of the wrong shape; the message names the criterion."""


@dataclass(frozen=True)
class Share:
    recognised: int
    total: int
    needed: int
    percent: Decimal  # the threshold applied

    @property
    def applicable(self) -> bool:
        """A commune with no residential area in scope has nothing to count: the criterion does not apply."""
        return self.total > 0

    @property
    def met(self) -> bool:
        """Met, or not applicable (which fails nothing)."""
        return not self.applicable or self.recognised >= self.needed


# (recognised, total) residential areas of each commune in a year: ``residential_counts``.
ShareCounts = dict[int, tuple[int, int]]


def residential_share(commune: Unit, year: int, percent: Decimal | None = None,
                      counts: ShareCounts | None = None) -> Share:
    """Residential areas of ``commune`` recognised in ``year``, computed live from the register (one query;
    none when ``counts`` holds the commune: ``residential_counts`` read for a batch, in the same transaction)."""
    percent = share_threshold() if percent is None else percent
    if counts is not None and commune.pk in counts:
        recognised, total = counts[commune.pk]
        return Share(recognised=recognised, total=total, needed=needed_for_share(total, percent), percent=percent)
    day = year_end(year)
    found = (
        Unit.objects.in_subtree(commune).valid_on(day).of_kind(Kind.RESIDENTIAL_AREA).subject_to_standard()
        .annotate(rec=FilteredRelation("recognitions", condition=Q(recognitions__year=year)))
        .aggregate(total=Count("pk"), recognised=Count("pk", filter=Q(rec__status=Status.RECOGNISED)))
    )
    total = found["total"] or 0
    return Share(recognised=found["recognised"] or 0, total=total,
                 needed=needed_for_share(total, percent), percent=percent)


def residential_counts(communes: list[Unit], year: int) -> ShareCounts:
    """``residential_share``'s two counts for many communes of one year in one query (per 900 communes)."""
    day = year_end(year)
    out: ShareCounts = {c.pk: (0, 0) for c in communes}
    for start in range(0, len(communes), 900):
        rows = (
            Unit.objects.valid_on(day).of_kind(Kind.RESIDENTIAL_AREA).subject_to_standard()
            .filter(ancestor_links__ancestor__in=[c.pk for c in communes[start:start + 900]])
            .annotate(rec=FilteredRelation("recognitions", condition=Q(recognitions__year=year)))
            .values("ancestor_links__ancestor")
            .annotate(total=Count("pk"), recognised=Count("pk", filter=Q(rec__status=Status.RECOGNISED)))
            .values_list("ancestor_links__ancestor", "recognised", "total")
        )
        out.update({commune_id: (recognised, total) for commune_id, recognised, total in rows})
    return out


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or value is None or value == "":
        raise AnswerError(f"{what}: cần một số.")
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation as exc:
        raise AnswerError(f"{what}: “{value}” không phải là số.") from exc
    if number < 0:
        raise AnswerError(f"{what}: số không được âm.")
    return number


def _count(value: Any, what: str) -> int:
    number = _number(value, what)
    if number != number.to_integral_value():
        raise AnswerError(f"{what}: cần một số nguyên.")
    return int(number)


def evaluate(criterion: Criterion, value: Any, recognition: Recognition,
             previous_answers: dict[str, Any], counts: ShareCounts | None = None) -> dict[str, Any]:
    """One checklist line: the answer as recorded and whether the criterion is met.

    ``value`` shapes by type: yes_no -> bool; no_event -> a count; percent_threshold -> a
    percentage or {"part", "whole"}; at_least_n -> a count; not_worse -> a count, or
    {"current", "previous"} (else the previous year's answer is used); share_recognised ->
    ignored, computed live from the register.
    """
    what = f"Tiêu chí {criterion.order} ({criterion.code})"
    line: dict[str, Any] = {"criterion": criterion.key, "order": criterion.order, "type": criterion.type}
    ctype = criterion.type
    if ctype == CriterionType.SHARE_RECOGNISED:
        share = residential_share(recognition.unit, recognition.year, criterion.threshold, counts)
        line |= {"value": {"recognised": share.recognised, "total": share.total, "needed": share.needed,
                           "threshold": str(share.percent)}, "met": share.met}
        if not share.applicable:  # no residential area to count: shown as not applicable, fails nothing
            line["not_applicable"] = True
        return line
    if value is None and ctype == CriterionType.PERCENT_THRESHOLD \
            and criterion.derived_from == Derivation.HOUSEHOLDS_COMMITTED:
        households = recognition.unit.households
        if recognition.households_committed is None or not households:
            raise AnswerError(f"{what}: thiếu số hộ ký cam kết hoặc tổng số hộ của khu dân cư.")
        value = {"part": recognition.households_committed, "whole": households}
    if value is None:
        raise AnswerError(f"{what}: chưa có câu trả lời.")
    if ctype == CriterionType.YES_NO:
        if not isinstance(value, bool):
            raise AnswerError(f"{what}: cần trả lời có hoặc không.")
        met = value
    elif ctype == CriterionType.NO_EVENT:
        value = _count(value, what)
        met = value == 0
    elif ctype == CriterionType.AT_LEAST_N:
        value = _count(value, what)
        met = value >= (criterion.threshold or 1)
    elif ctype == CriterionType.PERCENT_THRESHOLD:
        if isinstance(value, dict):
            part, whole = _count(value.get("part"), what), _count(value.get("whole"), what)
            if whole == 0 or part > whole:
                raise AnswerError(f"{what}: tỷ lệ {part}/{whole} không hợp lệ.")
            pct = Decimal(100) * part / whole
            value = {"part": part, "whole": whole}
        else:
            pct = _number(value, what)
            if pct > 100:
                raise AnswerError(f"{what}: tỷ lệ không quá 100%.")
            value = str(pct)
        met = pct >= (criterion.threshold if criterion.threshold is not None else Decimal(100))
    elif ctype == CriterionType.NOT_WORSE:
        if isinstance(value, dict):
            current, previous = _count(value.get("current"), what), _count(value.get("previous"), what)
        else:
            current = _count(value, what)
            prev = previous_answers.get(criterion.key, previous_answers.get(criterion.code))
            if prev is None:
                raise AnswerError(f"{what}: không có số liệu năm trước; hãy nhập cả số năm trước.")
            previous = prev["current"] if isinstance(prev, dict) else _count(prev, what)
        value = {"current": current, "previous": previous}
        met = current <= previous
    else:  # pragma: no cover - the choices are closed
        raise AnswerError(f"{what}: cách đánh giá “{ctype}” không được hỗ trợ.")
    line |= {"value": value, "met": bool(met)}
    return line
