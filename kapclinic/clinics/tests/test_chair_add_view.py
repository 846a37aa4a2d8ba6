import pytest
from django.urls import reverse

from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Chair, Room
from kapclinic.clinics.tests.battery import assert_hidden_from_others, audit_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(cast):
    return Room.objects.create(site=cast.site, name="Lotus")


def _url(pk):
    return reverse("clinics:chair_add", kwargs={"pk": pk})


def _chairs():
    return list(Chair.objects.values_list("room_id", "name", "monitored"))


def test_form_offers_monitored_yes_no(room, admin_in):
    response = admin_in.get(_url(room.pk))
    assert b"Monitored" in response.content


def test_admin_adds_an_unmonitored_chair(room, admin_in):
    response = admin_in.post(_url(room.pk), {"name": "Recliner 1", "is_active": "on"})
    assert response.status_code == 302
    assert _chairs() == [(room.pk, "Recliner 1", False)]
    (row,) = audit_rows(action=AuditAction.CREATE, object_type="clinics.chair")
    assert "monitored" in row.detail["fields"]


def test_admin_adds_a_monitored_chair(room, admin_in):
    admin_in.post(_url(room.pk), {"name": "Recliner 2", "monitored": "on", "is_active": "on"})
    assert _chairs() == [(room.pk, "Recliner 2", True)]


def test_duplicate_name_in_the_room_is_refused(room, admin_in):
    Chair.objects.create(room=room, name="Recliner 1")
    response = admin_in.post(_url(room.pk), {"name": "Recliner 1", "monitored": "on"})
    assert response.context["form"].errors["name"] == [
        "This room already has a chair with this name."
    ]
    assert len(_chairs()) == 1
    assert audit_rows() == []


def test_other_roles_get_404(client, cast, room):
    url = _url(room.pk)
    assert_hidden_from_others(client, cast, "get", url)
    assert_hidden_from_others(client, cast, "post", url, {"name": "X"}, snapshot=_chairs)


def test_unknown_room_is_404(admin_in):
    assert admin_in.get(_url(999999)).status_code == 404


def test_put_is_not_allowed(room, admin_in):
    assert admin_in.put(_url(room.pk)).status_code == 405
