"""The project's URLs: public site, staff app, patient portal, JSON API, admin."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

# Registers `<id:...>` before the apps' URLconfs below are included.
from kapclinic import converters  # noqa: F401
from kapclinic.api import urls as api_urls
from kapclinic.content import views as content_views
from kapclinic.ops import health


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico on pages without an icon link (Django's admin)."""

    permanent = True

    def get_redirect_url(self, *args: Any, **kwargs: Any) -> str:
        return static("img/favicon.svg")


urlpatterns = [
    path("favicon.ico", login_not_required(FaviconView.as_view()), name="favicon"),
    path("", content_views.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("learn/", include("kapclinic.content.urls")),
    path("book/", include("kapclinic.scheduling.public_urls")),
    path("account/", include("kapclinic.accounts.urls")),
    path("patients/", include("kapclinic.patients.urls")),
    path("pathway/", include("kapclinic.treatment.urls")),
    path("dosing/", include("kapclinic.dosing.urls")),
    path("patients/", include("kapclinic.screening.urls")),
    path("patients/", include("kapclinic.intake.urls")),
    path("consent/", include("kapclinic.consent.urls")),
    path("preparation/", include("kapclinic.preparation.urls")),
    path("clinic/", include("kapclinic.clinics.urls")),
    path("schedule/", include("kapclinic.scheduling.urls")),
    path("outcomes/", include("kapclinic.outcomes.urls")),
    path("journal/", include("kapclinic.journal.urls")),
    path("audit/", include("kapclinic.audit.urls")),
    path("dosing/rems/", include("kapclinic.dosing.rems_urls")),
    path("controlled/", include("kapclinic.controlled.urls")),
    path("r/", include("kapclinic.scheduling.reminder_urls")),
    path("q/", include("kapclinic.outcomes.link_urls")),
    path("api/v1/", api_urls()),
    path("django-admin/", admin.site.urls),
]

# A database that is down or too slow answers 503 with Retry-After (errors.py).
handler500 = "kapclinic.errors.server_error"
