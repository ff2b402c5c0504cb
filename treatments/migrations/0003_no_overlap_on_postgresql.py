"""On PostgreSQL, the database itself refuses double bookings.

Three exclusion constraints over the half-open range [start, end) — back-to-back is fine —
for live appointments (booked, arrived, completed): one practitioner, one room and one
patient can each be in only one at any instant. SQLite has no such constraints; there the
scheduling service checks and inserts inside one IMMEDIATE transaction instead.
"""

from django.db import migrations

LIVE = "status IN ('booked', 'arrived', 'completed')"
CONSTRAINTS = {
    "appointment_no_practitioner_overlap": "practitioner_id",
    "appointment_no_room_overlap": "room_id",
    "appointment_no_patient_overlap": "patient_id",
}


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for name, column in CONSTRAINTS.items():
        schema_editor.execute(
            f"ALTER TABLE treatments_appointment ADD CONSTRAINT {name} "
            f"EXCLUDE USING gist ({column} WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
            f"WHERE ({LIVE})"
        )


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in CONSTRAINTS:
        schema_editor.execute(f"ALTER TABLE treatments_appointment DROP CONSTRAINT {name}")


class Migration(migrations.Migration):
    dependencies = [("treatments", "0002_appointment_types_and_permissions")]

    operations = [migrations.RunPython(add_constraints, drop_constraints)]
