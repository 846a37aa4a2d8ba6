from django.urls import reverse

from kapclinic.accounts.tests.helpers import events
from kapclinic.audit.models import AuditAction
from kapclinic.test import PASSWORD

URL = reverse("accounts:password_change")
NEW = "a brand new long passphrase 7"


def _change(client, old=PASSWORD, new=NEW):
    return client.post(URL, {"old_password": old, "new_password1": new, "new_password2": new})


def test_form_labels_every_field(client, cast, as_user):
    as_user(cast.nurse)
    response = client.get(URL)
    for name in ("old_password", "new_password1", "new_password2"):
        assert f'<label for="id_{name}"'.encode() in response.content


def test_change_sets_password_and_keeps_session_verified(client, cast, as_user):
    as_user(cast.nurse)
    response = _change(client)
    assert response.url == reverse("accounts:security")
    cast.nurse.refresh_from_db()
    assert cast.nurse.check_password(NEW)
    assert client.get(reverse("patients:list")).status_code == 200


def test_change_is_audited_as_update_of_the_user(client, cast, as_user):
    as_user(cast.nurse)
    _change(client)
    [event] = events(AuditAction.UPDATE)
    assert event.actor == cast.nurse
    assert event.object_type == "accounts.user"
    assert event.object_id == str(cast.nurse.pk)
    assert event.detail == {"fields": ["password"], "via": "change"}


def test_wrong_old_password_changes_nothing(client, cast, as_user):
    as_user(cast.nurse)
    response = _change(client, old="not my password")
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    cast.nurse.refresh_from_db()
    assert cast.nurse.check_password(PASSWORD)
    assert events(AuditAction.UPDATE) == []


def test_weak_password_is_refused(client, cast, as_user):
    as_user(cast.nurse)
    response = _change(client, new="short")
    assert response.context["form"].errors["new_password2"]
    assert events(AuditAction.UPDATE) == []
