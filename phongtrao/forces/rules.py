"""The legal rules of the force, as data and settings with their basis and effective date.

- The size rules (``SizeRule`` rows, seeded here by migration 0002): the Law leaves the number of members of a
  residential area's team to the province (Luật số 30/2023/QH15, in force 01/07/2024, with the provincial People's
  Council deciding the criteria); the two rules seeded are the examples of issue #12, one of them the default.
- The quota of "excellent" ratings: at most ``settings.FORCES_EXCELLENT_QUOTA_PERCENT`` percent (20 by default) of
  the members rated "good", checked when a commune submits its ratings (``QUOTA``).
- The rating period: 15/11 of the year before to 14/11 of the year (``rating_period``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings

if TYPE_CHECKING:
    from phongtrao.forces.models import SizeRule
    from phongtrao.units.models import Unit

LAW = "Luật Lực lượng tham gia bảo vệ an ninh, trật tự ở cơ sở số 30/2023/QH15"
LAW_IN_FORCE = dt.date(2024, 7, 1)

SEEDED_RULES: list[dict[str, Any]] = [
    {
        "code": "nhan_khau_2700_900",
        "name": "Theo số nhân khẩu: đến 2.700 người 3 thành viên, đến 3.600 người 4 thành viên, thêm 1 thành viên "
                "cho mỗi 900 người tiếp theo",
        "is_default": True, "measure": "residents", "base_limit": 2700, "base_members": 3, "step": 900,
        "step_members": 1, "flat_members": {},
        "legal_basis": f"{LAW} (HĐND cấp tỉnh quyết định tiêu chí thành lập và số lượng thành viên Tổ bảo vệ an "
                       "ninh, trật tự); mức theo ví dụ của yêu cầu số 12.",
        "effective_from": LAW_IN_FORCE,
        "uncertain": "Chưa đối chiếu với nghị quyết HĐND của từng tỉnh: các mức 2.700 người, 900 người và số thành "
                     "viên là ví dụ; tỉnh có nghị quyết riêng cần nhập quy mô của tỉnh. Khu dân cư chưa có số nhân "
                     "khẩu thì chưa tính được quy mô.",
    },
    {
        "code": "co_dinh_khu_pho_ap",
        "name": "Cố định: 5 thành viên mỗi khu phố, 3 thành viên mỗi ấp",
        "is_default": False, "measure": "subtype", "base_limit": None, "base_members": 3, "step": None,
        "step_members": 1, "flat_members": {"khu_pho": 5, "ap": 3},
        "legal_basis": f"{LAW}; mức theo ví dụ của yêu cầu số 12 (một tỉnh quy định số thành viên cố định theo loại "
                       "khu dân cư).",
        "effective_from": LAW_IN_FORCE,
        "uncertain": "Chưa xác định tỉnh và số hiệu nghị quyết HĐND quy định mức này; loại khu dân cư khác khu phố, "
                     "ấp được tính 3 thành viên (giả định).",
    },
]


@dataclass(frozen=True)
class QuotaRule:
    percent: int
    basis: str
    effective_from: dt.date
    uncertain: str

    def limit(self, good: int) -> int:
        """The most members who may be rated "excellent" when ``good`` are rated "good" (rounded down)."""
        return good * self.percent // 100

    def broken(self, excellent: int, good: int) -> bool:
        return excellent * 100 > good * self.percent


def quota() -> QuotaRule:
    """The quota in force (the percentage is a setting: ``FORCES_EXCELLENT_QUOTA_PERCENT``)."""
    return QuotaRule(
        percent=int(getattr(settings, "FORCES_EXCELLENT_QUOTA_PERCENT", 20)),
        basis="Hướng dẫn đánh giá, xếp loại hằng năm thành viên Tổ bảo vệ an ninh, trật tự theo " + LAW
              + ": số thành viên “Hoàn thành xuất sắc nhiệm vụ” không quá 20% số được xếp loại “Hoàn thành tốt "
              "nhiệm vụ”",
        effective_from=LAW_IN_FORCE,
        uncertain="Số hiệu văn bản hướng dẫn chưa được xác minh; tỷ lệ 20% theo yêu cầu số 12 (tương tự cách tính "
                  "của Nghị định 90/2020/NĐ-CP về đánh giá cán bộ, công chức).")


# The rating year runs from 15 November of the year before to 14 November of the year (the guidance's period).
RATING_PERIOD_START = (11, 15)


def rating_period(year: int) -> tuple[dt.date, dt.date]:
    month, day = RATING_PERIOD_START
    start = dt.date(year - 1, month, day)
    return start, dt.date(year, month, day) - dt.timedelta(days=1)


def current_rating_year(today: dt.date) -> int:
    """The latest rating year whose period has ended by ``today`` (on 2/12/2026: 2026; on 1/11/2026: 2025)."""
    _start, end = rating_period(today.year)
    return today.year if today > end else today.year - 1


def rule_for(province_id: int | None, day: dt.date, rules: list[SizeRule]) -> SizeRule | None:
    """The rule a province's areas follow on ``day``: its own in force (the latest), else the default."""
    own = [r for r in rules if r.province_id == province_id and province_id is not None
           and r.effective_from <= day and (r.effective_to is None or r.effective_to >= day)]
    if own:
        return max(own, key=lambda r: r.effective_from)
    return next((r for r in rules if r.is_default), None)


def required_for(rule: SizeRule | None, area: Unit, residents: int | None) -> int | None:
    if rule is None:
        return None
    return rule.required(residents=residents, households=area.households, subtype=area.subtype)


def seed_rules(apps: Any = None) -> int:
    """The seeded rules (idempotent: an existing code is kept as it is)."""
    if apps is None:
        from phongtrao.forces.models import SizeRule

        model: Any = SizeRule
    else:
        model = apps.get_model("forces", "SizeRule")
    created = 0
    for row in SEEDED_RULES:
        _obj, made = model.objects.get_or_create(code=row["code"], defaults={k: v for k, v in row.items()
                                                                             if k != "code"})
        created += made
    return created
