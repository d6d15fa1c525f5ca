from django.urls import path

from phongtrao.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
]
