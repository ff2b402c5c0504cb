"""What the search box finds patients by, one indexed row per name part or phone prefix
(issue 18): searching 100,000 patients reads an index instead of every patient's names.
Existing patients' terms are written here, new and changed ones by the patient service."""

import django.db.models.deletion
from django.db import migrations, models

from patients.models import search_terms_for


def fill_search_terms(apps, schema_editor):
    Patient = apps.get_model("patients", "Patient")
    PatientSearchTerm = apps.get_model("patients", "PatientSearchTerm")
    patients = Patient.objects.only("given_name", "family_name", "preferred_name", "phone")
    PatientSearchTerm.objects.bulk_create(
        (
            PatientSearchTerm(patient_id=patient.pk, kind=kind, term=term)
            for patient in patients.iterator(chunk_size=2000)
            for kind, term in search_terms_for(patient)
        ),
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0006_contact_consent"),
    ]

    operations = [
        migrations.CreateModel(
            name="PatientSearchTerm",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("name", "Part of a name"),
                            ("phone", "Phone digits from the start"),
                            ("phone end", "Phone digits from the end, reversed"),
                        ],
                        max_length=10,
                    ),
                ),
                ("term", models.CharField(max_length=200)),
            ],
        ),
        migrations.AddField(
            model_name="patientsearchterm",
            name="patient",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="search_terms",
                to="patients.patient",
            ),
        ),
        migrations.AddIndex(
            model_name="patientsearchterm",
            index=models.Index(
                fields=["kind", "term", "patient"],
                name="patient_search_term_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops", "int8_ops"],
            ),
        ),
        migrations.RunPython(fill_search_terms, migrations.RunPython.noop),
    ]
