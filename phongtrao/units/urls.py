from django.urls import path

from phongtrao.units import views

app_name = "units"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("tim-kiem/", views.search, name="search"),
]
