"""Recognitions that follow a named change of their unit (``units.changes``: merge, split, rename, move).

The rule (``RULE``, shown before the change is confirmed): a recognition of the change's year not yet decided
(from "not registered" to "under review") goes to the unit's primary successor, unless that unit already has a
recognition of the year; when several merged units have one, the most advanced (then the lowest unit code)
goes, the others stay on their old units. Decided, withdrawn and earlier years' records never move. Each move
is an event of the recognition (``carry``) and an audit row, with a note naming the change."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

from phongtrao.audit.actions import Actor, record
from phongtrao.recognition.models import RECOGNITIONS, Recognition, Status
from phongtrao.units.models import Unit

IN_PROGRESS = (Status.NOT_REGISTERED, Status.REGISTERED, Status.SELF_ASSESSED, Status.SUBMITTED, Status.UNDER_REVIEW)
RULE = gettext_lazy(
    "Tiêu chuẩn ANTT: hồ sơ của năm thay đổi chưa có quyết định (từ “Chưa đăng ký” đến “Đang thẩm định”) chuyển "
    "sang đơn vị kế thừa chính, nếu đơn vị đó chưa có hồ sơ năm đó; nhiều hồ sơ thì hồ sơ tiến xa nhất chuyển, "
    "các hồ sơ khác ở lại đơn vị cũ. Hồ sơ đã quyết định và các năm trước không chuyển.")


def carry_recognitions(actor: Actor, pairs: list[tuple[Unit, Unit]], year: int, what: str) -> list[str]:
    successor = {old.pk: new for old, new in pairs}
    recs = list(Recognition.objects.select_for_update().filter(unit_id__in=list(successor), year=year,
                                                               status__in=IN_PROGRESS).select_related("unit"))
    taken = set(Recognition.objects.filter(unit_id__in=[n.pk for n in successor.values()], year=year)
                .values_list("unit_id", flat=True))
    recs.sort(key=lambda r: (-IN_PROGRESS.index(r.status), r.unit.code))
    notes = []
    for rec in recs:
        old, new = rec.unit, successor[rec.unit_id]
        values = {"year": year, "old": old.name, "new": new.name, "what": what}
        if new.pk in taken:
            notes.append(gettext("Hồ sơ tiêu chuẩn ANTT năm %(year)s của %(old)s ở lại đơn vị cũ (%(new)s đã có hồ "
                                 "sơ năm này).") % values)
            continue
        before = rec.snapshot()
        rec.unit, rec.version = new, rec.version + 1
        rec.save(update_fields=["unit", "version", "updated_at"])
        note = gettext("Hồ sơ tiêu chuẩn ANTT năm %(year)s chuyển từ %(old)s sang %(new)s (%(what)s).") % values
        RECOGNITIONS.note(rec, "carry", actor=actor, details={"from_unit_id": old.pk, "note": note})
        record(actor, "recognition.carry", rec, unit=new, before=before, after=rec.snapshot())
        taken.add(new.pk)
        notes.append(note)
    return notes
