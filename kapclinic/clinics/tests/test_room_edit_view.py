import pytest
from django.urls import reverse

from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Room
from kapclinic.clinics.tests.battery import assert_hidden_from_others, audit_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(cast):
    return Room.objects.create(site=cast.site, name="Lotus")


def _url(pk):
    return reverse("clinics:room_edit", kwargs={"pk": pk})


def _rooms():
    return list(Room.objects.values_list("name", "kind", "is_active"))


def test_form_shows_current_values(room, admin_in):
    response = admin_in.get(_url(room.pk))
    assert b'value="Lotus"' in response.content


def test_admin_renames_and_deactivates_a_room(room, admin_in):
    response = admin_in.post(_url(room.pk), {"name": "Cedar", "kind": "dosing"})
    assert response.status_code == 302
    assert _rooms() == [("Cedar", "dosing", False)]
    (row,) = audit_rows(action=AuditAction.UPDATE, object_type="clinics.room")
    assert row.detail == {"fields": ["is_active", "name"]}


def test_clash_with_another_room_is_refused(cast, room, admin_in):
    Room.objects.create(site=cast.site, name="Cedar")
    response = admin_in.post(_url(room.pk), {"name": "Cedar", "kind": "dosing", "is_active": "on"})
    assert "name" in response.context["form"].errors
    assert sorted(_rooms()) == [("Cedar", "dosing", True), ("Lotus", "dosing", True)]


def test_keeping_its_own_name_is_fine(room, admin_in):
    response = admin_in.post(_url(room.pk), {"name": "Lotus", "kind": "group", "is_active": "on"})
    assert response.status_code == 302
    assert _rooms() == [("Lotus", "group", True)]


def test_empty_name_is_refused(room, admin_in):
    response = admin_in.post(_url(room.pk), {"name": "", "kind": "dosing", "is_active": "on"})
    assert "name" in response.context["form"].errors
    assert _rooms() == [("Lotus", "dosing", True)]


def test_other_roles_get_404(client, cast, room):
    url = _url(room.pk)
    assert_hidden_from_others(client, cast, "get", url)
    data = {"name": "Hacked", "kind": "dosing"}
    assert_hidden_from_others(client, cast, "post", url, data, snapshot=_rooms)


def test_unknown_room_is_404(admin_in):
    assert admin_in.get(_url(999999)).status_code == 404


def test_delete_is_not_allowed(room, admin_in):
    assert admin_in.delete(_url(room.pk)).status_code == 405
