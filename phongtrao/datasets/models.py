"""Periodic aggregate reporting (data sets, as DHIS2 has them), live on the dated unit tree.

- ``Category`` / ``CategoryOption``: a disaggregation (channel: trực tiếp, loa truyền thanh, …);
  ``CategoryCombo`` crosses categories, each cell of the cross product is an ``OptionCombo``. The
  combo ``default`` has no category and one option combo, so every value names an option combo.
- ``DataElement``: a named number (count, VND amount, percentage, yes/no, or a date) with its
  aggregation rule (sum, latest value for stocks, average for percentages).
- ``DataSet`` (a form) with its ``DataSetVersion``s (effective dates, the elements in order): a form
  changed in 2027 is a new version; 2025's values and 2025's form stay as they were.
- ``DataSetReport``: one data set for one unit and period, moved through ``REPORTS`` (open → complete →
  submitted to the level above → approved, or returned with a reason; approval locks the values, un-approving
  reopens them); ``ReportEvent`` is its append-only history.
- ``DataValue``: one number (or date) per element, unit, period and option combo, with a comment,
  a version and who saved it; the period is kept as its id and its first and last day.
- ``ValidationRule``: left expression, operator, right expression over the elements of a form.

Only aggregate counts per unit and period (DOMAIN.md §2): never a person.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop

from phongtrao.audit.models import Channel
from phongtrao.lib.periods import PERIOD_TYPE_CHOICES, Period
from phongtrao.lib.workflow import AppendOnly, Transition, Workflow
from phongtrao.units.models import Kind, Unit

DEFAULT_COMBO = "default"


def _english(vi: str, en: str) -> str:
    return en if en and (get_language() or "vi").startswith("en") else vi


class Named(models.Model):
    """A catalogue entry with a code, a Vietnamese name and an English one (shown in the reader's language)."""

    code = models.SlugField("Mã", max_length=60, unique=True)
    name = models.CharField("Tên", max_length=255)
    name_en = models.CharField("Tên tiếng Anh", max_length=255, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _english(self.name, self.name_en)


class Category(Named):
    class Meta:
        verbose_name = "nhóm phân tổ"
        verbose_name_plural = "nhóm phân tổ"
        ordering = ["code"]


class CategoryOption(models.Model):
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="options",
                                 verbose_name="Nhóm phân tổ")
    code = models.SlugField("Mã", max_length=60)
    name = models.CharField("Tên", max_length=255)
    name_en = models.CharField("Tên tiếng Anh", max_length=255, blank=True)
    # How a report's prose names this part: "bằng tiếng dân tộc thiểu số", "qua mạng xã hội".
    phrase = models.CharField("Cách viết trong báo cáo", max_length=255, blank=True)
    position = models.PositiveSmallIntegerField("Thứ tự", default=0)

    class Meta:
        verbose_name = "phân tổ"
        verbose_name_plural = "phân tổ"
        ordering = ["category", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="category_option_code_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _english(self.name, self.name_en)


class CategoryCombo(Named):
    categories = models.ManyToManyField(Category, through="ComboCategory", related_name="combos",
                                        verbose_name="Các nhóm phân tổ")

    class Meta:
        verbose_name = "tổ hợp phân tổ"
        verbose_name_plural = "tổ hợp phân tổ"
        ordering = ["code"]

    def ordered_categories(self) -> list[Category]:
        return [link.category for link in self.category_links.select_related("category").order_by("position")]


class ComboCategory(models.Model):
    combo = models.ForeignKey(CategoryCombo, on_delete=models.CASCADE, related_name="category_links")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["combo", "position"]
        constraints = [models.UniqueConstraint(fields=["combo", "category"], name="combo_category_unique")]

    def __str__(self) -> str:
        return f"{self.combo_id}/{self.category_id}"


class OptionCombo(models.Model):
    """One cell of a combo's cross product ("Trực tiếp, tiếng Việt"); the default combo's only cell is empty."""

    combo = models.ForeignKey(CategoryCombo, on_delete=models.CASCADE, related_name="option_combos",
                              verbose_name="Tổ hợp phân tổ")
    # The options' codes joined by "." in the combo's category order ("truc_tiep.tieng_viet"); "default".
    code = models.CharField("Mã", max_length=200)
    name = models.CharField("Tên", max_length=255)
    name_en = models.CharField("Tên tiếng Anh", max_length=255, blank=True)
    options = models.ManyToManyField(CategoryOption, related_name="option_combos", blank=True)
    position = models.PositiveSmallIntegerField("Thứ tự", default=0)

    class Meta:
        verbose_name = "ô phân tổ"
        verbose_name_plural = "ô phân tổ"
        ordering = ["combo", "position"]
        constraints = [models.UniqueConstraint(fields=["combo", "code"], name="option_combo_code_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _english(self.name, self.name_en)

    @property
    def option_codes(self) -> tuple[str, ...]:
        return () if self.code == DEFAULT_COMBO else tuple(self.code.split("."))


class ValueType(models.TextChoices):
    COUNT = "count", gettext_lazy("Số đếm")
    AMOUNT = "amount", gettext_lazy("Số tiền (đồng)")
    PERCENT = "percent", gettext_lazy("Tỷ lệ (%)")
    NUMBER = "number", gettext_lazy("Số thập phân")
    YES_NO = "yes_no", gettext_lazy("Có/Không")
    DATE = "date", gettext_lazy("Ngày")


class Aggregation(models.TextChoices):
    SUM = "sum", gettext_lazy("Cộng dồn")
    LATEST = "latest", gettext_lazy("Giá trị mới nhất")
    AVERAGE = "average", gettext_lazy("Bình quân")
    NONE = "none", gettext_lazy("Không cộng dồn")


class DataElementQuerySet(models.QuerySet["DataElement"]):
    def national(self) -> Self:
        return self.filter(province__isnull=True)


class DataElement(Named):
    value_type = models.CharField("Kiểu giá trị", max_length=10, choices=ValueType.choices)
    aggregation = models.CharField("Cách tổng hợp", max_length=10, choices=Aggregation.choices,
                                   default=Aggregation.SUM)
    # Unit kinds it applies to (keys of ``Kind``).
    kinds = models.JSONField("Loại đơn vị áp dụng", default=list)
    combo = models.ForeignKey(CategoryCombo, on_delete=models.PROTECT, related_name="elements",
                              verbose_name="Phân tổ")
    description = models.TextField("Mô tả", blank=True)
    # How the annual report's prose writes the total: "tổ chức {n} buổi tuyên truyền"; the counting word
    # ("buổi") and an option singled out in the prose ("trong đó 210 buổi bằng tiếng dân tộc thiểu số").
    phrase = models.CharField("Cách viết trong báo cáo", max_length=255, blank=True)
    measure = models.CharField("Đơn vị tính", max_length=40, blank=True)
    highlight = models.CharField("Phân tổ nêu trong báo cáo", max_length=60, blank=True)
    # Empty for a national element; a province for the elements it added.
    province = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name="Tỉnh bổ sung", limit_choices_to={"kind": Kind.PROVINCE})
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = DataElementQuerySet.as_manager()

    class Meta:
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(value_type__in=ValueType.values), name="data_element_type_valid"),
            models.CheckConstraint(condition=Q(aggregation__in=Aggregation.values),
                                   name="data_element_aggregation_valid"),
        ]

    @property
    def is_numeric(self) -> bool:
        return self.value_type != ValueType.DATE

    def snapshot(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "name_en": self.name_en, "value_type": self.value_type,
                "aggregation": self.aggregation, "kinds": list(self.kinds), "combo_id": self.combo_id,
                "province_id": self.province_id}


class DataSetQuerySet(models.QuerySet["DataSet"]):
    def for_unit(self, unit: Unit) -> Self:
        """The data sets assigned to the unit's kind, nationally or to a subtree that holds it (the kind is tested
        in Python by the callers: ``kinds`` is a JSON list)."""
        return self.filter(Q(root__isnull=True) | Q(root__descendant_links__unit=unit)).distinct()


class DataSet(Named):
    period_type = models.CharField("Kỳ báo cáo", max_length=10, choices=PERIOD_TYPE_CHOICES)
    kinds = models.JSONField("Loại đơn vị báo cáo", default=list)
    # Assigned to a subtree only (a province's own form); empty: every unit of the kinds.
    root = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name="Chỉ áp dụng trong")
    source = models.CharField("Nguồn, căn cứ", max_length=500)
    note = models.TextField("Ghi chú", blank=True)
    # Entry opens ``opens_after_days`` after the period's first day and closes ``expiry_days`` after its last
    # day (0: never closes). Province officers may still enter after the closing date.
    opens_after_days = models.PositiveSmallIntegerField("Mở nhập sau ngày đầu kỳ (ngày)", default=0)
    expiry_days = models.PositiveSmallIntegerField("Hạn nhập sau ngày cuối kỳ (ngày)", default=0)
    position = models.PositiveSmallIntegerField("Thứ tự", default=100)
    # Approval up the tree: a report of this data set is approved only after every child unit's report of
    # ``child_dataset`` (the same period) has been approved; empty: approved on its own.
    child_dataset = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                      verbose_name="Chỉ duyệt sau khi đã duyệt biểu của cấp dưới")
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = DataSetQuerySet.as_manager()

    class Meta:
        verbose_name = "biểu mẫu báo cáo"
        verbose_name_plural = "biểu mẫu báo cáo"
        ordering = ["position", "code"]

    def applies_to(self, unit: Unit) -> bool:
        if unit.kind not in self.kinds:
            return False
        return self.root_id is None or unit.ancestors().filter(pk=self.root_id).exists()

    def opening_date(self, period: Period) -> dt.date:
        return period.start + dt.timedelta(days=self.opens_after_days)

    def closing_date(self, period: Period) -> dt.date | None:
        return period.end + dt.timedelta(days=self.expiry_days) if self.expiry_days else None

    def version_for(self, period: Period) -> DataSetVersion | None:
        """The form in force for ``period``: the newest version effective on the period's first day."""
        day = period.start
        in_force = Q(effective_from__lte=day) & (Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        return self.versions.filter(in_force).order_by("-effective_from", "-number").first()

    def snapshot(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "period_type": self.period_type, "kinds": list(self.kinds),
                "root_id": self.root_id, "source": self.source, "opens_after_days": self.opens_after_days,
                "expiry_days": self.expiry_days}


class DataSetVersion(models.Model):
    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="versions",
                                verbose_name="Biểu mẫu")
    number = models.PositiveSmallIntegerField("Phiên bản")
    effective_from = models.DateField("Áp dụng từ")
    effective_to = models.DateField("Áp dụng đến", null=True, blank=True)
    note = models.TextField("Ghi chú", blank=True)
    elements = models.ManyToManyField(DataElement, through="DataSetElement", related_name="dataset_versions")

    class Meta:
        verbose_name = "phiên bản biểu mẫu"
        verbose_name_plural = "phiên bản biểu mẫu"
        ordering = ["dataset", "effective_from", "number"]
        constraints = [models.UniqueConstraint(fields=["dataset", "number"], name="dataset_version_unique")]

    def __str__(self) -> str:
        return f"{self.dataset} ({self.number})"

    def ordered_elements(self) -> list[DataElement]:
        return [link.element for link in self.element_links.select_related("element", "element__combo")
                .order_by("position", "pk")]


class DataSetElement(models.Model):
    version = models.ForeignKey(DataSetVersion, on_delete=models.CASCADE, related_name="element_links")
    element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    section = models.CharField("Phần", max_length=255, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "element"], name="dataset_element_unique")]

    def __str__(self) -> str:
        return f"{self.version_id}/{self.element_id}"


# --- reports and values ----------------------------------------------------------------------------


class ReportStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Đang nhập")
    COMPLETE = "complete", gettext_lazy("Đã hoàn thành")
    SUBMITTED = "submitted", gettext_lazy("Đã gửi cấp trên")
    APPROVED = "approved", gettext_lazy("Đã phê duyệt")


# Statuses whose values may no longer be saved (the report is with the level above, or approved).
LOCKED_STATUSES = (ReportStatus.COMPLETE, ReportStatus.SUBMITTED, ReportStatus.APPROVED)
# Statuses that count as received (complete or later).
RECEIVED_STATUSES = LOCKED_STATUSES


class PeriodFields(models.Model):
    """A period as its id (``2025Q3``), its type, and its first and last day (for range queries)."""

    period = models.CharField("Kỳ", max_length=8)
    period_type = models.CharField("Loại kỳ", max_length=10, choices=PERIOD_TYPE_CHOICES)
    period_start = models.DateField("Từ ngày")
    period_end = models.DateField("Đến ngày")

    class Meta:
        abstract = True

    def set_period(self, period: Period) -> None:
        self.period, self.period_type = period.id, period.type.value
        self.period_start, self.period_end = period.start, period.end

    @property
    def period_obj(self) -> Period:
        return Period.parse(self.period)


class ReportQuerySet(models.QuerySet["DataSetReport"]):
    def in_subtree(self, root: Unit | int) -> Self:
        return self.filter(unit__ancestor_links__ancestor_id=root if isinstance(root, int) else root.pk)


class DataSetReport(PeriodFields):
    dataset = models.ForeignKey(DataSet, on_delete=models.PROTECT, related_name="reports", verbose_name="Biểu mẫu")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="dataset_reports", verbose_name="Đơn vị")
    status = models.CharField("Trạng thái", max_length=12, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    completed_at = models.DateTimeField("Hoàn thành lúc", null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name="Người đánh dấu hoàn thành")
    submitted_at = models.DateTimeField("Gửi cấp trên lúc", null=True, blank=True)
    approved_at = models.DateTimeField("Phê duyệt lúc", null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name="Người phê duyệt")
    returned_reason = models.TextField("Lý do trả lại", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "báo cáo theo biểu mẫu"
        verbose_name_plural = "báo cáo theo biểu mẫu"
        constraints = [
            models.UniqueConstraint(fields=["dataset", "unit", "period"], name="dataset_report_unique"),
            models.CheckConstraint(condition=Q(status__in=ReportStatus.values), name="dataset_report_status_valid"),
        ]
        indexes = [models.Index(fields=["dataset", "period", "status"], name="dataset_report_period_idx")]

    def __str__(self) -> str:
        return f"{self.dataset.name} · {self.unit.name} · {self.period_obj.label}"

    def snapshot(self) -> dict[str, Any]:
        return {"dataset_id": self.dataset_id, "unit_id": self.unit_id, "period": self.period, "status": self.status,
                "completed_at": self.completed_at.isoformat() if self.completed_at else None,
                "completed_by_id": self.completed_by_id,
                "submitted_at": self.submitted_at.isoformat() if self.submitted_at else None,
                "approved_at": self.approved_at.isoformat() if self.approved_at else None,
                "approved_by_id": self.approved_by_id, "returned_reason": self.returned_reason}

    @property
    def values_locked(self) -> bool:
        return self.status in LOCKED_STATUSES


class ReportEvent(AppendOnly, models.Model):
    """One move of a report (append-only)."""

    report = models.ForeignKey(DataSetReport, on_delete=models.PROTECT, related_name="events", verbose_name="Báo cáo")
    at = models.DateTimeField("Thời điểm", auto_now_add=True)
    action = models.CharField("Thao tác", max_length=30)
    from_status = models.CharField("Từ trạng thái", max_length=12, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField("Sang trạng thái", max_length=12, choices=ReportStatus.choices)
    source = models.CharField("Nguồn", max_length=10, choices=Channel.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name="Người thực hiện")
    details = models.JSONField("Chi tiết", default=dict, blank=True)

    class Meta:
        verbose_name = "lịch sử báo cáo theo biểu mẫu"
        verbose_name_plural = "lịch sử báo cáo theo biểu mẫu"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report}: {self.from_status or '—'} → {self.to_status}"

    @property
    def reason(self) -> str:
        return str(self.details.get("reason", "")) if isinstance(self.details, dict) else ""


REPORT_TRANSITIONS = [
    Transition("complete", (ReportStatus.OPEN,), ReportStatus.COMPLETE, gettext_noop("đánh dấu hoàn thành báo cáo")),
    Transition("reopen", (ReportStatus.COMPLETE,), ReportStatus.OPEN, gettext_noop("mở lại báo cáo")),
    Transition("submit", (ReportStatus.COMPLETE,), ReportStatus.SUBMITTED, gettext_noop("gửi báo cáo lên cấp trên")),
    Transition("return", (ReportStatus.COMPLETE, ReportStatus.SUBMITTED), ReportStatus.OPEN,
               gettext_noop("trả lại báo cáo"), requires_reason=True),
    Transition("approve", (ReportStatus.SUBMITTED,), ReportStatus.APPROVED, gettext_noop("phê duyệt báo cáo")),
    Transition("unapprove", (ReportStatus.APPROVED,), ReportStatus.OPEN, gettext_noop("bỏ phê duyệt báo cáo"),
               requires_reason=True),
]


def _describe_report(report: DataSetReport) -> str:
    return gettext("báo cáo “%(name)s” %(period)s của %(unit)s") % {
        "name": report.dataset.label, "period": report.period_obj.label, "unit": report.unit.name}


REPORTS = Workflow("datasetreport", DataSetReport, ReportStatus, ReportEvent, event_parent="report",
                   transitions=REPORT_TRANSITIONS, describe=_describe_report,
                   missing=gettext_noop("Không tìm thấy báo cáo."),
                   locking=lambda: DataSetReport.objects.select_for_update(of=("self",))
                   .select_related("dataset", "unit"))


# Values: up to 10^15 VND (16 digits) with 4 decimals for percentages and rates.
VALUE_DIGITS, VALUE_PLACES = 22, 4


class DataValueQuerySet(models.QuerySet["DataValue"]):
    def in_subtree(self, root: Unit | int) -> Self:
        return self.filter(unit__ancestor_links__ancestor_id=root if isinstance(root, int) else root.pk)

    def in_periods(self, first: Period, last: Period) -> Self:
        """Values of ``first``'s period type lying inside ``first.start`` – ``last.end``."""
        return self.filter(period_type=first.type.value, period_start__gte=first.start, period_end__lte=last.end)

    def given(self) -> Self:
        return self.filter(Q(value__isnull=False) | Q(date_value__isnull=False))


class DataValue(PeriodFields):
    element = models.ForeignKey(DataElement, on_delete=models.PROTECT, related_name="values", verbose_name="Chỉ tiêu")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="data_values", verbose_name="Đơn vị")
    option_combo = models.ForeignKey(OptionCombo, on_delete=models.PROTECT, related_name="values",
                                     verbose_name="Phân tổ")
    # A number, or (date elements) a date; both empty: the value was cleared (its history stays).
    value = models.DecimalField("Giá trị", max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True,
                                blank=True)
    date_value = models.DateField("Ngày", null=True, blank=True)
    comment = models.TextField("Ghi chú", blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    source = models.CharField("Nguồn", max_length=10, choices=Channel.choices, default=Channel.WEB)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="Người cập nhật")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DataValueQuerySet.as_manager()

    class Meta:
        verbose_name = "số liệu"
        verbose_name_plural = "số liệu"
        constraints = [
            models.UniqueConstraint(fields=["element", "unit", "period", "option_combo"], name="data_value_unique"),
        ]
        indexes = [
            # The figures read this index: an element's values of a period type in a date range, by unit.
            models.Index(fields=["element", "period_type", "period_start", "unit"], name="data_value_figures_idx"),
            models.Index(fields=["unit", "period"], name="data_value_unit_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.element.name} · {self.unit.name} · {self.period}"

    @property
    def is_empty(self) -> bool:
        return self.value is None and self.date_value is None

    def snapshot(self) -> dict[str, Any]:
        return {"element": self.element.code if self.element_id else None, "unit_id": self.unit_id,
                "period": self.period, "option_combo_id": self.option_combo_id,
                "value": None if self.value is None else str(normalised(self.value)),
                "date_value": self.date_value.isoformat() if self.date_value else None, "comment": self.comment}


def normalised(value: Decimal) -> Decimal:
    """12.5000 -> 12.5, 7.0000 -> 7 (never 7E+1)."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


# --- validation rules --------------------------------------------------------------------------------


class Operator(models.TextChoices):
    EQ = "==", gettext_lazy("bằng")
    NE = "!=", gettext_lazy("khác")
    LT = "<", gettext_lazy("nhỏ hơn")
    LE = "<=", gettext_lazy("không lớn hơn")
    GT = ">", gettext_lazy("lớn hơn")
    GE = ">=", gettext_lazy("không nhỏ hơn")


class MissingValues(models.TextChoices):
    SKIP_IF_ALL = "skip_if_all", gettext_lazy("Bỏ qua khi chưa nhập chỉ tiêu nào")
    SKIP_IF_ANY = "skip_if_any", gettext_lazy("Bỏ qua khi còn thiếu chỉ tiêu")
    NEVER = "never", gettext_lazy("Luôn kiểm tra (ô trống là 0)")


class ValidationRule(models.Model):
    dataset = models.ForeignKey(DataSet, on_delete=models.CASCADE, related_name="rules", verbose_name="Biểu mẫu")
    code = models.SlugField("Mã", max_length=60)
    name = models.CharField("Quy tắc", max_length=255)
    name_en = models.CharField("Tên tiếng Anh", max_length=255, blank=True)
    # Expressions over the form's elements: #{element}, #{element.option} (the cells with that option),
    # numbers, + - * / and parentheses (parsed by ``datasets.expressions``, never evaluated as code).
    left = models.CharField("Vế trái", max_length=500)
    operator = models.CharField("Phép so sánh", max_length=2, choices=Operator.choices)
    right = models.CharField("Vế phải", max_length=500)
    missing = models.CharField("Khi thiếu số liệu", max_length=12, choices=MissingValues.choices,
                               default=MissingValues.SKIP_IF_ALL)
    effective_from = models.DateField("Áp dụng từ", default=dt.date(2000, 1, 1))
    effective_to = models.DateField("Áp dụng đến", null=True, blank=True)

    class Meta:
        verbose_name = "quy tắc kiểm tra"
        verbose_name_plural = "quy tắc kiểm tra"
        ordering = ["dataset", "code"]
        constraints = [models.UniqueConstraint(fields=["dataset", "code"], name="validation_rule_code_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _english(self.name, self.name_en)

    def in_force(self, period: Period) -> bool:
        return self.effective_from <= period.start and (self.effective_to is None or self.effective_to >= period.start)


# --- indicators ----------------------------------------------------------------------------------------


class Indicator(Named):
    """A named formula: numerator / denominator × factor. The expressions name data elements (``#{element}``,
    ``#{element.option}``: their totals over the subtree and period) and built-in figures of ``lib.indicators``
    (``@{recognition.residential_area.recognised}``), parsed by ``datasets.expressions``, never run as code."""

    numerator = models.CharField("Tử số", max_length=500)
    denominator = models.CharField("Mẫu số", max_length=500, default="1")
    factor = models.DecimalField("Hệ số", max_digits=12, decimal_places=2, default=Decimal(1))
    measure = models.CharField("Đơn vị tính", max_length=40, blank=True)
    description = models.TextField("Mô tả", blank=True)
    position = models.PositiveSmallIntegerField("Thứ tự", default=100)

    class Meta:
        verbose_name = "chỉ số"
        verbose_name_plural = "chỉ số"
        ordering = ["position", "code"]
