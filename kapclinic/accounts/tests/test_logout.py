from django.urls import reverse

from kapclinic.accounts.tests.helpers import events
from kapclinic.audit.models import AuditAction


def test_logout_signs_out_and_is_audited(client, cast, as_user):
    as_user(cast.nurse)
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    [event] = events(AuditAction.LOGOUT)
    assert event.actor == cast.nurse
    assert event.detail == {"reason": "user"}


def test_logout_refuses_get(client, cast, as_user):
    as_user(cast.nurse)
    response = client.get(reverse("accounts:logout"))
    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(cast.nurse.pk)
    assert events(AuditAction.LOGOUT) == []


def test_unverified_staff_can_still_log_out(client, cast):
    client.force_login(cast.nurse)
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
