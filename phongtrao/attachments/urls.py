from __future__ import annotations

from django.urls import path, re_path

from phongtrao.attachments import views

app_name = "attachments"

urlpatterns = [
    # At most 18 digits: a longer number is a 404, not a database overflow.
    re_path(r"^(?P<key>[a-z_]{1,30})/(?P<object_id>[0-9]{1,18})/them/$", views.upload, name="upload"),
    path("<int:pk>/tai-ve/", views.download, name="download"),
    path("<int:pk>/go/", views.remove, name="remove"),
]
