from django.urls import include, path, re_path

from phongtrao.api import v1, views

token_patterns = [
    path("", views.token_list, name="list"),
    path("tao/", views.token_create, name="create"),
    # At most 18 digits: a longer number is a 404, not a database overflow.
    re_path(r"^(?P<pk>[0-9]{1,18})/thu-hoi/$", views.token_revoke, name="revoke"),
]

urlpatterns = [
    path("tokens/", include((token_patterns, "api_tokens"))),
    path("v1/", v1.urls()),
]
