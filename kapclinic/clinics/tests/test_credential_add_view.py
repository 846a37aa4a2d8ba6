import pytest
from django.urls import reverse

from kapclinic.accounts.models import StaffCredential
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.tests.battery import assert_hidden_from_others, audit_rows

pytestmark = pytest.mark.django_db


def _url(pk):
    return reverse("clinics:credential_add", kwargs={"pk": pk})


def _data(**over):
    data = {
        "kind": "nursing",
        "number": "RN-123",
        "issuer": "Illinois board of nursing",
        "expires_on": "2030-06-30",
        "kap_training_completed_on": "2024-01-15",
        "kap_training_provider": "Polaris Insight Center",
    }
    data.update(over)
    return data


def _credentials():
    return list(StaffCredential.objects.values_list("user_id", "kind", "number"))


def test_form_shows(cast, admin_in):
    response = admin_in.get(_url(cast.nurse.pk))
    assert b'type="date"' in response.content


def test_admin_adds_a_credential(cast, admin_in):
    response = admin_in.post(_url(cast.nurse.pk), _data())
    assert response.status_code == 302
    credential = StaffCredential.objects.get()
    assert (credential.user, credential.number) == (cast.nurse, "RN-123")
    assert str(credential.kap_training_completed_on) == "2024-01-15"
    (row,) = audit_rows(action=AuditAction.CREATE, object_type="accounts.staffcredential")
    assert row.detail["user_id"] == cast.nurse.pk
    assert "RN-123" not in str(row.detail)


def test_bad_date_is_refused_and_typed_values_kept(cast, admin_in):
    response = admin_in.post(_url(cast.nurse.pk), _data(expires_on="31/31/2030"))
    assert response.status_code == 200
    assert "expires_on" in response.context["form"].errors
    assert b'value="RN-123"' in response.content
    assert _credentials() == []
    assert audit_rows() == []


def test_training_in_the_future_is_refused(cast, admin_in):
    response = admin_in.post(_url(cast.nurse.pk), _data(kap_training_completed_on="2999-01-01"))
    assert response.context["form"].errors["kap_training_completed_on"] == [
        "Training cannot end in the future."
    ]
    assert _credentials() == []


def test_missing_number_is_refused(cast, admin_in):
    response = admin_in.post(_url(cast.nurse.pk), _data(number=""))
    assert "number" in response.context["form"].errors
    assert _credentials() == []


def test_patient_account_is_404(cast, admin_in):
    assert admin_in.post(_url(cast.patient_user.pk), _data()).status_code == 404
    assert _credentials() == []


def test_other_roles_get_404(client, cast):
    url = _url(cast.nurse.pk)
    assert_hidden_from_others(client, cast, "get", url)
    assert_hidden_from_others(client, cast, "post", url, _data(), snapshot=_credentials)


def test_unknown_member_is_404(admin_in):
    assert admin_in.get(_url(999999)).status_code == 404


def test_put_is_not_allowed(cast, admin_in):
    assert admin_in.put(_url(cast.nurse.pk)).status_code == 405
