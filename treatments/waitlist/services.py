"""The only code that writes waitlist entries: adding, changing, removing, and booking an
entry into a freed slot (through the scheduling service, so every clash check applies)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.models import Practitioner, Room, User
from patients.models import Complaint, Patient
from treatments.models import (
    Appointment,
    AppointmentType,
    TreatmentCourse,
    WaitlistEntry,
    WaitlistStatus,
)
from treatments.scheduling import services as scheduling
from treatments.scheduling.checks import SchedulingError


def _not_waiting(entry: WaitlistEntry, action: str) -> None:
    if entry.status != WaitlistStatus.WAITING:
        raise ValidationError(
            f"Cannot {action}: the entry is {entry.get_status_display().lower()}."
        )


@transaction.atomic
def entry_save(
    *,
    entry: WaitlistEntry | None = None,
    patient: Patient,
    appointment_type: AppointmentType,
    duration_minutes: int,
    expires_on: date,
    by: User,
    complaint: Complaint | None = None,
    course: TreatmentCourse | None = None,
    practitioner: Practitioner | None = None,
    weekdays: list[int] = (),
    times_of_day: list[str] = (),
    urgency: int = 0,
    desk_notes: str = "",
) -> WaitlistEntry:
    """Add an entry (`entry` None) or change a waiting one. The expiry date of a new or
    changed entry is today or later: an entry is never written already expired."""
    if entry is None:
        entry = WaitlistEntry(patient=patient, created_by=by)
    else:
        entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        _not_waiting(entry, "change it")
        if entry.patient_id != patient.pk:
            raise ValidationError("An entry stays with its patient.")
    if expires_on < timezone.localdate():
        raise ValidationError({"expires_on": "Choose today or a later day."})
    entry.complaint = complaint
    entry.course = course
    entry.practitioner = practitioner
    entry.appointment_type = appointment_type
    entry.duration_minutes = duration_minutes
    entry.weekdays = list(weekdays)
    entry.times_of_day = list(times_of_day)
    entry.urgency = urgency
    entry.expires_on = expires_on
    entry.desk_notes = desk_notes.strip()
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def entry_remove(*, entry: WaitlistEntry, reason: str, by: User) -> WaitlistEntry:
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    _not_waiting(entry, "remove it")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"removed_reason": "Say why the entry is removed."})
    entry.status = WaitlistStatus.REMOVED
    entry.removed_reason = reason
    entry.closed_by = by
    entry.closed_at = timezone.now()
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def entry_book(
    *,
    entry: WaitlistEntry,
    practitioner: Practitioner,
    room: Room,
    start: datetime,
    by: User,
) -> Appointment:
    """Book the entry's patient at `start` with `practitioner` in `room` for the entry's
    length, with its type and course, and close the entry as booked with that appointment.

    Raises SchedulingError for anything in the way (a clash, the hours, a full course, an
    entry no longer waiting): then nothing is written.
    """
    entry = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != WaitlistStatus.WAITING:
        raise SchedulingError([f"This entry is already {entry.get_status_display().lower()}."])
    if entry.is_expired():
        raise SchedulingError(["This entry has expired."])
    appointment = scheduling.book(
        patient=entry.patient,
        practitioner=practitioner,
        room=room,
        appointment_type=entry.appointment_type,
        start=start,
        end=start + entry.length,
        course=entry.course,
        by=by,
    )
    entry.status = WaitlistStatus.BOOKED
    entry.appointment = appointment
    entry.closed_by = by
    entry.closed_at = timezone.now()
    entry.full_clean()
    entry.save()
    return appointment
