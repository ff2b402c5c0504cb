"""The demo clinic's recall list (see treatments/recalls): two courses whose patients stopped
booking after two of four sessions (one already rung about), and three complaints resolved
months ago, one of them dismissed. The courses ended without their prevention sheet come
from the diary itself: its acute visits of the last few days."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from clinic.models import ClinicProfile
from patients.models import Complaint, ComplaintStatus
from patients.services import complaint_update
from treatments.courses.services import course_plan
from treatments.demo.diary import DemoDiary
from treatments.models import Appointment, ContactChannel, RecallKind, TreatmentCourse
from treatments.recalls import services as recalls
from treatments.recalls.worklist import months_before, recall_item
from treatments.scheduling.services import complete

UNBOOKED_COURSES = 2
RESOLVED_MONTHS_AGO = (7, 9, 14)


def _untreated_complaints():
    """Complaints of patients with only that complaint and no course: free for the demo."""
    return (
        Complaint.objects.annotate(siblings=Count("patient__complaints"))
        .filter(siblings=1)
        .exclude(Exists(TreatmentCourse.objects.filter(complaint__patient=OuterRef("patient"))))
        .exclude(Exists(Appointment.objects.filter(patient=OuterRef("patient"))))
        .select_related("patient", "created_by")
        .order_by("pk")
    )


def _unbooked_courses(diary: DemoDiary, complaints) -> list[TreatmentCourse]:
    courses = []
    for complaint in complaints:
        practitioner = diary._own_practitioner(complaint)
        first = diary._next_working_day(practitioner, diary.day - timedelta(weeks=3))
        course = course_plan(
            complaint=complaint,
            practitioner=practitioner,
            planned_sessions=4,
            interval_days=7,
            start_date=first,
            goal="Pain-free sitting and walking; back to normal activity.",
            by=practitioner.user,
        )
        diary.courses += 1
        diary.book_sessions(course, practitioner, first, 2)
        for appointment in course.appointments.all():
            complete(appointment=appointment, by=practitioner.user)
        courses.append(course)
    return courses


def _resolved_months_ago(complaint: Complaint, months: int) -> Complaint:
    """Resolved through the service, then dated back: a resolution months ago cannot be
    made today any other way (the recall list reads its date from the complaint's history)."""
    when = months_before(timezone.now(), months)
    recorded = when - timedelta(days=40)
    Complaint.objects.filter(pk=complaint.pk).update(created_at=recorded)
    complaint.history.model.objects.filter(id=complaint.pk).update(history_date=recorded)
    complaint = complaint_update(
        complaint=complaint, by=complaint.created_by, status=ComplaintStatus.RESOLVED
    )
    newest = complaint.history.order_by("-history_date").first()
    type(newest).objects.filter(history_id=newest.history_id).update(history_date=when)
    return complaint


def create_recalls(diary: DemoDiary, desk) -> int:
    """The cases above; the number of patients they put on the list (before dismissals)."""
    free = [c for c in _untreated_complaints() if c.is_chronic]
    courses = _unbooked_courses(diary, free[:UNBOOKED_COURSES])
    resolved = [
        _resolved_months_ago(complaint, months)
        for complaint, months in zip(free[UNBOOKED_COURSES:], RESOLVED_MONTHS_AGO, strict=False)
    ]
    now, months = timezone.now(), ClinicProfile.objects.current().recall_after_months
    if courses and (item := recall_item(kind=RecallKind.UNBOOKED, pk=courses[0].pk, now=now,
                                        months=months)):  # fmt: skip
        recalls.recall_contact_record(
            item=item,
            channel=ContactChannel.PHONE,
            outcome="Left a message: will ring back to book the last two sessions.",
            by=desk,
        )
    if resolved and (item := recall_item(kind=RecallKind.RESOLVED, pk=resolved[-1].pk, now=now,
                                         months=months)):  # fmt: skip
        recalls.recall_dismiss(item=item, reason="Moved away; asked not to be contacted.", by=desk)
    return len(courses) + len(resolved)
