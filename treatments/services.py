"""Writes to treatment courses. Appointments are written by `treatments.scheduling`."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.models import Practitioner, User
from patients.models import Complaint
from treatments import scheduling
from treatments.models import AppointmentStatus, CourseStatus, TreatmentCourse


@transaction.atomic
def course_plan(
    *,
    complaint: Complaint,
    practitioner: Practitioner,
    planned_sessions: int,
    interval_days: int,
    start_date: date,
    goal: str = "",
    by: User,
) -> TreatmentCourse:
    if complaint.courses.filter(status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE]).exists():
        raise ValidationError(
            "This complaint already has an open course; finish or discontinue it first."
        )
    course = TreatmentCourse(
        complaint=complaint,
        practitioner=practitioner,
        planned_sessions=planned_sessions,
        interval_days=interval_days,
        start_date=start_date,
        goal=goal,
        created_by=by,
    )
    course.full_clean()
    course.save()
    return course


@transaction.atomic
def course_update_plan(
    *, course: TreatmentCourse, planned_sessions: int, interval_days: int, goal: str, by: User
) -> TreatmentCourse:
    live = course.appointments.live().count()
    if planned_sessions < live:
        raise ValidationError(
            {"planned_sessions": f"{live} sessions are already booked; cancel some first."}
        )
    course.planned_sessions = planned_sessions
    course.interval_days = interval_days
    course.goal = goal
    course.full_clean()
    course.save()
    return course


def _cancel_future_sessions(course: TreatmentCourse, *, reason: str, by: User) -> int:
    """Free the slots a closed course no longer needs; the status history records it."""
    future = course.appointments.filter(status=AppointmentStatus.BOOKED, start__gt=timezone.now())
    for appointment in future:
        scheduling.cancel(appointment=appointment, reason=reason[:200], by=by)
    return len(future)


@transaction.atomic
def course_discontinue(*, course: TreatmentCourse, reason: str, by: User) -> TreatmentCourse:
    """Stop a course; its sessions still to come are cancelled with the same reason."""
    if not course.is_open:
        raise ValidationError(f"The course is already {course.get_status_display().lower()}.")
    course.status = CourseStatus.DISCONTINUED
    course.discontinued_reason = reason.strip()
    course.end_date = timezone.localdate()
    course.full_clean()
    course.save()
    _cancel_future_sessions(
        course, reason=f"Course discontinued: {course.discontinued_reason}", by=by
    )
    return course


@transaction.atomic
def course_complete(*, course: TreatmentCourse, by: User) -> TreatmentCourse:
    """Complete a course by hand (the pain is gone before the last planned session); its
    sessions still to come are cancelled."""
    if not course.is_open:
        raise ValidationError(f"The course is already {course.get_status_display().lower()}.")
    course.status = CourseStatus.COMPLETED
    course.end_date = timezone.localdate()
    course.full_clean()
    course.save()
    _cancel_future_sessions(course, reason="Course completed early", by=by)
    return course
