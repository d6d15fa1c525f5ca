"""The seeded catalogues: initiators as INTERCHANGE.md lists them, and common fields (DOMAIN.md §6).

Fields have no national list; these are the ones most provinces use, and a province adds its own
(on the catalogue page, or by importing a model with a new field).
"""

from __future__ import annotations

from phongtrao.models_registry.models import CatalogueEntry, Field, Initiator

INITIATORS = (
    ("tinh_uy", "Tỉnh ủy"),
    ("ubnd_tinh", "UBND tỉnh"),
    ("cong_an_va_nganh", "Công an tỉnh và các sở, ban, ngành, đoàn thể"),
    ("cap_huyen", "Cấp huyện (trước 2025)"),
    ("cap_xa", "Cấp xã"),
    ("co_quan_don_vi", "Cơ quan, doanh nghiệp, cơ sở giáo dục"),
)
FIELDS = (
    ("an_ninh_khu_dan_cu", "An ninh khu dân cư"),
    ("giao_thong", "Giao thông"),
    ("phong_chay_chua_chay", "Phòng cháy, chữa cháy"),
    ("tai_hoa_nhap_cong_dong", "Tái hòa nhập cộng đồng"),
    ("an_ninh_truong_hoc", "An ninh trường học"),
    ("an_ninh_doanh_nghiep", "An ninh doanh nghiệp"),
    ("bien_gioi_bien_dao", "Biên giới, biển đảo"),
    ("hoa_giai_co_so", "Hòa giải ở cơ sở"),
)


def _seed(model: type[CatalogueEntry], rows: tuple[tuple[str, str], ...]) -> int:
    """National entries by code; existing ones keep their (possibly renamed) name. Returns how many were added."""
    have = set(model.objects.filter(province__isnull=True).values_list("code", flat=True))
    new = []
    for position, (code, name) in enumerate(rows, start=1):
        if code not in have:
            entry = model(code=code, name=name, position=position)
            entry.refresh_derived()
            new.append(entry)
    model.objects.bulk_create(new)
    return len(new)


def seed_catalogues() -> tuple[int, int]:
    return _seed(Initiator, INITIATORS), _seed(Field, FIELDS)
