"""Fill the outcome summary for the scores already recorded.

It calls the live `refresh_summary` rather than a frozen copy: the summary is
derived data, computed by one definition. A database with no scores (a new clinic,
the test database) has nothing to fill; `manage.py rebuild_outcome_summaries` does
the same at any later time.
"""

from typing import Any

from django.db import migrations


def fill(apps: Any, schema_editor: Any) -> None:
    if not apps.get_model("outcomes", "QuestionnaireResponse").objects.exists():
        return
    from kapclinic.outcomes.summary import refresh_summary

    refresh_summary(None)


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0003_outcome_summary")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
