"""The project's URLs: public site, staff app, patient portal, JSON API, admin."""

from django.contrib import admin
from django.urls import include, path

from kapclinic.api import api
from kapclinic.content import views as content_views
from kapclinic.ops import health

urlpatterns = [
    path("", content_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("learn/", include("kapclinic.content.urls")),
    path("account/", include("kapclinic.accounts.urls")),
    path("patients/", include("kapclinic.patients.urls")),
    path("clinic/", include("kapclinic.clinics.urls")),
    path("audit/", include("kapclinic.audit.urls")),
    path("api/v1/", api.urls),
    path("django-admin/", admin.site.urls),
]

# A database that is down or too slow answers 503 with Retry-After (errors.py).
handler500 = "kapclinic.errors.server_error"
