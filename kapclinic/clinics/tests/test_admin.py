import pytest
from django.contrib import admin

from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.clinics.models import Chair, Organisation, Room, Site
from kapclinic.test import login

pytestmark = pytest.mark.django_db


def test_clinic_models_are_registered():
    for model in (Organisation, Site, Room, Chair):
        assert admin.site.is_registered(model)


@pytest.mark.parametrize("model", ["organisation", "site", "room", "chair"])
def test_clinic_admin_can_open_the_change_list(client, cast, model):
    login(client, cast.admin)
    assert client.get(f"/django-admin/clinics/{model}/").status_code == 200


def test_other_staff_cannot(client, cast):
    login(client, cast.prescriber)
    response = client.get("/django-admin/clinics/site/")
    assert response.status_code == 302  # is_staff is False: sent to the admin sign-in


def test_a_change_in_django_admin_is_audited(client, cast):
    login(client, cast.admin)
    room = Room.objects.create(site=cast.site, name="Lotus")
    response = client.post(
        f"/django-admin/clinics/room/{room.pk}/change/",
        {"site": cast.site.pk, "name": "Cedar", "kind": "dosing", "is_active": "on"},
    )
    assert response.status_code == 302
    row = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert row.object_type == "clinics.room"
    assert row.detail == {"fields": ["name"], "via": "django-admin"}


def test_a_delete_in_django_admin_is_audited(client, cast):
    login(client, cast.admin)
    room = Room.objects.create(site=cast.site, name="Lotus")
    client.post(f"/django-admin/clinics/room/{room.pk}/delete/", {"post": "yes"})
    assert not Room.objects.exists()
    row = AuditEvent.objects.get(action=AuditAction.DELETE)
    assert row.object_id == str(room.pk)
