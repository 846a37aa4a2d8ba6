import re

import pytest
from django.core import mail
from django.urls import resolve, reverse
from django.utils.http import urlsafe_base64_encode

from kapclinic.accounts.models import User
from kapclinic.audit.models import AuditAction
from kapclinic.clinics.tests.battery import assert_hidden_from_others, audit_rows

pytestmark = pytest.mark.django_db
URL = reverse("clinics:staff_add")


def _data(cast, **over):
    data = {
        "email": "New.Nurse@Test.example",
        "full_name": "Nadia New",
        "role": "nurse",
        "sites": [cast.site.pk],
    }
    data.update(over)
    return data


def _emails():
    return sorted(User.objects.values_list("email", flat=True))


def test_form_shows_staff_roles_only(admin_in):
    response = admin_in.get(URL)
    assert response.status_code == 200
    assert b'value="patient"' not in response.content
    assert b'value="prescriber"' in response.content


def test_admin_adds_a_staff_member_who_is_emailed_a_link(
    cast, admin_in, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_in.post(URL, _data(cast))
    user = User.objects.get(email="new.nurse@test.example")
    assert response.status_code == 302
    assert (user.full_name, user.role, user.is_staff) == ("Nadia New", "nurse", False)
    assert list(user.sites.all()) == [cast.site]
    assert not user.has_usable_password()
    (message,) = mail.outbox
    assert message.to == ["new.nurse@test.example"]
    found = re.search(r"http://testserver(/\S+)", str(message.body))
    assert found is not None
    link = found.group(1)
    match = resolve(link)
    assert match.view_name == "accounts:password_reset_confirm"
    assert match.kwargs["uidb64"] == urlsafe_base64_encode(str(user.pk).encode())
    (row,) = audit_rows(action=AuditAction.CREATE, object_type="accounts.user")
    assert row.object_id == str(user.pk)
    assert row.detail["role"] == "nurse"
    assert "Nadia" not in str(row.detail)


def test_a_new_clinic_admin_gets_django_admin_access(cast, admin_in):
    admin_in.post(URL, _data(cast, role="clinic_admin", sites=[]))
    assert User.objects.get(email="new.nurse@test.example").is_staff


def test_no_email_is_sent_before_commit(cast, admin_in, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        admin_in.post(URL, _data(cast))
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_existing_email_is_refused_whatever_its_case(cast, admin_in):
    before = _emails()
    response = admin_in.post(URL, _data(cast, email="NURSE@test.example"))
    assert response.context["form"].errors["email"] == [
        "An account with this e-mail address already exists."
    ]
    assert b'value="Nadia New"' in response.content
    assert _emails() == before
    assert audit_rows() == []
    assert mail.outbox == []


def test_patient_role_is_refused(cast, admin_in):
    before = _emails()
    response = admin_in.post(URL, _data(cast, role="patient"))
    assert "role" in response.context["form"].errors
    assert _emails() == before


def test_clinical_role_needs_a_site(cast, admin_in):
    before = _emails()
    response = admin_in.post(URL, _data(cast, sites=[]))
    assert response.context["form"].errors["sites"] == ["Choose at least one site for this role."]
    assert _emails() == before


def test_bad_email_is_refused(cast, admin_in):
    before = _emails()
    response = admin_in.post(URL, _data(cast, email="not-an-address"))
    assert "email" in response.context["form"].errors
    assert b'value="not-an-address"' in response.content
    assert _emails() == before


def test_other_roles_get_404(client, cast):
    assert_hidden_from_others(client, cast, "get", URL)
    assert_hidden_from_others(client, cast, "post", URL, _data(cast), snapshot=_emails)
    assert mail.outbox == []


def test_put_is_not_allowed(admin_in):
    assert admin_in.put(URL).status_code == 405


@pytest.mark.parametrize("site", [str(2**63), "9" * 41, "0"])
def test_a_site_id_no_row_can_have_is_a_form_error(cast, admin_in, site):
    # A 64-bit overflow in the site lookup used to be a server error on SQLite.
    response = admin_in.post(URL, _data(cast, sites=[cast.site.pk, site]))
    assert response.status_code == 200
    assert "sites" in response.context["form"].errors
    assert not User.objects.filter(email="new.nurse@test.example").exists()
