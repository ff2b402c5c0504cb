from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from clinic.models import Practitioner, Room
from patients.models import Complaint, Patient


class AppointmentType(models.Model):
    """A kind of visit with its usual length, e.g. "Follow-up, 45 minutes"."""

    name = models.CharField(max_length=60, unique=True)
    default_duration = models.PositiveSmallIntegerField(help_text="Minutes.")
    colour = models.CharField(max_length=7, default="#6c757d")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_duration__gte=5, default_duration__lte=480),
                name="appointment_type_duration_5_to_480",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.default_duration} min)"


class CourseStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    DISCONTINUED = "discontinued", "Discontinued"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ARRIVED = "arrived", "Arrived"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# A live appointment holds its practitioner, room and patient; the others free the slot.
LIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED)


class TreatmentCourseQuerySet(models.QuerySet):
    def with_progress(self):
        """Annotate session counts so lists show progress without a query per course."""
        return self.annotate(
            completed_count=Count(
                "appointments", filter=Q(appointments__status=AppointmentStatus.COMPLETED)
            ),
            live_count=Count("appointments", filter=Q(appointments__status__in=LIVE_STATUSES)),
        )


class TreatmentCourse(models.Model):
    """The plan for one complaint: how many sessions, how often, with whom."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="courses")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="courses")
    planned_sessions = models.PositiveSmallIntegerField()
    interval_days = models.PositiveSmallIntegerField(default=7, help_text="Days between sessions.")
    goal = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=CourseStatus, default=CourseStatus.PLANNED)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    discontinued_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TreatmentCourseQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_sessions__gte=1, planned_sessions__lte=12),
                name="course_planned_sessions_1_to_12",
                violation_error_message="A course has between 1 and 12 sessions.",
            ),
            models.CheckConstraint(
                condition=Q(interval_days__gte=1, interval_days__lte=60),
                name="course_interval_1_to_60_days",
                violation_error_message="Sessions are 1 to 60 days apart.",
            ),
            models.CheckConstraint(
                condition=~Q(status=CourseStatus.DISCONTINUED) | ~Q(discontinued_reason=""),
                name="course_discontinued_has_reason",
                violation_error_message="Say why the course was discontinued.",
            ),
        ]

    def __str__(self):
        return f"{self.complaint.title}: {self.planned_sessions} session course"

    @property
    def patient(self) -> Patient:
        return self.complaint.patient

    @property
    def is_open(self) -> bool:
        return self.status in (CourseStatus.PLANNED, CourseStatus.ACTIVE)

    def progress(self) -> "CourseProgress":
        """Counts from annotations when present (lists), else from the database."""
        if hasattr(self, "completed_count"):
            return CourseProgress(self.planned_sessions, self.completed_count, self.live_count)
        counts = self.appointments.aggregate(
            completed=Count("pk", filter=Q(status=AppointmentStatus.COMPLETED)),
            live=Count("pk", filter=Q(status__in=LIVE_STATUSES)),
        )
        return CourseProgress(self.planned_sessions, counts["completed"], counts["live"])


class CourseProgress:
    """Sessions done, booked and still to book for a course."""

    def __init__(self, planned: int, completed: int, live: int):
        self.planned = planned
        self.completed = completed
        self.booked = live - completed  # live but not yet completed
        self.to_book = max(planned - live, 0)

    def __str__(self):
        return (
            f"{self.completed} of {self.planned} done, {self.booked} booked, {self.to_book} to book"
        )


class AppointmentQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def overlapping(self, start, end):
        """Half-open [start, end): back-to-back appointments do not overlap."""
        return self.filter(start__lt=end, end__gt=start)

    def with_people(self):
        return self.select_related("patient", "practitioner", "room", "appointment_type", "course")


class Appointment(models.Model):
    """A booked time with a practitioner in a room; most belong to a treatment course.

    Only `treatments.scheduling` writes appointments: it checks availability and clashes.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="appointments")
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="appointments"
    )
    course = models.ForeignKey(
        TreatmentCourse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=AppointmentStatus, default=AppointmentStatus.BOOKED
    )
    cancellation_reason = models.CharField(max_length=200, blank=True)
    late_cancellation = models.BooleanField(default=False)
    override_reason = models.CharField(
        max_length=200,
        blank=True,
        help_text="Why a clinic manager booked outside working hours.",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField(auto_now_add=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["practitioner", "start"], name="appointment_practitioner_idx"),
            models.Index(fields=["room", "start"], name="appointment_room_idx"),
            models.Index(fields=["patient", "start"], name="appointment_patient_idx"),
            models.Index(fields=["start"], name="appointment_start_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")),
                name="appointment_end_after_start",
                violation_error_message="An appointment must end after it starts.",
            ),
        ]
        permissions = [
            ("override_availability", "Can book outside working hours, giving a reason"),
        ]
        # On PostgreSQL, migration 0003 adds exclusion constraints: no two live appointments
        # of one practitioner, one room or one patient overlap.

    def __str__(self):
        local = timezone.localtime(self.start)
        return f"{self.patient} {local:%d %b %Y %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    def can_cancel(self) -> bool:
        return self.status == AppointmentStatus.BOOKED

    def is_late_cancellation(self, at=None) -> bool:
        at = at or timezone.now()
        return self.start - at < timedelta(hours=settings.LATE_CANCELLATION_HOURS)


class AppointmentStatusChange(models.Model):
    """One change of an appointment's status: who, when, from and to. Undo adds another."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=10, choices=AppointmentStatus)
    to_status = models.CharField(max_length=10, choices=AppointmentStatus)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    undoes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="undone_by"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"
