"""The project's URLs: public site, staff app, patient portal, JSON API, admin."""

from django.contrib import admin
from django.urls import include, path

# Registers `<id:...>` before the apps' URLconfs below are included.
from kapclinic import converters  # noqa: F401
from kapclinic.api import api
from kapclinic.content import views as content_views

urlpatterns = [
    path("", content_views.home, name="home"),
    path("learn/", include("kapclinic.content.urls")),
    path("account/", include("kapclinic.accounts.urls")),
    path("patients/", include("kapclinic.patients.urls")),
    path("clinic/", include("kapclinic.clinics.urls")),
    path("audit/", include("kapclinic.audit.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]
