"""A trigram index for substring search on patient names and MRN (PostgreSQL only).

SQLite has no such index; its search reads the table, which is fine at the size
of clinic SQLite serves. The indexed expression is exactly what
`patients.search.SearchText` compares with `icontains`: keep them in step.
"""

from django.db import migrations

INDEX = "patients_patient_search_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON patients_patient USING gin "
        "((UPPER((given_name || ' ' || family_name || ' ' || preferred_name || ' ' || mrn)"
        "::text)) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("patients", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
