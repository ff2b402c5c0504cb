"""Builders for the audit, immutability and pain chart tests: a course whose past sessions
are completed, and session notes written and signed through the notes service."""

from datetime import time, timedelta

from django.utils import timezone

from clinic.models import local_datetime
from tests.factories import ComplaintFactory, RoomFactory
from treatments.models import Appointment, AppointmentStatus, AppointmentType, TreatmentCourse
from treatments.notes import services as notes


def course_for(practitioner, planned: int = 6, **complaint) -> TreatmentCourse:
    return TreatmentCourse.objects.create(
        complaint=ComplaintFactory(**complaint),
        practitioner=practitioner,
        planned_sessions=planned,
        interval_days=7,
        start_date=timezone.localdate() - timedelta(days=60),
        created_by=practitioner.user,
    )


def session(course, days_ago: int, status=AppointmentStatus.COMPLETED, room=None) -> Appointment:
    """A session row written directly: these tests are about notes, not booking."""
    start = local_datetime(timezone.localdate() - timedelta(days=days_ago), time(10))
    return Appointment.objects.create(
        patient=course.complaint.patient,
        practitioner=course.practitioner,
        room=room or RoomFactory(),
        appointment_type=AppointmentType.objects.get(name="Follow-up"),
        course=course,
        start=start,
        end=start + timedelta(minutes=45),
        status=status,
        booked_by=course.practitioner.user,
    )


def write_note(appointment, *, sign=True, **fields):
    """The treating practitioner's note for `appointment`, saved (and signed) by the service."""
    by = appointment.practitioner.user
    note = notes.note_start(appointment=appointment, by=by)
    note = notes.note_save_draft(note=note, by=by, **fields)
    return notes.note_sign(note=note, by=by) if sign else note


def scored_course(practitioner, scores, **complaint) -> TreatmentCourse:
    """A course with one completed, signed session per (before, after) pair, a week apart."""
    course = course_for(practitioner, planned=max(len(scores), 1), **complaint)
    for index, (before, after) in enumerate(scores):
        appointment = session(course, days_ago=7 * (len(scores) - index))
        write_note(appointment, pain_before=before, pain_after=after)
    return course
