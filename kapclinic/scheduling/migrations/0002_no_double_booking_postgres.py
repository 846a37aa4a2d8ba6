"""No two active appointments hold the same clinician, room or chair at once (PostgreSQL).

Exclusion constraints over the held span (`tstzrange(hold_start, hold_end)`, half
open, so back-to-back visits are allowed) for the statuses that hold time. They
need the btree_gist extension for the `=` part. SQLite has no such constraint; there
the booking actions check and insert in one IMMEDIATE transaction, which SQLite runs
one at a time (kapclinic/scheduling/actions/placement.py).

A room is held only by visits that use the room itself; visits in a chair share the
chair's room with the other chairs there, so they hold their chair, not the room.
"""

from django.db import migrations

ACTIVE = "('booked', 'confirmed', 'checked_in', 'in_progress', 'completed')"

CONSTRAINTS = {
    "appointment_no_double_booked_clinician": ("clinician_id", f"status IN {ACTIVE}"),
    "appointment_no_double_booked_room": (
        "room_id",
        f"status IN {ACTIVE} AND room_id IS NOT NULL AND chair_id IS NULL",
    ),
    "appointment_no_double_booked_chair": (
        "chair_id",
        f"status IN {ACTIVE} AND chair_id IS NOT NULL",
    ),
}


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, (column, where) in CONSTRAINTS.items():
        schema_editor.execute(
            f"ALTER TABLE scheduling_appointment ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({column} WITH =, tstzrange(hold_start, hold_end, '[)') WITH &&) WHERE ({where})"
        )


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE scheduling_appointment DROP CONSTRAINT {name}")


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(add_constraints, drop_constraints)]
