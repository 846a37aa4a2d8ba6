"""manage.py backup and restore round-trip the clinic, with the audit trail verified.

Runs on whichever database the suite uses: SQLite (online backup API) and
PostgreSQL (pg_dump custom format and pg_restore).
"""

import pytest
from django.core.management import CommandError, call_command

from kapclinic.audit.actions import record
from kapclinic.audit.models import AuditAction, AuditEvent
from kapclinic.patients.models import Patient
from kapclinic.test import make_patient

pytestmark = pytest.mark.django_db(transaction=True)


def events(n):
    for i in range(n):
        record(actor=None, action=AuditAction.LIST, detail={"n": i})


def test_a_backup_restores_the_clinic_with_its_audit_trail_intact(cast, tmp_path, capsys):
    events(3)
    path = tmp_path / "clinic.backup"
    call_command("backup", str(path))
    out = capsys.readouterr().out
    assert f"Backup written to {path}" in out
    assert f"verify_audit on the backup: OK: {AuditEvent.objects.count()} events verified" in out
    patients_then = set(Patient.objects.values_list("mrn", flat=True))

    make_patient(cast.site, "MRN-LATER", "Lena", "Later")
    events(2)
    call_command("restore", str(path), yes=True)
    assert set(Patient.objects.values_list("mrn", flat=True)) == patients_then
    assert "verify_audit: OK" in capsys.readouterr().out


def test_restoring_a_backup_older_than_the_anchors_is_reported(cast, tmp_path, capsys):
    events(2)
    path = tmp_path / "old.backup"
    call_command("backup", str(path))
    events(3)
    call_command("anchor_audit")
    with pytest.raises(CommandError, match="older than the newest anchored events"):
        call_command("restore", str(path), yes=True)
    assert "behind anchor" in capsys.readouterr().out


def test_restore_needs_confirmation_and_changes_nothing_without_it(cast, tmp_path):
    path = tmp_path / "clinic.backup"
    call_command("backup", str(path), no_verify=True)
    make_patient(cast.site, "MRN-KEPT", "Kim", "Kept")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(path))
    assert Patient.objects.filter(mrn="MRN-KEPT").exists()


def test_restoring_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No backup file"):
        call_command("restore", str(tmp_path / "nope"), yes=True)
