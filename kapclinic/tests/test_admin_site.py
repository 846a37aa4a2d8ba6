"""kapclinic's Django admin site: app sign-in, audited pages, only audited admins."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode

from kapclinic.accounts.models import Role, User
from kapclinic.accounts.tests.helpers import code_for, post_login, totp_device
from kapclinic.admin_site import KapAdminSite
from kapclinic.audit.django_admin import AuditedAdmin
from kapclinic.audit.models import AuditAction, AuditEvent, AuditOutcome
from kapclinic.clinics.models import Room, Site
from kapclinic.test import PASSWORD, login

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:login")


def _rows(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_admin_login_page_sends_people_to_the_app_sign_in(client):
    response = client.get("/django-admin/login/?next=/django-admin/clinics/site/")
    assert response.status_code == 302
    assert response.url == f"{SIGN_IN}?{urlencode({'next': '/django-admin/clinics/site/'})}"


def test_admin_login_without_next_comes_back_to_the_admin_index(client):
    response = client.get("/django-admin/login/")
    assert response.url == f"{SIGN_IN}?{urlencode({'next': '/django-admin/'})}"


def test_admin_login_does_not_pass_an_outside_next_on(client):
    response = client.get("/django-admin/login/?next=//evil.example/")
    assert response.url == f"{SIGN_IN}?{urlencode({'next': '/django-admin/'})}"


def test_posting_a_password_to_the_admin_login_signs_no_one_in(client, cast):
    response = client.post(
        "/django-admin/login/", {"username": cast.admin.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url.startswith(SIGN_IN)
    assert "_auth_user_id" not in client.session
    assert _rows(AuditAction.LOGIN) == []


def test_signing_in_for_the_admin_is_audited_and_asks_the_second_factor(client, cast):
    first = client.get("/django-admin/", follow=True)
    assert first.redirect_chain[-1][0].startswith(SIGN_IN)
    assert post_login(client, cast.admin.email, next="/django-admin/").url == "/django-admin/"
    response = client.get("/django-admin/")  # the password alone is not enough
    assert response.url == f"{reverse('accounts:verify')}?{urlencode({'next': '/django-admin/'})}"
    response = client.post(
        response.url, {"code": code_for(totp_device(cast.admin)), "next": "/django-admin/"}
    )
    assert response.url == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200
    steps = [row.detail["step"] for row in _rows(AuditAction.LOGIN)]
    assert steps == ["password", "two_factor"]


def test_a_failed_sign_in_for_the_admin_is_audited(client, cast):
    post_login(client, cast.admin.email, password="not the password", next="/django-admin/")
    [row] = _rows(AuditAction.LOGIN_FAILED)
    assert row.actor == cast.admin
    assert "_auth_user_id" not in client.session


def test_signed_in_staff_without_admin_rights_find_no_admin_login(client, cast):
    login(client, cast.prescriber)
    assert client.get("/django-admin/login/").status_code == 404


def test_a_signed_in_admin_at_the_admin_login_goes_to_the_admin(client, cast):
    login(client, cast.admin)
    assert client.get("/django-admin/login/").url == "/django-admin/"


def test_an_account_whose_role_is_not_clinic_admin_is_kept_out(client, cast):
    User.objects.filter(pk=cast.nurse.pk).update(is_staff=True)  # left behind by hand
    login(client, cast.nurse)
    response = client.get("/django-admin/")
    assert response.status_code == 302
    assert response.url.startswith("/django-admin/login/")


def test_admin_sign_out_is_the_audited_app_sign_out(client, cast):
    login(client, cast.admin)
    response = client.post("/django-admin/logout/")
    assert response.url == SIGN_IN
    assert "_auth_user_id" not in client.session
    [row] = _rows(AuditAction.LOGOUT)
    assert row.actor == cast.admin


def test_admin_password_change_is_the_app_page(client, cast):
    login(client, cast.admin)
    before = User.objects.get(pk=cast.admin.pk).password
    for path in ("/django-admin/password_change/", "/django-admin/password_change/done/"):
        response = client.post(
            path,
            {
                "old_password": PASSWORD,
                "new_password1": "a brand new passphrase 7",
                "new_password2": "a brand new passphrase 7",
            },
        )
        assert response.status_code == 302
        assert response.url == reverse("accounts:password_change")
    assert User.objects.get(pk=cast.admin.pk).password == before


@pytest.mark.parametrize(
    ("page", "action", "suffix"),
    [
        ("changelist", AuditAction.LIST, ""),
        ("change", AuditAction.VIEW, "{pk}/change/"),
        ("history", AuditAction.VIEW, "{pk}/history/"),
        ("delete", AuditAction.VIEW, "{pk}/delete/"),
        ("add", AuditAction.VIEW, "add/"),
    ],
)
def test_every_admin_page_opened_is_audited(client, cast, page, action, suffix):
    room = Room.objects.create(site=cast.site, name="Lotus")
    login(client, cast.admin)
    response = client.get(f"/django-admin/clinics/room/{suffix.format(pk=room.pk)}")
    assert response.status_code == 200
    [row] = AuditEvent.objects.filter(detail__page=page)
    assert row.action == action
    assert row.actor == cast.admin
    assert row.object_type == "clinics.room"
    assert row.object_id == ("" if page in ("changelist", "add") else str(room.pk))
    assert row.detail == {"via": "django-admin", "page": page, "method": "GET"}
    assert Room.objects.filter(pk=room.pk, name="Lotus").exists()


def test_the_admin_index_is_audited(client, cast):
    login(client, cast.admin)
    assert client.get("/django-admin/").status_code == 200
    [row] = AuditEvent.objects.filter(action=AuditAction.LIST)
    assert row.detail["page"] == "index"


def test_an_unknown_id_is_a_404_and_recorded_as_denied(client, cast):
    login(client, cast.admin)
    assert client.get("/django-admin/clinics/room/424242/change/").status_code == 404
    [row] = AuditEvent.objects.all()
    assert (row.outcome, row.object_id) == (AuditOutcome.DENIED, "424242")


def test_an_over_long_id_is_recorded_without_it(client, cast):
    login(client, cast.admin)
    assert client.get(f"/django-admin/clinics/room/{'9' * 60}/change/").status_code == 404
    [row] = AuditEvent.objects.all()
    assert row.object_id == ""
    assert row.detail["object_id_too_long"] is True


def test_a_save_writes_a_view_row_and_an_update_row(client, cast):
    room = Room.objects.create(site=cast.site, name="Lotus")
    login(client, cast.admin)
    client.post(
        f"/django-admin/clinics/room/{room.pk}/change/",
        {"site": cast.site.pk, "name": "Cedar", "kind": "dosing", "is_active": "on"},
    )
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == [AuditAction.UPDATE, AuditAction.VIEW]


def test_only_kapclinic_models_with_audited_admins_are_registered():
    registry = admin.site._registry
    assert registry, "nothing registered"
    for model, model_admin in registry.items():
        assert model.__module__.startswith("kapclinic."), model
        assert isinstance(model_admin, AuditedAdmin), model


def test_other_apps_admin_pages_are_dropped():
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    for model in (Group, TOTPDevice, StaticDevice, User):
        assert not admin.site.is_registered(model)


def test_a_kapclinic_model_with_a_plain_admin_is_refused():
    site = KapAdminSite(name="probe")
    with pytest.raises(ImproperlyConfigured):
        site.register(Room, admin.ModelAdmin)
    assert not site.is_registered(Room)


def test_an_account_admin_added_later_would_still_never_reach_patients(rf, cast):
    class AccountProbe(AuditedAdmin, admin.ModelAdmin):
        pass

    model_admin = AccountProbe(User, KapAdminSite(name="probe"))
    request = rf.get("/django-admin/")
    request.user = cast.admin
    shown = set(model_admin.get_queryset(request))
    assert cast.nurse in shown
    assert cast.patient_user not in shown
    with pytest.raises(Http404):
        model_admin.get_object(request, str(cast.patient_user.pk))


def test_site_form_offers_active_prescribers_only(client, cast):
    login(client, cast.admin)
    body = client.get(f"/django-admin/clinics/site/{cast.site.pk}/change/").content.decode()
    assert cast.prescriber.full_name in body
    assert cast.nurse.full_name not in body
    assert cast.patient_user.full_name not in body
    assert cast.patient_user.email not in body


def test_a_patient_account_cannot_be_made_on_call(client, cast):
    login(client, cast.admin)
    url = f"/django-admin/clinics/site/{cast.site.pk}/change/"
    data = {
        "organisation": cast.org.pk,
        "name": cast.site.name,
        "address_line1": cast.site.address_line1,
        "city": cast.site.city,
        "region": cast.site.region,
        "postal_code": cast.site.postal_code,
        "country": "US",
        "time_zone": cast.site.time_zone,
        "is_active": "on",
        "on_call_prescriber": cast.patient_user.pk,
        "rooms-TOTAL_FORMS": "0",
        "rooms-INITIAL_FORMS": "0",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert Site.objects.get(pk=cast.site.pk).on_call_prescriber is None
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()
    data["on_call_prescriber"] = cast.prescriber.pk
    assert client.post(url, data).status_code == 302
    assert Site.objects.get(pk=cast.site.pk).on_call_prescriber == cast.prescriber


def test_roles_are_unchanged_by_the_site(cast):
    # The role test above relies on the cast: the nurse is not a clinic admin.
    assert cast.nurse.role == Role.NURSE
