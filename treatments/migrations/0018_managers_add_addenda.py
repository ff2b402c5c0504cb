"""The clinic manager may add an addendum to any signed note (with a reason), as its author
may: for an author who has left, or a note signed for a session that did not happen."""

from django.db import migrations

from clinic.roles import Role, grant_permissions


def grant(apps, schema_editor):
    grant_permissions(apps, "treatments", {Role.MANAGER: ["add_noteaddendum"]})


class Migration(migrations.Migration):
    dependencies = [("treatments", "0017_record_protection_on_postgresql")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
