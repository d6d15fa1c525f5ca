"""The units step of ``phongtrao demo`` (``UnitsConfig.demo``): made-up units below the province's communes.

For each selected official commune: residential areas (thôn / tổ dân phố) and agencies, enterprises and
schools with local codes (``KDC-<commune>-01``, ``CQ-…``, ``DN-…``, ``TH-…``), all valid from 2025-07-01.
Some organisations are deliberately outside the ANTT standard (armed-forces agencies, micro and small
enterprises, preschools and primary schools). Deterministic for the demo's seed (``context.rng``).
"""

from __future__ import annotations

import random
from collections import Counter
from typing import TYPE_CHECKING, Any

from django.db import connection

from phongtrao.units.models import (
    ORGANISATION_KINDS,
    EnterpriseSize,
    Exclusions,
    Kind,
    ManagingLevel,
    SchoolLevel,
    Source,
    Unit,
    rebuild_closure,
)
from phongtrao.units.official import REFORM_DATE

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext

DEMO_DAY = REFORM_DATE  # demo units are valid from 2025-07-01
DEMO_KINDS = (Kind.RESIDENTIAL_AREA, *ORGANISATION_KINDS)


# --------------------------------------------------------------------------- names

VILLAGE_NAMES = (
    "An Phước", "An Lợi", "Phú Sơn", "Thạch Bồ", "Trung Phước", "Bình Yên", "Hòa Mỹ", "Tân An",
    "Phước Thuận", "Đông Lâm", "Tây An", "Mỹ Thạnh", "Cẩm Sa", "La Bông", "Phong Nam", "Quan Nam",
    "Lộc Mỹ", "Thái Lai", "Hưởng Phước", "Đại La", "Giáng Nam", "Phú Túc", "Thanh Vinh", "Xuân Phú",
    "Bồ Bản", "Trà Kiệu", "Hà Nha", "Phú Thạnh", "Vĩnh Phước", "Đông Hòa",
)
SCHOOL_PATRONS = (
    "Nguyễn Trãi", "Lê Lợi", "Trần Hưng Đạo", "Quang Trung", "Lý Thường Kiệt", "Nguyễn Du",
    "Phan Châu Trinh", "Huỳnh Thúc Kháng", "Lê Quý Đôn", "Nguyễn Bỉnh Khiêm", "Chu Văn An", "Võ Thị Sáu",
    "Kim Đồng", "Lê Văn Tám",
    "Trần Phú", "Hoàng Diệu", "Ông Ích Khiêm", "Nguyễn Văn Trỗi", "Phan Bội Châu", "Lương Thế Vinh",
    "Hùng Vương", "Lê Hồng Phong", "Nguyễn Thị Minh Khai", "Trần Quốc Toản", "Ngô Quyền", "Lý Tự Trọng",
    "Hoàng Văn Thụ", "Mạc Đĩnh Chi", "Nguyễn Khuyến", "Trưng Vương", "Bà Triệu", "Đinh Tiên Hoàng",
    "Nguyễn Thái Học", "Trần Cao Vân", "Nguyễn Duy Hiệu", "Thái Phiên", "Trần Quý Cáp", "Nguyễn Đình Chiểu",
)
KINDERGARTEN_NAMES = ("Sơn Ca", "Họa Mi", "Hoa Sen", "Hoa Mai", "Bình Minh", "Tuổi Thơ", "Vành Khuyên",
                      "Hoa Hồng", "Sao Mai", "Măng Non")
BUSINESS_SECTORS = (
    "Xây dựng", "Thương mại", "Thương mại và Dịch vụ", "Vận tải", "Thủy sản", "May mặc", "Chế biến gỗ",
    "Du lịch", "Cơ khí", "Thực phẩm", "Nông sản", "Vật liệu xây dựng", "Điện tử", "Logistics", "Khách sạn",
    "In ấn", "Môi trường", "Dược phẩm",
)
BUSINESS_BRANDS = (
    "An Phú", "Minh Khang", "Thành Đạt", "Hưng Thịnh", "Phước Lộc", "Tân Tiến", "Việt Hàn", "Sông Hàn",
    "Trường Sơn", "Hải Âu", "Bạch Đằng", "Hòa Bình", "Thiên Phú", "Đại Dương", "Kim Long", "Phú Gia",
    "Ngọc Linh", "Bình An", "Hoàng Gia", "Sao Việt", "Đông Á", "Miền Trung", "Nam Hải", "Thuận Phát",
    "Vĩnh Hưng", "Quang Minh", "Tường An", "Mỹ Sơn", "Hội Phố", "Lam Sơn",
)
PROVINCE_AGENCIES = (
    "Chi cục Thuế cơ sở {short}", "Bảo hiểm xã hội cơ sở {short}", "Trung tâm Y tế khu vực {short}",
    "Kho bạc Nhà nước khu vực {short}", "Đội Quản lý thị trường {short}",
    "Chi nhánh Văn phòng đăng ký đất đai {short}",
)
COMMUNE_AGENCIES = ("Ủy ban MTTQ Việt Nam {commune}", "Trạm Y tế {commune}",
                    "Trung tâm Phục vụ hành chính công {commune}")
_LEVEL_WORDS = ("Thành phố", "Tỉnh", "Xã", "Phường", "Thị trấn", "Đặc khu")


def short_name(name: str) -> str:
    """ "Phường Hải Vân" -> "Hải Vân"."""
    for word in _LEVEL_WORDS:
        if name.startswith(word + " "):
            return name[len(word) + 1:]
    return name


def in_sentence(name: str) -> str:
    """ "Phường Hải Vân" -> "phường Hải Vân" (the level word is lower-case inside a sentence or name)."""
    for word in _LEVEL_WORDS:
        if name.startswith(word + " "):
            return word.lower() + name[len(word):]
    return name


# --------------------------------------------------------------------------- units


def plan_units(commune: Unit, rng: random.Random) -> list[Unit]:
    """The demo units of one commune (unsaved, deterministic for ``rng``), residential areas first."""
    code, short, where = commune.code, short_name(commune.name), in_sentence(commune.name)
    is_xa = commune.subtype == "xa"
    units: list[Unit] = []

    def unit(prefix: str, kind: str, name: str, **fields: Any) -> None:
        number = sum(1 for u in units if u.code.startswith(f"{prefix}-")) + 1
        units.append(Unit(code=f"{prefix}-{code}-{number:02d}", name=name, kind=kind, parent=commune,
                          valid_from=DEMO_DAY, source=Source.LOCAL, **fields))

    # Residential areas: "Thôn 1".. in a xã (some xã name their thôn), "Tổ dân phố 1".. elsewhere.
    count = rng.randint(4, 12)
    if is_xa:
        names = ([f"Thôn {n}" for n in rng.sample(VILLAGE_NAMES, count)] if rng.random() < 0.3
                 else [f"Thôn {i}" for i in range(1, count + 1)])
        subtype, households = "thon", (80, 450)
    else:
        names = [f"Tổ dân phố {i}" for i in range(1, count + 1)]
        subtype, households = "to_dan_pho", (120, 600)
    for name in names:
        unit("KDC", Kind.RESIDENTIAL_AREA, name, subtype=subtype, households=rng.randint(*households))

    # Agencies: the People's Committee and one or two other commune bodies; some province bodies
    # located here; an armed-forces agency (outside the standard) in about one commune in three.
    unit("CQ", Kind.AGENCY, f"UBND {where}", managed_by=ManagingLevel.COMMUNE)
    for pattern in rng.sample(COMMUNE_AGENCIES, rng.randint(1, 2)):
        unit("CQ", Kind.AGENCY, pattern.format(commune=where), managed_by=ManagingLevel.COMMUNE)
    for pattern in rng.sample(PROVINCE_AGENCIES, rng.choice((0, 0, 1, 1, 2))):
        unit("CQ", Kind.AGENCY, pattern.format(short=short), managed_by=ManagingLevel.PROVINCE)
    if rng.random() < 1 / 3:
        unit("CQ", Kind.AGENCY, f"Ban Chỉ huy Quân sự {where}", managed_by=ManagingLevel.COMMUNE,
             armed_forces=True)

    # Enterprises of mixed sizes; micro and small ones are outside the standard.
    seen: set[str] = set()
    for _ in range(rng.randint(2, 6)):
        size = rng.choices(EnterpriseSize.values, weights=(35, 30, 25, 10))[0]
        sector, brand = rng.choice(BUSINESS_SECTORS), rng.choice(BUSINESS_BRANDS)
        if size == EnterpriseSize.MICRO and rng.random() < 0.4:
            form, subtype = "Doanh nghiệp tư nhân", "doanh_nghiep_tu_nhan"
        elif size == EnterpriseSize.LARGE or (size == EnterpriseSize.MEDIUM and rng.random() < 0.5):
            form, subtype = "Công ty Cổ phần", "cong_ty_co_phan"
        else:
            form, subtype = "Công ty TNHH", "cong_ty_tnhh"
        name = f"{form} {sector} {brand}"
        if name in seen:
            name = f"{name} {short}"
        seen.add(name)
        managed = ManagingLevel.PROVINCE if size == EnterpriseSize.LARGE else ManagingLevel.COMMUNE
        unit("DN", Kind.ENTERPRISE, name, subtype=subtype, size=size, managed_by=managed)

    # Schools: preschools and primary schools (outside the standard), a lower-secondary school,
    # sometimes an upper-secondary school or a provincial centre.
    patrons = iter(rng.sample(SCHOOL_PATRONS, 8))
    for name in rng.sample((short, *KINDERGARTEN_NAMES), rng.randint(1, 2)):
        unit("TH", Kind.SCHOOL, f"Trường Mầm non {name}", school_level=SchoolLevel.MAM_NON,
             managed_by=ManagingLevel.COMMUNE)
    for _ in range(rng.randint(1, 2)):
        unit("TH", Kind.SCHOOL, f"Trường Tiểu học {next(patrons)}", school_level=SchoolLevel.TIEU_HOC,
             managed_by=ManagingLevel.COMMUNE)
    unit("TH", Kind.SCHOOL, f"Trường THCS {next(patrons)}", school_level=SchoolLevel.THCS,
         managed_by=ManagingLevel.COMMUNE)
    if is_xa and rng.random() < 0.15:
        unit("TH", Kind.SCHOOL, f"Trường Tiểu học và THCS {next(patrons)}", school_level=SchoolLevel.LIEN_CAP,
             managed_by=ManagingLevel.COMMUNE)
    if rng.random() < 0.4:
        unit("TH", Kind.SCHOOL, f"Trường THPT {next(patrons)}", school_level=SchoolLevel.THPT,
             managed_by=ManagingLevel.PROVINCE)
    if rng.random() < 0.06:
        unit("TH", Kind.SCHOOL, f"Trung tâm GDNN-GDTX {short}", school_level=SchoolLevel.GDNN_GDTX,
             managed_by=ManagingLevel.PROVINCE)
    if not is_xa and rng.random() < 0.04:
        unit("TH", Kind.SCHOOL, f"Trường Cao đẳng Nghề {short}", school_level=SchoolLevel.CAO_DANG,
             managed_by=ManagingLevel.PROVINCE)
    return units


UNIT_COUNT_NAMES = {Kind.RESIDENTIAL_AREA: "residential areas", Kind.AGENCY: "agencies",
                    Kind.ENTERPRISE: "enterprises", Kind.SCHOOL: "schools"}


def add_units(context: DemoContext) -> None:
    """Residential areas and organisations under every selected commune; units already present are kept."""
    existing = set(
        Unit.objects.filter(parent__in=context.communes, kind__in=DEMO_KINDS, source=Source.LOCAL)
        .values_list("code", flat=True)
    )
    batch: list[Unit] = []
    exclusions = Exclusions.on()  # read once: every unit is checked against the same rules
    for commune in context.communes:
        for unit in plan_units(commune, context.rng("units", commune.code)):
            if unit.code not in existing:
                unit.refresh_derived(exclusions)
                batch.append(unit)
    Unit.objects.bulk_create(batch, batch_size=1000)
    rebuild_closure(batch)
    if batch and connection.vendor == "postgresql":
        # Thousands of new rows: fresh planner statistics before the apps' steps query them
        # (allowed inside a transaction, unlike VACUUM).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE units_unit, units_unitancestor")
    kinds = Counter(u.kind for u in batch)
    for kind, what in UNIT_COUNT_NAMES.items():
        context.add(what, kinds[kind])
    if batch:
        outside = sum(1 for u in batch if u.kind in ORGANISATION_KINDS and not u.subject_to_standard)
        context.say(f"units: {len(batch)} created under {len(context.communes)} communes "
                    f"of {context.province.name} "
                    f"({kinds[Kind.RESIDENTIAL_AREA]} residential areas, {kinds[Kind.AGENCY]} agencies, "
                    f"{kinds[Kind.ENTERPRISE]} enterprises, {kinds[Kind.SCHOOL]} schools; "
                    f"{outside} organisations outside the ANTT standard)")
    else:
        context.say("units: all demo units already present")
