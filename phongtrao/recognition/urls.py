from __future__ import annotations

from django.urls import path

from phongtrao.recognition import views
from phongtrao.reports import views as report_views  # the province and commune pages (every app's section)

app_name = "recognition"

urlpatterns = [
    path("", views.index, name="index"),
    path("xa/<path:code>/<int:year>/", report_views.commune, name="commune"),
    path("xa/<path:code>/<int:year>/excel/", views.commune_export, name="commune_export"),
    path("don-vi/<path:code>/<int:year>/", views.unit, name="unit"),
    path("don-vi/<path:code>/<int:year>/giay-cong-nhan.pdf", views.certificate, name="certificate"),
    path("tinh/<path:code>/<int:year>/", report_views.province, name="province"),
    path("cong-nhan/<path:code>/<int:year>/", views.bulk, name="bulk"),
    path("cong-nhan/<path:code>/<int:year>/giay-cong-nhan.pdf", views.decision_certificates,
         name="decision_certificates"),
    path("cong-nhan/<path:code>/<int:year>/quyet-dinh.docx", views.decision_docx, name="decision_docx"),
]
