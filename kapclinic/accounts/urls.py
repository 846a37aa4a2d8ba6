from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.http import require_POST

from kapclinic.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", login_not_required(auth_views.LoginView.as_view()), name="login"),
    path("logout/", require_POST(auth_views.LogoutView.as_view()), name="logout"),
    path("security/", views.security, name="security"),
]
