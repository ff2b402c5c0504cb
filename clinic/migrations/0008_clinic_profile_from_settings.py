"""The clinic's profile, created once from the first-run defaults in the environment
(CLINIC_NAME, CLINIC_PHONE, CLINIC_ADDRESS); from then on a manager keeps it on the Clinic
screen and the environment variables are no longer read for it. Managers may change it."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from clinic.roles import Role, grant_permissions

GRANTS = {Role.MANAGER: ["view_clinicprofile", "change_clinicprofile"]}


def create_profile(apps, schema_editor):
    ClinicProfile = apps.get_model("clinic", "ClinicProfile")
    HistoricalClinicProfile = apps.get_model("clinic", "HistoricalClinicProfile")
    if not ClinicProfile.objects.exists():
        # Cut to the columns' lengths: a long value in the environment must not stop migrate.
        details = {
            "name": settings.CLINIC_NAME[:100],
            "phone": settings.CLINIC_PHONE[:30],
            "address": settings.CLINIC_ADDRESS[:300],
        }
        ClinicProfile.objects.create(id=1, **details)
        # Migrations do not record history by themselves: its first version says where it
        # came from.
        HistoricalClinicProfile.objects.create(
            id=1,
            **details,
            history_date=timezone.now(),
            history_type="+",
            history_change_reason="From the environment at first run",
        )
    grant_permissions(apps, "clinic", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("clinic", "0007_clinic_profile")]

    operations = [migrations.RunPython(create_profile, migrations.RunPython.noop)]
