import pytest
from django.urls import reverse

from kapclinic.audit.models import AuditAction
from kapclinic.clinics.models import Chair, Room
from kapclinic.clinics.tests.battery import assert_hidden_from_others, audit_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(cast):
    room = Room.objects.create(site=cast.site, name="Lotus")
    return Chair.objects.create(room=room, name="Recliner 1", monitored=True)


def _url(pk):
    return reverse("clinics:chair_edit", kwargs={"pk": pk})


def _chairs():
    return list(Chair.objects.values_list("name", "monitored", "is_active"))


def test_form_shows_current_values(chair, admin_in):
    assert b'value="Recliner 1"' in admin_in.get(_url(chair.pk)).content


def test_admin_marks_a_chair_unmonitored(chair, admin_in):
    response = admin_in.post(_url(chair.pk), {"name": "Recliner 1", "is_active": "on"})
    assert response.status_code == 302
    assert _chairs() == [("Recliner 1", False, True)]
    (row,) = audit_rows(action=AuditAction.UPDATE, object_type="clinics.chair")
    assert row.detail == {"fields": ["monitored"]}


def test_too_long_name_is_refused(chair, admin_in):
    response = admin_in.post(_url(chair.pk), {"name": "x" * 81, "monitored": "on"})
    assert "name" in response.context["form"].errors
    assert _chairs() == [("Recliner 1", True, True)]
    assert audit_rows() == []


def test_other_roles_get_404(client, cast, chair):
    url = _url(chair.pk)
    assert_hidden_from_others(client, cast, "get", url)
    assert_hidden_from_others(client, cast, "post", url, {"name": "X"}, snapshot=_chairs)


def test_unknown_chair_is_404(admin_in):
    assert admin_in.get(_url(999999)).status_code == 404


def test_delete_is_not_allowed(chair, admin_in):
    assert admin_in.delete(_url(chair.pk)).status_code == 405
