"""The seeded disaggregations, data elements, data sets and validation rules, as data with their source named.

Written once here; the data migration ``0002_seed_catalogue`` and ``phongtrao setup`` (``seed_catalogue``)
create what is missing and keep what officers changed. Where a source was not checked against the gazette
the data set's note says so.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from typing import Any

DEFAULT = "default"
COMMUNE, AREA = "commune", "residential_area"
ORGANISATIONS = ["agency", "enterprise", "school"]


@dataclass(frozen=True)
class OptionSeed:
    code: str
    name: str
    name_en: str
    phrase: str = ""


@dataclass(frozen=True)
class CategorySeed:
    code: str
    name: str
    name_en: str
    options: tuple[OptionSeed, ...]


CATEGORIES: tuple[CategorySeed, ...] = (
    CategorySeed("kenh_tuyen_truyen", "Hình thức tuyên truyền", "Propaganda channel", (
        OptionSeed("truc_tiep", "Trực tiếp", "In person", "tuyên truyền trực tiếp"),
        OptionSeed("loa", "Loa truyền thanh", "Loudspeakers", "qua loa truyền thanh"),
        OptionSeed("bao_dai", "Báo, đài", "Press and radio", "trên báo, đài"),
        OptionSeed("mang_xa_hoi", "Mạng xã hội", "Social media", "trên mạng xã hội"),
        OptionSeed("tai_lieu", "Tài liệu, tờ rơi", "Leaflets", "bằng tài liệu, tờ rơi"),
    )),
    CategorySeed("ngon_ngu", "Ngôn ngữ", "Language", (
        OptionSeed("tieng_viet", "Tiếng Việt", "Vietnamese", "bằng tiếng Việt"),
        OptionSeed("tieng_dtts", "Tiếng dân tộc thiểu số", "Minority languages", "bằng tiếng dân tộc thiểu số"),
    )),
)

# combo code -> (name, English name, category codes in order)
COMBOS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    DEFAULT: ("Không phân tổ", "No breakdown", ()),
    "kenh_ngon_ngu": ("Hình thức tuyên truyền × ngôn ngữ", "Channel × language", ("kenh_tuyen_truyen", "ngon_ngu")),
}


@dataclass(frozen=True)
class ElementSeed:
    code: str
    name: str
    name_en: str
    value_type: str
    kinds: tuple[str, ...]
    aggregation: str = "sum"
    combo: str = DEFAULT
    phrase: str = ""
    measure: str = ""
    highlight: str = ""
    description: str = ""


ALL_REPORTING = (COMMUNE, AREA, *ORGANISATIONS)
ELEMENTS: tuple[ElementSeed, ...] = (
    ElementSeed("tuyen_truyen_buoi", "Số buổi tuyên truyền về phong trào", "Propaganda sessions", "count",
                ALL_REPORTING, combo="kenh_ngon_ngu", phrase="tổ chức {n} buổi tuyên truyền", measure="buổi",
                highlight="tieng_dtts"),
    ElementSeed("tuyen_truyen_luot", "Số lượt người được tuyên truyền", "People reached by propaganda", "count",
                ALL_REPORTING, phrase="với {n} lượt người tham dự", measure="lượt người"),
    ElementSeed("ngay_hoi_to_chuc", "Tổ chức Ngày hội toàn dân bảo vệ ANTQ", "Festival day held", "yes_no",
                (COMMUNE, AREA), phrase="{n} đơn vị tổ chức Ngày hội toàn dân bảo vệ ANTQ", measure="đơn vị"),
    ElementSeed("ngay_hoi_ngay", "Ngày tổ chức Ngày hội", "Date of the festival day", "date", (COMMUNE, AREA),
                aggregation="none"),
    ElementSeed("ngay_hoi_nguoi", "Số người tham gia Ngày hội", "Festival day participants", "count",
                (COMMUNE, AREA), phrase="thu hút {n} lượt người tham gia Ngày hội", measure="người"),
    ElementSeed("ho_cam_ket", "Số hộ gia đình ký cam kết", "Households that signed the pledge", "count",
                (COMMUNE, AREA), phrase="{n} hộ gia đình ký cam kết", measure="hộ"),
    ElementSeed("van_ban_chi_dao", "Số văn bản chỉ đạo, hướng dẫn ban hành", "Directive documents issued", "count",
                (COMMUNE, *ORGANISATIONS), phrase="ban hành {n} văn bản chỉ đạo, hướng dẫn", measure="văn bản"),
    ElementSeed("hop_ban_chi_dao", "Số cuộc họp Ban Chỉ đạo", "Steering-committee meetings", "count", (COMMUNE,),
                phrase="Ban Chỉ đạo họp {n} cuộc", measure="cuộc"),
    ElementSeed("tap_huan", "Số lớp tập huấn, bồi dưỡng nghiệp vụ", "Trainings", "count",
                (COMMUNE, *ORGANISATIONS), phrase="mở {n} lớp tập huấn", measure="lớp"),
    ElementSeed("so_ket_tong_ket", "Số hội nghị sơ kết, tổng kết", "Review conferences", "count",
                (COMMUNE, AREA, *ORGANISATIONS), phrase="tổ chức {n} hội nghị sơ kết, tổng kết", measure="hội nghị"),
    ElementSeed("kiem_tra", "Số cuộc kiểm tra", "Inspections", "count", (COMMUNE, *ORGANISATIONS),
                phrase="tiến hành {n} cuộc kiểm tra", measure="cuộc"),
    ElementSeed("tin_bao", "Số tin báo, tố giác về an ninh, trật tự tiếp nhận", "Tips received", "count",
                (COMMUNE, AREA, *ORGANISATIONS), phrase="tiếp nhận {n} tin báo, tố giác", measure="tin",
                description="Chỉ ghi số lượng; không ghi thông tin về người báo hay người bị báo."),
    ElementSeed("hoa_giai_thanh", "Số vụ việc hòa giải thành", "Disputes mediated", "count", (COMMUNE, AREA),
                phrase="hòa giải thành {n} vụ việc", measure="vụ"),
    ElementSeed("camera_lap_moi", "Số camera an ninh lắp đặt mới", "Security cameras installed", "count",
                (COMMUNE, AREA, *ORGANISATIONS), phrase="lắp đặt mới {n} camera an ninh", measure="camera"),
    ElementSeed("camera_hoat_dong", "Số camera an ninh đang hoạt động", "Security cameras in service", "count",
                (COMMUNE, AREA, *ORGANISATIONS), aggregation="latest",
                phrase="{n} camera an ninh đang hoạt động", measure="camera"),
    ElementSeed("kdc_van_hoa", "Số khu dân cư đạt danh hiệu “Khu dân cư văn hóa”",
                "Residential areas titled “cultural”", "count", (COMMUNE,), aggregation="latest",
                phrase="{n} khu dân cư đạt danh hiệu “Khu dân cư văn hóa”", measure="khu dân cư"),
    ElementSeed("kdc_5_khong", "Số khu dân cư đạt “5 không”", "Residential areas with “5 không”", "count",
                (COMMUNE,), aggregation="latest", phrase="{n} khu dân cư đạt “5 không”", measure="khu dân cư"),
    ElementSeed("trang_web", "Số trang thông tin điện tử, trang mạng xã hội về phong trào",
                "Commune web pages about the movement", "count", (COMMUNE,), aggregation="latest",
                phrase="duy trì {n} trang thông tin điện tử, trang mạng xã hội", measure="trang"),
    ElementSeed("to_tu_quan", "Số tổ, nhóm tự quản đang hoạt động", "Self-management groups in operation", "count",
                (AREA,), aggregation="latest", phrase="{n} tổ, nhóm tự quản", measure="tổ, nhóm"),
    ElementSeed("ty_le_pho_bien", "Tỷ lệ cán bộ, nhân viên được phổ biến nội quy ANTT",
                "Staff informed of the security rules", "percent", tuple(ORGANISATIONS), aggregation="average"),
    ElementSeed("kinh_phi", "Kinh phí cho phong trào", "Funds spent on the movement", "amount",
                (COMMUNE, *ORGANISATIONS), phrase="chi {n} đồng cho phong trào", measure="đồng"),
)


@dataclass(frozen=True)
class RuleSeed:
    code: str
    name: str
    name_en: str
    left: str
    operator: str
    right: str
    missing: str = "skip_if_all"


@dataclass(frozen=True)
class DataSetSeed:
    code: str
    name: str
    name_en: str
    period_type: str
    kinds: tuple[str, ...]
    source: str
    elements: tuple[tuple[str, str], ...]  # (section, element code)
    note: str = ""
    expiry_days: int = 0
    rules: tuple[RuleSeed, ...] = field(default=())
    effective_from: dt.date = dt.date(2020, 1, 1)


SOURCE_REPORT = ("Nội dung báo cáo tổng kết năm của Phong trào toàn dân bảo vệ an ninh Tổ quốc (kết quả: "
                 "ban hành văn bản, tuyên truyền, Ngày hội, tập huấn, sơ kết, tổng kết, kiểm tra)")
SOURCE_FESTIVAL = ("Quyết định số 521/QĐ-TTg ngày 06/6/2005 của Thủ tướng Chính phủ (Ngày hội toàn dân bảo vệ ANTQ, "
                   "19/8)")
NOTE = ("Biểu do hệ thống lập theo nội dung thường có trong báo cáo tổng kết của các địa phương; chưa đối chiếu với "
        "một biểu mẫu thống kê chính thức của Bộ Công an. Danh hiệu “5 không” là danh hiệu do từng tỉnh đặt ra.")

PEOPLE_REACHED = RuleSeed("luot_nguoi_it_nhat_bang_so_buoi", "Số lượt người được tuyên truyền không ít hơn số buổi",
                          "People reached are at least the sessions held", "#{tuyen_truyen_luot}", ">=",
                          "#{tuyen_truyen_buoi}")
MINORITY = RuleSeed("tieng_dtts_khong_qua_tong", "Số buổi bằng tiếng dân tộc thiểu số không vượt tổng số buổi",
                    "Sessions in minority languages do not exceed all sessions", "#{tuyen_truyen_buoi.tieng_dtts}",
                    "<=", "#{tuyen_truyen_buoi}")
FESTIVAL_PEOPLE = RuleSeed("ngay_hoi_co_nguoi_tham_gia", "Đã tổ chức Ngày hội thì phải có người tham gia",
                           "A festival day held has participants", "#{ngay_hoi_nguoi}", ">=", "#{ngay_hoi_to_chuc}",
                           missing="skip_if_any")
CAMERAS = RuleSeed("camera_moi_khong_qua_dang_hoat_dong",
                   "Số camera lắp mới không vượt số camera đang hoạt động",
                   "New cameras are counted among the cameras in service", "#{camera_lap_moi}", "<=",
                   "#{camera_hoat_dong}", missing="skip_if_any")

DATASETS: tuple[DataSetSeed, ...] = (
    DataSetSeed(
        "xa_nam", "Báo cáo năm của xã về Phong trào toàn dân bảo vệ ANTQ", "Commune yearly movement report", "year",
        (COMMUNE,), SOURCE_REPORT + "; " + SOURCE_FESTIVAL, (
            ("Chỉ đạo, hướng dẫn", "van_ban_chi_dao"), ("Chỉ đạo, hướng dẫn", "hop_ban_chi_dao"),
            ("Tuyên truyền", "tuyen_truyen_buoi"), ("Tuyên truyền", "tuyen_truyen_luot"),
            ("Tuyên truyền", "trang_web"),
            ("Ngày hội toàn dân bảo vệ ANTQ", "ngay_hoi_to_chuc"), ("Ngày hội toàn dân bảo vệ ANTQ", "ngay_hoi_ngay"),
            ("Ngày hội toàn dân bảo vệ ANTQ", "ngay_hoi_nguoi"), ("Ngày hội toàn dân bảo vệ ANTQ", "ho_cam_ket"),
            ("Tập huấn, sơ kết, kiểm tra", "tap_huan"), ("Tập huấn, sơ kết, kiểm tra", "so_ket_tong_ket"),
            ("Tập huấn, sơ kết, kiểm tra", "kiem_tra"),
            ("Kết quả", "tin_bao"), ("Kết quả", "hoa_giai_thanh"), ("Kết quả", "camera_lap_moi"),
            ("Kết quả", "camera_hoat_dong"), ("Kết quả", "kdc_van_hoa"), ("Kết quả", "kdc_5_khong"),
            ("Kinh phí", "kinh_phi"),
        ), note=NOTE, expiry_days=45, rules=(PEOPLE_REACHED, MINORITY, FESTIVAL_PEOPLE, CAMERAS)),
    DataSetSeed(
        "kdc_nam", "Số liệu năm của khu dân cư", "Residential area yearly figures", "year", (AREA,),
        SOURCE_REPORT + "; " + SOURCE_FESTIVAL, (
            ("Tuyên truyền", "tuyen_truyen_buoi"), ("Tuyên truyền", "tuyen_truyen_luot"),
            ("Ngày hội toàn dân bảo vệ ANTQ", "ngay_hoi_to_chuc"), ("Ngày hội toàn dân bảo vệ ANTQ", "ngay_hoi_ngay"),
            ("Ngày hội toàn dân bảo vệ ANTQ", "ngay_hoi_nguoi"), ("Ngày hội toàn dân bảo vệ ANTQ", "ho_cam_ket"),
            ("Kết quả", "so_ket_tong_ket"), ("Kết quả", "tin_bao"), ("Kết quả", "hoa_giai_thanh"),
            ("Kết quả", "to_tu_quan"), ("Kết quả", "camera_lap_moi"), ("Kết quả", "camera_hoat_dong"),
        ), note=NOTE, expiry_days=30, rules=(PEOPLE_REACHED, FESTIVAL_PEOPLE)),
    DataSetSeed(
        "co_quan_nam", "Số liệu năm của cơ quan, doanh nghiệp, cơ sở giáo dục", "Organisation yearly figures", "year",
        tuple(ORGANISATIONS), SOURCE_REPORT + "; TT 124/2021/TT-BCA (100% cán bộ, nhân viên được phổ biến)", (
            ("Chỉ đạo, hướng dẫn", "van_ban_chi_dao"), ("Tuyên truyền", "tuyen_truyen_buoi"),
            ("Tuyên truyền", "tuyen_truyen_luot"), ("Tuyên truyền", "ty_le_pho_bien"),
            ("Tập huấn, sơ kết, kiểm tra", "tap_huan"), ("Tập huấn, sơ kết, kiểm tra", "so_ket_tong_ket"),
            ("Tập huấn, sơ kết, kiểm tra", "kiem_tra"), ("Kết quả", "tin_bao"), ("Kết quả", "camera_lap_moi"),
            ("Kết quả", "camera_hoat_dong"), ("Kinh phí", "kinh_phi"),
        ), note=NOTE, expiry_days=45, rules=(PEOPLE_REACHED, MINORITY)),
    DataSetSeed(
        "xa_quy", "Báo cáo quý của xã", "Commune quarterly report", "quarter", (COMMUNE,), SOURCE_REPORT, (
            ("Tuyên truyền", "tuyen_truyen_buoi"), ("Tuyên truyền", "tuyen_truyen_luot"),
            ("Kết quả", "tin_bao"), ("Kết quả", "hoa_giai_thanh"),
        ), note=NOTE, expiry_days=15, rules=(PEOPLE_REACHED,)),
)


def option_combo_rows(combo_categories: list[tuple[str, list[tuple[str, str, str]]]]) -> list[dict[str, Any]]:
    """The cross product of a combo's categories: [{"code", "name", "name_en", "options": [option codes]}].

    ``combo_categories``: [(category code, [(option code, name, English name), ...]), ...] in combo order."""
    if not combo_categories:
        return [{"code": DEFAULT, "name": "Tổng số", "name_en": "Total", "options": []}]
    rows = []
    for cells in itertools.product(*[options for _code, options in combo_categories]):
        rows.append({"code": ".".join(c[0] for c in cells), "name": _joined([c[1] for c in cells]),
                     "name_en": _joined([c[2] for c in cells]), "options": [c[0] for c in cells]})
    return rows


def _joined(names: list[str]) -> str:
    """ "Trực tiếp, tiếng Việt": the later parts in lower case (proper names keep their capital: "Việt")."""
    return ", ".join([names[0], *(n[:1].lower() + n[1:] for n in names[1:])])


def seed_catalogue(apps: Any = None) -> int:
    """Create the seeded rows that are missing (idempotent; later edits are kept). ``apps``: a migration's
    historical models (``None``: the current ones). Returns how many rows were created."""
    from django.apps import apps as current

    get = (apps or current).get_model
    Category, Option = get("datasets", "Category"), get("datasets", "CategoryOption")
    Combo, ComboCategory, OptionCombo = get("datasets", "CategoryCombo"), get("datasets", "ComboCategory"), \
        get("datasets", "OptionCombo")
    Element, DataSet, Version = get("datasets", "DataElement"), get("datasets", "DataSet"), \
        get("datasets", "DataSetVersion")
    DataSetElement, Rule = get("datasets", "DataSetElement"), get("datasets", "ValidationRule")
    created = 0
    categories = {}
    for seed in CATEGORIES:
        cat, new = Category.objects.get_or_create(code=seed.code, defaults={"name": seed.name, "name_en": seed.name_en})
        created += new
        categories[seed.code] = cat
        for position, o in enumerate(seed.options, start=1):
            _opt, new = Option.objects.get_or_create(category=cat, code=o.code, defaults={
                "name": o.name, "name_en": o.name_en, "phrase": o.phrase, "position": position})
            created += new
    combos = {}
    for code, (name, name_en, cat_codes) in COMBOS.items():
        combo, new = Combo.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
        combos[code] = combo
        if not new:
            continue
        created += 1
        spec = []
        for position, cat_code in enumerate(cat_codes, start=1):
            ComboCategory.objects.create(combo=combo, category=categories[cat_code], position=position)
            opts = list(Option.objects.filter(category=categories[cat_code]).order_by("position"))
            spec.append((cat_code, [(o.code, o.name, o.name_en) for o in opts]))
        by_code = {(o.category_id, o.code): o for o in Option.objects.filter(category__code__in=cat_codes)}
        for position, row in enumerate(option_combo_rows(spec), start=1):
            oc = OptionCombo.objects.create(combo=combo, code=row["code"], name=row["name"], name_en=row["name_en"],
                                            position=position)
            oc.options.set([by_code[(categories[c].pk, o)] for c, o in zip(cat_codes, row["options"], strict=True)])
    elements = {}
    for e in ELEMENTS:
        element, new = Element.objects.get_or_create(code=e.code, defaults={
            "name": e.name, "name_en": e.name_en, "value_type": e.value_type, "aggregation": e.aggregation,
            "kinds": list(e.kinds), "combo": combos[e.combo], "phrase": e.phrase, "measure": e.measure,
            "highlight": e.highlight, "description": e.description})
        created += new
        elements[e.code] = element
    for position, d in enumerate(DATASETS, start=1):
        dataset, new = DataSet.objects.get_or_create(code=d.code, defaults={
            "name": d.name, "name_en": d.name_en, "period_type": d.period_type, "kinds": list(d.kinds),
            "source": d.source, "note": d.note, "expiry_days": d.expiry_days, "position": position * 10})
        if not new:
            continue
        created += 1
        version = Version.objects.create(dataset=dataset, number=1, effective_from=d.effective_from)
        DataSetElement.objects.bulk_create([
            DataSetElement(version=version, element=elements[code], position=i, section=section)
            for i, (section, code) in enumerate(d.elements, start=1)])
        Rule.objects.bulk_create([
            Rule(dataset=dataset, code=r.code, name=r.name, name_en=r.name_en, left=r.left, operator=r.operator,
                 right=r.right, missing=r.missing) for r in d.rules])
    if apps is None:  # the indicators' table comes with a later migration, which seeds them itself
        from phongtrao.datasets.indicators import seed_indicators

        created += seed_indicators()
    return created
