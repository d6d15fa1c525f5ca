from __future__ import annotations

from django.urls import path

from phongtrao.datasets import views
from phongtrao.units import urls as _units_urls  # noqa: F401  (registers the "pk" converter)

app_name = "datasets"

REPORT = "nhap/<pk:unit_id>/<slug:code>/<str:period>/"

urlpatterns = [
    path("", views.index, name="index"),
    path("bieu/<slug:code>/", views.dataset_detail, name="dataset"),
    path("bieu/<slug:code>/mau.xlsx", views.template, name="template"),
    path("nhap/", views.units, name="units"),
    path("nhap/<pk:unit_id>/", views.unit_reports, name="unit"),
    path(REPORT, views.entry, name="entry"),
    path(REPORT + "o/", views.cell, name="cell"),
    path(REPORT + "hoan-thanh/", views.complete, name="complete"),
    path(REPORT + "mo-lai/", views.reopen, name="reopen"),
    path(REPORT + "gui/", views.submit, name="submit"),
    path(REPORT + "duyet/", views.review, name="review"),
    path("duyet/", views.reviews, name="reviews"),
    path("tien-do/", views.completeness_page, name="completeness"),
    path("chi-so/", views.indicators_page, name="indicators"),
    path("kiem-tra/", views.validation, name="validation"),
    path("xuat/", views.export, name="export"),
]
