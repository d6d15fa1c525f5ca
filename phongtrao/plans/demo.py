"""Demo data (``phongtrao demo``): the demo province's two plans of issue #11, through the real actions.

- The provincial scheme "Nâng cao chất lượng, hiệu quả Phong trào toàn dân bảo vệ an ninh Tổ quốc giai đoạn
  2021-2025" (modelled on QĐ 2631/QĐ-UBND of 11/11/2021), in force, with 11 objectives: 9 measured from the demo's
  data (ANTT shares, households committed, models, Ngày hội, propaganda, review conferences, awards, budget) and
  2 assessed by hand (the grassroots force, the core forces), so the plan page shows a real "đạt x/11" that
  changes when the data changes.
- The joint plan of the provincial police and the Fatherland Front (following KH 279/KH-MTTQ-BCA of 29/03/2021,
  2021-2023): 2 targets, 8 key tasks assigned to the police, the Front and six member organisations (the
  province's own entries, the Youth Union's reported by the demo's organisation login), and the yearly tasks of
  2021-2023 (the 2023 conference done when the review-conference count of the year is at least 1).

Idempotent: nothing is added when the province already has the scheme.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from phongtrao.datasets.models import DataElement, Indicator
from phongtrao.lib.periods import year_end
from phongtrao.plans.actions import (
    ObjectiveData,
    PlanData,
    TaskData,
    do_add_organisation,
    do_create_plan,
    do_report_task,
    do_save_objective,
    do_save_task,
)
from phongtrao.plans.models import Organisation, Plan, PlanKind, PlanStatus, Scope, TaskKind, TaskStatus

if TYPE_CHECKING:
    from phongtrao.core.demo import DemoContext

SCHEME_NUMBER = "2631/QĐ-UBND"
JOINT_NUMBER = "15/KH-CAT-MTTQ"
MEMBERS = (("hoi_nong_dan", "Hội Nông dân"), ("hoi_lhpn", "Hội Liên hiệp Phụ nữ"), ("hoi_nct", "Hội Người cao tuổi"),
           ("doan_thanh_nien", "Tỉnh đoàn"), ("lien_doan_lao_dong", "Liên đoàn Lao động"),
           ("hoi_ccb", "Hội Cựu chiến binh"))

# (text, indicator code | None, element code | None, target, scope) — None/None: assessed by hand
SCHEME_OBJECTIVES: tuple[tuple[str, str | None, str | None, int | None, str], ...] = (
    ("Hằng năm có từ 80% khu dân cư trở lên đạt chuẩn “An toàn về an ninh, trật tự”",
     "ty_le_kdc_dat_chuan", None, 80, Scope.WHOLE),
    ("Hằng năm có từ 70% xã, phường trở lên đạt chuẩn “An toàn về an ninh, trật tự”",
     "ty_le_xa_dat_chuan", None, 70, Scope.WHOLE),
    ("Mỗi xã, phường vận động ít nhất 200 hộ gia đình ký cam kết thực hiện phong trào",
     None, "ho_cam_ket", 200, Scope.EACH_COMMUNE),
    ("Mỗi xã, phường xây dựng, duy trì ít nhất một mô hình tự phòng, tự quản, tự bảo vệ",
     "mo_hinh_moi_xa", None, 1, Scope.EACH_COMMUNE),
    ("100% xã, phường tổ chức Ngày hội toàn dân bảo vệ an ninh Tổ quốc (19/8)",
     None, "ngay_hoi_to_chuc", 1, Scope.EACH_COMMUNE),
    ("Bình quân mỗi khu dân cư được tuyên truyền ít nhất 2 buổi mỗi năm",
     "buoi_tuyen_truyen_moi_kdc", None, 2, Scope.WHOLE),
    ("Mỗi xã, phường tổ chức ít nhất 2 hội nghị sơ kết, tổng kết phong trào mỗi năm",
     None, "so_ket_tong_ket", 2, Scope.EACH_COMMUNE),
    ("Khen thưởng ít nhất 5 tập thể trên 100 khu dân cư mỗi năm",
     "khen_thuong_tap_the_moi_100_kdc", None, 5, Scope.WHOLE),
    ("Mỗi xã, phường bố trí ít nhất 20 triệu đồng kinh phí cho phong trào mỗi năm",
     None, "kinh_phi", 20_000_000, Scope.EACH_COMMUNE),
    ("100% khu dân cư thành lập, củng cố Tổ bảo vệ an ninh, trật tự theo Luật số 30/2023/QH15",
     None, None, None, Scope.WHOLE),
    ("Xây dựng lực lượng nòng cốt ở cơ sở vững mạnh, hoạt động hiệu quả", None, None, None, Scope.WHOLE),
)

JOINT_TASKS = (
    "Tuyên truyền, vận động hội viên, đoàn viên và nhân dân tham gia phong trào",
    "Vận động 100% hộ gia đình hội viên ký cam kết thực hiện phong trào",
    "Xây dựng, nhân rộng các mô hình tự phòng, tự quản, tự bảo vệ, tự hòa giải",
    "Phối hợp xây dựng khu dân cư, xã, phường, cơ quan, doanh nghiệp, nhà trường đạt chuẩn ANTT",
    "Phát hiện, biểu dương, khen thưởng gương người tốt, việc tốt",
    "Phối hợp giáo dục, cảm hóa người lầm lỗi tại cộng đồng",
    "Tổ chức Ngày hội toàn dân bảo vệ an ninh Tổ quốc hằng năm",
    "Kiểm tra, sơ kết, tổng kết thực hiện kế hoạch phối hợp",
)
YEARLY_TASKS = (
    (2021, "Rà soát các mô hình tự quản trên địa bàn toàn tỉnh; xây dựng một xã điểm và một phường điểm", None),
    (2022, "Đánh giá hiệu quả các mô hình; báo cáo về gương người tốt, việc tốt điển hình", None),
    (2023, "Tổ chức hội nghị tổng kết 10 năm thực hiện chương trình phối hợp", "so_ket_tong_ket"),
)


def add_demo_plans(context: DemoContext) -> None:
    province = context.province
    if Plan.objects.filter(unit=province, number=SCHEME_NUMBER).exists():
        context.say("plans: the demo plans are already present")
        return
    actor = context.actor
    kinds = {k.code: k for k in PlanKind.objects.all()}
    national = {o.code: o for o in Organisation.objects.filter(province__isnull=True)}
    reporter = context.users.get("coquan")
    own = {}
    for code, name in MEMBERS:
        own[code] = Organisation.objects.filter(province=province, code=f"{code}_tinh").first() or do_add_organisation(
            actor, province, code=f"{code}_tinh", name=f"{name} {province.name}", category="mass",
            unit=reporter.unit if code == "doan_thanh_nien" and reporter is not None else None)
    police, front = national["cong_an"], national["mttq"]

    scheme = do_create_plan(actor, PlanData(
        kind=kinds["de_an"], number=SCHEME_NUMBER, issued_on=dt.date(2021, 11, 11),
        title="Nâng cao chất lượng, hiệu quả Phong trào toàn dân bảo vệ an ninh Tổ quốc giai đoạn 2021-2025",
        issuing_unit=province, unit=province, from_year=2021, to_year=2025,
        note="Đề án của Ủy ban nhân dân tỉnh (dữ liệu minh họa)."), status=PlanStatus.IN_FORCE)
    indicators = {i.code: i for i in Indicator.objects.all()}
    elements = {e.code: e for e in DataElement.objects.all()}
    for number, (text, indicator, element, target, scope) in enumerate(SCHEME_OBJECTIVES, start=1):
        measured = indicator in indicators or element in elements
        do_save_objective(actor, scheme.pk, ObjectiveData(
            number=number, text=text, indicator=indicators.get(indicator or ""),
            element=elements.get(element or ""), target=Decimal(target) if measured and target is not None else None,
            scope=scope if measured else Scope.WHOLE,
            manual_met=(number == 10) if not measured else None,
            manual_note="Theo báo cáo của Công an tỉnh" if not measured else ""))

    joint = do_create_plan(actor, PlanData(
        kind=kinds["chuong_trinh_phoi_hop"], number=JOINT_NUMBER, issued_on=dt.date(2021, 4, 20),
        title="Kế hoạch phối hợp giữa Công an tỉnh và Ủy ban MTTQ Việt Nam tỉnh thực hiện Kế hoạch liên tịch "
              "279/KH-MTTQ-BCA ngày 29/03/2021, giai đoạn 2021-2023",
        issuing_unit=province, unit=province, from_year=2021, to_year=2023, issuers=[police, front], parent=scheme),
        status=PlanStatus.IN_FORCE)
    do_save_objective(actor, joint.pk, ObjectiveData(
        number=1, text="100% hộ gia đình hội viên ký cam kết thực hiện phong trào", manual_met=True,
        manual_note="Theo báo cáo của Ủy ban MTTQ tỉnh"))
    if "ty_le_kdc_dat_chuan" in indicators:
        do_save_objective(actor, joint.pk, ObjectiveData(
            number=2, text="Từ 80% khu dân cư trở lên đạt chuẩn “An toàn về an ninh, trật tự”",
            indicator=indicators["ty_le_kdc_dat_chuan"], target=Decimal(80)))
    members = [own[code] for code, _ in MEMBERS]
    tasks = []
    for number, text in enumerate(JOINT_TASKS, start=1):
        lead = members[(number - 1) % len(members)] if number not in (1, 8) else (front if number == 1 else police)
        tasks.append(do_save_task(actor, joint.pk, TaskData(
            number=number, text=text, due_on=year_end(joint.to_year), organisations=[police, front, *members],
            lead=lead)))
    for offset, (year, text, element) in enumerate(YEARLY_TASKS, start=len(JOINT_TASKS) + 1):
        tasks.append(do_save_task(actor, joint.pk, TaskData(
            number=offset, text=text, kind=TaskKind.YEARLY, year=year, due_on=year_end(year),
            organisations=[police, front, own["doan_thanh_nien"]], lead=police,
            element=elements.get(element) if element else None)))
    for task in tasks[:5]:  # the first key tasks reported done, one in progress
        do_report_task(actor, task.pk, status=TaskStatus.DONE, result_note="Đã triển khai trên toàn tỉnh",
                       expected_version=task.version)
    do_report_task(actor, tasks[8].pk, status=TaskStatus.DONE, result_note="Đã rà soát các mô hình",
                   expected_version=tasks[8].version)
    context.add("plans", 2)
    context.add("plan objectives", len(SCHEME_OBJECTIVES) + 2)
    context.add("plan tasks", len(tasks))
    context.say(f"plans: 2 plans, {len(SCHEME_OBJECTIVES) + 2} objectives, {len(tasks)} tasks")


# The steering committees: (position code, title, organisation code) as the constituting decisions list them;
# the official's name is left empty (the demo invents no people).
PROVINCE_SEATS = (
    ("truong_ban", "Phó Chủ tịch Ủy ban nhân dân tỉnh", "so_ban_nganh"),
    ("pho_truong_ban_thuong_truc", "Giám đốc Công an tỉnh", "cong_an"),
    ("pho_truong_ban", "Phó Chủ tịch Ủy ban MTTQ Việt Nam tỉnh", "mttq"),
    ("thanh_vien", "Chủ tịch Hội Nông dân tỉnh", "hoi_nong_dan"),
    ("thanh_vien", "Chủ tịch Hội Liên hiệp Phụ nữ tỉnh", "hoi_lhpn"),
    ("thanh_vien", "Bí thư Tỉnh đoàn", "doan_thanh_nien"),
    ("thanh_vien", "Chủ tịch Hội Cựu chiến binh tỉnh", "hoi_ccb"),
    ("thanh_vien", "Giám đốc Sở Giáo dục và Đào tạo", "so_giao_duc"),
    ("thanh_vien", "Giám đốc Sở Văn hóa, Thể thao và Du lịch", "so_van_hoa"),
)
COMMUNE_SEATS = (
    ("truong_ban", "Chủ tịch Ủy ban nhân dân xã", "so_ban_nganh"),
    ("pho_truong_ban_thuong_truc", "Trưởng Công an xã", "cong_an"),
    ("pho_truong_ban", "Chủ tịch Ủy ban MTTQ Việt Nam xã", "mttq"),
    ("thanh_vien", "Chủ tịch Hội Nông dân xã", "hoi_nong_dan"),
    ("thanh_vien", "Chủ tịch Hội Liên hiệp Phụ nữ xã", "hoi_lhpn"),
    ("thanh_vien", "Bí thư Đoàn xã", "doan_thanh_nien"),
    ("thanh_vien", "Chủ tịch Hội Cựu chiến binh xã", "hoi_ccb"),
)
ADDED_SEAT = ("thanh_vien", "Chủ tịch Hội Người cao tuổi", "hoi_nct")


def add_demo_committees(context: DemoContext) -> None:
    """The province's and two communes' steering committees, each constituted and re-constituted once (two
    versions; the re-constitution adds the Association of the Elderly)."""
    from phongtrao.plans.committees import CompositionData, MemberData, do_constitute, do_reconstitute
    from phongtrao.plans.models import CommitteePosition, SteeringCommittee

    units = [context.province, *context.communes[:2]]
    if SteeringCommittee.objects.filter(unit__in=units).exists():
        context.say("plans: the demo steering committees are already present")
        return
    positions = {p.code: p for p in CommitteePosition.objects.all()}
    national = {o.code: o for o in Organisation.objects.filter(province__isnull=True)}
    first, second = context.years[0], context.years[-1]
    for unit in units:
        is_province = unit.pk == context.province.pk
        seats = PROVINCE_SEATS if is_province else COMMUNE_SEATS
        issuer = f"Ủy ban nhân dân {unit.name}"
        suffix = "QĐ-UBND"

        def composition(number: str, day: dt.date, extra: tuple[tuple[str, str, str], ...] = (),
                        seats: tuple[tuple[str, str, str], ...] = seats, issuer: str = issuer) -> CompositionData:
            return CompositionData(decision_number=number, decided_on=day, issuer=issuer, members=[
                MemberData(national[org], positions[pos], title) for pos, title, org in (*seats, *extra)])

        committee = do_constitute(context.actor, unit, composition(f"{11 + len(seats)}/{suffix}",
                                                                   dt.date(first, 2, 15)))
        do_reconstitute(context.actor, committee.pk, composition(f"{21 + len(seats)}/{suffix}",
                                                                 dt.date(second, 1, 20), (ADDED_SEAT,)),
                        expected_version=committee.version)
    context.add("steering committees", len(units))
    context.add("steering committee versions", 2 * len(units))
    context.say(f"plans: {len(units)} steering committees, 2 compositions each")
