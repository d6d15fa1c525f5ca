"""Synthetic plans and steering committees for ``phongtrao generate`` (set-based, national scale).

Per province of the communes in scope: one scheme in force over the generated years (number ``SIM-…``), with
``len(OBJECTIVES)`` objectives (measured by the seeded indicators and data elements, each commune or the whole
province, and one assessed by hand) and ``len(TASKS)`` key tasks assigned to the Police (lead), the Front and
two mass organisations, some reported done. Per province and per commune: a steering committee constituted in
the first year, re-constituted in the last for about two in three of them (two versions), with 7-9 members
from the national organisations. Rows are bulk-inserted in a few statements per chunk of communes, without
history or audit rows, like the rest of the synthetic data; a new run replaces the earlier run's rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from phongtrao.audit.history import history_maintenance
from phongtrao.datasets.models import DataElement, Indicator
from phongtrao.lib.periods import year_end
from phongtrao.plans.committees import DEFAULT_NAME, MEETINGS_ELEMENT
from phongtrao.plans.models import (
    Assignment,
    CommitteeMember,
    CommitteePosition,
    CommitteeVersion,
    Objective,
    Organisation,
    Plan,
    PlanEvent,
    PlanKind,
    PlanStatus,
    Scope,
    SteeringCommittee,
    Task,
    TaskEvent,
    TaskStatus,
)
from phongtrao.units.models import Unit

if TYPE_CHECKING:
    from phongtrao.core.management.commands.generate import GenerateContext

PREFIX = "SIM-"
CHUNK = 500  # units per write batch of committees
# (text, indicator code, element code, target, scope): None/None is assessed by hand
OBJECTIVES: tuple[tuple[str, str | None, str | None, int | None, str], ...] = (
    ("Từ 80% khu dân cư trở lên đạt chuẩn “An toàn về an ninh, trật tự”", "ty_le_kdc_dat_chuan", None, 80,
     Scope.WHOLE),
    ("Từ 70% xã, phường trở lên đạt chuẩn “An toàn về an ninh, trật tự”", "ty_le_xa_dat_chuan", None, 70, Scope.WHOLE),
    ("Mỗi xã, phường có ít nhất 200 hộ ký cam kết", None, "ho_cam_ket", 200, Scope.EACH_COMMUNE),
    ("Mỗi xã, phường tổ chức Ngày hội toàn dân bảo vệ an ninh Tổ quốc", None, "ngay_hoi_to_chuc", 1,
     Scope.EACH_COMMUNE),
    ("Mỗi xã, phường họp Ban Chỉ đạo ít nhất 2 cuộc mỗi năm", None, MEETINGS_ELEMENT, 2, Scope.EACH_COMMUNE),
    ("Xây dựng lực lượng nòng cốt ở cơ sở vững mạnh", None, None, None, Scope.WHOLE),
)
TASKS = ("Tuyên truyền, vận động nhân dân tham gia phong trào", "Xây dựng, nhân rộng mô hình tự quản",
         "Phối hợp xây dựng khu dân cư đạt chuẩn ANTT", "Tổ chức Ngày hội toàn dân bảo vệ an ninh Tổ quốc",
         "Biểu dương, khen thưởng gương người tốt, việc tốt", "Sơ kết, tổng kết thực hiện đề án")
ASSIGNED = ("cong_an", "mttq", "hoi_nong_dan", "doan_thanh_nien")  # the first is the lead
# (position code, title) of a committee; the last rows are left out of some (7 to 9 members)
SEATS = (("truong_ban", "Chủ tịch Ủy ban nhân dân", "so_ban_nganh"),
         ("pho_truong_ban_thuong_truc", "Trưởng Công an", "cong_an"),
         ("pho_truong_ban", "Chủ tịch Ủy ban MTTQ Việt Nam", "mttq"),
         ("thanh_vien", "Chủ tịch Hội Nông dân", "hoi_nong_dan"),
         ("thanh_vien", "Chủ tịch Hội Liên hiệp Phụ nữ", "hoi_lhpn"),
         ("thanh_vien", "Bí thư Đoàn Thanh niên", "doan_thanh_nien"),
         ("thanh_vien", "Chủ tịch Hội Cựu chiến binh", "hoi_ccb"),
         ("thanh_vien", "Chủ tịch Hội Người cao tuổi", "hoi_nct"),
         ("thanh_vien", "Chủ tịch Liên đoàn Lao động", "lien_doan_lao_dong"))


def _wipe(units: list[Unit]) -> None:
    """The synthetic plans and committees an earlier run left on these units (their rows are append-only: only
    inside ``history_maintenance``)."""
    plans = Plan.objects.filter(number__startswith=PREFIX, unit__in=units)
    committees = SteeringCommittee.objects.filter(unit__in=units, current__decision_number__startswith=PREFIX)
    if not (plans.exists() or committees.exists()):
        return
    with history_maintenance():
        TaskEvent.objects.filter(task__plan__in=plans).delete()
        PlanEvent.objects.filter(plan__in=plans).delete()
        Assignment.objects.filter(task__plan__in=plans).delete()
        Task.objects.filter(plan__in=plans).delete()
        Objective.objects.filter(plan__in=plans).delete()
        plans.delete()
        ids = list(committees.values_list("pk", flat=True))
        SteeringCommittee.objects.filter(pk__in=ids).update(current=None)
        CommitteeMember.objects.filter(version__committee_id__in=ids).delete()
        CommitteeVersion.objects.filter(committee_id__in=ids).delete()
        SteeringCommittee.objects.filter(pk__in=ids).delete()


def _plans(context: GenerateContext, provinces: list[Unit], organisations: dict[str, Organisation]) -> dict[str, int]:
    first, last = context.years[0], context.years[-1]
    kind = PlanKind.objects.get(code="de_an")
    indicators = {i.code: i for i in Indicator.objects.filter(code__in={o[1] for o in OBJECTIVES if o[1]})}
    elements = {e.code: e for e in DataElement.objects.filter(code__in={o[2] for o in OBJECTIVES if o[2]})}
    plans = Plan.objects.bulk_create([
        Plan(kind=kind, number=f"{PREFIX}{p.code}/QĐ-UBND", issued_on=dt.date(first, 3, 1),
             title=f"Nâng cao chất lượng Phong trào toàn dân bảo vệ an ninh Tổ quốc giai đoạn {first}-{last}",
             issuing_unit=p, unit=p, from_year=first, to_year=last, status=PlanStatus.IN_FORCE) for p in provinces])
    objectives: list[Objective] = []
    tasks: list[Task] = []
    for plan, province in zip(plans, provinces, strict=True):
        rng = context.rng("plans", province.code)
        for number, (text, indicator, element, target, scope) in enumerate(OBJECTIVES, start=1):
            measured = indicator in indicators or element in elements
            objectives.append(Objective(
                plan=plan, number=number, text=text, indicator=indicators.get(indicator or ""),
                element=elements.get(element or ""), target=Decimal(target) if measured and target else None,
                scope=scope if measured else Scope.WHOLE, manual_met=(rng.random() < 0.6) if not measured else None))
        for number, text in enumerate(TASKS, start=1):
            due = year_end(min(first + number - 1, last))
            done = due.year < last and rng.random() < 0.8
            tasks.append(Task(plan=plan, number=number, text=text, due_on=due,
                              status=TaskStatus.DONE if done else TaskStatus.IN_PROGRESS,
                              result_note="Đã triển khai" if done else ""))
    Objective.objects.bulk_create(objectives, batch_size=2000)
    Task.objects.bulk_create(tasks, batch_size=2000)
    assignments = [Assignment(task=t, organisation=organisations[code], lead=i == 0)
                   for t in tasks for i, code in enumerate(ASSIGNED) if code in organisations]
    Assignment.objects.bulk_create(assignments, batch_size=5000)
    return {"plans": len(plans), "plan objectives": len(objectives), "plan tasks": len(tasks)}


def _committees(context: GenerateContext, units: list[Unit], organisations: dict[str, Organisation]) -> dict[str, int]:
    first, last = context.years[0], context.years[-1]
    positions = {p.code: p for p in CommitteePosition.objects.all()}
    element = DataElement.objects.filter(code=MEETINGS_ELEMENT).first()
    taken = set(SteeringCommittee.objects.filter(unit__in=units).values_list("unit_id", flat=True))
    counts = {"steering committees": 0, "steering committee versions": 0, "steering committee members": 0}
    free = [u for u in units if u.pk not in taken]  # a unit with a committee of its own keeps it
    for start in range(0, len(free), CHUNK):
        chunk = free[start:start + CHUNK]
        committees = SteeringCommittee.objects.bulk_create([
            SteeringCommittee(unit=u, name=DEFAULT_NAME, meetings_element=element) for u in chunk])
        versions: list[CommitteeVersion] = []
        seats_of: list[tuple[tuple[str, str, str], ...]] = []
        for committee, unit in zip(committees, chunk, strict=True):
            rng = context.rng("committees", unit.code)
            again = len(context.years) > 1 and rng.random() < 0.67
            seats = SEATS[:rng.randint(7, len(SEATS))]
            versions.append(CommitteeVersion(committee=committee, number=1, decision_number=f"{PREFIX}{rng.randint(
                1, 300)}/QĐ-UBND", decided_on=dt.date(first, rng.randint(1, 6), rng.randint(1, 28)),
                issuer=f"Ủy ban nhân dân {unit.name}"))
            seats_of.append(seats)
            if again:
                versions.append(CommitteeVersion(committee=committee, number=2, decision_number=f"{PREFIX}{rng.randint(
                    301, 600)}/QĐ-UBND", decided_on=dt.date(last, rng.randint(1, 6), rng.randint(1, 28)),
                    issuer=f"Ủy ban nhân dân {unit.name}"))
                seats_of.append(SEATS[:min(len(seats) + 1, len(SEATS))])
        CommitteeVersion.objects.bulk_create(versions, batch_size=5000)
        members = [CommitteeMember(version=v, organisation=organisations[org], position=positions[pos],
                                   title=f"{title}", order=i)
                   for v, seats in zip(versions, seats_of, strict=True)
                   for i, (pos, title, org) in enumerate(seats, start=1)]
        CommitteeMember.objects.bulk_create(members, batch_size=5000)
        newest: dict[int, CommitteeVersion] = {}
        for v in versions:
            newest[v.committee_id] = v  # number 2 follows number 1
        for committee in committees:
            committee.current, committee.version = newest[committee.pk], newest[committee.pk].number
        SteeringCommittee.objects.bulk_update(committees, ["current", "version"], batch_size=2000)
        counts["steering committees"] += len(committees)
        counts["steering committee versions"] += len(versions)
        counts["steering committee members"] += len(members)
    return counts


def generate_plans(context: GenerateContext) -> dict[str, int]:
    province_ids = sorted({c.parent_id for c in context.communes if c.parent_id})
    provinces = list(Unit.objects.filter(pk__in=province_ids).order_by("code"))
    units = [*provinces, *context.communes]
    _wipe(units)
    organisations = {o.code: o for o in Organisation.objects.filter(province__isnull=True)}
    counts = {**_plans(context, provinces, organisations), **_committees(context, units, organisations)}
    context.say(f"plans: {counts['plans']} schemes, {counts['steering committees']} steering committees "
                f"({counts['steering committee versions']} compositions)")
    return counts
