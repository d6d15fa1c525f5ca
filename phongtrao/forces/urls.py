from __future__ import annotations

from django.urls import path

from phongtrao.forces import views

app_name = "forces"

urlpatterns = [
    path("", views.team_list, name="list"),
    path("xuat-excel/", views.export, name="export"),
    path("duoi-quy-mo/", views.below_rule, name="below_rule"),
    path("quy-mo/", views.rules, name="rules"),
    path("khu-dan-cu/<pk:pk>/", views.area, name="area"),
    path("khu-dan-cu/<pk:pk>/giai-the/", views.dissolve, name="dissolve"),
    path("xa/<pk:pk>/danh-gia/<int:year>/", views.ratings, name="ratings"),
    path("xa/<pk:pk>/danh-gia/<int:year>/gui/", views.submit, name="submit"),
    path("xa/<pk:pk>/danh-gia/<int:year>/tra-lai/", views.return_sheet, name="return"),
]
