"""Patients and complaints keep their history (who changed what, when), shown to the clinic
manager; existing rows get a first version so the next change says what it changed from."""

import django.core.validators
import django.db.models.deletion
import phonenumber_field.modelfields
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from clinic.history import start_history
from clinic.roles import Role, grant_permissions


def forwards(apps, schema_editor):
    start_history(apps, "patients", "Patient")
    start_history(apps, "patients", "Complaint")
    grant_permissions(
        apps, "patients", {Role.MANAGER: ["view_historicalpatient", "view_historicalcomplaint"]}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0004_address_and_desk_notes_limits"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalComplaint",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                (
                    "title",
                    models.CharField(help_text="e.g. Right hip and leg pain", max_length=120),
                ),
                ("regions", models.JSONField(default=list, help_text="Body regions affected.")),
                (
                    "side",
                    models.CharField(
                        choices=[
                            ("left", "Left"),
                            ("right", "Right"),
                            ("both", "Both"),
                            ("central", "Central"),
                        ],
                        max_length=10,
                    ),
                ),
                ("onset_date", models.DateField(help_text="When the pain began.")),
                (
                    "onset_story",
                    models.TextField(
                        blank=True,
                        help_text='e.g. "Hill walk, then a long bus ride home."',
                        verbose_name="How it began",
                    ),
                ),
                (
                    "pain_at_intake",
                    models.PositiveSmallIntegerField(
                        help_text="0 = no pain, 10 = worst pain imaginable.",
                        verbose_name="Pain at intake (0–10)",
                    ),
                ),
                ("aggravating_factors", models.TextField(blank=True)),
                ("easing_factors", models.TextField(blank=True)),
                ("red_flags", models.JSONField(blank=True, default=list)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("active", "Active"),
                            ("resolved", "Resolved"),
                            ("referred", "Referred"),
                        ],
                        default="active",
                        max_length=10,
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="patients.patient",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical complaint",
                "verbose_name_plural": "historical complaints",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPatient",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("given_name", models.CharField(max_length=100)),
                ("family_name", models.CharField(max_length=100)),
                (
                    "preferred_name",
                    models.CharField(
                        blank=True,
                        help_text="What the patient likes to be called, if different.",
                        max_length=100,
                    ),
                ),
                ("date_of_birth", models.DateField()),
                (
                    "sex",
                    models.CharField(
                        blank=True,
                        choices=[("female", "Female"), ("male", "Male"), ("intersex", "Intersex")],
                        max_length=10,
                    ),
                ),
                (
                    "phone",
                    phonenumber_field.modelfields.PhoneNumberField(
                        help_text="Numbers without a country code are read as local numbers.",
                        max_length=128,
                        region=None,
                    ),
                ),
                (
                    "email",
                    models.EmailField(
                        blank=True, help_text="Optional: many patients have none.", max_length=254
                    ),
                ),
                (
                    "address",
                    models.TextField(
                        blank=True,
                        help_text="Up to 500 characters.",
                        validators=[django.core.validators.MaxLengthValidator(500)],
                    ),
                ),
                ("emergency_contact_name", models.CharField(blank=True, max_length=150)),
                (
                    "emergency_contact_phone",
                    phonenumber_field.modelfields.PhoneNumberField(
                        blank=True, max_length=128, region=None
                    ),
                ),
                (
                    "front_desk_notes",
                    models.TextField(
                        blank=True,
                        help_text="Practical notes for the desk (access needs, preferred times), up to 2,000 characters.",
                        validators=[django.core.validators.MaxLengthValidator(2000)],
                    ),
                ),
                (
                    "consent_given_on",
                    models.DateField(
                        blank=True, help_text="When the patient consented to treatment.", null=True
                    ),
                ),
                ("is_archived", models.BooleanField(default=False)),
                ("archived_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "consent_recorded_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical patient",
                "verbose_name_plural": "historical patients",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
