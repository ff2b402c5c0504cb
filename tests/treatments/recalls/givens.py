"""Recall cases for the tests: courses left unbooked, courses ended without the prevention
sheet, complaints resolved months ago. Rows are written directly (factories), as the other
treatments tests do; the dates the worklist reads (versions, session ends) are set back."""

from datetime import timedelta

from django.utils import timezone

from patients.models import Complaint, ComplaintStatus
from patients.services import complaint_update
from tests.factories import ComplaintFactory, course_for, session
from treatments.models import AppointmentStatus, CourseStatus, TreatmentCourse
from treatments.recalls.worklist import months_before


def unbooked_course(practitioner, *, planned=4, done=2, **complaint) -> TreatmentCourse:
    """A weekly course begun weeks ago: `done` sessions held, nothing booked since."""
    course = course_for(
        practitioner,
        planned,
        complaint=ComplaintFactory(**complaint),
        start_date=timezone.localdate() - timedelta(weeks=done + 1),
    )
    for week in range(done):
        session(course, days_ago=7 * (done - week) + 7)
    TreatmentCourse.objects.filter(pk=course.pk).update(status=CourseStatus.ACTIVE)
    return course


def ended_course(practitioner, *, days_ago=10, **complaint) -> TreatmentCourse:
    """A one-session course held and completed `days_ago` days ago."""
    course = course_for(
        practitioner,
        1,
        complaint=ComplaintFactory(**complaint),
        start_date=timezone.localdate() - timedelta(days=days_ago),
    )
    session(course, days_ago=days_ago, status=AppointmentStatus.COMPLETED)
    TreatmentCourse.objects.filter(pk=course.pk).update(
        status=CourseStatus.COMPLETED, end_date=timezone.localdate() - timedelta(days=days_ago)
    )
    return course


def set_back(obj, moment) -> None:
    """Date `obj`'s newest saved version `moment` (as if it had been saved then)."""
    newest = obj.history.order_by("-history_date", "-history_id").first()
    type(newest).objects.filter(history_id=newest.history_id).update(history_date=moment)


def resolved(complaint: Complaint, *, months_ago: int, by, days=1) -> Complaint:
    """`complaint`, recorded a month earlier, marked resolved `months_ago` months (and
    `days` days) ago by `by`, through the patients service."""
    when = months_before(timezone.now(), months_ago) - timedelta(days=days)
    earlier = when - timedelta(days=30)
    Complaint.objects.filter(pk=complaint.pk).update(created_at=earlier)
    complaint.history.model.objects.filter(id=complaint.pk).update(history_date=earlier)
    complaint = complaint_update(complaint=complaint, by=by, status=ComplaintStatus.RESOLVED)
    set_back(complaint, when)
    return complaint


def resolved_complaint(*, months_ago: int, by, **fields) -> Complaint:
    return resolved(ComplaintFactory(**fields), months_ago=months_ago, by=by)
