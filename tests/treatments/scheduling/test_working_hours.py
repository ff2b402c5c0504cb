"""A practitioner can be booked within their working hours, on days the clinic is open, while
they and the room are active; availability_problems names everything in the way.

Paul and Priya start with no working hours: each test gives the hours it is about.
Ann Lee and Ben Ng are patients; every booking is a 45-minute follow-up.
"""

from datetime import timedelta

from clinic.models import OpeningHours, Weekday
from tests.factories import (
    at,
    book,
    future_monday,
    refused,
    works,
)
from treatments.models import Appointment
from treatments.scheduling.checks import availability_problems

MONDAY = future_monday()
WEDNESDAY = MONDAY + timedelta(days=2)
SATURDAY = MONDAY + timedelta(days=5)
SUNDAY = MONDAY + timedelta(days=6)


def test_a_booking_outside_the_practitioners_hours_is_refused_naming_the_hours(
    fiona, paul_no_hours, room_a, ann
):
    works(paul_no_hours, ("09:00", "18:00"))

    early = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "08:00"),
        by=fiona,
    )
    late = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "17:30"),
        by=fiona,
    )

    assert early.messages == late.messages == ["Paul Needham works 09:00–18:00 on Mondays."]
    assert early.only_availability
    assert Appointment.objects.count() == 0


def test_bookings_filling_the_working_hours_exactly_are_accepted(fiona, paul_no_hours, room_a, ann):
    works(paul_no_hours, ("09:00", "18:00"))

    book(patient=ann, practitioner=paul_no_hours, room=room_a, start=at(MONDAY, "09:00"), by=fiona)
    book(patient=ann, practitioner=paul_no_hours, room=room_a, start=at(MONDAY, "17:15"), by=fiona)

    assert Appointment.objects.count() == 2


def test_a_booking_in_the_lunch_gap_between_two_blocks_is_refused(
    fiona, paul_no_hours, room_a, ann
):
    works(paul_no_hours, ("09:00", "12:30"), ("13:30", "18:00"))

    in_gap = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "12:30"),
        by=fiona,
    )
    into_gap = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "12:00"),
        by=fiona,
    )
    from_gap = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "13:00"),
        by=fiona,
    )

    expected = ["Paul Needham works 09:00–12:30, 13:30–18:00 on Mondays."]
    assert in_gap.messages == into_gap.messages == from_gap.messages == expected


def test_bookings_either_side_of_the_lunch_gap_are_accepted(fiona, paul_no_hours, room_a, ann, ben):
    works(paul_no_hours, ("09:00", "12:30"), ("13:30", "18:00"))

    book(patient=ann, practitioner=paul_no_hours, room=room_a, start=at(MONDAY, "11:45"), by=fiona)
    book(patient=ben, practitioner=paul_no_hours, room=room_a, start=at(MONDAY, "13:30"), by=fiona)

    assert Appointment.objects.count() == 2


def test_a_booking_across_two_touching_blocks_is_accepted(fiona, paul_no_hours, room_a, ann):
    works(paul_no_hours, ("09:00", "13:00"), ("13:00", "18:00"))

    book(patient=ann, practitioner=paul_no_hours, room=room_a, start=at(MONDAY, "12:30"), by=fiona)
    late = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "17:30"),
        by=fiona,
    )

    assert Appointment.objects.count() == 1
    assert late.messages == ["Paul Needham works 09:00–18:00 on Mondays."]


def test_a_day_the_practitioner_does_not_work_is_refused(fiona, paul_no_hours, room_a, ann):
    works(paul_no_hours, weekdays=[Weekday.MONDAY, Weekday.TUESDAY])

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(WEDNESDAY, "10:00"),
        by=fiona,
    )

    assert error.messages == ["Paul Needham does not work on Wednesdays."]


def test_the_clinic_is_closed_on_sundays_whatever_the_practitioners_hours(
    fiona, paul_no_hours, room_a, ann
):
    works(paul_no_hours, weekdays=[Weekday.SUNDAY])
    assert not OpeningHours.objects.filter(weekday=Weekday.SUNDAY).exists()

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(SUNDAY, "10:00"),
        by=fiona,
    )

    assert error.messages == ["The clinic is closed on Sundays."]


def test_working_hours_are_cut_to_the_clinics_opening_hours(fiona, paul_no_hours, room_a, ann):
    works(
        paul_no_hours, ("09:00", "17:00"), weekdays=[Weekday.SATURDAY]
    )  # the clinic shuts at 14:00

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(SATURDAY, "13:30"),
        by=fiona,
    )
    book(
        patient=ann, practitioner=paul_no_hours, room=room_a, start=at(SATURDAY, "13:15"), by=fiona
    )

    assert error.messages == ["The clinic is open 09:00–14:00 on Saturdays."]


def test_an_inactive_practitioner_cannot_be_booked(fiona, paul_no_hours, room_a, ann):
    works(paul_no_hours)
    paul_no_hours.is_active = False
    paul_no_hours.save()

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "10:00"),
        by=fiona,
    )

    assert error.messages == ["Paul Needham is not taking bookings."]


def test_a_practitioner_whose_account_is_deactivated_cannot_be_booked(
    fiona, paul, paul_no_hours, room_a, ann
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
        by=fiona,
    )

    assert error.messages == ["Paul Needham is not taking bookings."]


def test_an_inactive_room_cannot_be_booked(fiona, paul_no_hours, room_a, ann):
    works(paul_no_hours)
    room_a.is_active = False
    room_a.save()

    error = refused(
        book,
        patient=ann,
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "10:00"),
        by=fiona,
    )

    assert error.messages == ["Room A is not in use."]


def test_availability_problems_lists_everything_in_the_way(paul_no_hours, room_a):
    works(paul_no_hours)
    paul_no_hours.is_active = False
    room_a.is_active = False

    problems = availability_problems(
        practitioner=paul_no_hours,
        room=room_a,
        start=at(MONDAY, "08:30"),
        end=at(MONDAY, "09:15"),
    )

    assert problems == [
        "Paul Needham is not taking bookings.",
        "Room A is not in use.",
        "Paul Needham works 09:00–18:00 on Mondays.",
    ]
