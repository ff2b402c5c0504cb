"""The front desk and the clinic manager read the delivery log (the Messages screen, and the
log on appointment and patient pages): scheduling information, nothing clinical."""

from django.db import migrations

from clinic.roles import Role, grant_permissions


def grant(apps, schema_editor):
    grant_permissions(
        apps, "treatments", {Role.FRONT_DESK: ["view_message"], Role.MANAGER: ["view_message"]}
    )


class Migration(migrations.Migration):
    dependencies = [("treatments", "0024_delivery_log")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
