"""Time off: no bookings during it, bookings again right after it.

Paul and Priya start with no working hours: each test gives the hours it is about.
Ann Lee and Ben Ng are patients; every booking is a 45-minute follow-up.
"""

from datetime import timedelta

from tests.factories import (
    TimeOffFactory,
    at,
    book,
    future_monday,
    refused,
    works,
)
from treatments.models import Appointment

MONDAY = future_monday()
WEDNESDAY = MONDAY + timedelta(days=2)


def test_a_booking_during_time_off_is_refused_with_the_reason(fiona, paul_no_hours, room_a, ann):
    works(paul_no_hours)
    TimeOffFactory(
        practitioner=paul_no_hours,
        start=at(MONDAY, "09:00"),
        end=at(MONDAY, "13:00"),
        reason="Training course",
    )

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "12:30"),
        by=fiona,
    )

    day = f"{MONDAY:%d %b}"
    assert error.messages == [f"Paul Needham is away (Training course) {day} 09:00–{day} 13:00."]


def test_a_booking_right_after_time_off_ends_is_accepted(fiona, paul_no_hours, room_a, ann):
    works(paul_no_hours)
    TimeOffFactory(practitioner=paul_no_hours, start=at(MONDAY, "09:00"), end=at(MONDAY, "13:00"))

    book(patient=ann, practitioner=paul_no_hours, room=room_a, start=at(MONDAY, "13:00"), by=fiona)

    assert Appointment.objects.count() == 1


def test_a_week_of_holiday_refuses_every_day_in_it(fiona, paul_no_hours, room_a, ann):
    works(paul_no_hours)
    TimeOffFactory(
        practitioner=paul_no_hours,
        start=at(MONDAY, "00:00"),
        end=at(MONDAY + timedelta(days=7), "00:00"),
        reason="Holiday",
    )

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(WEDNESDAY, "10:00"),
        by=fiona,
    )

    assert error.messages == [
        f"Paul Needham is away (Holiday) {MONDAY:%d %b} 00:00–"
        f"{MONDAY + timedelta(days=7):%d %b} 00:00."
    ]
