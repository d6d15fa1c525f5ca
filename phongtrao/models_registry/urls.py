from __future__ import annotations

from django.urls import path

from phongtrao.models_registry import views

app_name = "models_registry"

urlpatterns = [
    path("", views.model_list, name="list"),
    path("xuat-excel/", views.export, name="export"),
    path("them/", views.create, name="create"),
    path("qua-han-danh-gia/", views.overdue, name="overdue"),
    path("danh-muc/", views.catalogue, name="catalogue"),
    path("so-lieu/", views.figures, name="figures"),
    path("nhan-rong/tim-don-vi/", views.replicate_picker, name="replicate_picker"),
    path("<pk:pk>/", views.detail, name="detail"),
    path("<pk:pk>/sua/", views.edit, name="edit"),
    path("<pk:pk>/chuyen-trang-thai/", views.transition, name="transition"),
    path("<pk:pk>/nhan-rong/", views.replicate, name="replicate"),
    path("<pk:pk>/danh-gia/", views.evaluate, name="evaluate"),
    path("<pk:pk>/thanh-loai/", views.retire, name="retire"),
    path("<pk:pk>/dien-hinh/", views.leading, name="leading"),
    path("<pk:pk>/dien-hinh/thu-hoi/", views.leading_revoke, name="leading_revoke"),
]
