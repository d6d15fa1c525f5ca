"""The seeded award forms (INTERCHANGE.md ``awards``, DOMAIN.md §7), in catalogue order."""

from __future__ import annotations

from dataclasses import dataclass

from phongtrao.awards.models import AuthorityLevel, AwardType, RecipientScope

MEDAL = "ky_niem_chuong_bv_antq"


@dataclass(frozen=True)
class Seed:
    code: str
    name: str
    authority: str
    level: str
    recipients: str
    certificate_title: str
    once_per_person: bool = False


SEEDS: tuple[Seed, ...] = (
    Seed("bang_khen_thu_tuong", "Bằng khen của Thủ tướng Chính phủ", "Thủ tướng Chính phủ",
         AuthorityLevel.NATIONAL, RecipientScope.BOTH, "BẰNG KHEN"),
    Seed("co_thi_dua_bo_cong_an", "Cờ thi đua của Bộ Công an", "Bộ trưởng Bộ Công an",
         AuthorityLevel.NATIONAL, RecipientScope.COLLECTIVE, "CỜ THI ĐUA"),
    Seed("bang_khen_bo_cong_an", "Bằng khen của Bộ trưởng Bộ Công an", "Bộ trưởng Bộ Công an",
         AuthorityLevel.NATIONAL, RecipientScope.BOTH, "BẰNG KHEN"),
    Seed("co_thi_dua_ubnd_tinh", "Cờ thi đua của UBND tỉnh (đơn vị dẫn đầu phong trào)", "Chủ tịch UBND tỉnh",
         AuthorityLevel.PROVINCE, RecipientScope.COLLECTIVE, "CỜ THI ĐUA"),
    Seed("bang_khen_ubnd_tinh", "Bằng khen của Chủ tịch UBND tỉnh", "Chủ tịch UBND tỉnh",
         AuthorityLevel.PROVINCE, RecipientScope.BOTH, "BẰNG KHEN"),
    Seed("giay_khen_giam_doc_cong_an_tinh", "Giấy khen của Giám đốc Công an tỉnh", "Giám đốc Công an tỉnh",
         AuthorityLevel.PROVINCE, RecipientScope.BOTH, "GIẤY KHEN"),
    Seed("giay_khen_ubnd_xa", "Giấy khen của Chủ tịch UBND xã", "Chủ tịch UBND xã",
         AuthorityLevel.COMMUNE, RecipientScope.BOTH, "GIẤY KHEN"),
    Seed("giay_khen_ubnd_huyen", "Giấy khen của Chủ tịch UBND huyện (trước 01/7/2025)", "Chủ tịch UBND huyện",
         AuthorityLevel.DISTRICT, RecipientScope.BOTH, "GIẤY KHEN"),
    Seed(MEDAL, "Kỷ niệm chương “Bảo vệ an ninh Tổ quốc”", "Bộ trưởng Bộ Công an",
         AuthorityLevel.NATIONAL, RecipientScope.INDIVIDUAL, "KỶ NIỆM CHƯƠNG", once_per_person=True),
)


def seed_award_types() -> int:
    """Create the seeded forms that are missing (idempotent); officers' later edits are kept."""
    existing = set(AwardType.objects.values_list("code", flat=True))
    missing = [
        AwardType(code=s.code, name=s.name, authority=s.authority, authority_level=s.level,
                  recipients=s.recipients, once_per_person=s.once_per_person,
                  certificate_title=s.certificate_title, order=(i + 1) * 10)
        for i, s in enumerate(SEEDS) if s.code not in existing
    ]
    AwardType.objects.bulk_create(missing)
    return len(missing)
