"""The clinic manager's override: booking outside the hours with a stored reason, never into
a clash, a closed room or for someone who has left.

Paul and Priya start with no working hours: each test gives the hours it is about.
Ann Lee and Ben Ng are patients; every booking is a 45-minute follow-up.
"""

import pytest

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


def test_a_clinic_manager_may_book_outside_hours_with_a_reason_that_is_stored(
    maria, paul_no_hours, room_a, ann
):
    works(paul_no_hours)

    appointment = book(
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "18:30"),
        by=maria,
        override_reason="Only free after work; Paul agreed",
    )

    appointment.refresh_from_db()
    assert appointment.override_reason == "Only free after work; Paul agreed"
    assert appointment.booked_by == maria


def test_a_clinic_manager_may_book_during_time_off_with_a_reason(maria, paul_no_hours, room_a, ann):
    works(paul_no_hours)
    TimeOffFactory(practitioner=paul_no_hours, start=at(MONDAY, "09:00"), end=at(MONDAY, "13:00"))

    appointment = book(
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "10:00"),
        by=maria,
        override_reason="Course cancelled",
    )

    assert appointment.pk is not None


def test_a_clinic_manager_without_a_reason_gets_the_hours_refusal(
    maria, paul_no_hours, room_a, ann
):
    works(paul_no_hours)

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "18:30"),
        by=maria,
    )

    assert error.messages == ["Paul Needham works 09:00–18:00 on Mondays."]


@pytest.mark.parametrize("who", ["fiona", "paul"])
def test_an_override_reason_from_anyone_but_a_manager_is_refused(
    who, request, paul_no_hours, room_a, ann
):
    works(paul_no_hours)
    user = request.getfixturevalue(who)

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "18:30"),
        by=user,
        override_reason="Patient insisted",
    )

    assert error.messages == ["Only a clinic manager can book outside working hours."]
    assert Appointment.objects.count() == 0


def test_an_override_never_allows_a_clash(maria, paul_no_hours, room_a, ann, ben):
    works(paul_no_hours)
    book(
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "18:30"),
        by=maria,
        override_reason="Evening clinic",
    )

    error = refused(
        book,
        patient=ben,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "18:45"),
        by=maria,
        override_reason="Evening clinic",
    )

    assert error.messages == [
        "Paul Needham is seeing Ann Lee 18:30–19:15 in Room A.",
    ]
    assert not error.only_availability
    assert Appointment.objects.count() == 1


def test_an_override_cannot_make_an_appointment_end_before_it_starts(
    maria, paul_no_hours, room_a, ann
):
    start = at(MONDAY, "10:00")

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=start,
        end=start,
        by=maria,
        override_reason="Testing",
    )

    assert error.messages == ["The appointment must end after it starts."]


def test_an_override_does_not_book_an_inactive_room(maria, paul_no_hours, room_a, ann):
    works(paul_no_hours)
    room_a.is_active = False
    room_a.save()

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "18:30"),
        by=maria,
        override_reason="Evening clinic",
    )

    assert error.messages == ["Room A is not in use."]
    assert Appointment.objects.count() == 0


def test_an_override_does_not_book_a_practitioner_who_has_left(
    maria, paul, paul_no_hours, room_a, ann
):
    works(paul_no_hours)
    paul.is_active = False
    paul.save()

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "10:00"),
        by=maria,
        override_reason="One last session",
    )

    assert error.messages == ["Paul Needham is not taking bookings."]
