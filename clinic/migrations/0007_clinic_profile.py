"""The clinic's profile: one row, with its history."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0006_user_must_change_password"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClinicProfile",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("name", models.CharField(max_length=100)),
                (
                    "address",
                    models.TextField(
                        blank=True,
                        help_text="As printed on sheets, one line per line.",
                        max_length=300,
                    ),
                ),
                (
                    "phone",
                    models.CharField(
                        blank=True,
                        help_text="How patients reach the clinic, e.g. 020 7946 0000.",
                        max_length=30,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^\\+?[0-9 ()./-]*[0-9][0-9 ()./-]*$",
                                "Enter the phone number in digits (spaces, +, brackets and dashes allowed).",
                            )
                        ],
                    ),
                ),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="E-mail")),
                (
                    "sheet_footer",
                    models.CharField(
                        blank=True,
                        help_text="One short line printed at the bottom of every home-care sheet, e.g. opening times or a website.",
                        max_length=200,
                        verbose_name="Sheet footer",
                    ),
                ),
                ("logo", models.TextField(blank=True)),
            ],
            options={
                "verbose_name": "clinic profile",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("id", 1)), name="clinic_profile_one_row"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="HistoricalClinicProfile",
            fields=[
                ("id", models.PositiveSmallIntegerField(db_index=True, default=1, editable=False)),
                ("name", models.CharField(max_length=100)),
                (
                    "address",
                    models.TextField(
                        blank=True,
                        help_text="As printed on sheets, one line per line.",
                        max_length=300,
                    ),
                ),
                (
                    "phone",
                    models.CharField(
                        blank=True,
                        help_text="How patients reach the clinic, e.g. 020 7946 0000.",
                        max_length=30,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^\\+?[0-9 ()./-]*[0-9][0-9 ()./-]*$",
                                "Enter the phone number in digits (spaces, +, brackets and dashes allowed).",
                            )
                        ],
                    ),
                ),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="E-mail")),
                (
                    "sheet_footer",
                    models.CharField(
                        blank=True,
                        help_text="One short line printed at the bottom of every home-care sheet, e.g. opening times or a website.",
                        max_length=200,
                        verbose_name="Sheet footer",
                    ),
                ),
                ("logo", models.TextField(blank=True)),
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
                "verbose_name": "historical clinic profile",
                "verbose_name_plural": "historical clinic profiles",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
    ]
