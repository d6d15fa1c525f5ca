from django.apps import AppConfig
from django.utils.translation import gettext_lazy, gettext_noop

ACTION_LABELS = {
    "annual_report.create": gettext_noop("Lập báo cáo tổng kết năm"),
    "annual_report.write": gettext_noop("Viết phần báo cáo tổng kết năm"),
    "annual_report.issue": gettext_noop("Ban hành báo cáo tổng kết năm"),
}
ACTION_GROUPS = {"annual_report.": gettext_noop("Báo cáo tổng kết năm")}


class ReportsConfig(AppConfig):
    name = "phongtrao.reports"
    verbose_name = "Báo cáo"

    def ready(self) -> None:
        from phongtrao.accounts.models import Role
        from phongtrao.accounts.policies import DECIDERS, Policy, declare
        from phongtrao.audit import models as audit_models
        from phongtrao.reports import jobs
        from phongtrao.reports.annual import register_builtin_sections
        from phongtrao.units.models import Kind

        register_builtin_sections()
        # The officers draft their province's or commune's report; whoever signs recognition decisions issues it
        # (the chairman of the people's committee: decisions.record's roles).
        declare(Policy("reports.write", frozenset({Role.ADMIN, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER}),
                       gettext_lazy("Viết các phần báo cáo tổng kết năm do cán bộ viết (tình hình, hạn chế, bài học, "
                                    "nhiệm vụ) của tỉnh hoặc xã"),
                       unit_kinds={Role.PROVINCE_OFFICER: frozenset({Kind.PROVINCE, Kind.COMMUNE}),
                                   Role.COMMUNE_OFFICER: frozenset({Kind.COMMUNE})}))
        declare(Policy("reports.issue", DECIDERS,
                       gettext_lazy("Ban hành báo cáo tổng kết năm (số, ngày, người ký); số liệu được giữ nguyên "
                                    "như khi ban hành")))
        audit_models.ACTION_LABELS.update(ACTION_LABELS)
        audit_models.ACTION_GROUPS.update(ACTION_GROUPS)
        jobs.register()
