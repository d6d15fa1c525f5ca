from django.urls import path

from phongtrao.accounts import views_bulk, views_roles
from phongtrao.accounts import views_users as views

app_name = "users"
urlpatterns = [
    path("", views.user_list, name="list"),
    path("them/", views.user_create, name="create"),
    path("chon-don-vi/", views.unit_picker, name="unit_picker"),
    path("vai-tro/", views_roles.role_table, name="roles"),
    path("tao-hang-loat/", views_bulk.bulk_create, name="bulk_create"),
    path("tao-hang-loat/mau.xlsx", views_bulk.bulk_template, name="bulk_template"),
    path("<int:user_id>/", views.user_edit, name="edit"),
    path("<int:user_id>/pham-vi/", views.user_scopes, name="scopes"),
    path("<int:user_id>/ngung/", views.user_deactivate, name="deactivate"),
    path("<int:user_id>/kich-hoat/", views.user_reactivate, name="reactivate"),
    path("<int:user_id>/mo-khoa/", views.user_unlock, name="unlock"),
    path("<int:user_id>/tat-xac-thuc-hai-buoc/", views.user_reset_totp, name="reset_totp"),
    path("<int:user_id>/dat-mat-khau/", views.user_set_password, name="set_password"),
]
