"""Courses, hours and clashes keep to the local wall clock across the clock changes.

Paul and Priya work Monday to Friday 09:00–18:00; Ann Lee and Ben Ng are patients;
every booking is a 45-minute follow-up unless a test says otherwise.
"""

from datetime import UTC, date, timedelta

from django.urls import reverse
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


# --- the nights the clocks change, typed into a form ---------------------------------------
# In Europe/London the clocks go from 01:00 to 02:00 on 28 March 2027 (01:30 never happens)
# and from 02:00 back to 01:00 on 31 October 2027 (01:30 happens twice).

SPRING_NIGHT, AUTUMN_NIGHT = date(2027, 3, 28), date(2027, 10, 31)


def _out_of_hours(patient, practitioner, room, day: date, time: str, duration="45") -> dict:
    return {
        "patient": patient.pk,
        "practitioner": practitioner.pk,
        "room": room.pk,
        "appointment_type": follow_up().pk,
        "date": day.isoformat(),
        "time": time,
        "duration": duration,
        "override_reason": "Flying out at dawn",
    }


def test_a_booking_at_01_30_the_night_the_clocks_go_forward_says_the_time_does_not_exist(
    maria_client, paul, room_a, ann
):
    data = _out_of_hours(ann, paul.practitioner, room_a, SPRING_NIGHT, "01:30")

    response = maria_client.post(reverse("treatments:appointment-create"), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["time"] == [
        "01:30 on Sun 28 Mar 2027 does not exist: the clocks go forward that night and skip "
        "it. Choose another time."
    ]
    assert "must end after it starts" not in response.text
    assert 'value="01:30"' in response.text
    assert 'value="Flying out at dawn"' in response.text
    assert not Appointment.objects.exists()


def test_a_booking_at_01_30_the_night_the_clocks_go_back_says_the_time_happens_twice(
    maria_client, paul, room_a, ann
):
    data = _out_of_hours(ann, paul.practitioner, room_a, AUTUMN_NIGHT, "01:30")

    response = maria_client.post(reverse("treatments:appointment-create"), data)

    assert response.context["form"].errors["time"] == [
        "01:30 on Sun 31 Oct 2027 happens twice: the clocks go back that night and repeat "
        "that hour. Choose a time outside it."
    ]
    assert not Appointment.objects.exists()


def test_an_appointment_across_the_spring_change_lasts_its_real_minutes(
    maria_client, paul, room_a, ann
):
    data = _out_of_hours(ann, paul.practitioner, room_a, SPRING_NIGHT, "00:45", duration="90")

    maria_client.post(reverse("treatments:appointment-create"), data)

    appointment = Appointment.objects.get()
    assert appointment.end - appointment.start == timedelta(minutes=90)
    assert f"{timezone.localtime(appointment.end):%H:%M}" == "03:15"


def test_time_off_from_01_30_the_night_the_clocks_go_forward_is_refused_next_to_the_time(
    maria_client, paul
):
    data = {
        "start_date": SPRING_NIGHT.isoformat(),
        "start_time": "01:30",
        "end_date": SPRING_NIGHT.isoformat(),
        "end_time": "08:00",
        "reason": "Night shift",
    }

    response = maria_client.post(
        reverse("clinic:hours-time-off", args=[paul.practitioner.pk]), data
    )

    assert "does not exist" in response.context["form"].errors["start_time"][0]
