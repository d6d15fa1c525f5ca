from django.urls import path

from phongtrao.core import health, views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("health/", health.health, name="health"),  # public: for a load balancer (core/health.py)
]
