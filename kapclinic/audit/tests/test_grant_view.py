import pytest
from django.urls import reverse

from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.clinics.tests.battery import assert_hidden_from_others

pytestmark = pytest.mark.django_db


def _url(pk):
    return reverse("audit:grant", kwargs={"pk": pk})


def test_admin_sees_the_reason_and_what_was_done(cast, admin_in, grant):
    response = admin_in.get(_url(grant.pk))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Covering for the on-call therapist during a crisis call" in text
    assert "Theo Therapist" in text
    assert "Not reviewed yet." in text
    assert len(response.context["events"]) == 2
    assert "Ient" not in text  # the patient is shown by id only


def test_opening_a_grant_is_audited(cast, admin_in, grant):
    admin_in.get(_url(grant.pk))
    row = AuditEvent.objects.get(action=AuditAction.VIEW, actor=cast.admin)
    assert (row.object_type, row.object_id) == ("audit.breakglassgrant", str(grant.pk))


def test_other_roles_get_404(client, cast, grant):
    assert_hidden_from_others(client, cast, "get", _url(grant.pk))


def test_unknown_grant_is_404(admin_in):
    assert admin_in.get(_url(999999)).status_code == 404


def test_post_is_not_allowed(admin_in, grant):
    assert admin_in.post(_url(grant.pk)).status_code == 405
