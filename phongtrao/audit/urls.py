"""The audit trail is read-only: a list, its export, and one object's history. No route writes."""

from django.urls import path

from phongtrao.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("xuat-excel/", views.export, name="export"),
    path("doi-tuong/<str:object_type>/<str:object_id>/", views.history, name="history"),
]
