"""Steering committees (Ban Chỉ đạo, historically "138", then "09"): the named actions and the reads.

A unit (the country, a province or a commune) has one committee. ``do_constitute`` records its constituting
decision and members (version 1); ``do_reconstitute`` records a yearly re-constitution (kiện toàn) as a NEW
version (the old one is never edited: ``CommitteeVersion`` and ``CommitteeMember`` are append-only, and a
trigger guards them on PostgreSQL). A re-constitution carries the version it read: a stale one is refused
(``StaleVersion``), so two officers re-constituting at once cannot both win; the committee row is locked and
``(committee, number)`` is unique.

A member is a participating organisation (``Organisation``), a position of the catalogue (``CommitteePosition``)
and the title as on the decision, optionally the official's name as on the decision; nothing else about a
person. Who acts: ``plans.committees`` on the unit (capture scope).

The meetings count is the yearly value of a data element of ``phongtrao.datasets`` (``hop_ban_chi_dao``, "Số
cuộc họp Ban Chỉ đạo") entered for the committee's own unit (not summed over the subtree: a commune's meetings
are not the province committee's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils.translation import gettext

from phongtrao.accounts import access
from phongtrao.audit.actions import Actor, record
from phongtrao.datasets.models import DataElement, DataValue
from phongtrao.lib.periods import Period, PeriodType, year_end
from phongtrao.lib.workflow import ActionError, StaleVersion, acting_user
from phongtrao.plans.models import (
    CommitteeMember,
    CommitteePosition,
    CommitteeVersion,
    Organisation,
    SteeringCommittee,
)
from phongtrao.units.models import Kind, Unit

MEETINGS_ELEMENT = "hop_ban_chi_dao"
HEAD = "truong_ban"
DEFAULT_NAME = "Ban Chỉ đạo Phong trào toàn dân bảo vệ an ninh Tổ quốc"
MAX_MEMBERS = 200

__all__ = ["CompositionData", "MemberData", "committee_line", "do_constitute", "do_reconstitute", "meetings"]


@dataclass
class MemberData:
    organisation: Organisation
    position: CommitteePosition
    title: str
    official_name: str = ""


@dataclass
class CompositionData:
    """What the constitute / re-constitute form, an import or the demo gives: the decision and the members."""

    decision_number: str
    decided_on: dt.date
    issuer: str
    members: Sequence[MemberData] = field(default_factory=list)
    note: str = ""

    def errors(self, unit: Unit) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        self.decision_number = " ".join(self.decision_number.split())
        self.issuer = " ".join(self.issuer.split())
        self.note = self.note.strip()
        if not self.decision_number:
            errors["decision_number"] = [gettext("Nhập số quyết định.")]
        elif len(self.decision_number) > 60:
            errors["decision_number"] = [gettext("Số quyết định dài quá 60 ký tự.")]
        if not self.issuer:
            errors["issuer"] = [gettext("Nhập cơ quan ban hành quyết định.")]
        elif len(self.issuer) > 255:
            errors["issuer"] = [gettext("Tên cơ quan ban hành dài quá 255 ký tự.")]
        members = []
        for m in self.members:
            m.title, m.official_name = " ".join(m.title.split()), " ".join(m.official_name.split())
            members.append(m)
        self.members = members
        if not members:
            errors["members"] = [gettext("Nhập ít nhất một thành viên.")]
        elif len(members) > MAX_MEMBERS:
            errors["members"] = [gettext("Nhiều nhất %(n)s thành viên.") % {"n": MAX_MEMBERS}]
        elif sum(1 for m in members if m.position.code == HEAD) != 1:
            errors["members"] = [gettext("Ban Chỉ đạo có đúng một Trưởng ban.")]
        elif any(not m.title or len(m.title) > 255 for m in members):
            errors["members"] = [gettext("Mỗi thành viên phải có chức vụ (tối đa 255 ký tự).")]
        elif any(len(m.official_name) > 120 for m in members):
            errors["members"] = [gettext("Họ tên dài quá 120 ký tự.")]
        province = _province_id(unit)
        if any(m.organisation.province_id not in (None, province) for m in members):
            errors["members"] = [gettext("Cơ quan, tổ chức phải thuộc danh mục chung hoặc của tỉnh.")]
        return errors


def _province_id(unit: Unit) -> int | None:
    if unit.kind == Kind.PROVINCE:
        return unit.pk
    found = Unit.objects.filter(descendant_links__unit=unit, kind=Kind.PROVINCE).values_list("pk", flat=True).first()
    return found


def _require(actor: Actor, unit: Unit) -> None:
    access.require(acting_user(actor), "plans.committees", unit, error=ActionError,
                   message=gettext("Bạn không có quyền thành lập, kiện toàn Ban Chỉ đạo của %(name)s.")
                   % {"name": unit.name})


def _add_version(actor: Actor, committee: SteeringCommittee, number: int, data: CompositionData) -> CommitteeVersion:
    user = acting_user(actor)
    version = CommitteeVersion(committee=committee, number=number, decision_number=data.decision_number,
                               decided_on=data.decided_on, issuer=data.issuer, note=data.note,
                               user=user if user is not None and user.pk else None)
    version.save()
    CommitteeMember.objects.bulk_create([
        CommitteeMember(version=version, organisation=m.organisation, position=m.position, title=m.title,
                        official_name=m.official_name, order=i) for i, m in enumerate(data.members, start=1)])
    committee.current, committee.version = version, number
    committee.save(update_fields=["current", "version"])
    record(actor, "steering_committee.constitute" if number == 1 else "steering_committee.reconstitute", version,
           unit=committee.unit, before=None,
           after={**version.snapshot(), "members": [{"organisation_id": m.organisation.pk, "position_id": m.position.pk,
                                                     "title": m.title, "official_name": m.official_name}
                                                    for m in data.members]})
    return version


def do_constitute(actor: Actor, unit: Unit, data: CompositionData, *, name: str = "") -> SteeringCommittee:
    """The committee of ``unit`` and its first composition (refused when the unit already has one: re-constitute
    it instead)."""
    _require(actor, unit)
    errors = data.errors(unit)
    if unit.kind not in (Kind.COUNTRY, Kind.PROVINCE, Kind.COMMUNE):
        errors["unit"] = [gettext("Ban Chỉ đạo được thành lập ở cấp tỉnh, xã (hoặc cả nước).")]
    name = " ".join(name.split()) or DEFAULT_NAME
    if len(name) > 255:
        errors["name"] = [gettext("Tên Ban Chỉ đạo dài quá 255 ký tự.")]
    if SteeringCommittee.objects.filter(unit=unit).exists():
        errors["unit"] = [gettext("%(name)s đã có Ban Chỉ đạo: hãy kiện toàn Ban Chỉ đạo đó.") % {"name": unit.name}]
    if errors:
        raise ActionError(errors)
    try:
        with transaction.atomic():
            committee = SteeringCommittee.objects.create(
                unit=unit, name=name, meetings_element=DataElement.objects.filter(code=MEETINGS_ELEMENT).first())
            _add_version(actor, committee, 1, data)
    except IntegrityError as exc:  # another officer constituted it at the same moment
        raise StaleVersion(gettext("Ban Chỉ đạo của %(name)s vừa được người khác thành lập; hãy tải lại trang.")
                           % {"name": unit.name}) from exc
    return committee


def do_reconstitute(actor: Actor, pk: int, data: CompositionData, *, expected_version: int | None,
                    ) -> CommitteeVersion:
    """A new composition (kiện toàn) of the committee; refused if someone re-constituted it after
    ``expected_version`` was read, or if its decision is dated before the current one's."""
    with transaction.atomic():
        committee = (SteeringCommittee.objects.select_for_update(of=("self",)).select_related("unit", "current")
                     .filter(pk=pk).first())
        if committee is None:
            raise ActionError(gettext("Không tìm thấy Ban Chỉ đạo."))
        _require(actor, committee.unit)
        if expected_version is not None and expected_version != committee.version:
            raise StaleVersion(gettext("Ban Chỉ đạo vừa được người khác kiện toàn sau khi bạn mở trang; thay đổi của "
                                       "bạn chưa được lưu. Hãy tải lại trang rồi làm lại."))
        errors = data.errors(committee.unit)
        if committee.current is not None and data.decided_on < committee.current.decided_on:
            errors["decided_on"] = [gettext("Quyết định kiện toàn không được trước quyết định hiện hành (%(day)s).")
                                    % {"day": f"{committee.current.decided_on:%d/%m/%Y}"}]
        if errors:
            raise ActionError(errors)
        return _add_version(actor, committee, committee.version + 1, data)


# --- reads ---------------------------------------------------------------------------------------------


def meetings(committee: SteeringCommittee, years: Sequence[int]) -> dict[int, Decimal]:
    """{year: meetings} of the committee's unit (one grouped query for all the years)."""
    if committee.meetings_element_id is None or not years:
        return {}
    periods = {Period.year_of(y).id: y for y in years}
    rows = (DataValue.objects.filter(unit_id=committee.unit_id, element_id=committee.meetings_element_id,
                                     period_type=PeriodType.YEAR.value, period__in=list(periods),
                                     value__isnull=False)
            .values("period").annotate(total=Sum("value")).order_by())
    return {periods[r["period"]]: r["total"] for r in rows}


def committee_line(root: Unit, year: int) -> dict[str, Any] | None:
    """The unit's committee as it stood on 31 December of ``year`` (the newest composition decided by then), its
    members and the year's meetings: ONE query. None when the unit had no committee then."""
    meetings_value = (DataValue.objects.filter(unit_id=OuterRef("committee__unit_id"),
                                               element_id=OuterRef("committee__meetings_element_id"),
                                               period_type=PeriodType.YEAR.value, period=Period.year_of(year).id,
                                               value__isnull=False)
                      .values("unit_id").annotate(total=Sum("value")).values("total")[:1])
    found = (CommitteeVersion.objects.filter(committee__unit=root, decided_on__lte=year_end(year))
             .annotate(member_count=Count("members"), meetings=Subquery(meetings_value))
             .order_by("-number").values("number", "decision_number", "decided_on", "issuer", "member_count",
                                         "meetings", "committee__name").first())
    if found is None:
        return None
    day: dt.date = found["decided_on"]
    verb = "được kiện toàn" if found["number"] > 1 else "được thành lập"
    sentence = (f"{found['committee__name']} {verb} theo Quyết định số {found['decision_number']} ngày "
                f"{day:%d/%m/%Y} của {found['issuer']}, gồm {found['member_count']} thành viên")
    if found["meetings"] is not None:
        sentence += f"; năm {year} họp {int(found['meetings'])} cuộc"
    return {"name": found["committee__name"], "version": found["number"],
            "decision_number": found["decision_number"], "decided_on": day.isoformat(), "issuer": found["issuer"],
            "members": found["member_count"],
            "meetings": int(found["meetings"]) if found["meetings"] is not None else None,
            "sentence": sentence + "."}
