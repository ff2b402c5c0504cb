"""What is there before a journey's person sits down, built through the services."""

from datetime import timedelta

from django.utils import timezone

from tests.factories import ComplaintFactory, PatientFactory
from tests.treatments.scheduling_factories import at, follow_up
from treatments import scheduling, services


def todays_first_session(*, practitioner, room, by):
    """A patient with a chronic complaint whose course's first session is today at 10:00, and
    who has just arrived."""
    patient = PatientFactory(given_name="Harriet", family_name="Lowe")
    complaint = ComplaintFactory(
        patient=patient,
        title="Low back pain",
        onset_date=timezone.localdate() - timedelta(days=400),
    )
    assert complaint.is_chronic
    today = timezone.localdate()
    course = services.course_plan(
        complaint=complaint,
        practitioner=practitioner,
        planned_sessions=6,
        interval_days=7,
        start_date=today,
        by=by,
    )
    first, *_ = scheduling.book_course(
        course=course,
        sessions=[
            scheduling.PlannedSession(start=at(today + timedelta(weeks=week), "10:00"), room=room)
            for week in range(3)
        ],
        appointment_type=follow_up(),
        by=by,
    )
    return scheduling.mark_arrived(appointment=first, by=by)
