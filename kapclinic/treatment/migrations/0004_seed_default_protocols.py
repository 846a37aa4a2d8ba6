"""Give every existing site the default protocols of CLINICAL.md section 3.

New sites get them from the protocols page ("Add the default protocols") and demo
data; a site that already has a protocol for a route keeps it.
"""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from kapclinic.treatment.protocols import DEFAULT_PROTOCOLS

    Site = apps.get_model("clinics", "Site")
    Protocol = apps.get_model("treatment", "Protocol")
    for site in Site.objects.all():
        have = set(Protocol.objects.filter(site=site).values_list("route", flat=True))
        for values in DEFAULT_PROTOCOLS:
            if values["route"] not in have:
                Protocol.objects.create(site=site, **values)


class Migration(migrations.Migration):
    dependencies = [
        ("clinics", "0001_initial"),
        ("treatment", "0003_plan_cap_and_stale_weight_and_course"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
