"""The clinic's usual appointment types, and what each role may do with courses and
appointments."""

from django.db import migrations

from clinic.roles import Role, grant_permissions

TYPES = [
    ("Initial consultation", 60, "#1d6fa5"),
    ("Follow-up", 45, "#2a9d8f"),
    ("Acute visit", 45, "#d1495b"),
]

BOOKING = [
    "view_appointment",
    "add_appointment",
    "change_appointment",
    "view_treatmentcourse",
    "add_treatmentcourse",
    "change_treatmentcourse",
    "view_appointmenttype",
]
GRANTS = {
    Role.FRONT_DESK: BOOKING,
    Role.PRACTITIONER: BOOKING,
    Role.MANAGER: [
        *BOOKING,
        "add_appointmenttype",
        "change_appointmenttype",
        "override_availability",
    ],
}


def seed(apps, schema_editor):
    AppointmentType = apps.get_model("treatments", "AppointmentType")
    for name, minutes, colour in TYPES:
        AppointmentType.objects.get_or_create(
            name=name, defaults={"default_duration": minutes, "colour": colour}
        )
    grant_permissions(apps, "treatments", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0001_initial"),
        ("patients", "0002_role_permissions"),
        ("clinic", "0004_opening_hours_and_permissions"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
