"""An appointment lasts at most 8 hours, as the booking forms already said: the clash check
reads back only that far (start > new start - 8 hours) instead of a room's whole history.
The rule joins "ends after it starts" in one constraint: model validation costs a query per
constraint on every booking."""

import django.db.models.lookups
from django.db import migrations, models

import treatments.models


class Migration(migrations.Migration):
    dependencies = [
        ("treatments", "0027_message_home_care_sheet"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="appointment",
            name="appointment_end_after_start",
        ),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    django.db.models.lookups.LessThanOrEqual(
                        treatments.models.SecondsBetween("start", "end"), 28800
                    ),
                    ("end__gt", models.F("start")),
                ),
                name="appointment_ends_after_start_within_8_hours",
                violation_error_message="An appointment must end after it starts, at most 8 hours (480 minutes) later.",
            ),
        ),
    ]
