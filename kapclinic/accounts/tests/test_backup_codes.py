from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kapclinic.accounts import actions
from kapclinic.accounts.tests.helpers import backup_digests, events, holds_exactly
from kapclinic.audit.models import AuditAction

URL = reverse("accounts:backup_codes")


def test_regenerating_replaces_all_codes(client, cast, as_user):
    old = set(actions.regenerate_backup_codes(actor=cast.nurse))
    as_user(cast.nurse)
    response = client.post(URL)
    assert response.status_code == 200
    new = set(response.context["codes"])
    assert len(new) == 10
    assert holds_exactly(cast.nurse, new)
    assert not old & new
    assert {"no-store", "private"} <= {d.strip() for d in response["Cache-Control"].split(",")}


def test_regenerating_is_audited(client, cast, as_user):
    as_user(cast.nurse)
    client.post(URL)
    [event] = events(AuditAction.TWO_FACTOR)
    assert event.actor == cast.nurse
    assert event.detail == {"step": "backup_codes_regenerated"}


def test_unverified_session_cannot_regenerate(client, cast, settings):
    settings.DEMO_MODE = True  # lets an unverified staff session reach the view
    codes = set(actions.regenerate_backup_codes(actor=cast.nurse))
    client.force_login(cast.nurse)
    response = client.post(URL)
    assert response.url.startswith(reverse("accounts:verify"))
    assert holds_exactly(cast.nurse, codes)


def test_without_authenticator_goes_to_setup(client, cast, settings):
    settings.DEMO_MODE = True
    TOTPDevice.objects.filter(user=cast.nurse).delete()
    client.force_login(cast.nurse)
    assert client.post(URL).url == reverse("accounts:setup")
    assert backup_digests(cast.nurse) == set()


def test_get_is_not_allowed(client, cast, as_user):
    as_user(cast.nurse)
    assert client.get(URL).status_code == 405
    assert backup_digests(cast.nurse) == set()


def test_enrolled_patient_can_regenerate(client, cast, as_user):
    TOTPDevice.objects.create(user=cast.patient_user, name="Authenticator app", confirmed=True)
    as_user(cast.patient_user)
    response = client.post(URL)
    assert holds_exactly(cast.patient_user, response.context["codes"])


def test_patient_without_authenticator_gets_no_codes(client, cast, as_user):
    as_user(cast.patient_user)
    assert client.post(URL).url == reverse("accounts:setup")
    assert backup_digests(cast.patient_user) == set()
    assert events(AuditAction.TWO_FACTOR) == []
