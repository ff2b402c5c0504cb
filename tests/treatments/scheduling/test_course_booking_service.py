"""Booking a treatment course through the scheduling service: all sessions or none, within
the plan, and the course's status following its sessions.

Paul and Priya work Monday to Friday 09:00–18:00; Ann Lee and Ben Ng are patients;
every booking is a 45-minute follow-up unless a test says otherwise.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import (
    CourseFactory,
    PatientFactory,
    at,
    book,
    follow_up,
    future_monday,
    refused,
    works,
)
from treatments.models import (
    Appointment,
    CourseStatus,
)
from treatments.scheduling import services as scheduling
from treatments.scheduling.proposals import propose_course
from treatments.scheduling.services import PlannedSession

MONDAY = future_monday()
# Arrival and completion happen on the day, not ahead: a Monday some weeks ago.
PAST_MONDAY = MONDAY - timedelta(weeks=6)


def weekly(first_day, hh_mm, count, room):
    return [
        PlannedSession(at(first_day + timedelta(weeks=week), hh_mm), room) for week in range(count)
    ]


def test_book_course_books_every_session_and_activates_the_course(fiona, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=4)
    assert course.status == CourseStatus.PLANNED

    booked = scheduling.book_course(
        course=course,
        sessions=weekly(MONDAY, "10:00", 4, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )

    assert [a.start for a in booked] == [s.start for s in weekly(MONDAY, "10:00", 4, room_a)]
    assert {(a.patient, a.practitioner, a.course) for a in booked} == {
        (course.patient, dr_paul, course)
    }
    course.refresh_from_db()
    assert course.status == CourseStatus.ACTIVE
    progress = course.progress()
    assert (progress.planned, progress.completed, progress.booked, progress.to_book) == (
        4,
        0,
        4,
        0,
    )


def test_book_course_books_nothing_when_one_session_clashes(fiona, dr_paul, room_a, room_b, ben):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=4)
    third_monday = MONDAY + timedelta(weeks=2)
    book(patient=ben, practitioner=dr_paul, room=room_b, start=at(third_monday, "10:15"), by=fiona)

    error = refused(
        scheduling.book_course,
        course=course,
        sessions=weekly(MONDAY, "10:00", 4, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )

    when = f"{at(third_monday, '10:00'):%a %d %b} 10:00"
    assert error.messages == [f"Session 3 ({when}): Paul Needham is seeing Ben Ng 10:15–11:00."]
    assert Appointment.objects.filter(course=course).count() == 0
    assert Appointment.objects.count() == 1
    course.refresh_from_db()
    assert course.status == CourseStatus.PLANNED


def test_book_course_names_every_failing_session_with_its_number(
    fiona, dr_paul, room_a, room_b, ben
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=3)
    book(patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "10:00"), by=fiona)

    error = refused(
        scheduling.book_course,
        course=course,
        sessions=[
            *weekly(MONDAY, "10:00", 2, room_a),
            PlannedSession(at(MONDAY + timedelta(weeks=2), "19:00"), room_a),
        ],
        appointment_type=follow_up(),
        by=fiona,
    )

    first, third = at(MONDAY, "10:00"), at(MONDAY + timedelta(weeks=2), "19:00")
    assert error.messages == [
        f"Session 1 ({first:%a %d %b} 10:00): Paul Needham is seeing Ben Ng 10:00–10:45.",
        f"Session 3 ({third:%a %d %b} 19:00): Paul Needham works 09:00–18:00 on Mondays.",
    ]
    assert Appointment.objects.filter(course=course).count() == 0


def test_a_refused_course_booking_leaves_the_course_object_planned(
    fiona, dr_paul, room_a, room_b, ben
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=2)
    book(
        patient=ben,
        practitioner=dr_paul,
        room=room_b,
        start=at(MONDAY + timedelta(weeks=1), "10:00"),
        by=fiona,
    )

    refused(
        scheduling.book_course,
        course=course,
        sessions=weekly(MONDAY, "10:00", 2, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )

    assert course.status == CourseStatus.PLANNED


def test_the_first_single_booking_activates_a_planned_course(fiona, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=3)

    book(
        patient=course.patient,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "10:00"),
        course=course,
        by=fiona,
    )

    course.refresh_from_db()
    assert course.status == CourseStatus.ACTIVE


def test_a_course_completes_when_its_last_planned_session_is_completed(
    fiona, paul, dr_paul, room_a
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=2)
    first, last = scheduling.book_course(
        course=course,
        sessions=weekly(PAST_MONDAY, "10:00", 2, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )

    scheduling.complete(appointment=first, by=paul)
    course.refresh_from_db()
    assert (course.status, course.end_date) == (CourseStatus.ACTIVE, None)

    scheduling.complete(appointment=last, by=paul)
    course.refresh_from_db()
    assert (course.status, course.end_date) == (CourseStatus.COMPLETED, timezone.localdate())


def test_booking_more_live_sessions_than_planned_is_refused(fiona, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=2)
    scheduling.book_course(
        course=course,
        sessions=weekly(MONDAY, "10:00", 2, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )

    error = refused(
        book,
        patient=course.patient,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "14:00"),
        course=course,
        by=fiona,
    )

    assert error.messages == [
        "The course has 2 planned sessions and 2 booked; change the plan to add more."
    ]
    assert course.appointments.count() == 2


def test_book_course_refuses_more_sessions_than_the_plan_has_room_for(fiona, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=2)

    error = refused(
        scheduling.book_course,
        course=course,
        sessions=weekly(MONDAY, "10:00", 3, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )

    assert error.messages == [
        "The course has 2 planned sessions and 0 booked; change the plan to add more."
    ]
    assert course.appointments.count() == 0


def test_a_cancelled_course_session_can_be_rebooked_within_the_course(fiona, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=2)
    _, second = scheduling.book_course(
        course=course,
        sessions=weekly(MONDAY, "10:00", 2, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )
    scheduling.cancel(appointment=second, reason="Away that week", by=fiona)

    book(
        patient=course.patient,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY + timedelta(days=8), "10:00"),
        course=course,
        by=fiona,
    )

    assert course.appointments.live().count() == 2


def test_booking_a_course_of_another_patient_is_refused(fiona, dr_paul, room_a, ann):
    course = CourseFactory(practitioner=dr_paul)

    error = refused(
        book,
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "10:00"),
        course=course,
        by=fiona,
    )

    assert error.messages == ["That course belongs to another patient."]
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (CourseStatus.COMPLETED, "The course is completed."),
        (CourseStatus.DISCONTINUED, "The course is discontinued."),
    ],
)
def test_a_closed_course_takes_no_more_bookings(status, message, fiona, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, status=status, discontinued_reason="Moved away")

    error = refused(
        book,
        patient=course.patient,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "10:00"),
        course=course,
        by=fiona,
    )

    assert error.messages == [message]


def test_a_proposed_session_whose_time_is_taken_moves_to_the_nearest_free_time(
    fiona, dr_paul, room_a, room_b, ben
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=3)
    second_monday = MONDAY + timedelta(weeks=1)
    book(patient=ben, practitioner=dr_paul, room=room_b, start=at(second_monday, "10:00"), by=fiona)

    proposals = propose_course(
        course=course,
        first_start=at(MONDAY, "10:00"),
        interval_days=7,
        room=room_a,
        appointment_type=follow_up(),
    )

    assert all(p.ok for p in proposals)
    assert [(p.number, p.start, p.room) for p in proposals] == [
        (1, at(MONDAY, "10:00"), room_a),
        (2, at(second_monday, "09:15"), room_a),  # 09:15 and 10:45 are as near: the earlier
        (3, at(MONDAY + timedelta(weeks=2), "10:00"), room_a),
    ]
    assert proposals[1].moved_from == at(second_monday, "10:00")
    assert proposals[1].moved_because == ["Paul Needham is seeing Ben Ng 10:00–10:45."]
    assert proposals[0].moved_from is None


def test_a_taken_room_at_the_regular_time_gives_way_to_a_free_room(
    fiona, dr_paul, dr_priya, room_a, room_b, ben
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=2)
    book(patient=ben, practitioner=dr_priya, room=room_a, start=at(MONDAY, "10:00"), by=fiona)

    first, second = propose_course(
        course=course,
        first_start=at(MONDAY, "10:00"),
        interval_days=7,
        room=room_a,
        appointment_type=follow_up(),
    )

    assert (first.start, first.room) == (at(MONDAY, "10:00"), room_b)
    assert first.moved_because == ["Room A is taken 10:00–10:45 by Priya Shah with Ben Ng."]
    assert (second.start, second.room) == (at(MONDAY + timedelta(weeks=1), "10:00"), room_a)


def test_a_session_with_no_free_time_nearby_keeps_its_problems(fiona, paul_no_hours, room_a):
    works(paul_no_hours, ("10:00", "10:45"), weekdays=[0])  # one slot, on Mondays only
    course = CourseFactory(practitioner=paul_no_hours, planned_sessions=1)
    for monday in (MONDAY, MONDAY + timedelta(weeks=1)):
        book(
            patient=PatientFactory(),
            practitioner=paul_no_hours,
            room=room_a,
            start=at(monday, "10:00"),
            by=fiona,
        )

    (only,) = propose_course(
        course=course,
        first_start=at(MONDAY, "10:00"),
        interval_days=7,
        room=room_a,
        appointment_type=follow_up(),
    )

    assert not only.ok
    assert only.start == at(MONDAY, "10:00")
    assert only.problems[0].startswith("Paul Needham is seeing")


def reads_of_the_diary(queries) -> list[str]:
    """The queries that check: appointments, opening and working hours, time off."""
    tables = (
        "treatments_appointment",
        "clinic_openinghours",
        "clinic_workinghours",
        "clinic_timeoff",
    )
    return [
        q["sql"]
        for q in queries
        if q["sql"].startswith("SELECT") and any(f'FROM "{table}"' in q["sql"] for table in tables)
    ]


@pytest.mark.parametrize("count", [1, 6])
def test_a_course_is_checked_in_the_same_queries_whatever_its_number_of_sessions(
    fiona, dr_paul, room_a, count
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=count)
    book(
        patient=course.patient,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "10:00"),
        by=fiona,
    )

    sessions, appointment_type = weekly(MONDAY, "11:00", count, room_a), follow_up()

    with CaptureQueriesContext(connection) as captured:
        scheduling.book_course(
            course=course, sessions=sessions, appointment_type=appointment_type, by=fiona
        )

    # 1 the course's live sessions (count), 2 their starts (numbering), 3-5 opening hours,
    # working hours and time off over all the sessions' days, 6 the clashes of all sessions
    # (one UNION); then per session only its insert: 6 foreign keys and the check constraint
    # validated (the latter in a savepoint), the row and its history row. Once more: the
    # inserts' savepoint and release, the course's status (planned -> active) and its history
    # row, the transaction's savepoint and release (the test runs in one), and on PostgreSQL
    # the advisory locks.
    assert len(reads_of_the_diary(captured.captured_queries)) == 6
    per_session = 6 + 3 + 2
    fixed = 6 + 2 + 2 + 2 + (1 if connection.vendor == "postgresql" else 0)
    assert len(captured) == fixed + per_session * count
