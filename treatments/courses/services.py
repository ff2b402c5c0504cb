"""Writes to treatment courses: planning, changing the plan, closing a course.

Every status change is a method of `TreatmentCourse` (the model holds the course's states);
the scheduling service calls the same methods when sessions are booked, completed or undone.
Appointments are written by `treatments.scheduling.services` only.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.models import Practitioner, User
from patients.models import Complaint
from treatments.models import AppointmentStatus, CourseStatus, TreatmentCourse
from treatments.scheduling import services as scheduling


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
    if complaint.courses.open().exists():
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
    course._history_user = by  # who made this version (outside a request too)
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
    course._history_user = by
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
    course._history_user = by
    course.close(CourseStatus.DISCONTINUED, reason=reason.strip())
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
    course._history_user = by
    course.close(CourseStatus.COMPLETED)
    _cancel_future_sessions(course, reason="Course completed early", by=by)
    return course
