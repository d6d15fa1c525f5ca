"""The named actions of the annual report record: an officer saves a slot, the signer issues the report.

Both check the permission on the unit (``reports.write``: the province and commune officers; ``reports.issue``:
whoever signs recognition decisions, ``decisions.record``'s roles), run in one transaction with the
record locked, and write their event row (``REPORTS``) and audit row. A slot's save carries the number of
the slot's revision the page showed: a save from a stale page is refused (``StaleVersion``), never
overwriting the other officer's text; issuing carries the record's version, so a report is never issued
with texts its signer has not seen.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext

from phongtrao.accounts import access
from phongtrao.audit.actions import Actor
from phongtrao.lib.locks import serialise
from phongtrao.lib.vnformat import number as vn_number
from phongtrao.lib.workflow import ActionError, StaleVersion, acting_user
from phongtrao.reports.annual import build_annual
from phongtrao.reports.blocks import SLOT_KEYS
from phongtrao.reports.models import REPORTS, AnnualReport, SlotRevision
from phongtrao.units.models import Kind, Unit

REPORT_KINDS = (Kind.PROVINCE, Kind.COMMUNE)
MAX_SLOT_CHARS = 20_000
MAX_SIGNER_LINES = 4


def frozen(data: dict[str, Any]) -> dict[str, Any]:
    """The figures as JSON stores them (dates as text, decimals as numbers): what an issued report keeps
    and what the live figures are compared in."""
    stored: dict[str, Any] = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    return stored


def _check_unit(unit: Unit) -> None:
    if unit.kind not in REPORT_KINDS:
        raise ActionError(gettext("Báo cáo tổng kết năm được lập cho tỉnh, thành phố hoặc xã, phường."))


def report_for(actor: Actor, unit: Unit, year: int) -> AnnualReport:
    """The record of (unit, year), locked; made (with its first event) when there is none yet. Writers of
    one record queue on its key, so two first saves make one record."""
    serialise(f"reports:annual:{unit.pk}:{year}")
    found = AnnualReport.objects.filter(unit=unit, year=year).values_list("pk", flat=True).first()
    if found is None:
        report = REPORTS.created(AnnualReport(unit=unit, year=year), actor=actor)
        found = report.pk
    return REPORTS.lock(found)


def slot_number(report: AnnualReport | None, slot: str) -> int:
    """How many times ``slot`` was saved (0: never): the version a slot's form carries."""
    if report is None or report.pk is None:
        return 0
    return SlotRevision.objects.filter(report=report, slot=slot).aggregate(n=Max("number"))["n"] or 0


def do_save_slot(actor: Actor, unit: Unit, year: int, slot: str, text: str, *, expected_number: int) -> AnnualReport:
    """Save the officer's text of one slot (situation, shortcomings, lessons, tasks) as a new revision."""
    _check_unit(unit)
    access.require(acting_user(actor), "reports.write", unit, error=ActionError,
                   message=gettext("Bạn không có quyền viết báo cáo tổng kết năm của %(name)s.") % {"name": unit.name})
    if slot not in SLOT_KEYS:
        raise ActionError({"slot": [gettext("Không có phần báo cáo này.")]})
    text = text.replace("\r\n", "\n").strip()
    if len(text) > MAX_SLOT_CHARS:
        raise ActionError({slot: [gettext("Nội dung dài quá %(n)s ký tự.") % {"n": vn_number(MAX_SLOT_CHARS)}]})
    with transaction.atomic():
        report = report_for(actor, unit, year)
        REPORTS.refuse(report, "write")
        current = slot_number(report, slot)
        if current != expected_number:
            raise StaleVersion({slot: [gettext(
                "Phần này của báo cáo vừa được người khác lưu sau khi bạn mở trang; nội dung của bạn chưa được "
                "lưu. Hãy tải lại trang, xem nội dung mới rồi làm lại.")]})
        if report.texts.get(slot, "") == text:
            return report  # nothing changed: no revision, no event
        SlotRevision.objects.create(report=report, slot=slot, number=current + 1, text=text, user=acting_user(actor))
        REPORTS.move(report, "write", actor=actor, changes={"texts": {**report.texts, slot: text}},
                     event_fields={"details": {"slot": slot, "revision": current + 1}})
    return report


def default_signer_lines(unit: Unit) -> list[str]:
    """The signature block of NĐ 30/2020 for the people's committee of ``unit`` (data: the form may change it)."""
    return ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]


def do_issue_report(actor: Actor, unit: Unit, year: int, *, number: str, issued_on: dt.date,
                    signer_lines: Sequence[str], signer_name: str, expected_version: int) -> AnnualReport:
    """Issue the report: its number, date and signer; the figures (and the previous year's) frozen as they
    are now, the slots' texts with them. An issued report changes no more."""
    _check_unit(unit)
    access.require(acting_user(actor), "reports.issue", unit, error=ActionError,
                   message=gettext("Bạn không có quyền ban hành báo cáo tổng kết năm của %(name)s.")
                   % {"name": unit.name})
    errors: dict[str, list[str]] = {}
    number, signer_name = number.strip(), signer_name.strip()
    lines = [line.strip() for line in signer_lines if line.strip()]
    if not number:
        errors["number"] = [gettext("Phải có số báo cáo.")]
    if not signer_name:
        errors["signer_name"] = [gettext("Phải có tên người ký.")]
    if not lines or len(lines) > MAX_SIGNER_LINES:
        errors["signer_lines"] = [gettext("Chức danh người ký có từ 1 đến %(n)s dòng.") % {"n": MAX_SIGNER_LINES}]
    if issued_on.year < year:
        errors["issued_on"] = [gettext("Báo cáo năm %(year)s không thể ban hành trước năm đó.") % {"year": year}]
    with transaction.atomic():
        report = report_for(actor, unit, year)
        REPORTS.refuse(report, "issue", expected_version)
        if errors:
            raise ActionError(errors)
        report.unit = unit
        figures, previous = frozen(build_annual(unit, year)), frozen(build_annual(unit, year - 1))
        REPORTS.move(report, "issue", actor=actor, expected_version=expected_version,
                     changes={"number": number[:40], "issued_on": issued_on, "signer_lines": lines,
                              "signer_name": signer_name[:120], "figures": figures, "previous_figures": previous})
    return report
