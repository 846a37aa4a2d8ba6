import pytest
from django.urls import reverse

from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Room
from kapclinic.clinics.tests.battery import assert_hidden_from_others, audit_rows

pytestmark = pytest.mark.django_db


def _url(pk):
    return reverse("clinics:room_add", kwargs={"pk": pk})


def _rooms():
    return list(Room.objects.values_list("site_id", "name", "kind"))


def test_form_shows(cast, admin_in):
    assert admin_in.get(_url(cast.site.pk)).status_code == 200


def test_admin_adds_a_room(cast, admin_in):
    response = admin_in.post(
        _url(cast.site.pk), {"name": "Lotus", "kind": "dosing", "is_active": "on"}
    )
    assert response.status_code == 302
    room = Room.objects.get()
    assert (room.site, room.name, room.kind) == (cast.site, "Lotus", "dosing")
    (row,) = audit_rows(action=AuditAction.CREATE, object_type="clinics.room")
    assert row.object_id == str(room.pk)


def test_duplicate_name_at_the_same_site_is_refused(cast, admin_in):
    Room.objects.create(site=cast.site, name="Lotus")
    response = admin_in.post(_url(cast.site.pk), {"name": "Lotus", "kind": "group"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "This site already has a room with this name."
    ]
    assert len(_rooms()) == 1
    assert audit_rows() == []


def test_same_name_at_another_site_is_fine(cast, admin_in):
    Room.objects.create(site=cast.other_site, name="Lotus")
    admin_in.post(_url(cast.site.pk), {"name": "Lotus", "kind": "dosing"})
    assert len(_rooms()) == 2


def test_unknown_kind_is_refused_and_name_kept(cast, admin_in):
    response = admin_in.post(_url(cast.site.pk), {"name": "Cedar", "kind": "sauna"})
    assert "kind" in response.context["form"].errors
    assert b'value="Cedar"' in response.content
    assert _rooms() == []


def test_other_roles_get_404(client, cast):
    url = _url(cast.site.pk)
    assert_hidden_from_others(client, cast, "get", url)
    data = {"name": "X", "kind": "dosing"}
    assert_hidden_from_others(client, cast, "post", url, data, snapshot=_rooms)


def test_unknown_site_is_404(admin_in):
    assert admin_in.get(_url(999999)).status_code == 404


def test_put_is_not_allowed(cast, admin_in):
    assert admin_in.put(_url(cast.site.pk)).status_code == 405
