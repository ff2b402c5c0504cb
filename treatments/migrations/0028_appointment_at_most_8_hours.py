"""An appointment lasts at most 8 hours, as the booking forms already said: the clash check
reads back only that far (start > new start - 8 hours) instead of a room's whole history."""

import django.db.models.lookups
from django.db import migrations, models

import treatments.models


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0027_message_home_care_sheet"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    treatments.models.SecondsBetween("start", "end"), 28800
                ),
                name="appointment_at_most_8_hours",
                violation_error_message="An appointment lasts at most 8 hours (480 minutes).",
            ),
        ),
    ]
