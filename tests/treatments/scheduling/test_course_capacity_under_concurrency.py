"""A course never gets more live sessions than planned, however many desks book into it at once.

Twenty threads, each with its own database connection, book the one session of a 1-session
course at the same instant, each at a different free time (so that nothing but the course's
plan stands in the way). Exactly one booking may stand; the other nineteen are told the course
is full. On PostgreSQL the planned-sessions check used to run before the writers' lock, so
every booking counted the same empty course: measured before the fix, all 20 got in, in each of
20 rounds (through HTTP the audit saw up to 4, in 17 rounds of 20); SQLite's IMMEDIATE
transactions serialised it already (0 of 20).
"""

from datetime import timedelta

from tests.factories import (
    CourseFactory,
    RoomFactory,
    at,
    follow_up,
    future_monday,
    working_practitioner,
)
from tests.treatments.scheduling.test_concurrency import concurrent, race
from treatments.models import Appointment
from treatments.scheduling import services as scheduling

DESKS = 20
COURSE_IS_FULL = ["The course has 1 planned sessions and 1 booked; change the plan to add more."]


def twenty_free_times():
    """Twenty weekday mornings, one a day from a Monday a few weeks ahead."""
    monday = future_monday()
    return [at(monday + timedelta(weeks=n // 5, days=n % 5), "10:00") for n in range(DESKS)]


@concurrent
def test_twenty_managers_booking_into_a_one_session_course_at_once_leave_one_session(maria):
    course = CourseFactory(
        practitioner=working_practitioner(display_name="Dr Paul Needham"), planned_sessions=1
    )
    patient, room = course.complaint.patient, RoomFactory(name="Room A")

    def booking(start):
        return lambda: scheduling.book(
            patient=patient,
            practitioner=course.practitioner,
            room=room,
            appointment_type=follow_up(),
            start=start,
            course=course,
            by=maria,
        )

    results = race([booking(start) for start in twenty_free_times()])

    kinds = [kind for kind, _ in results]
    assert kinds.count("booked") == 1, results
    assert [detail for kind, detail in results if kind != "booked"] == [COURSE_IS_FULL] * (
        DESKS - 1
    ), results
    assert Appointment.objects.filter(course=course).live().count() == 1
