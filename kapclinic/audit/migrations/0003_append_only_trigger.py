from django.db import migrations

from kapclinic.audit import db_guard


def forwards(apps, schema_editor):
    # The first form of the trigger: the current one names a column added in 0004.
    db_guard.install(schema_editor.connection, v1=True)


def backwards(apps, schema_editor):
    db_guard.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_breakglass_review_note")]

    operations = [migrations.RunPython(forwards, backwards)]
