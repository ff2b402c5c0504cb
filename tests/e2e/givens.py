"""What is there before a journey's person sits down, built through the services."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import ComplaintFactory, PatientFactory, at, follow_up
from treatments.courses import services
from treatments.scheduling import services as scheduling


def course_starting_today(
    patient, *, practitioner, room, hh_mm: str, by, planned=4, booked=None, **complaint
):
    """A course for a new complaint of `patient` (chronic unless told otherwise), its first
    `booked` sessions (all by default) booked weekly at `hh_mm` from today. Returns the
    first session."""
    today = timezone.localdate()
    complaint = ComplaintFactory(
        patient=patient, **{"onset_date": today - timedelta(days=61), **complaint}
    )
    course = services.course_plan(
        complaint=complaint,
        practitioner=practitioner,
        planned_sessions=planned,
        interval_days=7,
        start_date=today,
        by=by,
    )
    first, *_ = scheduling.book_course(
        course=course,
        sessions=[
            scheduling.PlannedSession(start=at(today + timedelta(weeks=week), hh_mm), room=room)
            for week in range(booked or planned)
        ],
        appointment_type=follow_up(),
        by=by,
    )
    return first


def todays_first_session(*, practitioner, room, by):
    """Harriet Lowe, with low back pain for over a year, has arrived for the first session
    of her six-session course (three booked), today at 09:00: it is under way."""
    harriet = PatientFactory(given_name="Harriet", family_name="Lowe")
    first = course_starting_today(
        harriet,
        practitioner=practitioner,
        room=room,
        hh_mm="09:00",
        by=by,
        planned=6,
        booked=3,
        title="Low back pain",
        onset_date=timezone.localdate() - timedelta(days=400),
    )
    assert first.course.complaint.is_chronic
    return scheduling.mark_arrived(appointment=first, by=by)
