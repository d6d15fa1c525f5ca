"""The money rules as data, each with its legal basis, effective date and what is uncertain (seeded by migration
0002; ``phongtrao setup`` seeds them again, keeping what exists):

- the spending categories of Thông tư 40/2023/TT-BTC (article 3: the contents of spending for building the
  movement), the sources (the state budget per level, other programmes, voluntary contributions);
- the caps: 20 million VND per model per commune per year for building and running a model, 12,000 VND per km of
  canvassing fuel, the visit caps per level (per model, per person, visits per year).

The names are Vietnamese msgids (``gettext_noop``) so the English pages translate them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_noop

CIRCULAR = "Thông tư số 40/2023/TT-BTC ngày 16/6/2023 của Bộ Tài chính"
# The circular's date of effect (uncertain: checked against secondary sources only, see CAPS' notes).
CIRCULAR_IN_FORCE = dt.date(2023, 8, 1)
FUND_BASIS = ("Luật Phòng, chống tội phạm; quy chế quản lý, sử dụng Quỹ phòng, chống tội phạm của tỉnh (số hiệu văn "
              "bản của từng tỉnh chưa được xác minh)")

CATEGORIES: list[dict[str, Any]] = [
    {"code": "legal", "name": gettext_noop("Xây dựng, hoàn thiện văn bản, hướng dẫn về phong trào"),
     "clause": "Điều 3"},
    {"code": "propaganda", "name": gettext_noop("Tuyên truyền, vận động quần chúng"), "clause": "Điều 3"},
    {"code": "training", "name": gettext_noop("Tập huấn, bồi dưỡng nghiệp vụ"), "clause": "Điều 3"},
    {"code": "conferences", "name": gettext_noop("Hội nghị, hội thảo nhân rộng mô hình"), "clause": "Điều 3"},
    {"code": "visits", "name": gettext_noop("Thăm hỏi, động viên mô hình, cá nhân"), "clause": "Điều 3"},
    {"code": "surveys", "name": gettext_noop("Khảo sát, kiểm tra, hướng dẫn"), "clause": "Điều 3"},
    {"code": "models", "name": gettext_noop("Xây dựng, duy trì mô hình"), "clause": "Điều 3"},
    {"code": "festival", "name": gettext_noop("Ngày hội toàn dân bảo vệ an ninh Tổ quốc"), "clause": "Điều 3"},
    {"code": "reviews", "name": gettext_noop("Sơ kết, tổng kết phong trào"), "clause": "Điều 3"},
    {"code": "rewards", "name": gettext_noop("Khen thưởng"), "clause": "Điều 3"},
    {"code": "other", "name": gettext_noop("Chi khác"), "clause": "Điều 3"},
]

SOURCES: list[dict[str, Any]] = [
    {"code": "nstw", "name": gettext_noop("Ngân sách trung ương"), "level": "central"},
    {"code": "nst", "name": gettext_noop("Ngân sách cấp tỉnh"), "level": "province"},
    {"code": "nsx", "name": gettext_noop("Ngân sách cấp xã"), "level": "commune"},
    {"code": "chuong_trinh", "name": gettext_noop("Chương trình, đề án khác"), "level": "other"},
    {"code": "dong_gop", "name": gettext_noop("Đóng góp tự nguyện"), "level": "other"},
]

UNCERTAIN_CIRCULAR = ("Ngày hiệu lực 01/8/2023 và nội dung điều, khoản chưa đối chiếu với bản gốc của Thông tư; "
                      "mức chi theo mô tả của yêu cầu số 12.")

CAPS: list[dict[str, Any]] = [
    {"code": "mo_hinh_20tr", "name": gettext_noop("Xây dựng, duy trì mô hình: tối đa 20.000.000 đồng/mô hình/xã/năm"),
     "category": "models", "measure": "per_model_year", "level": "", "amount": 20_000_000, "max_count": None,
     "uncertain": UNCERTAIN_CIRCULAR + " Mức áp dụng cho mô hình do tổ chức đoàn thể xây dựng ở xã."},
    {"code": "xang_xe_12k", "name": gettext_noop("Xăng xe đi vận động: tối đa 12.000 đồng/km"),
     "category": "propaganda", "measure": "per_km", "level": "", "amount": 12_000, "max_count": None,
     "uncertain": UNCERTAIN_CIRCULAR},
    {"code": "tham_mh_tinh", "name": gettext_noop("Thăm hỏi mô hình (cấp tỉnh): tối đa 5.000.000 đồng/lượt, "
                                                  "2 lượt/mô hình/năm"),
     "category": "visits", "measure": "per_visit_model", "level": "province", "amount": 5_000_000, "max_count": 2,
     "uncertain": UNCERTAIN_CIRCULAR + " Mức 5.000.000 đồng và 2 lượt là giả định, chưa xác minh."},
    {"code": "tham_mh_xa", "name": gettext_noop("Thăm hỏi mô hình (cấp xã): tối đa 2.000.000 đồng/lượt, "
                                                "2 lượt/mô hình/năm"),
     "category": "visits", "measure": "per_visit_model", "level": "commune", "amount": 2_000_000, "max_count": 2,
     "uncertain": UNCERTAIN_CIRCULAR + " Mức 2.000.000 đồng và 2 lượt là giả định, chưa xác minh."},
    {"code": "tham_cn_tinh", "name": gettext_noop("Thăm hỏi cá nhân (cấp tỉnh): tối đa 2.000.000 đồng/người/lượt"),
     "category": "visits", "measure": "per_visit_person", "level": "province", "amount": 2_000_000,
     "max_count": None, "uncertain": UNCERTAIN_CIRCULAR + " Mức 2.000.000 đồng là giả định, chưa xác minh."},
    {"code": "tham_cn_xa", "name": gettext_noop("Thăm hỏi cá nhân (cấp xã): tối đa 1.000.000 đồng/người/lượt"),
     "category": "visits", "measure": "per_visit_person", "level": "commune", "amount": 1_000_000,
     "max_count": None, "uncertain": UNCERTAIN_CIRCULAR + " Mức 1.000.000 đồng là giả định, chưa xác minh."},
]


def seed_catalogues(apps: Any = None) -> int:
    """The seeded categories, sources and caps (idempotent: an existing code is kept as it is)."""
    if apps is None:
        from phongtrao.budget.models import Cap, Category, Source

        category_model: Any = Category
        source_model: Any = Source
        cap_model: Any = Cap
    else:
        category_model = apps.get_model("budget", "Category")
        source_model = apps.get_model("budget", "Source")
        cap_model = apps.get_model("budget", "Cap")
    created = 0
    basis = f"{CIRCULAR}, Điều 3"
    for sort, row in enumerate(CATEGORIES, 1):
        _obj, made = category_model.objects.get_or_create(
            code=row["code"], defaults={"name": row["name"], "clause": row["clause"], "legal_basis": basis,
                                        "sort": sort})
        created += made
    for sort, row in enumerate(SOURCES, 1):
        _obj, made = source_model.objects.get_or_create(
            code=row["code"], defaults={"name": row["name"], "level": row["level"],
                                        "legal_basis": f"{CIRCULAR}; Luật Ngân sách nhà nước", "sort": sort})
        created += made
    categories = {c.code: c for c in category_model.objects.all()}
    for row in CAPS:
        _obj, made = cap_model.objects.get_or_create(
            code=row["code"], defaults={**{k: v for k, v in row.items() if k not in ("code", "category")},
                                        "category": categories[row["category"]], "legal_basis": basis,
                                        "effective_from": CIRCULAR_IN_FORCE})
        created += made
    return created
