"""The seeded catalogues: the kinds of plan and the national participating organisations (a province adds its
own through ``actions.do_add_organisation``). Seeded by the app's data migration; idempotent."""

from __future__ import annotations

from typing import Any

# (code, name, name_en)
PLAN_KINDS = (
    ("de_an", "Đề án", "Scheme"),
    ("ke_hoach", "Kế hoạch", "Plan"),
    ("chuong_trinh_phoi_hop", "Chương trình phối hợp", "Coordination programme"),
    ("ke_hoach_nam", "Kế hoạch năm", "Yearly plan"),
)

# (code, name, name_en, category)
ORGANISATIONS = (
    ("cong_an", "Công an", "Police", "police"),
    ("mttq", "Ủy ban Mặt trận Tổ quốc Việt Nam", "Viet Nam Fatherland Front Committee", "front"),
    ("hoi_nong_dan", "Hội Nông dân", "Farmers' Union", "mass"),
    ("hoi_lhpn", "Hội Liên hiệp Phụ nữ", "Women's Union", "mass"),
    ("hoi_nct", "Hội Người cao tuổi", "Association of the Elderly", "mass"),
    ("doan_thanh_nien", "Đoàn Thanh niên Cộng sản Hồ Chí Minh", "Ho Chi Minh Communist Youth Union", "mass"),
    ("lien_doan_lao_dong", "Liên đoàn Lao động", "Confederation of Labour", "mass"),
    ("hoi_ccb", "Hội Cựu chiến binh", "Veterans' Association", "mass"),
    ("so_giao_duc", "Sở Giáo dục và Đào tạo", "Department of Education and Training", "department"),
    ("so_van_hoa", "Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism", "department"),
    ("so_tai_chinh", "Sở Tài chính", "Department of Finance", "department"),
    ("so_noi_vu", "Sở Nội vụ", "Department of Home Affairs", "department"),
    ("so_ban_nganh", "Các sở, ban, ngành khác", "Other departments and agencies", "department"),
)


def seed_catalogues(kind_model: Any, organisation_model: Any) -> tuple[int, int]:
    kinds = orgs = 0
    for position, (code, name, name_en) in enumerate(PLAN_KINDS, start=1):
        _obj, new = kind_model.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "position": position * 10})
        kinds += new
    for position, (code, name, name_en, category) in enumerate(ORGANISATIONS, start=1):
        _obj, new = organisation_model.objects.get_or_create(code=code, province=None, defaults={
            "name": name, "name_en": name_en, "category": category, "position": position * 10})
        orgs += new
    return kinds, orgs


# (code, name, name_en): the positions on a steering committee (Ban Chỉ đạo), as the constituting decisions
# write them. The set follows the provincial decisions read (trưởng ban: a leader of the People's Committee;
# the standing deputy: the police; deputies: the Front and others; members: the participating bodies); a
# province's decisions may use other titles, written in each member's title. Uncertain: no national text
# fixes the list; it is data, so a migration can add a position.
COMMITTEE_POSITIONS = (
    ("truong_ban", "Trưởng ban", "Head"),
    ("pho_truong_ban_thuong_truc", "Phó Trưởng ban thường trực", "Standing deputy head"),
    ("pho_truong_ban", "Phó Trưởng ban", "Deputy head"),
    ("thanh_vien", "Thành viên", "Member"),
)


def seed_positions(position_model: Any) -> int:
    created = 0
    for position, (code, name, name_en) in enumerate(COMMITTEE_POSITIONS, start=1):
        _obj, new = position_model.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "position": position * 10})
        created += new
    return created
