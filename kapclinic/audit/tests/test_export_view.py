import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from kapclinic.accounts.models import User
from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.audit.views import CSV_COLUMNS, _csv_lines
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


def test_flagged_column_says_yes_only_for_flagged_events(cast, admin_in):
    flagged = record(actor=cast.nurse, action=AuditAction.VIEW, flagged=True)
    plain = record(actor=cast.nurse, action=AuditAction.VIEW)
    rows = {r["id"]: r["flagged"] for r in _rows(admin_in.get(URL, {"action": "view"}))}
    assert rows == {str(flagged.pk): "yes", str(plain.pk): "no"}


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


# Every character a spreadsheet reads as the start of a formula (or, for tab and
# carriage return, as a separator before one).
FORMULA_PREFIXES = [
    pytest.param(prefix, id=name)
    for name, prefix in {
        "equals": "=",
        "plus": "+",
        "minus": "-",
        "at": "@",
        "tab": "\t",
        "carriage-return": "\r",
    }.items()
]
# Columns the export formats itself (a timestamp, yes/no, a JSON object), so no
# stored value can make them start with a formula character.
FORMATTED_COLUMNS = {"occurred_at", "flagged", "detail"}


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_every_formula_prefix_is_defused_in_every_column(prefix):
    payload = prefix + 'HYPERLINK("https://evil.example/","x")'
    actor = User(pk=payload, full_name=payload, role=payload)
    event = AuditEvent(actor=actor, occurred_at=timezone.now(), detail={})
    for column in CSV_COLUMNS:
        if column not in FORMATTED_COLUMNS | {"actor", "actor_id"}:
            setattr(event, column, payload)
    header, row = list(csv.reader(io.StringIO("".join(_csv_lines([event], dt.UTC)))))
    cells = dict(zip(header, row, strict=True))
    for column in set(CSV_COLUMNS) - FORMATTED_COLUMNS:
        assert cells[column] == "'" + payload, column


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_formula_prefixes_in_staff_names_and_references_are_defused_in_the_download(
    cast, admin_in, prefix
):
    payload = prefix + "cmd|' /C calc'!A0"
    User.objects.filter(pk=cast.nurse.pk).update(full_name=payload)
    cast.nurse.refresh_from_db()
    record(actor=cast.nurse, action=AuditAction.VIEW, object_type=payload, object_id=payload)
    [row] = _rows(admin_in.get(URL, {"action": "view"}))
    for column in ("actor", "object_type", "object_id"):
        assert row[column] == "'" + payload, column


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
