"""Addresses and desk notes get a length (500 and 2,000 characters), checked by the form and
the service through validators; nothing changes in the database."""

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0003_patient_search_name"),
    ]

    operations = [
        migrations.AlterField(
            model_name="patient",
            name="address",
            field=models.TextField(
                blank=True,
                help_text="Up to 500 characters.",
                validators=[django.core.validators.MaxLengthValidator(500)],
            ),
        ),
        migrations.AlterField(
            model_name="patient",
            name="front_desk_notes",
            field=models.TextField(
                blank=True,
                help_text="Practical notes for the desk (access needs, preferred times), "
                "up to 2,000 characters.",
                validators=[django.core.validators.MaxLengthValidator(2000)],
            ),
        ),
    ]
