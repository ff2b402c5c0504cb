"""Issue 15: a logo kept before the picture checks existed goes through them now (an SVG
rebuilt from the safe subset, a PNG or JPEG saved again within the pixel cap); one that
fails is removed. The change is kept in the profile's history, like every other."""

from django.db import migrations
from django.utils import timezone

from clinic.pictures import stored_picture_made_safe


def make_logo_safe(apps, schema_editor) -> int:
    """1 if the logo changed, else 0."""
    ClinicProfile = apps.get_model("clinic", "ClinicProfile")
    HistoricalClinicProfile = apps.get_model("clinic", "HistoricalClinicProfile")
    profile = ClinicProfile.objects.exclude(logo="").first()
    if profile is None:
        return 0
    safe = stored_picture_made_safe(profile.logo)
    if safe == profile.logo:
        return 0
    ClinicProfile.objects.filter(pk=profile.pk).update(logo=safe)
    profile.refresh_from_db()
    fields = {
        field.attname: getattr(profile, field.attname)
        for field in ClinicProfile._meta.concrete_fields
        if not field.primary_key
    }
    HistoricalClinicProfile.objects.create(
        id=profile.pk,
        **{name: value for name, value in fields.items() if hasattr(HistoricalClinicProfile, name)},
        history_date=timezone.now(),
        history_type="~",
        history_change_reason="Logo checked as a safe picture (issue 15)",
    )
    return 1


class Migration(migrations.Migration):
    dependencies = [("clinic", "0008_clinic_profile_from_settings")]

    operations = [migrations.RunPython(make_logo_safe, migrations.RunPython.noop)]
