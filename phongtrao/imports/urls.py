from django.urls import path

from phongtrao.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:kind>/", views.upload, name="upload"),
    path("<slug:kind>/xac-nhan/", views.confirm, name="confirm"),
    path("<slug:kind>/tac-vu/<uuid:job_id>/", views.job, name="job"),
    path("<slug:kind>/mau.xlsx", views.template, name="template"),
]
