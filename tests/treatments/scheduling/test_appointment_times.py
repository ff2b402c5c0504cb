"""An appointment ends after it starts, on the same day.

Paul and Priya start with no working hours: each test gives the hours it is about.
Ann Lee and Ben Ng are patients; every booking is a 45-minute follow-up.
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from tests.factories import (
    AppointmentFactory,
    at,
    book,
    future_monday,
    refused,
    works,
)
from treatments.models import Appointment

MONDAY = future_monday()
FORTY_FIVE = timedelta(minutes=45)


@pytest.mark.parametrize("minutes", [0, -30], ids=["zero_length", "end_before_start"])
def test_an_appointment_must_end_after_it_starts(minutes, fiona, paul_no_hours, room_a, ann):
    works(paul_no_hours)
    start = at(MONDAY, "10:00")

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=start,
        end=start + timedelta(minutes=minutes),
        by=fiona,
    )

    assert error.messages == ["The appointment must end after it starts."]
    assert Appointment.objects.count() == 0


def test_the_database_refuses_an_appointment_that_ends_before_it_starts(db):
    appointment = AppointmentFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(end=F("start"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(end=F("start") - FORTY_FIVE)

    appointment.refresh_from_db()
    assert appointment.end == appointment.start + FORTY_FIVE


def test_an_appointment_cannot_run_past_midnight(fiona, paul_no_hours, room_a, ann):
    works(paul_no_hours)
    start = at(MONDAY, "23:30")

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=start,
        end=start + FORTY_FIVE,
        by=fiona,
    )

    assert error.messages == ["An appointment must start and end on the same day."]
