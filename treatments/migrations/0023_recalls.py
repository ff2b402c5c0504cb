"""Issue 16, recalls: the desk's contacts about a recall and its dismissals; every role may
record them (practitioners for their own patients, which the views check)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from clinic.roles import Role, grant_permissions

RECALL_PERMISSIONS = [
    "view_recallcontact",
    "add_recallcontact",
    "view_recalldismissal",
    "add_recalldismissal",
]


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        "treatments",
        dict.fromkeys((Role.FRONT_DESK, Role.PRACTITIONER, Role.MANAGER), RECALL_PERMISSIONS),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0005_history_of_patients_and_complaints"),
        ("treatments", "0022_waitlist"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RecallContact",
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
                            ("unbooked", "Sessions left, none booked"),
                            ("no_sheet", "Course ended without the prevention sheet"),
                            ("resolved", "Complaint resolved: time to check in"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("phone", "Phone"),
                            ("email", "E-mail"),
                            ("sms", "SMS"),
                            ("letter", "Letter"),
                        ],
                        max_length=10,
                        verbose_name="How",
                    ),
                ),
                (
                    "outcome",
                    models.CharField(
                        help_text="For the desk: what came of it (no clinical details).",
                        max_length=200,
                    ),
                ),
                ("contacted_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "complaint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.complaint",
                    ),
                ),
                (
                    "contacted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "course",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="treatments.treatmentcourse",
                    ),
                ),
            ],
            options={
                "ordering": ["-contacted_at", "-id"],
                "indexes": [
                    models.Index(fields=["complaint", "-contacted_at"], name="recall_contact_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("kind__in", ("unbooked", "no_sheet")), ("course__isnull", False)
                            ),
                            models.Q(("kind", "resolved"), ("course__isnull", True)),
                            _connector="OR",
                        ),
                        name="recall_contact_names_its_course",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RecallDismissal",
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
                            ("unbooked", "Sessions left, none booked"),
                            ("no_sheet", "Course ended without the prevention sheet"),
                            ("resolved", "Complaint resolved: time to check in"),
                        ],
                        max_length=10,
                    ),
                ),
                ("reason", models.CharField(max_length=200)),
                ("dismissed_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "complaint",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="patients.complaint",
                    ),
                ),
                (
                    "course",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="treatments.treatmentcourse",
                    ),
                ),
                (
                    "dismissed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-dismissed_at", "-id"],
                "indexes": [
                    models.Index(
                        fields=["complaint", "kind", "-dismissed_at"], name="recall_dismissal_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("kind__in", ("unbooked", "no_sheet")), ("course__isnull", False)
                            ),
                            models.Q(("kind", "resolved"), ("course__isnull", True)),
                            _connector="OR",
                        ),
                        name="recall_dismissal_names_its_course",
                    )
                ],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
