from django.urls import path

from phongtrao.reports import views_record

app_name = "reports_record"
urlpatterns = [
    path("<path:code>/<int:year>/", views_record.page, name="page"),
    path("<path:code>/<int:year>/phan/<slug:slot>/", views_record.save_slot, name="save_slot"),
    path("<path:code>/<int:year>/phan/<slug:slot>/lich-su/", views_record.history, name="history"),
    path("<path:code>/<int:year>/ban-hanh/", views_record.issue, name="issue"),
    path("<path:code>/<int:year>/tai-lieu/", views_record.document, name="document"),
]
