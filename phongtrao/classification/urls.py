from __future__ import annotations

from django.urls import path

from phongtrao.classification import views

app_name = "classification"

urlpatterns = [
    path("", views.index, name="index"),
    path("bang-diem/", views.scorecards, name="scorecards"),
    path("xa/<str:code>/<int:year>/", views.commune, name="commune"),
    path("xa/<str:code>/<int:year>/xuat-excel/", views.commune_export, name="commune_export"),
    path("don-vi/<str:code>/<int:year>/", views.unit_page, name="unit"),
    path("tong-hop/<str:code>/<int:year>/", views.overview, name="overview"),
    path("tong-hop/<str:code>/<int:year>/xuat-excel/", views.overview_export, name="overview_export"),
]
