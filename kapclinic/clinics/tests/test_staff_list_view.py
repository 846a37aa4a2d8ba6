import pytest
from django.urls import reverse

from kapclinic.accounts.models import Role, StaffCredential
from kapclinic.clinics.tests.battery import assert_hidden_from_others, request_overhead
from kapclinic.test import make_staff

pytestmark = pytest.mark.django_db
URL = reverse("clinics:staff")
QUERIES = 3  # staff with credential counts, their sites, the clinic's name


def test_admin_sees_staff_but_not_patients(cast, admin_in):
    response = admin_in.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nora Nurse" in text and "Olly Outsider" in text
    assert "Pat Ient" not in text and "pat@test.example" not in text


def test_deactivated_staff_are_marked(cast, admin_in):
    cast.therapist.is_active = False
    cast.therapist.save()
    assert b"Deactivated" in admin_in.get(URL).content


def test_other_roles_get_404(client, cast):
    assert_hidden_from_others(client, cast, "get", URL)


def test_post_is_not_allowed(admin_in):
    assert admin_in.post(URL).status_code == 405


def test_query_count_is_pinned(cast, admin_in, django_assert_num_queries):
    overhead = request_overhead(admin_in, URL)
    with django_assert_num_queries(overhead + QUERIES):
        admin_in.get(URL)
    for i in range(5):
        user = make_staff(f"n{i}@test.example", f"Nurse {i}", Role.NURSE, cast.site, totp=False)
        StaffCredential.objects.create(user=user, kind="nursing", number=str(i), issuer="Board")
    with django_assert_num_queries(overhead + QUERIES):
        admin_in.get(URL)
