"""The ANTT standard ("An toàn về an ninh, trật tự", TT 124/2021/TT-BCA amended by TT 48/2025/TT-BCA).

- ``CriteriaSet`` / ``Criterion``: the criteria as versioned data (kinds, legal basis,
  effective date; a province may add its own set on top of the national one).
- ``Recognition``: one record per unit and year (a database constraint), moving through
  ``Status`` only by the named actions in ``phongtrao.recognition.actions``.
- ``RecognitionEvent``: the append-only history of those moves (and of imported results).

Only units, decisions and aggregate answers live here: the one person named is the
official who signed a decision (DOMAIN.md §2).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, Self, cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from phongtrao.audit.models import Channel
from phongtrao.lib.workflow import Transition, Workflow, WorkflowEvent
from phongtrao.units.models import Kind, ManagingLevel, Unit, UnitAncestor

# --- criteria -----------------------------------------------------------------------------------


class CriterionType(models.TextChoices):
    YES_NO = "yes_no", gettext_lazy("Có/Không")
    NO_EVENT = "no_event", gettext_lazy("Không để xảy ra (số vụ phải bằng 0)")
    PERCENT_THRESHOLD = "percent_threshold", gettext_lazy("Tỷ lệ đạt ngưỡng")
    AT_LEAST_N = "at_least_n", gettext_lazy("Có ít nhất N")
    NOT_WORSE = "not_worse", gettext_lazy("Không tăng so với năm trước")
    SHARE_RECOGNISED = "share_recognised", gettext_lazy("Tỷ lệ khu dân cư được công nhận")


class Derivation(models.TextChoices):
    """Where an answer may come from when the checklist leaves it empty."""

    NONE = "", gettext_lazy("Do đơn vị trả lời")
    HOUSEHOLDS_COMMITTED = "households_committed", gettext_lazy("Số hộ ký cam kết / tổng số hộ")


class CriteriaSetQuerySet(models.QuerySet["CriteriaSet"]):
    def effective_on(self, day: dt.date) -> Self:
        return self.filter(
            Q(effective_from__lte=day),
            Q(effective_to__isnull=True) | Q(effective_to__gte=day),
        )

    def for_unit(self, unit: Unit, day: dt.date) -> list[CriteriaSet]:
        """The sets that apply to ``unit`` on ``day``: the newest national set for its kind,
        then every set its province added (few rows: the kind test is done in Python)."""
        return self.for_units([unit], lambda _unit: day)[unit.pk]

    def for_units(self, units: Sequence[Unit], day_of: Callable[[Unit], dt.date]) -> dict[int, list[CriteriaSet]]:
        """``for_unit`` for many units, each on its own day (``day_of``): one query for the units'
        provinces and one per distinct day (a bulk action's units share one or two)."""
        provinces: dict[int, set[int]] = {u.pk: set() for u in units}
        for start in range(0, len(units), 900):
            links = UnitAncestor.objects.filter(unit_id__in=[u.pk for u in units[start:start + 900]],
                                                ancestor__kind=Kind.PROVINCE).values_list("unit_id", "ancestor_id")
            for unit_id, province_id in links:
                provinces[unit_id].add(province_id)
        every_province = set().union(*provinces.values()) if provinces else set()
        by_day: dict[dt.date, list[CriteriaSet]] = {}
        out: dict[int, list[CriteriaSet]] = {}
        for unit in units:
            day = day_of(unit)
            if day not in by_day:
                by_day[day] = list(self.effective_on(day)
                                   .filter(Q(province__isnull=True) | Q(province_id__in=every_province))
                                   .order_by("-effective_from", "pk"))
            candidates = [s for s in by_day[day] if unit.kind in s.kinds
                          and (s.province_id is None or s.province_id in provinces[unit.pk])]
            national = [s for s in candidates if s.province_id is None][:1]
            added = [s for s in candidates if s.province_id is not None]
            out[unit.pk] = national + sorted(added, key=lambda s: (s.effective_from, s.pk))
        return out


class CriteriaSet(models.Model):
    code = models.SlugField("Mã bộ tiêu chí", max_length=60, unique=True)
    name = models.CharField("Tên bộ tiêu chí", max_length=255)
    # Unit kinds the set applies to (a few keys of ``Kind``); agencies and enterprises share one.
    kinds = models.JSONField("Loại đơn vị áp dụng", default=list)
    legal_basis = models.CharField("Căn cứ pháp lý", max_length=255)
    effective_from = models.DateField("Áp dụng từ")
    effective_to = models.DateField("Áp dụng đến", null=True, blank=True)
    # Where the law is uncertain (a date not checked against the gazette, a paraphrase), the set says so.
    note = models.TextField("Ghi chú", blank=True, default="")
    # Empty for a national set; a province for the criteria that province added.
    province = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="Tỉnh bổ sung", limit_choices_to={"kind": Kind.PROVINCE})

    objects = CriteriaSetQuerySet.as_manager()

    class Meta:
        verbose_name = "bộ tiêu chí"
        verbose_name_plural = "bộ tiêu chí"
        ordering = ["effective_from", "code"]

    def __str__(self) -> str:
        return self.name


class Criterion(models.Model):
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria",
                                     verbose_name="Bộ tiêu chí")
    order = models.PositiveSmallIntegerField("Thứ tự")
    code = models.SlugField("Mã tiêu chí", max_length=60)
    text = models.TextField("Nội dung")
    type = models.CharField("Cách đánh giá", max_length=20, choices=CriterionType.choices)
    # percent_threshold: a percentage (100 = all); at_least_n: N; share_recognised: a percentage,
    # empty = the RECOGNITION_COMMUNE_MIN_SHARE setting.
    threshold = models.DecimalField("Ngưỡng", max_digits=6, decimal_places=2, null=True, blank=True)
    derived_from = models.CharField("Tự tính từ", max_length=30, choices=Derivation.choices, blank=True,
                                    default=Derivation.NONE)

    class Meta:
        verbose_name = "tiêu chí"
        verbose_name_plural = "tiêu chí"
        ordering = ["criteria_set", "order"]
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="criterion_code_unique"),
            models.UniqueConstraint(fields=["criteria_set", "order"], name="criterion_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text}"

    @property
    def key(self) -> str:
        """Stable key of the criterion in a checklist: set code and criterion code."""
        return f"{self.criteria_set.code}/{self.code}"


def share_threshold() -> Decimal:
    return Decimal(str(settings.PHONGTRAO.get("RECOGNITION_COMMUNE_MIN_SHARE", 70)))


def needed_for_share(total: int, percent: Decimal) -> int:
    """Residential areas that must be recognised: ``percent`` of ``total``, rounded up (25 at 70% -> 18)."""
    return math.ceil(Decimal(total) * percent / Decimal(100))


# --- the yearly cycle ---------------------------------------------------------------------------


class Status(models.TextChoices):
    NOT_REGISTERED = "not_registered", gettext_lazy("Chưa đăng ký")
    REGISTERED = "registered", gettext_lazy("Đã đăng ký")
    SELF_ASSESSED = "self_assessed", gettext_lazy("Đã tự đánh giá")
    SUBMITTED = "submitted", gettext_lazy("Đã gửi hồ sơ")
    UNDER_REVIEW = "under_review", gettext_lazy("Đang thẩm định")
    RECOGNISED = "recognised", gettext_lazy("Đạt")
    NOT_RECOGNISED = "not_recognised", gettext_lazy("Chưa đạt")
    WITHDRAWN = "withdrawn", gettext_lazy("Đã rút/thu hồi")


# Statuses that count as "registered" in the yearly figures: registered or has a result.
REGISTERED_STATUSES = (
    Status.REGISTERED, Status.SELF_ASSESSED, Status.SUBMITTED, Status.UNDER_REVIEW,
    Status.RECOGNISED, Status.NOT_RECOGNISED,
)
IN_PROGRESS_STATUSES = (Status.REGISTERED, Status.SELF_ASSESSED, Status.SUBMITTED, Status.UNDER_REVIEW)
DECIDED_STATUSES = (Status.RECOGNISED, Status.NOT_RECOGNISED)

# The yearly cycle (``phongtrao.lib.workflow``): each move, the statuses it may start from, where it leads.
TRANSITIONS = [
    Transition("register", (Status.NOT_REGISTERED,), Status.REGISTERED, gettext_noop("đăng ký")),
    Transition("self_assess", (Status.REGISTERED, Status.SELF_ASSESSED), Status.SELF_ASSESSED,
               gettext_noop("tự đánh giá")),
    Transition("submit", (Status.SELF_ASSESSED,), Status.SUBMITTED, gettext_noop("gửi hồ sơ")),
    Transition("start_review", (Status.SUBMITTED,), Status.UNDER_REVIEW, gettext_noop("thẩm định")),
    Transition("decide", (Status.UNDER_REVIEW,), DECIDED_STATUSES, gettext_noop("ra quyết định công nhận")),
    Transition("withdraw", (*REGISTERED_STATUSES,), Status.WITHDRAWN, gettext_noop("rút/thu hồi"),
               requires_reason=True),
    # An imported result sets the status the file gives, from any status (INTERCHANGE.md).
    Transition("import", tuple(Status.values), None, gettext_noop("nhập kết quả")),
]


def _month_day(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


def recognition_windows() -> dict[str, list[str]]:
    """Setting ``RECOGNITION_WINDOWS``: per unit kind (and ``default``), the ["MM-DD", "MM-DD"] period."""
    # cast: mypy infers settings.PHONGTRAO as dict[str, object].
    return cast(dict[str, list[str]], settings.PHONGTRAO["RECOGNITION_WINDOWS"])


def evaluation_window(kind: str, year: int) -> tuple[dt.date, dt.date]:
    """The assessment period of ``year`` for a unit kind (both ends inclusive).

    Residential areas: 1 Nov of the previous year to 31 Oct; the others: 16 Nov to 15 Nov
    (setting ``RECOGNITION_WINDOWS``).
    """
    windows = recognition_windows()
    start, end = windows.get(kind, windows["default"])
    sm, sd = _month_day(start)
    em, ed = _month_day(end)
    return dt.date(year - 1, sm, sd), dt.date(year, em, ed)


class RecognitionQuerySet(models.QuerySet["Recognition"]):
    def for_year(self, year: int) -> Self:
        return self.filter(year=year)

    def passed(self) -> Self:
        return self.filter(status=Status.RECOGNISED)

    def registered(self) -> Self:
        return self.filter(status__in=REGISTERED_STATUSES)

    def in_progress(self) -> Self:
        return self.filter(status__in=IN_PROGRESS_STATUSES)

    def in_subtree(self, root: Unit | int) -> Self:
        root_id = root if isinstance(root, int) else root.pk
        return self.filter(unit__ancestor_links__ancestor_id=root_id)

    def overdue(self, today: dt.date) -> Self:
        """Registered but not decided although the unit kind's evaluation window has ended.

        One condition per kind: the latest year whose window ended before ``today``.
        """
        condition = Q(pk__in=[])
        windows = recognition_windows()
        for kind in (Kind.RESIDENTIAL_AREA, Kind.COMMUNE, Kind.AGENCY, Kind.ENTERPRISE, Kind.SCHOOL):
            month, day = _month_day(windows.get(kind, windows["default"])[1])
            last_closed = today.year if today > dt.date(today.year, month, day) else today.year - 1
            condition |= Q(unit__kind=kind, year__lte=last_closed)
        return self.in_progress().filter(condition)


class Recognition(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="recognitions", verbose_name="Đơn vị")
    year = models.PositiveSmallIntegerField("Năm")
    status = models.CharField("Trạng thái", max_length=20, choices=Status.choices, default=Status.NOT_REGISTERED)
    registered_on = models.DateField("Ngày đăng ký", null=True, blank=True)
    households_committed = models.PositiveIntegerField("Số hộ ký cam kết", null=True, blank=True)
    # Self-assessment: the checklist (one answer per criterion) and the review meeting.
    answers = models.JSONField("Kết quả tự đánh giá", default=list, blank=True)
    checklist_met = models.BooleanField("Đạt đủ tiêu chí (tự đánh giá)", null=True, blank=True)
    review_meeting_on = models.DateField("Ngày họp bình xét", null=True, blank=True)
    submitted_on = models.DateField("Ngày gửi hồ sơ", null=True, blank=True)
    review_started_on = models.DateField("Ngày bắt đầu thẩm định", null=True, blank=True)
    # The decision (for a result): its number, date, the official who signed it and the authority.
    decision_no = models.CharField("Số quyết định", max_length=60, blank=True)
    decision_date = models.DateField("Ngày quyết định", null=True, blank=True)
    signer_name = models.CharField("Người ký", max_length=120, blank=True)
    authority_level = models.CharField("Cấp có thẩm quyền", max_length=10, choices=ManagingLevel.choices,
                                       blank=True)
    authority = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="UBND ra quyết định")
    withdrawn_reason = models.TextField("Lý do rút/thu hồi", blank=True)
    withdrawn_on = models.DateField("Ngày rút/thu hồi", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RecognitionQuerySet.as_manager()

    class Meta:
        verbose_name = "kết quả tiêu chuẩn ANTT"
        verbose_name_plural = "kết quả tiêu chuẩn ANTT"
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="recognition_one_per_unit_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="recognition_year_range"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="recognition_status_valid"),
        ]
        indexes = [
            # The yearly figures read only this index: a subtree probes it by (year, unit), the
            # whole country scans the year's slice in unit order (recognition.figures).
            models.Index(fields=["year", "unit", "status"], name="recognition_figures_idx"),
            models.Index(fields=["year", "status"], name="recognition_year_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.year}"

    @property
    def is_decided(self) -> bool:
        return self.status in DECIDED_STATUSES

    def window(self) -> tuple[dt.date, dt.date]:
        return evaluation_window(self.unit.kind, self.year)

    def snapshot(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in ("unit_id", "year", "status", "registered_on", "households_committed", "checklist_met",
                     "review_meeting_on", "submitted_on", "review_started_on", "decision_no", "decision_date",
                     "signer_name", "authority_level", "authority_id", "withdrawn_reason", "withdrawn_on"):
            value = getattr(self, name)
            data[name] = value.isoformat() if isinstance(value, dt.date) else value
        return data


# Where a move came from: the audit trail's channels (web, api, import, command, system).
EventSource = Channel


class RecognitionEvent(WorkflowEvent):
    """One move of a recognition (append-only: never updated, never deleted)."""

    recognition = models.ForeignKey(Recognition, on_delete=models.PROTECT, related_name="events",
                                    verbose_name="Kết quả")
    from_status = models.CharField("Từ trạng thái", max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField("Sang trạng thái", max_length=20, choices=Status.choices)
    source = models.CharField("Nguồn", max_length=10, choices=EventSource.choices)

    class Meta(WorkflowEvent.Meta):
        verbose_name = "lịch sử tiêu chuẩn ANTT"
        verbose_name_plural = "lịch sử tiêu chuẩn ANTT"

    def __str__(self) -> str:
        return f"{self.recognition}: {self.from_status or '—'} → {self.to_status}"


def _describe(rec: Recognition) -> str:
    return gettext("hồ sơ năm %(year)s của %(name)s") % {"year": rec.year, "name": rec.unit.name}


def _stale(rec: Recognition) -> str:
    return gettext("Hồ sơ năm %(year)s của %(name)s vừa được người khác cập nhật sau khi bạn mở trang; thay đổi "
                   "của bạn chưa được lưu. Hãy xem lại rồi làm lại.") % {"year": rec.year, "name": rec.unit.name}


RECOGNITIONS = Workflow(
    "recognition", Recognition, Status, RecognitionEvent, event_parent="recognition", transitions=TRANSITIONS,
    describe=_describe, stale=_stale, missing=gettext_noop("Không tìm thấy hồ sơ tiêu chuẩn ANTT."),
    locking=lambda: Recognition.objects.select_for_update().select_related("unit"),
)

