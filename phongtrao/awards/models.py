"""Emulation and awards (thi đua, khen thưởng): the catalogue of award forms, proposals and decisions.

- ``AwardType``: the catalogue (seeded with the INTERCHANGE.md codes; officers may add and deactivate).
- ``AwardProposal`` (đề nghị khen thưởng): from a lower unit to the level above, moving through
  ``ProposalStatus`` only by the named actions in ``phongtrao.awards.actions``; ``ProposalEvent`` is
  its append-only history.
- ``AwardDecision`` with its ``AwardRecipient`` rows: what the annual figures count.

Personal data (DOMAIN.md §2): an individual recipient is a name, a title and a unit, nothing more.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from phongtrao.lib.vntext import fold
from phongtrao.lib.workflow import Transition, Workflow, WorkflowEvent
from phongtrao.units.models import Unit

if TYPE_CHECKING:
    from phongtrao.units.models import UnitQuerySet


class AuthorityLevel(models.TextChoices):
    NATIONAL = "national", gettext_lazy("Trung ương")
    PROVINCE = "province", gettext_lazy("Cấp tỉnh")
    DISTRICT = "district", gettext_lazy("Cấp huyện (trước 01/7/2025)")
    COMMUNE = "commune", gettext_lazy("Cấp xã")


class RecipientScope(models.TextChoices):
    """Who an award form may go to."""

    COLLECTIVE = "collective", gettext_lazy("Tập thể")
    INDIVIDUAL = "individual", gettext_lazy("Cá nhân")
    BOTH = "both", gettext_lazy("Tập thể và cá nhân")


class RecipientKind(models.TextChoices):
    COLLECTIVE = "collective", gettext_lazy("Tập thể")
    INDIVIDUAL = "individual", gettext_lazy("Cá nhân")


# --- the catalogue -------------------------------------------------------------------------------


class AwardTypeQuerySet(models.QuerySet["AwardType"]):
    def active(self) -> Self:
        return self.filter(active=True)

    def in_order(self) -> Self:
        return self.order_by("order", "code")


class AwardType(models.Model):
    code = models.SlugField("Mã", max_length=60, unique=True)
    name = models.CharField("Hình thức khen thưởng", max_length=255)
    authority = models.CharField("Cấp/người khen thưởng", max_length=255)
    authority_level = models.CharField("Cấp khen thưởng", max_length=10, choices=AuthorityLevel.choices)
    recipients = models.CharField("Đối tượng", max_length=10, choices=RecipientScope.choices,
                                  default=RecipientScope.BOTH)
    once_per_person = models.BooleanField("Mỗi người chỉ nhận một lần", default=False)
    # What the printed certificate is headed with ("BẰNG KHEN", "GIẤY KHEN", ...).
    certificate_title = models.CharField("Tên trên giấy chứng nhận", max_length=60)
    order = models.PositiveSmallIntegerField("Thứ tự", default=100)
    active = models.BooleanField("Đang dùng", default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = AwardTypeQuerySet.as_manager()

    class Meta:
        verbose_name = "hình thức khen thưởng"
        verbose_name_plural = "hình thức khen thưởng"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def allows(self, kind: str) -> bool:
        return self.recipients == RecipientScope.BOTH or self.recipients == kind

    def snapshot(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (
            "code", "name", "authority", "authority_level", "recipients", "once_per_person",
            "certificate_title", "order", "active")}


# --- decisions -----------------------------------------------------------------------------------


def _visible_recipients(units: UnitQuerySet) -> Exists:
    return Exists(AwardRecipient.objects.filter(decision=OuterRef("pk"), unit__in=units.values("pk")))


class AwardDecisionQuerySet(models.QuerySet["AwardDecision"]):
    def visible_in(self, units: UnitQuerySet) -> Self:
        """Decisions whose issuing unit, or at least one recipient's unit, is among ``units``."""
        return self.filter(Q(authority__in=units.values("pk")) | _visible_recipients(units))

    def for_year(self, year: int) -> Self:
        return self.filter(year=year)

    def search(self, text: str, *, within: UnitQuerySet) -> Self:
        """By decision number, or the name of a recipient whose unit is among ``within`` (diacritics ignored).

        A decision the user may see can also name people in units they may not see; the search must not
        match those, or it would tell that such a person was awarded (``within`` is required for that)."""
        text = text.strip()
        if not text:
            return self
        folded = fold(text)
        return self.filter(Q(number__icontains=text)
                           | Exists(AwardRecipient.objects.filter(decision=OuterRef("pk"), search_name__contains=folded,
                                                                  unit__in=within.values("pk"))))


class AwardDecision(models.Model):
    award_type = models.ForeignKey(AwardType, on_delete=models.PROTECT, related_name="decisions",
                                   verbose_name="Hình thức khen thưởng")
    year = models.PositiveSmallIntegerField("Năm")
    number = models.CharField("Số quyết định", max_length=60, blank=True)
    date = models.DateField("Ngày quyết định", null=True, blank=True)
    # The issuer: the unit whose authority signs (UBND xã/tỉnh, Công an tỉnh, the national root) and the signer.
    authority = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="Cơ quan ban hành")
    issuer_name = models.CharField("Tên cơ quan ban hành", max_length=255, blank=True)
    signer_name = models.CharField("Người ký", max_length=120, blank=True)
    signer_title = models.CharField("Chức vụ người ký", max_length=120, blank=True)
    proposal = models.ForeignKey("AwardProposal", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="decisions", verbose_name="Theo đề nghị")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AwardDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "quyết định khen thưởng"
        verbose_name_plural = "quyết định khen thưởng"
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="award_decision_year_range"),
        ]
        indexes = [
            models.Index(fields=["year", "award_type"], name="award_decision_year_idx"),
            models.Index(fields=["authority", "year"], name="award_decision_auth_idx"),
        ]

    def __str__(self) -> str:
        number = self.number or "—"
        return f"{number} ({self.award_type.name}, {self.year})" if self.award_type_id else number

    @property
    def issuer(self) -> str:
        return self.issuer_name or self.authority.name

    def snapshot(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in ("award_type_id", "year", "number", "date", "authority_id", "issuer_name",
                     "signer_name", "signer_title", "proposal_id"):
            value = getattr(self, name)
            data[name] = value.isoformat() if isinstance(value, dt.date) else value
        return data


class RecipientQuerySet(models.QuerySet["AwardRecipient"]):
    def in_subtree(self, root: Unit | int) -> Self:
        root_id = root if isinstance(root, int) else root.pk
        return self.filter(unit__ancestor_links__ancestor_id=root_id)

    def for_year(self, year: int) -> Self:
        return self.filter(decision__year=year)

    def in_order(self) -> Self:
        return self.order_by("position", "pk")


class AwardRecipient(models.Model):
    """One collective (a unit) or one individual (name, title, unit) on a decision."""

    decision = models.ForeignKey(AwardDecision, on_delete=models.CASCADE, related_name="recipients",
                                 verbose_name="Quyết định")
    kind = models.CharField("Đối tượng", max_length=10, choices=RecipientKind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="award_recipients",
                             verbose_name="Đơn vị")
    name = models.CharField("Tên", max_length=255)
    title = models.CharField("Chức vụ", max_length=255, blank=True)
    achievement = models.TextField("Thành tích", blank=True)
    position = models.PositiveIntegerField("Thứ tự", default=0)
    search_name = models.CharField(max_length=255, editable=False, default="")

    objects = RecipientQuerySet.as_manager()

    class Meta:
        verbose_name = "người/tập thể được khen thưởng"
        verbose_name_plural = "người/tập thể được khen thưởng"
        indexes = [
            models.Index(fields=["unit", "kind"], name="award_recipient_unit_idx"),
            models.Index(fields=["search_name"], name="award_recipient_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def refresh_derived(self) -> None:
        self.search_name = fold(self.name)[:255]

    def snapshot(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in ("kind", "unit_id", "name", "title", "achievement")}


# --- proposals -----------------------------------------------------------------------------------


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Dự thảo")
    SUBMITTED = "submitted", gettext_lazy("Đã gửi đề nghị")
    APPROVED = "approved", gettext_lazy("Đã duyệt")
    RETURNED = "returned", gettext_lazy("Trả lại")


# A proposal's moves (``phongtrao.lib.workflow``): the statuses each may start from and where it leads.
PROPOSAL_TRANSITIONS = [
    Transition("submit", (ProposalStatus.DRAFT,), ProposalStatus.SUBMITTED, gettext_noop("gửi đề nghị")),
    Transition("approve", (ProposalStatus.SUBMITTED,), ProposalStatus.APPROVED, gettext_noop("duyệt đề nghị")),
    Transition("return", (ProposalStatus.SUBMITTED,), ProposalStatus.RETURNED, gettext_noop("trả lại đề nghị"),
               requires_reason=True),
    Transition("reopen", (ProposalStatus.RETURNED,), ProposalStatus.DRAFT, gettext_noop("mở lại để sửa")),
]


class ProposalQuerySet(models.QuerySet["AwardProposal"]):
    def visible_in(self, units: UnitQuerySet) -> Self:
        """Proposals of (sent by or sent to) units among ``units``."""
        ids = units.values("pk")
        return self.filter(Q(proposing_unit__in=ids) | Q(to_unit__in=ids))

    def for_year(self, year: int) -> Self:
        return self.filter(year=year)


class AwardProposal(models.Model):
    proposing_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+",
                                       verbose_name="Đơn vị đề nghị")
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="Gửi cấp trên")
    award_type = models.ForeignKey(AwardType, on_delete=models.PROTECT, related_name="proposals",
                                   verbose_name="Hình thức đề nghị")
    year = models.PositiveSmallIntegerField("Năm")
    title = models.CharField("Trích yếu", max_length=255)
    status = models.CharField("Trạng thái", max_length=10, choices=ProposalStatus.choices,
                              default=ProposalStatus.DRAFT)
    returned_reason = models.TextField("Lý do trả lại", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="Người lập")
    submitted_at = models.DateTimeField("Ngày gửi", null=True, blank=True)
    decided_at = models.DateTimeField("Ngày duyệt/trả lại", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = "đề nghị khen thưởng"
        verbose_name_plural = "đề nghị khen thưởng"
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ProposalStatus.values), name="award_proposal_status"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="award_proposal_year"),
        ]

    def __str__(self) -> str:
        return self.title

    def snapshot(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (
            "proposing_unit_id", "to_unit_id", "award_type_id", "year", "title", "status", "returned_reason")}


class ProposalRecipient(models.Model):
    proposal = models.ForeignKey(AwardProposal, on_delete=models.CASCADE, related_name="recipients",
                                 verbose_name="Đề nghị")
    kind = models.CharField("Đối tượng", max_length=10, choices=RecipientKind.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name="Đơn vị")
    name = models.CharField("Tên", max_length=255)
    title = models.CharField("Chức vụ", max_length=255, blank=True)
    achievement = models.TextField("Thành tích", blank=True)
    position = models.PositiveIntegerField("Thứ tự", default=0)

    class Meta:
        verbose_name = "đối tượng đề nghị"
        verbose_name_plural = "đối tượng đề nghị"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class ProposalEvent(WorkflowEvent):
    """One move of a proposal (append-only): its reason instead of the base's source and details."""

    proposal = models.ForeignKey(AwardProposal, on_delete=models.PROTECT, related_name="events",
                                 verbose_name="Đề nghị")
    from_status = models.CharField("Từ trạng thái", max_length=10, choices=ProposalStatus.choices, blank=True)
    to_status = models.CharField("Sang trạng thái", max_length=10, choices=ProposalStatus.choices)
    source = None  # type: ignore[assignment]
    details = None
    reason = models.TextField("Ghi chú", blank=True)

    class Meta(WorkflowEvent.Meta):
        verbose_name = "lịch sử đề nghị khen thưởng"
        verbose_name_plural = "lịch sử đề nghị khen thưởng"

    def __str__(self) -> str:
        return f"{self.proposal}: {self.from_status or '—'} → {self.to_status}"


    @property
    def actor_label(self) -> str:
        if self.user is None:
            return "—"
        return self.user.get_full_name() or self.user.username


def _describe_proposal(proposal: AwardProposal) -> str:
    return gettext("đề nghị")


def _stale_proposal(proposal: AwardProposal) -> str:
    return gettext("Đề nghị này vừa được người khác thay đổi; hãy tải lại trang.")


PROPOSALS = Workflow(
    "award_proposal", AwardProposal, ProposalStatus, ProposalEvent, event_parent="proposal",
    transitions=PROPOSAL_TRANSITIONS, describe=_describe_proposal, stale=_stale_proposal,
    missing=gettext_noop("Không tìm thấy đề nghị khen thưởng."), unit_of=lambda proposal: proposal.proposing_unit,
    locking=lambda: AwardProposal.objects.select_for_update().select_related("proposing_unit", "to_unit",
                                                                               "award_type"),
)
