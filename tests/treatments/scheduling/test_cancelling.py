"""Cancelling: a reason is needed, and a cancellation close to the start is late.

Paul and Priya work Monday to Friday 09:00–18:00; Ann Lee and Ben Ng are patients;
every booking is a 45-minute follow-up unless a test says otherwise.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    AppointmentFactory,
    future_monday,
    refused,
    status_changes,
)
from treatments.models import (
    Appointment,
    AppointmentStatus,
    AppointmentStatusChange,
)
from treatments.scheduling import services as scheduling

MONDAY = future_monday()


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_a_cancellation_needs_a_reason(reason, fiona):
    appointment = AppointmentFactory(start=timezone.now() + timedelta(days=3))

    error = refused(scheduling.cancel, appointment=appointment, reason=reason, by=fiona)

    assert error.messages == ["Give a reason for the cancellation."]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert status_changes(appointment) == []


def test_a_cancellation_keeps_the_reason_and_is_recorded(fiona):
    appointment = AppointmentFactory(start=timezone.now() + timedelta(days=3))

    scheduling.cancel(appointment=appointment, reason="  Car broke down ", by=fiona)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancellation_reason == "Car broke down"
    change = AppointmentStatusChange.objects.get(appointment=appointment)
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "booked",
        "cancelled",
        fiona,
        "Car broke down",
    )


@pytest.mark.parametrize(
    ("hours_before", "late"),
    [(1, True), (23, True), (25, False), (24 * 7, False)],
)
def test_a_cancellation_is_late_when_less_than_the_configured_hours_before_the_start(
    hours_before, late, fiona, settings
):
    assert settings.LATE_CANCELLATION_HOURS == 24
    appointment = AppointmentFactory(start=timezone.now() + timedelta(hours=hours_before))

    scheduling.cancel(appointment=appointment, reason="Unwell", by=fiona)

    appointment.refresh_from_db()
    assert appointment.late_cancellation is late


def test_the_late_cancellation_limit_follows_the_setting(fiona, settings):
    settings.LATE_CANCELLATION_HOURS = 2
    appointment = AppointmentFactory(start=timezone.now() + timedelta(hours=3))

    scheduling.cancel(appointment=appointment, reason="Unwell", by=fiona)

    appointment.refresh_from_db()
    assert appointment.late_cancellation is False


def test_a_cancellation_on_a_stale_copy_is_late_by_the_time_the_appointment_holds_now(fiona):
    appointment = AppointmentFactory(start=timezone.now() + timedelta(days=5))
    on_screen = Appointment.objects.get(pk=appointment.pk)  # loaded before the move
    Appointment.objects.filter(pk=appointment.pk).update(
        start=timezone.now() + timedelta(hours=2), end=timezone.now() + timedelta(hours=3)
    )

    scheduling.cancel(appointment=on_screen, reason="Unwell", by=fiona)

    appointment.refresh_from_db()
    assert appointment.late_cancellation is True
