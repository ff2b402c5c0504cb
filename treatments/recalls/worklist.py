"""The recall list: who the front desk should get in touch with, and why.

Three kinds (RecallKind), each one query whatever the number of items:

- an open course with sessions left to book and none booked from now on;
- a course completed without the prevention sheet (for the course or its complaint) in the
  last PREVENTION_SHEET_WINDOW_DAYS;
- a complaint resolved at least the clinic's `recall_after_months` ago, with no complaint
  recorded and no visit booked for the patient since.

Archived patients are never on it. Each item has a `changed_at`: the last moment something
happened to it (a session ended, the course changed, the complaint was resolved). A
dismissal made after it keeps the item off the list; anything later brings it back.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import DateTimeField, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest

from clinic.models import Practitioner
from patients.models import Complaint, Patient
from treatments.models import (
    Appointment,
    CourseProgress,
    CourseStatus,
    HomeCareSheet,
    RecallContact,
    RecallDismissal,
    RecallKind,
    SheetKind,
    TreatmentCourse,
)

# A course that ended longer ago than this is past its home-care talk: the resolved-complaint
# recall is the one that follows it up.
PREVENTION_SHEET_WINDOW_DAYS = 90


@dataclass
class RecallItem:
    """One line of the recall list: a patient, what it is about, and the desk's contacts."""

    kind: str
    complaint: Complaint
    course: TreatmentCourse | None
    practitioner: Practitioner | None
    changed_at: datetime
    since: date | datetime | None  # shown: the last session, the course's end, the resolution
    contacts: list[RecallContact] = field(default_factory=list)

    @property
    def patient(self) -> Patient:
        return self.complaint.patient

    @property
    def pk(self) -> int:
        """What the item's address names: its course, or for a resolved complaint the
        complaint."""
        return self.course.pk if self.course is not None else self.complaint.pk

    @property
    def kind_label(self) -> str:
        return RecallKind(self.kind).label

    @property
    def progress(self) -> CourseProgress | None:
        return self.course.progress() if self.course is not None else None

    @property
    def last_contact(self) -> RecallContact | None:
        return self.contacts[0] if self.contacts else None


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time `months` earlier (the month's last day when it has no such day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = moment.day
    while True:
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            day -= 1


def _dismissed(kind: str, **target) -> Exists:
    return Exists(
        RecallDismissal.objects.filter(
            kind=kind, dismissed_at__gte=OuterRef("changed_at"), **target
        )
    )


def _last_session_end() -> Subquery:
    """When the course's last live session ends (ended, for a course with none to come)."""
    return Subquery(
        Appointment.objects.live().filter(course=OuterRef("pk")).order_by("-end").values("end")[:1]
    )


def _course_changed_at():
    """The last of: the end of the course's last live session, its last saved version."""
    last_version = (
        TreatmentCourse.history.model.objects.filter(id=OuterRef("pk"))
        .order_by("-history_date")
        .values("history_date")[:1]
    )
    return Greatest(
        Coalesce(_last_session_end(), F("created_at")),
        Coalesce(Subquery(last_version), F("created_at")),
        output_field=DateTimeField(),
    )


def _courses(practitioner: Practitioner | None):
    courses = (
        TreatmentCourse.objects.with_progress()
        .filter(complaint__patient__is_archived=False)
        .annotate(changed_at=_course_changed_at())
        .select_related("complaint__patient", "practitioner")
    )
    return courses.filter(practitioner=practitioner) if practitioner else courses


def unbooked_courses(*, now: datetime, practitioner: Practitioner | None = None):
    """Open courses with sessions left to book and no live session still to come."""
    to_come = Appointment.objects.live().filter(course=OuterRef("pk"), end__gt=now)
    return (
        _courses(practitioner)
        .open()
        .filter(live_count__lt=F("planned_sessions"))
        .exclude(Exists(to_come))
        .annotate(last_session_end=_last_session_end())
        .exclude(_dismissed(RecallKind.UNBOOKED, course=OuterRef("pk")))
        .order_by("changed_at", "pk")
    )


def courses_without_prevention_sheet(*, now: datetime, practitioner: Practitioner | None = None):
    """Courses completed lately with no prevention sheet given for them or their complaint."""
    sheet = HomeCareSheet.objects.filter(kind=SheetKind.PREVENTION).filter(
        Q(course=OuterRef("pk")) | Q(course__isnull=True, complaint=OuterRef("complaint_id"))
    )
    window_start = now.date() - timedelta(days=PREVENTION_SHEET_WINDOW_DAYS)
    return (
        _courses(practitioner)
        .filter(status=CourseStatus.COMPLETED, end_date__gte=window_start)
        .exclude(Exists(sheet))
        .exclude(_dismissed(RecallKind.NO_PREVENTION_SHEET, course=OuterRef("pk")))
        .order_by("end_date", "pk")
    )


def resolved_complaints(*, now: datetime, months: int, practitioner: Practitioner | None = None):
    """Complaints resolved `months` or more ago whose patient has had no complaint recorded
    and no visit booked since; a practitioner's own are those with a course of theirs."""
    later_complaint = Complaint.objects.filter(
        patient=OuterRef("patient_id"), created_at__gt=OuterRef("resolved_at")
    ).exclude(pk=OuterRef("pk"))
    later_visit = Appointment.objects.live().filter(
        patient=OuterRef("patient_id"), start__gt=OuterRef("resolved_at")
    )
    last_course = TreatmentCourse.objects.filter(complaint=OuterRef("pk")).order_by(
        "-start_date", "-pk"
    )
    complaints = (
        Complaint.objects.resolved_with_date()
        .filter(patient__is_archived=False, resolved_at__lte=months_before(now, months))
        .exclude(Exists(later_complaint))
        .exclude(Exists(later_visit))
        .annotate(
            changed_at=F("resolved_at"),
            last_practitioner_id=Subquery(last_course.values("practitioner_id")[:1]),
        )
        .exclude(_dismissed(RecallKind.RESOLVED, complaint=OuterRef("pk")))
        .select_related("patient")
        .order_by("resolved_at", "pk")
    )
    if practitioner:
        mine = TreatmentCourse.objects.filter(complaint=OuterRef("pk"), practitioner=practitioner)
        complaints = complaints.filter(Exists(mine))
    return complaints


def _course_item(kind: str, course: TreatmentCourse) -> RecallItem:
    since = course.end_date if kind == RecallKind.NO_PREVENTION_SHEET else course.last_session_end
    return RecallItem(
        kind=kind,
        complaint=course.complaint,
        course=course,
        practitioner=course.practitioner,
        changed_at=course.changed_at,
        since=since,
    )


def _with_contacts(items: list[RecallItem]) -> list[RecallItem]:
    """Each item's contacts, newest first: one query for them all."""
    by_item: dict[tuple, list] = {}
    contacts = RecallContact.objects.filter(
        complaint_id__in={item.complaint.pk for item in items}
    ).select_related("contacted_by")
    for contact in contacts:
        by_item.setdefault((contact.kind, contact.complaint_id, contact.course_id), []).append(
            contact
        )
    for item in items:
        course_id = item.course.pk if item.course else None
        item.contacts = by_item.get((item.kind, item.complaint.pk, course_id), [])
    return items


def recall_list(
    *, now: datetime, months: int, practitioner: Practitioner | None = None
) -> dict[str, list[RecallItem]]:
    """The list, kind by kind (RecallKind order): four queries, five with a resolved
    complaint on it (its practitioner), however long it is."""
    lists = {
        RecallKind.UNBOOKED: [
            _course_item(RecallKind.UNBOOKED, course)
            for course in unbooked_courses(now=now, practitioner=practitioner)
        ],
        RecallKind.NO_PREVENTION_SHEET: [
            _course_item(RecallKind.NO_PREVENTION_SHEET, course)
            for course in courses_without_prevention_sheet(now=now, practitioner=practitioner)
        ],
    }
    complaints = list(resolved_complaints(now=now, months=months, practitioner=practitioner))
    wanted = {c.last_practitioner_id for c in complaints} - {None}
    practitioners = Practitioner.objects.in_bulk(wanted) if wanted else {}
    lists[RecallKind.RESOLVED] = [
        RecallItem(
            kind=RecallKind.RESOLVED,
            complaint=complaint,
            course=None,
            practitioner=practitioners.get(complaint.last_practitioner_id),
            changed_at=complaint.resolved_at,
            since=complaint.resolved_at,
        )
        for complaint in complaints
    ]
    _with_contacts([item for items in lists.values() for item in items])
    return lists


def recall_item(*, kind: str, pk: int, now: datetime, months: int) -> RecallItem | None:
    """The one item of `kind` about course (or, for a resolved complaint, complaint) `pk`,
    if it is on the list now."""
    if kind == RecallKind.UNBOOKED:
        course = unbooked_courses(now=now).filter(pk=pk).first()
        item = course and _course_item(kind, course)
    elif kind == RecallKind.NO_PREVENTION_SHEET:
        course = courses_without_prevention_sheet(now=now).filter(pk=pk).first()
        item = course and _course_item(kind, course)
    elif kind == RecallKind.RESOLVED:
        complaint = resolved_complaints(now=now, months=months).filter(pk=pk).first()
        item = complaint and RecallItem(
            kind=kind,
            complaint=complaint,
            course=None,
            practitioner=Practitioner.objects.filter(pk=complaint.last_practitioner_id).first(),
            changed_at=complaint.resolved_at,
            since=complaint.resolved_at,
        )
    else:
        return None
    return _with_contacts([item])[0] if item else None
