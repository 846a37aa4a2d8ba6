from django.urls import path

from kapclinic.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("keepalive/", views.keepalive, name="keepalive"),
    path("security/", views.security, name="security"),
    path("security/backup-codes/", views.regenerate_backup_codes, name="backup_codes"),
    path("security/two-factor/off/", views.two_factor_disable, name="two_factor_disable"),
    path("security/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("two-factor/setup/", views.two_factor_setup, name="setup"),
    path("two-factor/verify/", views.two_factor_verify, name="verify"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/done/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
]
