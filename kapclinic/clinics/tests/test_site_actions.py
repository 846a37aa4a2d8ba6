import pytest
from django.core.exceptions import ValidationError

from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.clinics import actions
from kapclinic.clinics.models import Chair, Room, Site

pytestmark = pytest.mark.django_db


def test_actor_is_keyword_only(cast):
    with pytest.raises(TypeError):
        actions.update_site(cast.site, cast.admin, {"name": "X"})  # type: ignore[misc]


def test_create_site_adds_default_settings_and_one_audit_row(cast):
    data = {"name": "Site C", "address_line1": "1 Road", "city": "Town", "postal_code": "1"}
    site = actions.create_site(actor=cast.admin, organisation=cast.org, data=data)
    assert site.settings.min_observation_minutes == 120
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 1


def test_update_site_saves_only_changed_fields(cast):
    changed = actions.update_site(
        cast.site, actor=cast.admin, data={"phone": "555", "city": cast.site.city}
    )
    assert changed == ["phone"]
    row = AuditEvent.objects.get()
    assert row.detail == {"fields": ["phone"]}


def test_update_site_rejects_a_bad_time_zone_and_writes_nothing(cast):
    with pytest.raises(ValidationError):
        actions.update_site(cast.site, actor=cast.admin, data={"time_zone": "Nowhere/Land"})
    assert Site.objects.get(pk=cast.site.pk).time_zone == "America/New_York"
    assert not AuditEvent.objects.exists()


def test_on_call_prescriber_is_reported_by_id(cast):
    actions.update_site(cast.site, actor=cast.admin, data={"on_call_prescriber": cast.prescriber})
    assert Site.objects.get(pk=cast.site.pk).on_call_prescriber_id == cast.prescriber.pk


def test_room_and_chair_round_trip(cast):
    room = actions.create_room(actor=cast.admin, site=cast.site, data={"name": "Lotus"})
    chair = actions.create_chair(
        actor=cast.admin, room=room, data={"name": "C1", "monitored": False}
    )
    assert actions.update_room(room, actor=cast.admin, data={"name": "Lotus"}) == []
    assert actions.update_chair(chair, actor=cast.admin, data={"monitored": True}) == ["monitored"]
    assert Chair.objects.get().monitored
    assert Room.objects.get().name == "Lotus"
    actions_seen = list(AuditEvent.objects.order_by("id").values_list("action", "object_type"))
    assert actions_seen == [
        ("create", "clinics.room"),
        ("create", "clinics.chair"),
        ("update", "clinics.chair"),
    ]


def test_duplicate_room_name_fails_in_the_action_too(cast):
    Room.objects.create(site=cast.site, name="Lotus")
    with pytest.raises(ValidationError):
        actions.create_room(actor=cast.admin, site=cast.site, data={"name": "Lotus"})
    assert not AuditEvent.objects.exists()
