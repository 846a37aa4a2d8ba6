import pytest
from django.urls import reverse

from kapclinic.clinics.models import Chair, Room
from kapclinic.clinics.tests.battery import assert_hidden_from_others, request_overhead

pytestmark = pytest.mark.django_db
QUERIES = 4  # site, rooms, chairs, the clinic's name


def _url(pk):
    return reverse("clinics:site", kwargs={"pk": pk})


def test_admin_sees_rooms_and_chairs(cast, admin_in):
    room = Room.objects.create(site=cast.site, name="Lotus room")
    Chair.objects.create(room=room, name="Recliner 1", monitored=False)
    response = admin_in.get(_url(cast.site.pk))
    assert response.status_code == 200
    assert b"Lotus room" in response.content
    assert b"Recliner 1" in response.content
    assert b"America/New_York" in response.content


def test_other_roles_get_404(client, cast):
    assert_hidden_from_others(client, cast, "get", _url(cast.site.pk))


def test_unknown_site_is_404(admin_in):
    assert admin_in.get(_url(999999)).status_code == 404


def test_post_is_not_allowed(cast, admin_in):
    assert admin_in.post(_url(cast.site.pk)).status_code == 405


def test_query_count_is_pinned(cast, admin_in, django_assert_num_queries):
    room = Room.objects.create(site=cast.site, name="Room 0")
    Chair.objects.create(room=room, name="Chair 0")
    overhead = request_overhead(admin_in, _url(cast.site.pk))
    with django_assert_num_queries(overhead + QUERIES):
        admin_in.get(_url(cast.site.pk))
    for i in range(1, 4):
        room = Room.objects.create(site=cast.site, name=f"Room {i}")
        for j in range(3):
            Chair.objects.create(room=room, name=f"Chair {j}")
    with django_assert_num_queries(overhead + QUERIES):
        admin_in.get(_url(cast.site.pk))
