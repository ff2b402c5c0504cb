"""Issue 16: when a resolved complaint comes onto the recall list, a setting of the clinic."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0009_clinic_logo_made_safe"),
    ]

    operations = [
        migrations.AddField(
            model_name="clinicprofile",
            name="recall_after_months",
            field=models.PositiveSmallIntegerField(
                db_default=6,
                default=6,
                help_text="Months after a complaint is resolved before the patient is on the recall list (1 to 36).",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(36),
                ],
                verbose_name="Recall after (months)",
            ),
        ),
        migrations.AddField(
            model_name="historicalclinicprofile",
            name="recall_after_months",
            field=models.PositiveSmallIntegerField(
                db_default=6,
                default=6,
                help_text="Months after a complaint is resolved before the patient is on the recall list (1 to 36).",
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(36),
                ],
                verbose_name="Recall after (months)",
            ),
        ),
    ]
