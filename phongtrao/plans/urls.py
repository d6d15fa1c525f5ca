from __future__ import annotations

from django.urls import path

from phongtrao.plans import committee_views, views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("xuat-excel/", views.export, name="export"),
    path("moi/", views.edit, name="create"),
    path("nhiem-vu/cua-toi/", views.my_tasks, name="my_tasks"),
    path("nhiem-vu/qua-han/", views.overdue, name="overdue"),
    path("nhiem-vu/<pk:task_pk>/bao-cao/", views.report, name="report"),
    path("nhiem-vu/<pk:task_pk>/lich-su/", views.task_history, name="task_history"),
    path("ban-chi-dao/", committee_views.committee_list, name="committees"),
    path("ban-chi-dao/xuat-excel/", committee_views.committee_export, name="committee_export"),
    path("ban-chi-dao/moi/", committee_views.committee_create, name="committee_create"),
    path("ban-chi-dao/<pk:pk>/", committee_views.committee_detail, name="committee"),
    path("ban-chi-dao/<pk:pk>/kien-toan/", committee_views.committee_reconstitute, name="committee_reconstitute"),
    path("<pk:pk>/", views.detail, name="detail"),
    path("<pk:pk>/sua/", views.edit, name="edit"),
    path("<pk:pk>/trang-thai/", views.move, name="move"),
    path("<pk:pk>/xuat-excel/", views.plan_export, name="plan_export"),
    path("<pk:pk>/muc-tieu/moi/", views.objective, name="objective_create"),
    path("<pk:pk>/muc-tieu/<pk:objective_pk>/", views.objective, name="objective"),
    path("<pk:pk>/nhiem-vu/moi/", views.task, name="task_create"),
    path("<pk:pk>/nhiem-vu/<pk:task_pk>/", views.task, name="task"),
]
