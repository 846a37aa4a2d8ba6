import datetime as dt

import pytest
from django.urls import reverse

from kapclinic.accounts.models import StaffCredential
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.tests.battery import assert_hidden_from_others, audit_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def credential(cast):
    return StaffCredential.objects.create(
        user=cast.nurse,
        kind="nursing",
        number="RN-1",
        issuer="IL board",
        expires_on=dt.date(2020, 1, 1),
    )


def _url(pk):
    return reverse("clinics:credential_edit", kwargs={"pk": pk})


def _data(**over):
    data = {"kind": "nursing", "number": "RN-1", "issuer": "IL board", "expires_on": "2020-01-01"}
    data.update(over)
    return data


def _credentials():
    return list(StaffCredential.objects.values_list("number", "expires_on"))


def test_form_shows_current_values(credential, admin_in):
    assert b'value="RN-1"' in admin_in.get(_url(credential.pk)).content


def test_saved_expiry_date_fills_the_date_picker(credential, admin_in):
    # A date input only accepts ISO values; a locale format would show it empty.
    assert b'value="2020-01-01"' in admin_in.get(_url(credential.pk)).content


def test_admin_renews_a_credential(credential, admin_in):
    response = admin_in.post(_url(credential.pk), _data(expires_on="2028-01-01"))
    assert response.status_code == 302
    assert _credentials() == [("RN-1", dt.date(2028, 1, 1))]
    (row,) = audit_rows(action=AuditAction.UPDATE, object_type="accounts.staffcredential")
    assert row.detail["fields"] == ["expires_on"]


def test_bad_kind_is_refused(credential, admin_in):
    response = admin_in.post(_url(credential.pk), _data(kind="wizard", expires_on="2028-01-01"))
    assert "kind" in response.context["form"].errors
    assert b'value="2028-01-01"' in response.content
    assert _credentials() == [("RN-1", dt.date(2020, 1, 1))]
    assert audit_rows() == []


def test_other_roles_get_404(client, cast, credential):
    url = _url(credential.pk)
    assert_hidden_from_others(client, cast, "get", url)
    data = _data(number="FAKE")
    assert_hidden_from_others(client, cast, "post", url, data, snapshot=_credentials)


def test_unknown_credential_is_404(admin_in):
    assert admin_in.get(_url(999999)).status_code == 404


def test_delete_is_not_allowed(credential, admin_in):
    assert admin_in.delete(_url(credential.pk)).status_code == 405
