"""Clear the responses the outcome summary counted from a baseline of 0.

The summary's SQL took a later 0 against a baseline of 0 as a 50% fall, where the
trajectory (change.response_level) says no response; the SQL now agrees. Rows
stored before keep the old answer until their patient's next change, so this
clears them: from a baseline of 0 no scale can respond (PCL-5 needs a fall of 10
points), so the fix is exact and needs no recomputation.
"""

from typing import Any

from django.db import migrations


def clear(apps: Any, schema_editor: Any) -> None:
    summary = apps.get_model("outcomes", "OutcomeSummary")
    summary.objects.filter(baseline=0, responded_at__isnull=False).update(
        responded_at=None, sessions_to_response=None, later_4=None, later_12=None
    )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0005_merge_link_answers_and_outcome_summaries")]

    operations = [migrations.RunPython(clear, migrations.RunPython.noop, elidable=True)]
