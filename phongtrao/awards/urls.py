from __future__ import annotations

from django.urls import path

from phongtrao.awards import views
from phongtrao.units import urls as _units_urls  # noqa: F401  (registers the "pk" converter)

app_name = "awards"

urlpatterns = [
    path("", views.decision_list, name="decision_list"),
    path("quyet-dinh/them/", views.decision_create, name="decision_create"),
    path("quyet-dinh/<pk:pk>/", views.decision_detail, name="decision_detail"),
    path("quyet-dinh/<pk:pk>/giay-khen.pdf", views.certificates, name="certificates"),
    path("chon-don-vi/", views.unit_picker, name="unit_picker"),
    path("de-nghi/", views.proposal_list, name="proposal_list"),
    path("de-nghi/them/", views.proposal_create, name="proposal_create"),
    path("de-nghi/<pk:pk>/", views.proposal_detail, name="proposal_detail"),
    path("de-nghi/<pk:pk>/sua/", views.proposal_edit, name="proposal_edit"),
    path("de-nghi/<pk:pk>/gui/", views.proposal_move, {"action": "submit"}, name="proposal_submit"),
    path("de-nghi/<pk:pk>/duyet/", views.proposal_move, {"action": "approve"}, name="proposal_approve"),
    path("de-nghi/<pk:pk>/tra-lai/", views.proposal_move, {"action": "return"}, name="proposal_return"),
    path("de-nghi/<pk:pk>/mo-lai/", views.proposal_move, {"action": "reopen"}, name="proposal_reopen"),
    path("danh-muc/", views.catalogue, name="catalogue"),
    path("danh-muc/them/", views.award_type_create, name="award_type_create"),
    path("danh-muc/<pk:pk>/", views.award_type_edit, name="award_type_edit"),
]
