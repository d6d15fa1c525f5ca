from __future__ import annotations

from django.urls import path

from phongtrao.budget import views

app_name = "budget"

urlpatterns = [
    path("", views.lines, name="lines"),
    path("xuat-excel/", views.export_lines, name="export_lines"),
    path("khoan-chi/", views.spending, name="spending"),
    path("khoan-chi/<pk:pk>/sua/", views.spending_edit, name="spending_edit"),
    path("khoan-chi/<pk:pk>/xoa/", views.spending_delete, name="spending_delete"),
    path("khoan-chi/xuat-excel/", views.export_spending, name="export_spending"),
    path("vuot-muc/", views.over_cap, name="over_cap"),
    path("muc-chi/", views.caps, name="caps"),
    path("don-vi/<pk:pk>/<int:year>/", views.unit_year, name="unit"),
    path("quy/<pk:pk>/<int:year>/", views.fund, name="fund"),
]
