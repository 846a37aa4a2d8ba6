"""The project's URLs: public site, staff app, patient portal, JSON API, admin."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from kapclinic.api import api
from kapclinic.content import views as content_views


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on pages without an icon link (Django's admin)."""

    permanent = True

    def get_redirect_url(self, *args: Any, **kwargs: Any) -> str:
        return static("img/favicon.svg")


urlpatterns = [
    path("favicon.ico", login_not_required(FaviconView.as_view()), name="favicon"),
    path("", content_views.home, name="home"),
    path("learn/", include("kapclinic.content.urls")),
    path("account/", include("kapclinic.accounts.urls")),
    path("patients/", include("kapclinic.patients.urls")),
    path("clinic/", include("kapclinic.clinics.urls")),
    path("audit/", include("kapclinic.audit.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]
