"""Replace django-otp's plain-text backup codes with keyed hashes.

Each existing code keeps working (same text, now stored as HMAC-SHA256 with its own
salt) and the plain-text rows are deleted. Going back cannot restore the text, so
the reverse step removes the hashed codes: people make new ones on their security
page (their authenticator app is untouched).
"""

from typing import Any

from django.db import migrations


def hash_codes(apps: Any, schema_editor: Any) -> None:
    from kapclinic.accounts.backup_codes import digest, new_salt

    StaticToken = apps.get_model("otp_static", "StaticToken")
    BackupCode = apps.get_model("accounts", "BackupCode")
    rows = []
    for token in StaticToken.objects.all().iterator():
        salt = new_salt()
        rows.append(BackupCode(device_id=token.device_id, salt=salt, digest=digest(token.token, salt)))
    BackupCode.objects.bulk_create(rows, batch_size=500)
    StaticToken.objects.all().delete()


def drop_hashed_codes(apps: Any, schema_editor: Any) -> None:
    apps.get_model("accounts", "BackupCode").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_backup_code_hashes"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_codes, drop_hashed_codes)]
