"""Create the three staff roles and give them their permissions on the clinic's models."""

from django.db import migrations

from clinic.roles import Role, grant_permissions

GRANTS = {
    Role.FRONT_DESK: ["view_practitioner", "view_room"],
    Role.PRACTITIONER: ["view_practitioner", "view_room"],
    Role.MANAGER: [
        "view_user",
        "add_user",
        "change_user",
        "view_practitioner",
        "add_practitioner",
        "change_practitioner",
        "view_room",
        "add_room",
        "change_room",
    ],
}


def create_roles(apps, schema_editor):
    grant_permissions(apps, "clinic", GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
