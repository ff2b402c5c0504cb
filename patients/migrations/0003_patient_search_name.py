"""Patients' names folded for search (lower case, no accents), so that "zoe" finds Zoë on
SQLite as on PostgreSQL; existing patients are filled in here, new and changed ones by the
patient service."""

from django.db import migrations, models

from clinic.text import fold


def fill_search_names(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    patients = list(Patient.objects.only("given_name", "family_name", "preferred_name"))
    for patient in patients:
        names = (patient.given_name, patient.family_name, patient.preferred_name)
        patient.search_name = " ".join(fold(name) for name in names if name)
    Patient.objects.bulk_update(patients, ["search_name"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0002_role_permissions"),
    ]

    operations = [
        migrations.AddField(
            model_name="patient",
            name="search_name",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_search_names, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                fields=["search_name"],
                name="patient_search_name_idx",
                opclasses=["text_pattern_ops"],
            ),
        ),
    ]
