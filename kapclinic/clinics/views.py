"""Clinic admin pages for sites, rooms, chairs and site settings.

Every view's first line is the clinic-admin check from `clinics/access.py`; writes
go through `clinics/actions.py`. Staff pages are in `clinics/staff_views.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from kapclinic.clinics import access, actions
from kapclinic.clinics.forms import ChairForm, NewSiteForm, RoomForm, SiteForm, SiteSettingsForm
from kapclinic.clinics.models import Chair, Organisation, Room


def saved_message(request: HttpRequest, changed: object, what: str) -> None:
    if changed:
        messages.success(request, f"{what} saved.")
    else:
        messages.info(request, "Nothing changed.")


def site_url(pk: int) -> str:
    return reverse("clinics:site", kwargs={"pk": pk})


def form_page(request: HttpRequest, form: BaseForm, title: str, back: str) -> HttpResponse:
    context = {"form": form, "title": title, "back": back}
    return render(request, "clinics/form.html", context)


def edit_page(
    request: HttpRequest,
    form: BaseForm,
    *,
    save: Callable[[dict[str, Any]], object],
    what: str,
    title: str,
    back: str,
) -> HttpResponse:
    """The edit form; a valid POST calls `save(cleaned_data)`, an update action that
    returns what changed, says whether anything was saved and goes `back`.

    Callers pass `title` already built: validating writes the posted values into the
    form's instance, so a title read from it afterwards would show unsaved input.
    """
    if request.method == "POST" and form.is_valid():
        saved_message(request, save(form.cleaned_data), what)
        return redirect(back)
    return form_page(request, form, title, back)


@require_GET
def site_list(request: HttpRequest) -> HttpResponse:
    access.require_clinic_admin(request)
    return render(request, "clinics/site_list.html", {"sites": access.sites_with_counts()})


@require_GET
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_clinic_admin(request)
    site = access.get_site(pk)
    chairs = Prefetch("chairs", queryset=Chair.objects.order_by("name"))
    rooms = Room.objects.filter(site=site).order_by("name").prefetch_related(chairs)
    return render(request, "clinics/site_detail.html", {"site": site, "rooms": rooms})


@require_http_methods(["GET", "POST"])
def site_add(request: HttpRequest) -> HttpResponse:
    admin = access.require_clinic_admin(request)
    first_org = Organisation.objects.order_by("pk").first()
    form = NewSiteForm(request.POST or None, initial={"organisation": first_org})
    if request.method == "POST" and form.is_valid():
        org = form.cleaned_data["organisation"]
        site = actions.create_site(actor=admin, organisation=org, data=form.cleaned_data)
        messages.success(request, f"Site {site.name} added with the default thresholds.")
        return redirect("clinics:site", pk=site.pk)
    return form_page(request, form, "Add a site", reverse("clinics:sites"))


@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    admin = access.require_clinic_admin(request)
    site = access.get_site(pk)
    return edit_page(
        request,
        SiteForm(request.POST or None, instance=site),
        save=lambda data: actions.update_site(site, actor=admin, data=data),
        what="Site",
        title=f"Edit {site.name}",
        back=site_url(pk),
    )


@require_http_methods(["GET", "POST"])
def site_settings(request: HttpRequest, pk: int) -> HttpResponse:
    admin = access.require_clinic_admin(request)
    site = access.get_site(pk)
    form = SiteSettingsForm(request.POST or None, instance=access.get_site_settings(site))
    if request.method == "POST" and form.is_valid():
        changes = actions.update_site_settings(site, actor=admin, data=form.cleaned_data)
        saved_message(request, changes, "Thresholds")
        return redirect("clinics:site_settings", pk=pk)
    return render(request, "clinics/site_settings.html", {"form": form, "site": site})


@require_http_methods(["GET", "POST"])
def room_add(request: HttpRequest, pk: int) -> HttpResponse:
    admin = access.require_clinic_admin(request)
    site = access.get_site(pk)
    form = RoomForm(request.POST or None, instance=Room(site=site))
    if request.method == "POST" and form.is_valid():
        room = actions.create_room(actor=admin, site=site, data=form.cleaned_data)
        messages.success(request, f"Room {room.name} added.")
        return redirect("clinics:site", pk=site.pk)
    return form_page(request, form, f"Add a room at {site.name}", site_url(pk))


@require_http_methods(["GET", "POST"])
def room_edit(request: HttpRequest, pk: int) -> HttpResponse:
    admin = access.require_clinic_admin(request)
    room = access.get_room(pk)
    return edit_page(
        request,
        RoomForm(request.POST or None, instance=room),
        save=lambda data: actions.update_room(room, actor=admin, data=data),
        what="Room",
        title=f"Edit room {room.name} at {room.site.name}",
        back=site_url(room.site_id),
    )


@require_http_methods(["GET", "POST"])
def chair_add(request: HttpRequest, pk: int) -> HttpResponse:
    admin = access.require_clinic_admin(request)
    room = access.get_room(pk)
    form = ChairForm(request.POST or None, instance=Chair(room=room))
    if request.method == "POST" and form.is_valid():
        chair = actions.create_chair(actor=admin, room=room, data=form.cleaned_data)
        messages.success(request, f"Chair {chair.name} added.")
        return redirect("clinics:site", pk=room.site_id)
    title = f"Add a chair in {room.name} at {room.site.name}"
    return form_page(request, form, title, site_url(room.site_id))


@require_http_methods(["GET", "POST"])
def chair_edit(request: HttpRequest, pk: int) -> HttpResponse:
    admin = access.require_clinic_admin(request)
    chair = access.get_chair(pk)
    return edit_page(
        request,
        ChairForm(request.POST or None, instance=chair),
        save=lambda data: actions.update_chair(chair, actor=admin, data=data),
        what="Chair",
        title=f"Edit chair {chair.name} in {chair.room.name}",
        back=site_url(chair.room.site_id),
    )
