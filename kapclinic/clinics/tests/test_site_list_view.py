import pytest
from django.urls import reverse

from kapclinic.clinics.models import Chair, Room
from kapclinic.clinics.tests.battery import assert_hidden_from_others, request_overhead
from kapclinic.test import make_site

pytestmark = pytest.mark.django_db
URL = reverse("clinics:sites")


def test_admin_sees_every_site_with_counts(cast, admin_in):
    room = Room.objects.create(site=cast.site, name="Room 1")
    Chair.objects.create(room=room, name="Chair 1")
    response = admin_in.get(URL)
    assert response.status_code == 200
    assert b"Site A" in response.content and b"Site B" in response.content
    assert [s.chair_count for s in response.context["sites"]] == [1, 0]


def test_other_roles_get_404(client, cast):
    assert_hidden_from_others(client, cast, "get", URL)


def test_post_is_not_allowed(admin_in):
    assert admin_in.post(URL).status_code == 405


def test_query_count_is_pinned(cast, admin_in, django_assert_num_queries):
    overhead = request_overhead(admin_in, URL)
    # The sites with their organisations, and the clinic's name in the header.
    with django_assert_num_queries(overhead + 2):
        admin_in.get(URL)
    for i in range(5):
        make_site(cast.org, f"Extra {i}")
    with django_assert_num_queries(overhead + 2):
        admin_in.get(URL)
