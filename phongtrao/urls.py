from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("phongtrao.dashboard.urls")),  # the home page "/" (core:home reverses to it too)
    path("", include("phongtrao.core.urls")),
    path("tai-khoan/", include("phongtrao.accounts.urls")),
    path("don-vi/", include("phongtrao.units.urls")),
    path("antt/", include("phongtrao.recognition.urls")),
    path("mo-hinh/", include("phongtrao.models_registry.urls")),
    path("khen-thuong/", include("phongtrao.awards.urls")),
    path("so-lieu/", include("phongtrao.datasets.urls")),
    path("to-bao-ve-antt/", include("phongtrao.forces.urls")),
    path("xep-loai-phong-trao/", include("phongtrao.classification.urls")),
    path("kinh-phi/", include("phongtrao.budget.urls")),
    path("ke-hoach/", include("phongtrao.plans.urls")),
    path("reports/", include("phongtrao.reports.urls")),
    path("nhap-du-lieu/", include("phongtrao.imports.urls")),
    path("bao-cao/tong-ket/", include("phongtrao.reports.urls_record")),
    path("nguoi-dung/", include("phongtrao.accounts.urls_users")),
    path("nhat-ky/", include("phongtrao.audit.urls")),
    path("dinh-kem/", include("phongtrao.attachments.urls")),
    path("api/", include("phongtrao.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "phongtrao.core.views.bad_request"
handler403 = "phongtrao.core.views.permission_denied"
handler404 = "phongtrao.core.views.page_not_found"
handler500 = "phongtrao.core.views.server_error"
