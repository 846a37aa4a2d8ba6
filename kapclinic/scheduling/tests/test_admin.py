"""The schedule's configuration in Django admin: clinic admins only, audited."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.scheduling.models import WorkingHours
from kapclinic.test import Cast, login


def test_admin_adds_working_hours_audited(client: Client, cast: Cast) -> None:
    login(client, cast.admin)
    response = client.post(
        reverse("admin:scheduling_workinghours_add"),
        {
            "staff": cast.nurse.pk,
            "site": cast.site.pk,
            "weekday": 2,
            "start_time": "08:00",
            "end_time": "16:00",
        },
    )
    assert response.status_code == 302, response.content
    hours = WorkingHours.objects.get()
    event = AuditEvent.objects.get(object_type="scheduling.workinghours", action=AuditAction.CREATE)
    assert event.action == AuditAction.CREATE and event.object_id == str(hours.pk)


def test_other_staff_cannot_open_schedule_admin(client: Client, cast: Cast) -> None:
    login(client, cast.front_desk)
    assert client.get(reverse("admin:scheduling_appointmenttype_changelist")).status_code == 302
