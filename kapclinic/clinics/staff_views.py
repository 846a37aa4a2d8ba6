"""Clinic admin pages for staff accounts and their professional credentials."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kapclinic.accounts import actions as two_factor_actions
from kapclinic.accounts.models import StaffCredential
from kapclinic.clinics import access, staff_actions
from kapclinic.clinics.forms import CredentialForm, StaffEditForm, StaffForm
from kapclinic.clinics.views import edit_page, form_page, saved_message


def staff_url(pk: int) -> str:
    return reverse("clinics:staff_member", kwargs={"pk": pk})


@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    access.require_clinic_admin(request)
    return render(request, "clinics/staff_list.html", {"staff": access.staff_members()})


@require_GET
def staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require_clinic_admin(request)
    member = access.get_staff_member(pk)
    today = timezone.localdate()
    credentials = [
        (credential, credential.is_expired(today))
        for credential in StaffCredential.objects.filter(user=member).order_by("kind", "pk")
    ]
    context = {"member": member, "sites": member.sites.all(), "credentials": credentials}
    return render(request, "clinics/staff_detail.html", context)


@require_http_methods(["GET", "POST"])
def staff_add(request: HttpRequest) -> HttpResponse:
    admin = access.require_clinic_admin(request)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = staff_actions.invite_staff(
            actor=admin,
            email=data["email"],
            full_name=data["full_name"],
            role=data["role"],
            sites=data["sites"],
            base_url=request.build_absolute_uri("/"),
        )
        messages.success(request, f"{member.email} was sent a link to choose a password.")
        return redirect("clinics:staff_member", pk=member.pk)
    return form_page(request, form, "Add a staff member", reverse("clinics:staff"))


@require_http_methods(["GET", "POST"])
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    admin = access.require_clinic_admin(request)
    member = access.get_staff_member(pk)
    title = f"Edit {member.full_name}"
    form = StaffEditForm(request.POST or None, member=member, editor=admin)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            changed = staff_actions.update_staff(
                member,
                actor=admin,
                role=data["role"],
                sites=data["sites"],
                full_name=data["full_name"],
            )
        except staff_actions.StaffChangeRefused as refused:
            # Another admin's change got there first (say, they were just made
            # inactive): say why, and keep what was typed.
            form.add_error("role", str(refused))
        else:
            saved_message(request, changed, "Staff member")
            return redirect(staff_url(pk))
    return form_page(request, form, title, staff_url(pk))


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    admin = access.require_clinic_admin(request)
    member = access.get_staff_member(pk)
    try:
        changed = staff_actions.set_staff_active(member, actor=admin, active=active)
    except staff_actions.StaffChangeRefused as refused:
        messages.error(request, str(refused))
    else:
        state = "reactivated" if active else "deactivated"
        if changed:
            messages.success(request, f"{member.full_name} was {state}.")
        else:
            messages.info(request, f"{member.full_name} was already {state}.")
    return redirect("clinics:staff_member", pk=pk)


@require_POST
def staff_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@require_POST
def staff_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


@require_POST
def staff_reset_two_factor(request: HttpRequest, pk: int) -> HttpResponse:
    """A lost phone: remove the staff member's authenticator and backup codes so they
    enrol a new one at their next sign-in (their current session must enrol too)."""
    admin = access.require_clinic_admin(request)
    member = access.get_staff_member(pk)
    two_factor_actions.reset_two_factor(actor=admin, user=member)
    messages.success(
        request, f"Two-factor sign-in was reset; {member.full_name} sets it up again at sign-in."
    )
    return redirect("clinics:staff_member", pk=pk)


@require_http_methods(["GET", "POST"])
def credential_add(request: HttpRequest, pk: int) -> HttpResponse:
    admin = access.require_clinic_admin(request)
    member = access.get_staff_member(pk)
    form = CredentialForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        staff_actions.add_credential(member, actor=admin, data=form.cleaned_data)
        messages.success(request, "Credential added.")
        return redirect("clinics:staff_member", pk=pk)
    return form_page(request, form, f"Add a credential for {member.full_name}", staff_url(pk))


@require_http_methods(["GET", "POST"])
def credential_edit(request: HttpRequest, pk: int) -> HttpResponse:
    admin = access.require_clinic_admin(request)
    credential = access.get_credential(pk)
    return edit_page(
        request,
        CredentialForm(request.POST or None, instance=credential),
        save=lambda data: staff_actions.update_credential(credential, actor=admin, data=data),
        what="Credential",
        title=f"Edit {credential} for {credential.user.full_name}",
        back=staff_url(credential.user_id),
    )
