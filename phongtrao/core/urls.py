from django.urls import path

from phongtrao.core import health, views, views_jobs

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("health/", health.health, name="health"),  # public: for a load balancer (core/health.py)
    path("tac-vu/<uuid:job_id>/", views_jobs.job, name="job"),
    path("tac-vu/<uuid:job_id>/tai-ve/", views_jobs.download, name="job_download"),
]
