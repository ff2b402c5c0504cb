"""Arrival, completion and no-shows, recorded with who changed what; wrong changes are
refused.

Paul and Priya work Monday to Friday 09:00–18:00; Ann Lee and Ben Ng are patients;
every booking is a 45-minute follow-up unless a test says otherwise.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.factories import (
    AppointmentFactory,
    at,
    book,
    future_monday,
    refused,
    status_changes,
)
from treatments.models import (
    Appointment,
    AppointmentStatus,
)
from treatments.scheduling import services as scheduling
from treatments.scheduling.checks import SchedulingError

MONDAY = future_monday()
# Arrival and completion happen on the day, not ahead: a Monday some weeks ago.
PAST_MONDAY = MONDAY - timedelta(weeks=6)


def test_arrival_and_completion_are_recorded_with_who_from_and_to(
    fiona, paul, dr_paul, room_a, ann
):
    appointment = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(PAST_MONDAY, "10:00"), by=fiona
    )

    scheduling.mark_arrived(appointment=appointment, by=fiona)
    scheduling.complete(appointment=appointment, by=paul)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    assert status_changes(appointment) == [
        ("booked", "arrived", "fiona"),
        ("arrived", "completed", "paul"),
    ]


def test_a_booked_appointment_can_be_completed_without_arriving_first(paul):
    appointment = AppointmentFactory(start=timezone.now() - timedelta(hours=1))

    scheduling.complete(appointment=appointment, by=paul)

    assert status_changes(appointment) == [("booked", "completed", "paul")]


def test_a_no_show_is_refused_before_the_appointment_starts(fiona):
    appointment = AppointmentFactory(start=timezone.now() + timedelta(minutes=30))

    error = refused(scheduling.mark_no_show, appointment=appointment, by=fiona)

    assert error.messages == ["The appointment has not started yet."]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert status_changes(appointment) == []


def test_a_no_show_is_recorded_once_the_appointment_has_started(fiona):
    appointment = AppointmentFactory(start=timezone.now() - timedelta(minutes=10))

    scheduling.mark_no_show(appointment=appointment, by=fiona)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW
    assert status_changes(appointment) == [("booked", "no_show", "fiona")]


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("cancelled", "complete", "Cannot complete: the appointment is cancelled."),
        ("no_show", "complete", "Cannot complete: the appointment is no-show."),
        ("completed", "cancel", "Cannot cancel: the appointment is completed."),
        ("arrived", "cancel", "Cannot cancel: the appointment is arrived."),
        ("cancelled", "cancel", "Cannot cancel: the appointment is cancelled."),
        ("no_show", "mark_arrived", "Cannot mark as arrived: the appointment is no-show."),
        ("completed", "mark_arrived", "Cannot mark as arrived: the appointment is completed."),
        ("arrived", "mark_no_show", "Cannot mark as a no-show: the appointment is arrived."),
        ("completed", "complete", "Cannot complete: the appointment is completed."),
    ],
)
def test_wrong_status_changes_are_refused(status, action, message, fiona):
    appointment = AppointmentFactory(start=timezone.now() - timedelta(hours=1), status=status)
    call = getattr(scheduling, action)
    extra = {"reason": "Unwell"} if action == "cancel" else {}

    error = refused(call, appointment=appointment, by=fiona, **extra)

    assert error.messages == [message]
    appointment.refresh_from_db()
    assert appointment.status == status
    assert status_changes(appointment) == []


def test_a_status_change_on_a_stale_copy_cannot_revive_a_cancelled_appointment(
    fiona, dr_paul, room_a, room_b, ann, ben
):
    on_screen_1 = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )
    on_screen_2 = Appointment.objects.get(pk=on_screen_1.pk)  # another desk's open page
    scheduling.cancel(appointment=on_screen_1, reason="Phoned to cancel", by=fiona)
    book(patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "10:00"), by=fiona)

    with pytest.raises(SchedulingError) as caught, transaction.atomic():
        scheduling.mark_arrived(appointment=on_screen_2, by=fiona)

    assert caught.value.messages == ["Cannot mark as arrived: the appointment is cancelled."]
    assert Appointment.objects.live().filter(practitioner=dr_paul).count() == 1
