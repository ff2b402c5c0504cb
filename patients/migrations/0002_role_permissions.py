"""What each staff role may do with patients and complaints."""

from django.db import migrations

from clinic.roles import Role, grant_permissions

GRANTS = {
    Role.FRONT_DESK: [
        "view_patient",
        "add_patient",
        "change_patient",
        "view_complaint",
        "add_complaint",
        "change_complaint",
    ],
    Role.PRACTITIONER: ["view_patient", "view_complaint", "add_complaint", "change_complaint"],
    Role.MANAGER: [
        "view_patient",
        "add_patient",
        "change_patient",
        "view_complaint",
        "add_complaint",
        "change_complaint",
    ],
}


def grant(apps, schema_editor):
    grant_permissions(apps, "patients", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0001_initial"),
        ("clinic", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
