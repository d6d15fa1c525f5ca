"""Forms of the force's pages. They parse input and show errors; every write goes through ``actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from phongtrao.forces.actions import MAX_RULE_MEMBERS, MAX_RULE_SIZE, RuleNumbers, TeamData
from phongtrao.forces.models import SizeRule, Team, TeamStatus
from phongtrao.lib.forms import BootstrapForm, date_field

BELOW = "below_rule"
STATUS_CHOICES = [("", gettext_lazy("Mọi trạng thái")), *TeamStatus.choices,
                  (BELOW, gettext_lazy("Chưa đủ số thành viên theo quy mô"))]
SORTS = {
    "area": ("unit__sort_key", "pk"),
    "started": ("started_on", "pk"),
    "-started": ("-started_on", "pk"),
    "shortfall": ("-missing", "unit__sort_key"),
}
SORT_CHOICES = [("area", gettext_lazy("Khu dân cư (A–Z)")), ("-started", gettext_lazy("Mới thành lập trước")),
                ("started", gettext_lazy("Thành lập lâu nhất trước")),
                ("shortfall", gettext_lazy("Thiếu nhiều thành viên trước"))]


class TeamListForm(BootstrapForm):
    """The query string of the list: ``?q=an binh&status=below_rule&unit=12&sort=area&page=2``."""

    q = forms.CharField(label=gettext_lazy("Khu dân cư hoặc số quyết định"), required=False, max_length=200)
    status = forms.ChoiceField(label=gettext_lazy("Trạng thái"), required=False, choices=STATUS_CHOICES)
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput)
    sort = forms.ChoiceField(label=gettext_lazy("Sắp xếp"), required=False, choices=SORT_CHOICES)

    def values(self) -> dict[str, Any]:
        """The valid filters (an invalid one is ignored)."""
        return self.cleaned_data if self.is_valid() else {}


class TeamForm(BootstrapForm):
    decision_no = forms.CharField(label=gettext_lazy("Số quyết định thành lập"), max_length=60)
    decision_date = date_field(gettext_lazy("Ngày quyết định"), required=True)
    decision_signer = forms.CharField(label=gettext_lazy("Chủ tịch UBND xã ký"), max_length=120, required=False)
    started_on = date_field(gettext_lazy("Ngày bắt đầu hoạt động"), required=True)
    leaders = forms.IntegerField(label=gettext_lazy("Tổ trưởng"), min_value=0, max_value=999, initial=1)
    deputies = forms.IntegerField(label=gettext_lazy("Tổ phó"), min_value=0, max_value=999, initial=0)
    members = forms.IntegerField(label=gettext_lazy("Tổ viên"), min_value=0, max_value=999, initial=0)
    residents = forms.IntegerField(label=gettext_lazy("Số nhân khẩu của khu dân cư"), min_value=0,
                                   max_value=10_000_000, required=False,
                                   help_text=gettext_lazy("Dùng để tính quy mô tổ theo số nhân khẩu."))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    @classmethod
    def for_team(cls, team: Team | None, data: Any = None) -> TeamForm:
        if team is None:
            return cls(data)
        return cls(data, initial={name: getattr(team, name) for name in (
            "decision_no", "decision_date", "decision_signer", "started_on", "leaders", "deputies", "members",
            "residents", "version")})

    def team_data(self) -> TeamData:
        c = self.cleaned_data
        return TeamData(decision_no=c["decision_no"], decision_date=c["decision_date"], started_on=c["started_on"],
                        leaders=c["leaders"], deputies=c["deputies"], members=c["members"],
                        residents=c.get("residents"), decision_signer=c.get("decision_signer") or "")


class DissolveForm(BootstrapForm):
    dissolved_on = date_field(gettext_lazy("Ngày giải thể"), required=True)
    decision_no = forms.CharField(label=gettext_lazy("Số quyết định giải thể"), max_length=60)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class RuleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class ProvinceRuleForm(BootstrapForm):
    template = RuleChoiceField(label=gettext_lazy("Cách tính quy mô"), queryset=SizeRule.objects.none())
    effective_from = date_field(gettext_lazy("Hiệu lực từ"), required=True)
    legal_basis = forms.CharField(label=gettext_lazy("Căn cứ pháp lý"), max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    uncertain = forms.CharField(label=gettext_lazy("Điểm chưa chắc chắn"), max_length=1000, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    # The province's own numbers; an empty box keeps the chosen way's number.
    base_limit = forms.IntegerField(label=gettext_lazy("Đến mức (người hoặc hộ)"), min_value=1,
                                    max_value=MAX_RULE_SIZE, required=False)
    base_members = forms.IntegerField(label=gettext_lazy("Số thành viên ở mức đầu (hoặc ở khu dân cư khác)"),
                                      min_value=1, max_value=MAX_RULE_MEMBERS, required=False)
    step = forms.IntegerField(label=gettext_lazy("Mỗi mức tăng thêm (người hoặc hộ)"), min_value=1,
                              max_value=MAX_RULE_SIZE, required=False)
    step_members = forms.IntegerField(label=gettext_lazy("Thành viên thêm mỗi mức"), min_value=1,
                                      max_value=MAX_RULE_MEMBERS, required=False)
    flat_khu_pho = forms.IntegerField(label=gettext_lazy("Thành viên mỗi khu phố"), min_value=1,
                                      max_value=MAX_RULE_MEMBERS, required=False)
    flat_ap = forms.IntegerField(label=gettext_lazy("Thành viên mỗi ấp"), min_value=1, max_value=MAX_RULE_MEMBERS,
                                 required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["template"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = SizeRule.objects.filter(province__isnull=True).order_by("-is_default", "code")
        for name in NUMBER_FIELDS:
            self.fields[name].help_text = gettext_lazy("Để trống: theo cách tính đã chọn.")

    def numbers(self) -> RuleNumbers:
        c = self.cleaned_data
        flat = {k: c[f"flat_{k}"] for k in ("khu_pho", "ap") if c.get(f"flat_{k}") is not None}
        return RuleNumbers(base_limit=c.get("base_limit"), base_members=c.get("base_members"), step=c.get("step"),
                           step_members=c.get("step_members"), flat_members=flat or None)


NUMBER_FIELDS = ("base_limit", "base_members", "step", "step_members", "flat_khu_pho", "flat_ap")


class ReturnForm(BootstrapForm):
    reason = forms.CharField(label=gettext_lazy("Lý do trả lại"), max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
