from django.urls import path

from phongtrao.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.home, name="home"),
    path("bieu-do/", views.charts_page, name="charts"),
    path("viec-can-lam/ho-so-antt/<slug:step>/", views.dossiers, name="dossiers"),
]
