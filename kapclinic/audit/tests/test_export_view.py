import csv
import io

import pytest
from django.urls import reverse

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.clinics.tests.battery import assert_hidden_from_others

pytestmark = pytest.mark.django_db
URL = reverse("audit:export")


def _rows(response):
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_admin_downloads_the_filtered_log(cast, admin_in):
    view = record(actor=cast.nurse, action=AuditAction.VIEW, patient=cast.patient)
    record(actor=cast.prescriber, action=AuditAction.UPDATE, patient=cast.patient)
    response = admin_in.get(URL, {"action": "view"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    rows = _rows(response)
    assert [r["id"] for r in rows] == [str(view.pk)]
    assert rows[0]["actor"] == "Nora Nurse"
    assert rows[0]["occurred_at"].endswith("-05:00") or rows[0]["occurred_at"].endswith("-04:00")


def test_export_is_audited_with_its_filters(cast, admin_in):
    _rows(admin_in.get(URL, {"flagged": "on"}))
    row = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert row.detail == {"filters": {"flagged": "True"}, "format": "csv"}
    assert row.actor == cast.admin


def test_formula_like_cells_are_defused(cast, admin_in):
    record(actor=cast.nurse, action=AuditAction.VIEW, object_type="=HYPERLINK(1)")
    rows = _rows(admin_in.get(URL, {"action": "view"}))
    assert rows[0]["object_type"] == "'=HYPERLINK(1)"


def test_patient_actor_names_are_left_out(cast, admin_in):
    record(actor=cast.patient_user, action=AuditAction.VIEW, patient=cast.patient)
    rows = _rows(admin_in.get(URL, {"action": "view"}))
    assert rows[0]["actor"] == ""
    assert rows[0]["actor_id"] == str(cast.patient_user.pk)


def test_invalid_filter_is_a_form_error(cast, admin_in):
    response = admin_in.get(URL, {"date_to": "soon"})
    assert response.status_code == 400
    assert "date_to" in response.context["form"].errors
    assert not AuditEvent.objects.exists()


def test_other_roles_get_404(client, cast):
    assert_hidden_from_others(client, cast, "get", URL)


def test_post_is_not_allowed(admin_in):
    assert admin_in.post(URL).status_code == 405


def test_date_to_on_the_last_day_of_the_calendar_exports_everything(cast, admin_in):
    event = record(actor=cast.nurse, action=AuditAction.VIEW)
    response = admin_in.get(URL, {"date_to": "9999-12-31"})
    assert response.status_code == 200
    ids = [row["id"] for row in _rows(response)]
    assert str(event.pk) in ids


def test_the_download_is_never_cached(cast, admin_in):
    response = admin_in.get(URL)
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
