from django.urls import path

from phongtrao.accounts import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-nhap/ma-xac-thuc/", views.login_otp, name="login_otp"),
    path("dang-xuat/", views.LogoutView.as_view(), name="logout"),
    path("bao-mat/", views.security, name="security"),
    path("bao-mat/doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("bao-mat/xac-thuc-hai-buoc/bat/", views.totp_start, name="totp_start"),
    path("bao-mat/xac-thuc-hai-buoc/", views.totp_enrol, name="totp_enrol"),
    path("bao-mat/xac-thuc-hai-buoc/tat/", views.totp_remove, name="totp_remove"),
]
