import pytest
from django.http import Http404
from django.test import RequestFactory

from kapclinic.clinics.access import require_clinic_admin

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_clinic_admin_passes(cast):
    assert require_clinic_admin(_request(cast.admin)) == cast.admin


@pytest.mark.parametrize(
    "name", ["prescriber", "nurse", "therapist", "front_desk", "outsider", "patient_user"]
)
def test_every_other_role_gets_404(cast, name):
    with pytest.raises(Http404):
        require_clinic_admin(_request(getattr(cast, name)))


def test_deactivated_admin_gets_404(cast):
    cast.admin.is_active = False
    with pytest.raises(Http404):
        require_clinic_admin(_request(cast.admin))


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/clinic/sites/")
    assert response.status_code == 302
    assert "/account/login/" in response["Location"]
