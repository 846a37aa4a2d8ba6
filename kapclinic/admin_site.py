"""kapclinic's Django admin site: a small, audited tool for clinic configuration.

The site enforces what each ModelAdmin could otherwise forget:

- Only kapclinic's own models are admitted, each with an `AuditedAdmin`; the admin
  pages other installed apps register (Django's groups, django-otp's devices with
  their secrets and backup codes, django-axes' sign-in attempts, the task queue)
  are dropped, because they show or change accounts and secrets with no audit.
- Every admin page a clinic admin opens writes an audit row (saves and deletes
  write their own, in `AuditedAdmin`).
- There is no second sign-in: the admin's login page sends people to the app's
  own, which is audited, counts failures towards the lockout and asks for the
  second factor, with `next` back to the admin. Sign-out and password change
  are likewise the app's own, audited pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import update_wrapper
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model
from django.db.models.base import ModelBase
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache

from kapclinic.accounts import views as account_views
from kapclinic.accounts.access import safe_next_url
from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.django_admin import VIA, AuditedAdmin, is_clinic_admin
from kapclinic.audit.models import AuditAction, AuditEvent, AuditOutcome

# Admin pages that show no clinic data and are not audited: the translation
# catalogue every form loads, and sign-out (recorded as a sign-out instead).
UNAUDITED_PAGES = frozenset({"jsi18n", "logout"})
# Pages that list many rows rather than open one.
LIST_PAGES = frozenset({"changelist", "index", "app_list", "autocomplete"})
# Django's generic "view on site" redirect looks up any object of any model by id,
# registered or not; nothing here needs it.
DROPPED_URLS = frozenset({"view_on_site"})

_View = TypeVar("_View", bound=Callable[..., HttpResponseBase])

_OBJECT_ID_LENGTH = AuditEvent._meta.get_field("object_id").max_length or 0


def _is_ours(model: type[Model]) -> bool:
    return model.__module__.startswith("kapclinic.")


def _page(request: HttpRequest, owner: object) -> str:
    """The kind of admin page: "changelist", "change", "delete", "index"..."""
    name = request.resolver_match.url_name if request.resolver_match else ""
    if isinstance(owner, admin.ModelAdmin) and name:
        # ModelAdmin URL names are "<app>_<model>_<page>".
        return name.rsplit("_", 1)[-1]
    return name or ""


def _record_view(
    request: HttpRequest, owner: object, kwargs: dict[str, Any], outcome: AuditOutcome
) -> None:
    page = _page(request, owner)
    if page in UNAUDITED_PAGES:
        return
    model = getattr(owner, "model", None)
    object_id = str(kwargs.get("object_id", ""))
    detail: dict[str, Any] = {"via": VIA, "page": page, "method": request.method}
    if len(object_id) > _OBJECT_ID_LENGTH:
        # Junk typed into the URL; the row still says a page was asked for.
        detail["object_id_too_long"] = True
        object_id = ""
    record(
        actor=request.user if isinstance(request.user, User) else None,
        action=AuditAction.LIST if page in LIST_PAGES else AuditAction.VIEW,
        outcome=outcome,
        object_type=model._meta.label_lower if model is not None else "",
        object_id=object_id,
        detail=detail,
    )


class KapAdminSite(admin.AdminSite):
    site_header = "kapclinic configuration"
    site_title = "kapclinic configuration"
    index_title = "Clinic configuration"

    def register(
        self,
        model_or_iterable: type[Model] | Iterable[type[Model]],
        admin_class: type[admin.ModelAdmin[Any]] | None = None,
        **options: Any,
    ) -> None:
        models = (
            [model_or_iterable]
            if isinstance(model_or_iterable, ModelBase)
            else list(model_or_iterable)
        )
        ours = [model for model in models if _is_ours(model)]
        if not ours:
            return  # another app's admin page: not part of kapclinic's admin
        if admin_class is None or not issubclass(admin_class, AuditedAdmin):
            raise ImproperlyConfigured(
                f"{admin_class!r} for {ours} must build on AuditedAdmin "
                "(kapclinic.audit.django_admin) so its pages and changes are audited."
            )
        super().register(ours, admin_class, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        # Django's check is is_staff; the role must agree, so an account whose flag
        # was left behind by a role change gets nothing.
        return bool(request.user.is_staff) and is_clinic_admin(request)

    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        owner = getattr(view, "__self__", None)

        def audited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                response = view(request, *args, **kwargs)
            except (Http404, PermissionDenied):
                _record_view(request, owner, kwargs, AuditOutcome.DENIED)
                raise
            denied = response.status_code >= 400
            _record_view(
                request, owner, kwargs, AuditOutcome.DENIED if denied else AuditOutcome.SUCCESS
            )
            return response

        update_wrapper(audited, view)
        # Django's wrapper checks has_permission first, so only admins are recorded
        # here; everyone else is sent to the (audited) sign-in.
        return cast(_View, super().admin_view(audited, cacheable))

    def get_urls(self) -> list[URLResolver | URLPattern]:
        return [
            url
            for url in super().get_urls()
            if not (isinstance(url, URLPattern) and url.name in DROPPED_URLS)
        ]

    @method_decorator(never_cache)
    @login_not_required
    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """Send people to the app's own sign-in, which comes back here afterwards."""
        if isinstance(request.user, User):
            if self.has_permission(request):
                return HttpResponseRedirect(safe_next_url(request) or reverse("admin:index"))
            # Signed in without admin rights: as elsewhere, what you may not use is
            # not there.
            raise Http404
        target = safe_next_url(request) or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': target})}")

    # These three answer with the app's own pages, not the admin's templates.
    def logout(  # type: ignore[override]
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponse:
        return account_views.logout_view(request)

    def password_change(  # type: ignore[override]
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse("accounts:password_change"))

    def password_change_done(  # type: ignore[override]
        self, request: HttpRequest, extra_context: Any = None
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse("accounts:password_change"))
