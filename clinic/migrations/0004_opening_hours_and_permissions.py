"""Default opening hours (a manager changes them on the Opening hours screen) and who may
edit availability."""

from datetime import time

from django.db import migrations

from clinic.roles import Role, grant_permissions

WEEKDAYS_OPEN = {0: (8, 20), 1: (8, 20), 2: (8, 20), 3: (8, 20), 4: (8, 20), 5: (9, 14)}

GRANTS = {
    Role.FRONT_DESK: ["view_openinghours", "view_workinghours", "view_timeoff"],
    Role.PRACTITIONER: ["view_openinghours", "view_workinghours", "view_timeoff"],
    Role.MANAGER: [
        f"{action}_{model}"
        for model in ("openinghours", "workinghours", "timeoff")
        for action in ("view", "add", "change", "delete")
    ],
}


def seed(apps, schema_editor):
    OpeningHours = apps.get_model("clinic", "OpeningHours")
    for weekday, (opens, closes) in WEEKDAYS_OPEN.items():
        OpeningHours.objects.get_or_create(
            weekday=weekday, defaults={"opens": time(opens), "closes": time(closes)}
        )
    grant_permissions(apps, "clinic", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0003_availability")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
