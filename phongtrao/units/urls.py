from django.urls import path, register_converter

from phongtrao.units import views, views_changes, views_reform


class PkConverter:
    """A primary key: digits that fit a 64-bit integer (a longer number is a 404, not a database error)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(PkConverter, "pk")

app_name = "units"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("tim-kiem/", views.search, name="search"),
    path("them/", views.create, name="create"),
    path("<pk:pk>/", views.detail, name="detail"),
    path("<pk:pk>/sua/", views.edit, name="edit"),
    path("<pk:pk>/dong/", views.close, name="close"),
    path("<pk:pk>/thay-doi/", views_changes.changes, name="changes"),
    path("sap-xep/chuyen-xa-moi/", views_reform.carry_over, name="reform_carry_over"),
]
