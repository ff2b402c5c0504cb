"""Courses, hours and clashes keep to the local wall clock across the clock changes.

Paul and Priya work Monday to Friday 09:00–18:00; Ann Lee and Ben Ng are patients;
every booking is a 45-minute follow-up unless a test says otherwise.
"""

from datetime import UTC, date, timedelta

from django.utils import timezone

from tests.factories import (
    CourseFactory,
    at,
    book,
    follow_up,
    refused,
)
from treatments.models import (
    Appointment,
)
from treatments.scheduling import services as scheduling
from treatments.scheduling.proposals import session_starts
from treatments.scheduling.services import PlannedSession

# --- daylight saving ---------------------------------------------------------------------
# Europe/London: clocks go forward on Sunday 28 March 2027 and back on Sunday 31 October 2027.

BEFORE_SPRING = date(2027, 3, 22)  # a Monday; the Monday after the change is 29 March


def test_course_sessions_keep_their_wall_clock_time_when_the_clocks_go_forward():
    first = at(BEFORE_SPRING, "10:00")

    starts = session_starts(first, 7, 2)

    assert [timezone.localtime(s).strftime("%a %d %b %H:%M") for s in starts] == [
        "Mon 22 Mar 10:00",
        "Mon 29 Mar 10:00",
    ]
    assert [s.astimezone(UTC).hour for s in starts] == [10, 9]


def test_course_sessions_keep_their_wall_clock_time_when_the_clocks_go_back():
    first = at(BEFORE_SPRING.replace(month=10, day=25), "10:00")

    starts = session_starts(first, 7, 2)

    assert [timezone.localtime(s).strftime("%a %d %b %H:%M") for s in starts] == [
        "Mon 25 Oct 10:00",
        "Mon 01 Nov 10:00",
    ]
    assert [s.astimezone(UTC).hour for s in starts] == [9, 10]


def test_session_starts_given_in_utc_still_follow_the_local_wall_clock():
    first = at(BEFORE_SPRING, "10:00").astimezone(UTC)

    starts = session_starts(first, 3, 3)

    assert [timezone.localtime(s).strftime("%d %H:%M") for s in starts] == [
        "22 10:00",
        "25 10:00",
        "28 10:00",
    ]


def test_10_00_bookings_either_side_of_the_spring_change_are_inside_9_to_6_hours(
    fiona, dr_paul, room_a, ann
):
    before = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(BEFORE_SPRING, "10:00"), by=fiona
    )
    after = book(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=at(BEFORE_SPRING + timedelta(days=7), "10:00"),
        by=fiona,
    )

    before.refresh_from_db()
    after.refresh_from_db()
    assert [timezone.localtime(a.start).strftime("%H:%M") for a in (before, after)] == [
        "10:00",
        "10:00",
    ]
    assert [a.start.astimezone(UTC).hour for a in (before, after)] == [10, 9]


def test_working_hours_follow_the_local_clock_the_day_after_the_spring_change(
    fiona, dr_paul, room_a, ann, ben
):
    monday = BEFORE_SPRING + timedelta(days=7)

    too_early = refused(
        book, patient=ben, practitioner=dr_paul, room=room_a, start=at(monday, "08:45"), by=fiona
    )
    too_late = refused(
        book, patient=ann, practitioner=dr_paul, room=room_a, start=at(monday, "17:30"), by=fiona
    )
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(monday, "09:00"), by=fiona)
    book(patient=ben, practitioner=dr_paul, room=room_a, start=at(monday, "17:15"), by=fiona)

    assert too_early.messages == too_late.messages == ["Paul Needham works 09:00–18:00 on Mondays."]
    assert Appointment.objects.live().count() == 2


def test_09_00_and_10_00_the_day_after_the_spring_change_do_not_clash(
    fiona, dr_paul, room_a, ann, ben
):
    monday = BEFORE_SPRING + timedelta(days=7)
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(monday, "09:00"), by=fiona)

    book(patient=ben, practitioner=dr_paul, room=room_a, start=at(monday, "10:00"), by=fiona)

    assert Appointment.objects.live().count() == 2


def test_a_clash_the_day_after_the_spring_change_is_reported_in_local_time(
    fiona, dr_paul, room_a, room_b, ann, ben
):
    monday = BEFORE_SPRING + timedelta(days=7)
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(monday, "10:00"), by=fiona)

    error = refused(
        book, patient=ben, practitioner=dr_paul, room=room_b, start=at(monday, "10:30"), by=fiona
    )

    assert error.messages == ["Paul Needham is seeing Ann Lee 10:00–10:45."]


def test_a_weekly_course_across_the_spring_change_books_at_10_00_local_every_week(
    fiona, dr_paul, room_a
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=3)
    starts = session_starts(at(BEFORE_SPRING - timedelta(weeks=1), "10:00"), 7, 3)

    booked = scheduling.book_course(
        course=course,
        sessions=[PlannedSession(start, room_a) for start in starts],
        appointment_type=follow_up(),
        by=fiona,
    )

    assert [timezone.localtime(a.start).strftime("%d %b %H:%M") for a in booked] == [
        "15 Mar 10:00",
        "22 Mar 10:00",
        "29 Mar 10:00",
    ]


def test_the_day_after_the_autumn_change_keeps_local_working_hours(fiona, dr_paul, room_a, ann):
    monday = BEFORE_SPRING.replace(month=11, day=1)

    appointment = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(monday, "09:00"), by=fiona
    )
    error = refused(
        book, patient=ann, practitioner=dr_paul, room=room_a, start=at(monday, "08:15"), by=fiona
    )

    assert appointment.start.astimezone(UTC).hour == 9
    assert error.messages == ["Paul Needham works 09:00–18:00 on Mondays."]
