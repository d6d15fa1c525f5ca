from django.urls import path

from phongtrao.reports import views_download as views

app_name = "reports"

urlpatterns = [
    path("<str:code>/<int:year>/annual.<str:fmt>", views.annual_download, name="annual-download"),
]
