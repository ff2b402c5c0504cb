"""On PostgreSQL, writers queue only behind writers that share a practitioner, room, patient or
course with them (advisory locks), not behind every booking in the building.

Each test holds one booking's transaction open in a thread (its locks held) while a second
booking runs in another. With the old `LOCK TABLE treatments_appointment IN SHARE ROW
EXCLUSIVE MODE`, the first test's second booking waited for the first to commit: run against
that code, it failed with "the other booking was still waiting" after 5 s.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction

from tests.factories import (
    CourseFactory,
    PatientFactory,
    RoomFactory,
    at,
    follow_up,
    future_monday,
    working_practitioner,
)
from tests.treatments.scheduling.test_concurrency import concurrent
from treatments.models import Appointment
from treatments.scheduling import services as scheduling
from treatments.scheduling.checks import SchedulingError

pytestmark = pytest.mark.postgres

START = at(future_monday(), "10:00")


class HeldBooking(threading.Thread):
    """Books in its own transaction, then keeps it open (and its locks held) until released."""

    def __init__(self, book):
        super().__init__(name="held-booking")
        self.book, self.booked, self.release = book, threading.Event(), threading.Event()
        self.outcome = None

    def run(self):
        try:
            with transaction.atomic():
                self.outcome = ("booked", self.book().pk)
                self.booked.set()
                self.release.wait(timeout=20)
        except Exception as error:
            self.outcome = ("error", repr(error))
            self.booked.set()
        finally:
            connections.close_all()

    def commit(self):
        self.release.set()
        self.join(timeout=10)


class Booking(threading.Thread):
    def __init__(self, book):
        super().__init__(name="other-booking")
        self.book, self.outcome = book, None

    def run(self):
        try:
            self.outcome = ("booked", self.book().pk)
        except SchedulingError as error:
            self.outcome = ("refused", error.messages)
        except Exception as error:
            self.outcome = ("error", repr(error))
        finally:
            connections.close_all()


def booking(fiona, *, patient, practitioner, room, start=START, course=None):
    return lambda: scheduling.book(
        patient=patient,
        practitioner=practitioner,
        room=room,
        appointment_type=follow_up(),
        start=start,
        course=course,
        by=fiona,
    )


def waiting_for_an_advisory_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
        )
        return cursor.fetchone()[0]


def wait_until(condition, timeout=5.0) -> bool:
    event = threading.Event()
    for _ in range(int(timeout / 0.02)):
        if condition():
            return True
        event.wait(0.02)
    return False


@concurrent
def test_two_bookings_for_different_practitioners_rooms_and_patients_proceed_in_parallel(fiona):
    first = HeldBooking(
        booking(
            fiona,
            patient=PatientFactory(),
            practitioner=working_practitioner(),
            room=RoomFactory(),
        )
    )
    second = Booking(
        booking(
            fiona,
            patient=PatientFactory(),
            practitioner=working_practitioner(),
            room=RoomFactory(),
        )
    )
    first.start()
    assert first.booked.wait(timeout=10)
    try:
        second.start()
        second.join(timeout=5)
        finished_while_first_open = not second.is_alive()
    finally:
        first.commit()
        second.join(timeout=10)

    assert finished_while_first_open, "the other booking was still waiting"
    assert first.outcome[0] == "booked", first.outcome
    assert second.outcome[0] == "booked", second.outcome
    assert Appointment.objects.live().count() == 2


@concurrent
def test_a_booking_for_the_same_practitioner_waits_for_the_first_and_then_sees_the_clash(fiona):
    practitioner = working_practitioner(display_name="Dr Paul Needham")
    ann = PatientFactory(given_name="Ann", family_name="Lee")
    first = HeldBooking(booking(fiona, patient=ann, practitioner=practitioner, room=RoomFactory()))
    second = Booking(
        booking(fiona, patient=PatientFactory(), practitioner=practitioner, room=RoomFactory())
    )
    first.start()
    assert first.booked.wait(timeout=10)
    try:
        second.start()
        waited = wait_until(waiting_for_an_advisory_lock)
        still_waiting = second.is_alive()
    finally:
        first.commit()
        second.join(timeout=10)

    assert waited and still_waiting
    assert first.outcome[0] == "booked", first.outcome
    assert second.outcome == ("refused", ["Dr Paul Needham is seeing Ann Lee 10:00–10:45."])
    assert Appointment.objects.live().count() == 1


@concurrent
def test_a_booking_into_the_same_course_waits_for_the_first_even_at_another_time(fiona):
    course = CourseFactory(practitioner=working_practitioner(), planned_sessions=1)
    patient = course.complaint.patient
    first = HeldBooking(
        booking(
            fiona,
            patient=patient,
            practitioner=course.practitioner,
            room=RoomFactory(),
            course=course,
        )
    )
    second = Booking(
        booking(
            fiona,
            patient=patient,
            practitioner=course.practitioner,
            room=RoomFactory(),
            start=START + timedelta(days=1),
            course=course,
        )
    )
    first.start()
    assert first.booked.wait(timeout=10)
    try:
        second.start()
        waited = wait_until(waiting_for_an_advisory_lock)
    finally:
        first.commit()
        second.join(timeout=10)

    assert waited
    assert second.outcome == (
        "refused",
        ["The course has 1 planned sessions and 1 booked; change the plan to add more."],
    )
