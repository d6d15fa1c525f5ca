"""Movement classification (xếp loại phong trào toàn dân bảo vệ ANTQ, QĐ 510/QĐ-BCA-V05), as data:

- ``Scorecard``: a versioned set of criteria per kind of unit (residential area, commune, agency/enterprise,
  school), with its legal basis, effective dates, what is uncertain about it, the level cut-offs (Xuất sắc / Khá /
  Trung bình / Yếu) and the deadline to send the self-scoring; national (seeded by migration 0002) or a province's
  own (``based_on`` a national one: items added or re-weighted, the total kept at 100).
- ``ScorecardSection`` / ``ScorecardCriterion``: the criteria grouped in sections, each with its standard points, a
  description and optionally an automatic suggestion from data the system has (``Suggestion``).
- ``Classification``: one unit's year, moved through ``CLASSIFICATIONS`` (scoring → submitted → reviewed →
  classified, returned with a reason); ``Score``: the points of one criterion (self-scored, then as reviewed with the
  reviewer's reason); ``ClassificationEvent``: the append-only history (every adjustment with its reason).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Self

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from phongtrao.audit.models import Channel
from phongtrao.lib.workflow import Transition, Workflow, WorkflowEvent
from phongtrao.units.models import Kind, Unit

TOTAL_POINTS = 100


class CardKind(models.TextChoices):
    RESIDENTIAL_AREA = "residential_area", gettext_lazy("Khu dân cư")
    COMMUNE = "commune", gettext_lazy("Xã, phường, đặc khu")
    ORGANISATION = "organisation", gettext_lazy("Cơ quan, doanh nghiệp")
    SCHOOL = "school", gettext_lazy("Cơ sở giáo dục")


# Which scorecard a unit of each kind is scored on.
CARD_KIND_OF = {Kind.RESIDENTIAL_AREA: CardKind.RESIDENTIAL_AREA, Kind.COMMUNE: CardKind.COMMUNE,
                Kind.AGENCY: CardKind.ORGANISATION, Kind.ENTERPRISE: CardKind.ORGANISATION,
                Kind.SCHOOL: CardKind.SCHOOL}
SCORED_KINDS = tuple(CARD_KIND_OF)


class Level(models.TextChoices):
    EXCELLENT = "excellent", gettext_lazy("Xuất sắc")
    GOOD = "good", gettext_lazy("Khá")
    AVERAGE = "average", gettext_lazy("Trung bình")
    WEAK = "weak", gettext_lazy("Yếu")


LEVELS = tuple(Level.values)


class Suggestion(models.TextChoices):
    NONE = "", gettext_lazy("Không (đơn vị tự chấm)")
    REGISTERED_Q1 = "registered_q1", gettext_lazy("Đăng ký xây dựng tiêu chuẩn “An toàn về ANTT” trong quý I")
    RECOGNISED = "recognised", gettext_lazy("Được công nhận “An toàn về ANTT” trong năm")
    ELEMENT_YES = "element_yes", gettext_lazy("Có số liệu “có” ở chỉ tiêu (ví dụ đã tổ chức Ngày hội)")
    EFFECTIVE_MODEL = "effective_model", gettext_lazy("Có mô hình được đánh giá hiệu quả")
    ELEMENT_SHARE = "element_share", gettext_lazy("Tỷ lệ từ chỉ tiêu (số hộ, tỷ lệ cán bộ tham gia)")


class ScorecardQuerySet(models.QuerySet["Scorecard"]):
    def in_force(self, day: dt.date) -> Self:
        return self.filter(Q(effective_from__lte=day), Q(effective_to__isnull=True) | Q(effective_to__gte=day))


class Scorecard(models.Model):
    """One version of the criteria a kind of unit is scored on. ``excellent_from`` / ``good_from`` /
    ``average_from``: the least points of each level (below ``average_from``: Yếu). ``deadline_month`` /
    ``deadline_day``: the self-scoring must be sent before that day of the year; sent on or after it, the unit is
    flagged late."""

    code = models.SlugField("Mã", max_length=60, unique=True)
    name = models.CharField("Tên", max_length=255)
    kind = models.CharField("Loại đơn vị", max_length=20, choices=CardKind.choices)
    province = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="Tỉnh/Thành phố")
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="Theo bảng điểm")
    legal_basis = models.TextField("Căn cứ pháp lý")
    effective_from = models.DateField("Hiệu lực từ")
    effective_to = models.DateField("Hiệu lực đến", null=True, blank=True)
    note = models.TextField("Ghi chú, điểm chưa chắc chắn", blank=True)
    excellent_from = models.PositiveSmallIntegerField("Xuất sắc từ (điểm)")
    good_from = models.PositiveSmallIntegerField("Khá từ (điểm)")
    average_from = models.PositiveSmallIntegerField("Trung bình từ (điểm)")
    deadline_month = models.PositiveSmallIntegerField("Hạn gửi: tháng")
    deadline_day = models.PositiveSmallIntegerField("Hạn gửi: trước ngày")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScorecardQuerySet.as_manager()

    class Meta:
        verbose_name = "bảng điểm xếp loại phong trào"
        verbose_name_plural = "bảng điểm xếp loại phong trào"
        ordering = ["kind", "province_id", "-effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CardKind.values), name="class_card_kind_valid"),
            models.CheckConstraint(condition=Q(excellent_from__gt=models.F("good_from"),
                                               good_from__gt=models.F("average_from"),
                                               excellent_from__lte=TOTAL_POINTS),
                                   name="class_card_cutoffs_ordered"),
            models.CheckConstraint(condition=Q(deadline_month__gte=1, deadline_month__lte=12, deadline_day__gte=1,
                                               deadline_day__lte=31), name="class_card_deadline_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def level_for(self, points: int) -> str:
        """The level ``points`` reach under this version's cut-offs."""
        if points >= self.excellent_from:
            return Level.EXCELLENT
        if points >= self.good_from:
            return Level.GOOD
        if points >= self.average_from:
            return Level.AVERAGE
        return Level.WEAK

    def deadline(self, year: int) -> dt.date:
        return dt.date(year, self.deadline_month, self.deadline_day)

    def snapshot(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "kind": self.kind, "province_id": self.province_id,
                "based_on_id": self.based_on_id, "legal_basis": self.legal_basis,
                "effective_from": self.effective_from.isoformat(),
                "effective_to": self.effective_to.isoformat() if self.effective_to else None, "note": self.note,
                "cutoffs": [self.excellent_from, self.good_from, self.average_from],
                "deadline": [self.deadline_day, self.deadline_month]}


class ScorecardSection(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="sections",
                                  verbose_name="Bảng điểm")
    order = models.PositiveSmallIntegerField("Thứ tự")
    title = models.CharField("Nhóm tiêu chí", max_length=255)

    class Meta:
        verbose_name = "nhóm tiêu chí"
        verbose_name_plural = "nhóm tiêu chí"
        ordering = ["scorecard_id", "order"]
        constraints = [models.UniqueConstraint(fields=["scorecard", "order"], name="class_section_unique")]

    def __str__(self) -> str:
        return self.title


class ScorecardCriterion(models.Model):
    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="criteria",
                                  verbose_name="Bảng điểm")
    section = models.ForeignKey(ScorecardSection, on_delete=models.CASCADE, related_name="criteria",
                                verbose_name="Nhóm tiêu chí")
    code = models.SlugField("Mã", max_length=40)
    order = models.PositiveSmallIntegerField("Thứ tự")
    text = models.CharField("Tiêu chí", max_length=500)
    description = models.TextField("Cách chấm", blank=True)
    points = models.PositiveSmallIntegerField("Điểm chuẩn")
    suggestion = models.CharField("Gợi ý tự động", max_length=20, choices=Suggestion.choices, blank=True)
    element_code = models.SlugField("Mã chỉ tiêu", max_length=60, blank=True)

    class Meta:
        verbose_name = "tiêu chí chấm điểm"
        verbose_name_plural = "tiêu chí chấm điểm"
        ordering = ["scorecard_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "code"], name="class_criterion_unique"),
            models.CheckConstraint(condition=Q(points__gte=1, points__lte=TOTAL_POINTS),
                                   name="class_criterion_points_valid"),
        ]

    def __str__(self) -> str:
        return self.text

    def snapshot(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text, "points": self.points, "suggestion": self.suggestion,
                "element_code": self.element_code}


class Status(models.TextChoices):
    SCORING = "scoring", gettext_lazy("Đang tự chấm")
    SUBMITTED = "submitted", gettext_lazy("Đã gửi, chờ thẩm định")
    REVIEWED = "reviewed", gettext_lazy("Đã thẩm định")
    CLASSIFIED = "classified", gettext_lazy("Đã xếp loại")


class ClassificationQuerySet(models.QuerySet["Classification"]):
    def in_subtree(self, root: Unit | int) -> Self:
        return self.filter(unit__ancestor_links__ancestor_id=root if isinstance(root, int) else root.pk)


class Classification(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="classifications", verbose_name="Đơn vị")
    year = models.PositiveSmallIntegerField("Năm")
    scorecard = models.ForeignKey(Scorecard, on_delete=models.PROTECT, related_name="classifications",
                                  verbose_name="Bảng điểm")
    status = models.CharField("Trạng thái", max_length=12, choices=Status.choices, default=Status.SCORING)
    self_points = models.PositiveSmallIntegerField("Điểm tự chấm", default=0)
    proposed_level = models.CharField("Mức đề nghị", max_length=10, choices=Level.choices, blank=True)
    points = models.PositiveSmallIntegerField("Điểm thẩm định", null=True, blank=True)
    level = models.CharField("Xếp loại", max_length=10, choices=Level.choices, blank=True)
    submitted_on = models.DateField("Ngày gửi", null=True, blank=True)
    late = models.BooleanField("Gửi quá hạn", default=False)
    classified_on = models.DateField("Ngày xếp loại", null=True, blank=True)
    returned_reason = models.TextField("Lý do trả lại", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ClassificationQuerySet.as_manager()

    class Meta:
        verbose_name = "xếp loại phong trào"
        verbose_name_plural = "xếp loại phong trào"
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="class_unit_year_unique"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="class_status_valid"),
            models.CheckConstraint(condition=Q(level__in=["", *LEVELS]), name="class_level_valid"),
            models.CheckConstraint(condition=Q(self_points__lte=TOTAL_POINTS)
                                   & (Q(points__isnull=True) | Q(points__lte=TOTAL_POINTS)),
                                   name="class_points_range"),
            models.CheckConstraint(condition=~Q(status="classified") | ~Q(level=""), name="class_classified_level"),
        ]
        indexes = [models.Index(fields=["year", "status"], name="class_year_status_idx")]

    def __str__(self) -> str:
        return gettext("Xếp loại phong trào năm %(year)s của %(unit)s") % {"year": self.year, "unit": self.unit.name}

    @property
    def final_points(self) -> int:
        return self.points if self.points is not None else self.self_points

    def snapshot(self) -> dict[str, Any]:
        return {"unit_id": self.unit_id, "year": self.year, "scorecard_id": self.scorecard_id, "status": self.status,
                "self_points": self.self_points, "proposed_level": self.proposed_level, "points": self.points,
                "level": self.level, "submitted_on": self.submitted_on.isoformat() if self.submitted_on else None,
                "late": self.late, "classified_on": self.classified_on.isoformat() if self.classified_on else None,
                "returned_reason": self.returned_reason}


class Score(models.Model):
    """One criterion's points: as the unit scored it, and as the level above reviewed it (with the reason)."""

    classification = models.ForeignKey(Classification, on_delete=models.CASCADE, related_name="scores",
                                       verbose_name="Xếp loại")
    criterion = models.ForeignKey(ScorecardCriterion, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="Tiêu chí")
    self_points = models.PositiveSmallIntegerField("Điểm tự chấm", default=0)
    reviewed_points = models.PositiveSmallIntegerField("Điểm thẩm định", null=True, blank=True)
    reason = models.TextField("Lý do điều chỉnh", blank=True)

    class Meta:
        verbose_name = "điểm tiêu chí"
        verbose_name_plural = "điểm tiêu chí"
        constraints = [models.UniqueConstraint(fields=["classification", "criterion"], name="class_score_unique")]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.final}"

    @property
    def final(self) -> int:
        return self.reviewed_points if self.reviewed_points is not None else self.self_points


class ClassificationEvent(WorkflowEvent):
    classification = models.ForeignKey(Classification, on_delete=models.PROTECT, related_name="events",
                                       verbose_name="Xếp loại")
    from_status = models.CharField("Từ trạng thái", max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField("Sang trạng thái", max_length=12, choices=Status.choices)
    source = models.CharField("Nguồn", max_length=10, choices=Channel.choices)
    reason = models.TextField("Lý do", blank=True)

    class Meta(WorkflowEvent.Meta):
        verbose_name = "lịch sử xếp loại phong trào"
        verbose_name_plural = "lịch sử xếp loại phong trào"

    def __str__(self) -> str:
        return f"{self.classification_id}: {self.from_status or '—'} → {self.to_status}"


TRANSITIONS = [
    Transition("score", (Status.SCORING,), None, gettext_noop("lưu điểm tự chấm")),
    Transition("submit", (Status.SCORING,), Status.SUBMITTED, gettext_noop("gửi kết quả tự chấm")),
    Transition("adjust", (Status.SUBMITTED, Status.REVIEWED), Status.REVIEWED, gettext_noop("điều chỉnh điểm"),
               requires_reason=True),
    Transition("classify", (Status.SUBMITTED, Status.REVIEWED), Status.CLASSIFIED, gettext_noop("xếp loại")),
    Transition("return", (Status.SUBMITTED, Status.REVIEWED), Status.SCORING, gettext_noop("trả lại để chấm lại"),
               requires_reason=True),
    Transition("import", tuple(Status.values), None, gettext_noop("cập nhật xếp loại từ tệp")),
]

CLASSIFICATIONS = Workflow(
    "classification", Classification, Status, ClassificationEvent, event_parent="classification",
    transitions=TRANSITIONS,
    describe=lambda c: gettext("xếp loại phong trào năm %(year)s của %(unit)s") % {"year": c.year,
                                                                                     "unit": c.unit.name},
    missing=gettext_noop("Không tìm thấy kết quả xếp loại phong trào."),
    locking=lambda: Classification.objects.select_for_update(of=("self",)).select_related("unit", "scorecard"))

