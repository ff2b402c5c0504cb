"""Undoing a status change: one step at a time, and only into a slot that is still free.

Paul and Priya work Monday to Friday 09:00–18:00; Ann Lee and Ben Ng are patients;
every booking is a 45-minute follow-up unless a test says otherwise.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.factories import (
    AppointmentFactory,
    CourseFactory,
    at,
    book,
    follow_up,
    future_monday,
    refused,
    status_changes,
)
from treatments.models import (
    Appointment,
    AppointmentStatus,
    AppointmentStatusChange,
    CourseStatus,
)
from treatments.scheduling import services as scheduling
from treatments.scheduling.checks import SchedulingError
from treatments.scheduling.services import PlannedSession

MONDAY = future_monday()
# Arrival and completion happen on the day, not ahead: a Monday some weeks ago.
PAST_MONDAY = MONDAY - timedelta(weeks=6)


def test_undo_reverts_the_last_change_and_records_the_undo(fiona, maria):
    appointment = AppointmentFactory(start=timezone.now() - timedelta(minutes=20))
    scheduling.mark_no_show(appointment=appointment, by=fiona)
    mistake = AppointmentStatusChange.objects.get(appointment=appointment)

    undone = scheduling.undo_status(appointment=appointment, by=maria)

    assert undone.status == AppointmentStatus.BOOKED
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert status_changes(appointment) == [
        ("booked", "no_show", "fiona"),
        ("no_show", "booked", "maria"),
    ]
    undo = AppointmentStatusChange.objects.get(undoes=mistake)
    assert undo.note == "Undo"


def test_undo_steps_back_one_change_at_a_time_and_then_stops(fiona):
    appointment = AppointmentFactory(start=timezone.now() - timedelta(minutes=20))
    scheduling.mark_arrived(appointment=appointment, by=fiona)
    scheduling.complete(appointment=appointment, by=fiona)

    assert scheduling.undo_status(appointment=appointment, by=fiona).status == "arrived"
    assert scheduling.undo_status(appointment=appointment, by=fiona).status == "booked"
    error = refused(scheduling.undo_status, appointment=appointment, by=fiona)

    assert error.messages == ["There is no status change to undo."]


def test_undo_without_any_change_is_refused(fiona):
    appointment = AppointmentFactory()

    error = refused(scheduling.undo_status, appointment=appointment, by=fiona)

    assert error.messages == ["There is no status change to undo."]


def test_undoing_a_cancellation_brings_the_booking_back_and_clears_the_reason(fiona):
    appointment = AppointmentFactory(start=timezone.now() + timedelta(hours=2))
    scheduling.cancel(appointment=appointment, reason="Clicked the wrong row", by=fiona)
    appointment.refresh_from_db()
    assert appointment.late_cancellation is True

    scheduling.undo_status(appointment=appointment, by=fiona)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert (appointment.cancellation_reason, appointment.late_cancellation) == ("", False)


def test_undoing_a_cancellation_is_refused_when_the_slot_has_been_taken_since(
    fiona, dr_paul, room_a, room_b, ann, ben
):
    cancelled = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )
    scheduling.cancel(appointment=cancelled, reason="Unwell", by=fiona)
    book(patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "10:00"), by=fiona)

    error = refused(scheduling.undo_status, appointment=cancelled, by=fiona)

    assert error.messages == [
        "The slot has been taken since:",
        "Paul Needham is seeing Ben Ng 10:00–10:45.",
    ]
    cancelled.refresh_from_db()
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert cancelled.cancellation_reason == "Unwell"
    assert len(status_changes(cancelled)) == 1


def test_undoing_a_completion_reopens_the_course_it_completed(fiona, paul, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=1)
    session = book(
        patient=course.patient,
        practitioner=dr_paul,
        room=room_a,
        start=at(PAST_MONDAY, "10:00"),
        course=course,
        by=fiona,
    )
    scheduling.complete(appointment=session, by=paul)
    course.refresh_from_db()
    assert (course.status, course.end_date) == (CourseStatus.COMPLETED, timezone.localdate())

    scheduling.undo_status(appointment=session, by=fiona)

    course.refresh_from_db()
    assert (course.status, course.end_date) == (CourseStatus.ACTIVE, None)
    session.refresh_from_db()
    assert session.status == AppointmentStatus.BOOKED


def test_undoing_a_cancellation_cannot_push_a_course_past_its_planned_sessions(
    fiona, dr_paul, room_a
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=2)
    _, second = scheduling.book_course(
        course=course,
        sessions=[
            PlannedSession(at(MONDAY, "10:00"), room_a),
            PlannedSession(at(MONDAY + timedelta(days=7), "10:00"), room_a),
        ],
        appointment_type=follow_up(),
        by=fiona,
    )
    scheduling.cancel(appointment=second, reason="Away that week", by=fiona)
    book(  # rebooked within the course, keeping the count
        patient=course.patient,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY + timedelta(days=8), "10:00"),
        course=course,
        by=fiona,
    )

    error = refused(scheduling.undo_status, appointment=second, by=fiona)

    assert error.messages == [
        "The course has 2 planned sessions and 2 booked; change the plan to add more."
    ]
    assert course.appointments.live().count() == 2
    second.refresh_from_db()
    assert second.status == AppointmentStatus.CANCELLED


def test_an_undo_on_a_stale_copy_checks_the_slot_the_appointment_holds_now(
    fiona, dr_paul, room_a, room_b, ann, ben
):
    on_screen_1 = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )
    on_screen_2 = Appointment.objects.get(pk=on_screen_1.pk)  # another desk's open page
    scheduling.reschedule(appointment=on_screen_1, start=at(MONDAY, "14:00"), by=fiona)
    scheduling.cancel(appointment=on_screen_1, reason="Phoned to cancel", by=fiona)
    book(patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "14:00"), by=fiona)

    with pytest.raises(SchedulingError) as caught, transaction.atomic():
        scheduling.undo_status(appointment=on_screen_2, by=fiona)

    assert caught.value.messages[0] == "The slot has been taken since:"
    assert Appointment.objects.live().filter(practitioner=dr_paul).count() == 1
