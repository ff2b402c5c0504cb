import re
from datetime import time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clinic.models import Practitioner, Room, local_datetime
from clinic.pictures import shown_picture
from patients.models import Complaint, Patient

# The type a booking starts from: most visits are follow-ups of an assessed complaint.
FOLLOW_UP = "Follow-up"


class AppointmentTypeQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def follow_up(self) -> "AppointmentType | None":
        """The usual type of a booking (None when the clinic has no active one)."""
        return self.active().filter(name=FOLLOW_UP).first()


class AppointmentType(models.Model):
    """A kind of visit with its usual length, e.g. "Follow-up, 45 minutes"."""

    name = models.CharField(max_length=60, unique=True)
    default_duration = models.PositiveSmallIntegerField(help_text="Minutes.")
    colour = models.CharField(max_length=7, default="#6c757d")
    is_active = models.BooleanField(default=True)

    objects = AppointmentTypeQuerySet.as_manager()

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


# The longest an appointment may last (a database constraint holds it). The clash check
# relies on it: anything overlapping [start, end) started after start - LONGEST_APPOINTMENT,
# so it reads a bounded stretch of an index instead of a room's whole history.
LONGEST_APPOINTMENT_MINUTES = 480
LONGEST_APPOINTMENT = timedelta(minutes=LONGEST_APPOINTMENT_MINUTES)


class SecondsBetween(models.Func):
    """Whole seconds from one datetime column to another, in SQL each database runs on its
    own: Django's SQLite date arithmetic calls a function only Django's connections have,
    and a CHECK constraint must hold for any client (a restore's integrity check included)."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra_context):  # PostgreSQL
        (first, first_params), (second, second_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        return f"EXTRACT(EPOCH FROM ({second} - {first}))", (*second_params, *first_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        (first, first_params), (second, second_params) = (
            compiler.compile(expression) for expression in self.source_expressions
        )
        sql = (
            f"(CAST(strftime('%%s', {second}) AS INTEGER) "
            f"- CAST(strftime('%%s', {first}) AS INTEGER))"
        )
        return sql, (*second_params, *first_params)


# A live appointment holds its practitioner, room and patient; the others free the slot.
LIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED)
# No treatment took place: a note can be drafted but never signed for these.
DID_NOT_HAPPEN = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)

# An open course still has sessions to come: it may be booked, changed or closed.
OPEN_COURSE_STATUSES = (CourseStatus.PLANNED, CourseStatus.ACTIVE)


class TreatmentCourseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_COURSE_STATUSES)

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
    # No session before this day (today, or the calendar slot it was planned from). The day a
    # course starts, as its page says, is its first booked session's: chosen once, on booking.
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    discontinued_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TreatmentCourseQuerySet.as_manager()
    history = HistoricalRecords()

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
        return self.status in OPEN_COURSE_STATUSES

    # --- status changes: every change of a course's status is one of these methods, called
    # by the courses service (plan, close) and the scheduling service (sessions booked,
    # completed or undone), inside their transactions.

    def mark_active(self) -> None:
        """Its first session is booked: a planned course becomes active."""
        if self.status == CourseStatus.PLANNED:
            self.status = CourseStatus.ACTIVE
            self.save(update_fields=["status"])

    def complete_if_all_done(self) -> None:
        """A session was completed: the course is complete once every planned one is."""
        done = self.appointments.filter(status=AppointmentStatus.COMPLETED).count()
        if self.is_open and done >= self.planned_sessions:
            self.status = CourseStatus.COMPLETED
            self.end_date = timezone.localdate()
            self.save(update_fields=["status", "end_date"])

    def reopen(self) -> None:
        """A completion was undone: a course it had completed is active again."""
        if self.status == CourseStatus.COMPLETED:
            self.status = CourseStatus.ACTIVE
            self.end_date = None
            self.save(update_fields=["status", "end_date"])

    def close(self, status: str, *, reason: str = "") -> None:
        """Completed or discontinued by the practitioner, today."""
        self.status = status
        self.discontinued_reason = reason
        self.end_date = timezone.localdate()
        self.full_clean()
        self.save()

    def session_numbers(self, starts) -> dict:
        """Each of `starts` (sessions not booked yet) numbered by date among the course's live
        sessions, old and new together, as `with_session_number()` numbers booked ones."""
        booked = self.appointments.live().values_list("start", flat=True)
        ordered = sorted([*booked, *starts])
        return {start: ordered.index(start) + 1 for start in starts}

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

    def with_names(self):
        """Only the appointment's own fields, with what lists and calendars show of its people
        as columns of its row (`patient_given_name`, `patient_preferred_name`,
        `patient_family_name`, `practitioner_name`, `practitioner_colour`,
        `practitioner_user_id`, `room_name`, `type_name`, `planned_sessions`): one model
        instance per appointment instead of six with `with_people()`, which took a third of a
        200-appointment calendar's time. `appointment.patient` and the like are then a query
        each: read the columns."""
        return self.only(
            "start",
            "end",
            "status",
            "late_cancellation",
            "cancellation_reason",
            "patient",
            "practitioner",
            "room",
            "appointment_type",
            "course",
        ).annotate(
            patient_given_name=F("patient__given_name"),
            patient_preferred_name=F("patient__preferred_name"),
            patient_family_name=F("patient__family_name"),
            practitioner_name=F("practitioner__display_name"),
            practitioner_colour=F("practitioner__colour"),
            practitioner_user_id=F("practitioner__user_id"),
            room_name=F("room__name"),
            type_name=F("appointment_type__name"),
            planned_sessions=F("course__planned_sessions"),
        )

    def between_days(self, first_day, last_day):
        """Starting on any day from `first_day` to `last_day`, on the clinic's calendar."""
        return self.filter(
            start__gte=local_datetime(first_day, time(0)),
            start__lt=local_datetime(last_day + timedelta(days=1), time(0)),
        )

    def on_day(self, day):
        return self.between_days(day, day)

    def next_for_patients(self, patients, *, after):
        """The next live appointment of each of `patients` starting at or after `after`, at
        most one per patient (none for a patient with nothing ahead): one query, a subquery
        picking each patient's first by start."""
        first = (
            self.model.objects.live()
            .filter(patient=OuterRef("patient"), start__gte=after)
            .order_by("start", "pk")
            .values("pk")[:1]
        )
        return self.live().filter(patient__in=patients, start__gte=after, pk=Subquery(first))

    def with_failed_reminder(self):
        """`reminder_failed`: a reminder (or corrected one) about it failed; one subquery."""
        failed = Message.objects.filter(
            appointment_id=OuterRef("pk"),
            state=MessageState.FAILED,
            kind__in=[MessageKind.REMINDER, MessageKind.CORRECTED],
        )
        return self.annotate(reminder_failed=Exists(failed))

    def with_session_number(self):
        """`session_number`: the place of each live course session among its course's live
        sessions, by start ("session 2 of 4"); None for cancelled ones and visits outside a
        course. One subquery, whatever else the query filters."""
        earlier = (
            self.model.objects.live()
            .filter(course_id=OuterRef("course_id"))
            .filter(
                Q(start__lt=OuterRef("start")) | Q(start=OuterRef("start"), pk__lt=OuterRef("pk"))
            )
            .order_by()
            .values("course_id")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(
            session_number=Case(
                When(
                    course__isnull=False,
                    status__in=LIVE_STATUSES,
                    then=Coalesce(Subquery(earlier), Value(0)) + 1,
                ),
                default=None,
                output_field=IntegerField(),
            )
        )


class Appointment(models.Model):
    """A booked time with a practitioner in a room; most belong to a treatment course.

    Only `treatments.scheduling.services` writes appointments: it checks availability and clashes.
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
    # Who booked, moved or changed it, when, and from what to what (shown to the manager).
    history = HistoricalRecords()

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["practitioner", "start"], name="appointment_practitioner_idx"),
            models.Index(fields=["room", "start"], name="appointment_room_idx"),
            models.Index(fields=["patient", "start"], name="appointment_patient_idx"),
            models.Index(fields=["start"], name="appointment_start_idx"),
        ]
        constraints = [
            # One constraint, not two: model validation runs each in its own query.
            models.CheckConstraint(
                condition=Q(
                    LessThanOrEqual(
                        SecondsBetween("start", "end"), LONGEST_APPOINTMENT_MINUTES * 60
                    ),
                    end__gt=models.F("start"),
                ),
                name="appointment_ends_after_start_within_8_hours",
                violation_error_message=(
                    "An appointment must end after it starts, at most 8 hours (480 minutes) later."
                ),
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

    # --- the clock: what may happen to a session before it starts -----------------------

    @property
    def arrival_opens(self):
        """The earliest moment the patient can be marked arrived (and a note started)."""
        return self.start - timedelta(minutes=settings.ARRIVE_EARLIEST_MINUTES)

    @property
    def completion_opens(self):
        return self.start - timedelta(minutes=settings.COMPLETE_EARLIEST_MINUTES)

    def has_begun(self, at=None) -> bool:
        return (at or timezone.now()) >= self.start

    @property
    def is_over(self) -> bool:
        """Its time has passed: a slot it left free can no longer be offered to anyone."""
        return timezone.now() >= self.end

    @property
    def did_not_happen(self) -> bool:
        """Cancelled or a no-show: no treatment took place, so no note can be signed for it."""
        return self.status in DID_NOT_HAPPEN

    def note_can_start(self, at=None) -> bool:
        """A note is started for a session under way or done: arrived, completed, or booked
        for today and due (within the arrival window)."""
        at = at or timezone.now()
        if self.status in (AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED):
            return True
        return (
            self.status == AppointmentStatus.BOOKED
            and timezone.localtime(self.start).date() == timezone.localdate(at)
            and at >= self.arrival_opens
        )

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


# --- Session notes ------------------------------------------------------------------------


class AcupuncturePointQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def search(self, text: str):
        """Points whose code, pinyin or English name contains `text` (NUL characters, which
        PostgreSQL refuses, are dropped)."""
        text = " ".join(text.replace("\x00", "").split())
        if not text:
            return self
        return self.filter(
            Q(code__icontains=text) | Q(name__icontains=text) | Q(english__icontains=text)
        )


class AcupuncturePoint(models.Model):
    """A point of the catalogue: the WHO standard's 361 meridian points and 48 extra points
    (treatments/data/acupuncture_points.csv, loaded by a data migration), and the points a
    clinic adds. A point is retired, never deleted: notes keep the points they recorded."""

    code = models.CharField(max_length=12, unique=True)
    name = models.CharField("pinyin", max_length=60)
    english = models.CharField("English name", max_length=80, blank=True)
    meridian = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField("in use", default=True)
    clinic_specific = models.BooleanField(default=False)
    # Meridian order, then number (LU1 … CV24, then the extra points, then the clinic's).
    position = models.PositiveIntegerField(default=0)

    objects = AcupuncturePointQuerySet.as_manager()

    class Meta:
        ordering = ["position", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def label(self) -> str:
        """How the picker shows it and reads it back: "GB21 Jianjing (Shoulder Well)"."""
        return f"{self.code} {self.name}" + (f" ({self.english})" if self.english else "")


class PointSide(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Bilateral"


class PointSet(models.Model):
    """A practitioner's saved combination of points, applied to a note with one click."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="point_sets"
    )
    name = models.CharField(max_length=80)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "name"],
                name="point_set_name_unique_per_practitioner",
                violation_error_message="You already have a point set with this name.",
            ),
        ]

    def __str__(self):
        return self.name


class PointSetItem(models.Model):
    point_set = models.ForeignKey(PointSet, on_delete=models.CASCADE, related_name="items")
    point = models.ForeignKey(AcupuncturePoint, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=10, choices=PointSide, default=PointSide.BILATERAL)

    class Meta:
        ordering = ["point__code", "side"]
        constraints = [
            models.UniqueConstraint(
                fields=["point_set", "point", "side"], name="point_set_item_unique"
            ),
        ]

    def __str__(self):
        return f"{self.point.code} ({self.get_side_display().lower()})"


class Technique(models.TextChoices):
    MANUAL = "manual", "Manual acupuncture"
    ELECTRO = "electro", "Electro-acupuncture"
    HEAT = "heat", "Heat (moxibustion / heat lamp)"
    CUPPING = "cupping", "Cupping"
    OTHER = "other", "Other"


class AdverseEvent(models.TextChoices):
    NONE = "none", "None"
    BRUISING = "bruising", "Bruising"
    FAINTING = "fainting", "Fainting"
    OTHER = "other", "Other"


class SessionNoteQuerySet(models.QuerySet):
    def signed(self):
        return self.filter(signed_at__isnull=False)

    def unsigned(self):
        return self.filter(signed_at__isnull=True)

    def awaiting_error_addendum(self):
        """Signed notes of sessions that did not happen (cancelled or no-show after signing)
        with no "entered in error" addendum yet: each needs one from its author."""
        return (
            self.signed()
            .filter(appointment__status__in=DID_NOT_HAPPEN)
            .exclude(addenda__kind=AddendumKind.ENTERED_IN_ERROR)
        )


class SessionNote(models.Model):
    """The practitioner's record of one session (SOAP), signed and then locked.

    Only `treatments.notes.services` writes notes. Once signed, nothing changes it:
    corrections are addenda. The database's triggers refuse UPDATE and DELETE of a signed note
    and any change to its points (treatments/audit/protection.py).
    """

    # What the practitioner writes: the note form's fields, and exactly what the signature's
    # hash covers (with the points).
    CONTENT_FIELDS = (
        "subjective",
        "pain_before",
        "objective",
        "assessment",
        "red_flags_reviewed",
        "techniques",
        "needles_inserted",
        "needles_removed",
        "retention_minutes",
        "pain_after",
        "adverse_event",
        "adverse_event_detail",
        "plan",
        "home_care",
    )

    appointment = models.OneToOneField(Appointment, on_delete=models.PROTECT, related_name="note")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Subjective
    subjective = models.TextField("What the patient reports", blank=True)
    pain_before = models.PositiveSmallIntegerField("Pain before (0–10)", null=True, blank=True)
    # Objective
    objective = models.TextField("Findings", blank=True)
    # Assessment
    assessment = models.TextField("Working impression", blank=True)
    red_flags_reviewed = models.BooleanField(default=False)
    # Treatment
    techniques = models.JSONField(default=list, blank=True)
    needles_inserted = models.PositiveSmallIntegerField(default=0)
    needles_removed = models.PositiveSmallIntegerField(default=0)
    retention_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    # Response
    pain_after = models.PositiveSmallIntegerField("Pain after (0–10)", null=True, blank=True)
    adverse_event = models.CharField(max_length=10, choices=AdverseEvent, default=AdverseEvent.NONE)
    adverse_event_detail = models.CharField(max_length=200, blank=True)
    # Plan
    plan = models.TextField("Next steps", blank=True)
    home_care = models.TextField("Home care advised", blank=True)
    # Signature
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    content_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionNoteQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(pain_before__isnull=True) | Q(pain_before__lte=10))
                & (Q(pain_after__isnull=True) | Q(pain_after__lte=10)),
                name="session_note_pain_0_to_10",
                violation_error_message="Pain is scored from 0 to 10.",
            ),
            models.CheckConstraint(
                condition=(
                    Q(signed_at__isnull=True, signed_by__isnull=True, content_hash="")
                    | (Q(signed_at__isnull=False, signed_by__isnull=False) & ~Q(content_hash=""))
                ),
                name="session_note_signature_complete",
            ),
        ]

    def __str__(self):
        return f"Note: {self.appointment}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def needles_match(self) -> bool:
        return self.needles_inserted == self.needles_removed

    def readable_by(self, user) -> bool:
        """A draft is its author's work in progress: only the author reads its content until
        it is signed (others see that it exists, by whom and when)."""
        return self.is_signed or self.author_id == user.pk

    def amendable_by(self, user) -> bool:
        """Addenda come from the note's author, or from the clinic manager (an author who has
        left, a note signed for a session that did not happen)."""
        return self.author_id == user.pk or user.is_manager

    @property
    def signed_for_a_session_that_did_not_happen(self) -> bool:
        """Signed, and its appointment was cancelled or marked a no-show afterwards."""
        return self.is_signed and self.appointment.did_not_happen

    @property
    def needs_error_addendum(self) -> bool:
        return (
            self.signed_for_a_session_that_did_not_happen
            and not self.addenda.filter(kind=AddendumKind.ENTERED_IN_ERROR).exists()
        )


class NotePoint(models.Model):
    """A point used in a session, with its side."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="points")
    point = models.ForeignKey(AcupuncturePoint, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=10, choices=PointSide, default=PointSide.BILATERAL)

    class Meta:
        ordering = ["point__code", "side"]
        constraints = [
            models.UniqueConstraint(fields=["note", "point", "side"], name="note_point_unique"),
        ]

    def __str__(self):
        return f"{self.point.code} ({self.get_side_display().lower()})"


class AddendumKind(models.TextChoices):
    CORRECTION = "correction", "Correction or addition"
    ENTERED_IN_ERROR = "entered_in_error", "Entered in error: the session did not take place"


class NoteAddendum(models.Model):
    """A correction or addition to a signed note, itself signed when saved. An "entered in
    error" addendum marks a signed note whose session did not happen (nothing is deleted)."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=AddendumKind, default=AddendumKind.CORRECTION)
    reason = models.CharField(max_length=200)
    text = models.TextField()
    signed_at = models.DateTimeField()
    content_hash = models.CharField(max_length=64)

    history = HistoricalRecords()

    class Meta:
        ordering = ["signed_at", "id"]
        verbose_name_plural = "note addenda"

    def __str__(self):
        return f"Addendum to {self.note}: {self.reason}"


class AccessLog(models.Model):
    """Who read which clinical record, when and from where. Append-only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(max_length=40)  # e.g. "session note", "course", "patient"
    object_id = models.PositiveBigIntegerField()
    accessed_at = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-accessed_at", "-id"]
        indexes = [models.Index(fields=["patient", "-accessed_at"], name="access_log_patient_idx")]

    def __str__(self):
        return f"{self.user} read {self.what} {self.object_id}"


class SealedKind(models.TextChoices):
    """What a seal or chain link covers (and the label its MAC is computed under)."""

    NOTE = "note", "Session note"
    ADDENDUM = "addendum", "Note addendum"
    SHEET = "sheet", "Home-care sheet"
    ACCESS_LOG = "access log", "Access log"
    STATUS_CHANGE = "status change", "Status change"


CHAINED_KINDS = (SealedKind.ACCESS_LOG, SealedKind.STATUS_CHANGE)


class RecordSeal(models.Model):
    """A keyed signature over one record: HMAC-SHA256 under the records key `key_id` of a
    signed note, an addendum or an issued sheet, or the chain link of an access-log row or a
    status change (see treatments/audit/seals.py and chains.py). Append-only: the records it
    covers cannot be updated, so a new key adds seals beside the old ones instead of
    rewriting anything."""

    kind = models.CharField(max_length=20, choices=SealedKind)
    record_id = models.PositiveBigIntegerField()
    key_id = models.CharField(max_length=8)
    mac = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Its index serves the verifier's walk: one kind, one key, in record order.
            models.UniqueConstraint(
                fields=["kind", "key_id", "record_id"], name="record_seal_once_per_key"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.record_id} sealed under key {self.key_id}"


class ChainHead(models.Model):
    """The newest link of a hash chain and the number of rows it covers, itself sealed, so
    that deleting the newest rows (which no later link covers) is detected too. The one
    row of a chain is updated on every append; its lock queues the appenders. Migration
    0021 makes both rows; a chain with no rows yet has no key (`key_id` blank) until its
    first append."""

    kind = models.CharField(max_length=20, choices=SealedKind, unique=True)
    key_id = models.CharField(max_length=8, blank=True)
    length = models.PositiveBigIntegerField(default=0)
    last_id = models.PositiveBigIntegerField(null=True, blank=True)
    last_link = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.get_kind_display()} chain: {self.length} rows under key {self.key_id}"


# --- Home-care sheets ---------------------------------------------------------------------


class HomeCareKind(models.TextChoices):
    HEAT = "heat", "Heat"
    STRETCH = "stretch", "Stretch"
    MOVEMENT = "movement", "Movement advice"
    CAUTION = "caution", "Caution"
    SEEK_HELP = "seek_help", "When to contact us"


# Words in a step that make it depend on heat having been applied first.
WARMTH = re.compile(r"\b(warm|warmed|warmth|heat|heated|hot)\b", re.IGNORECASE)


class HomeCareItem(models.Model):
    """One piece of advice in the clinic's library, written for patients.

    Editing an item never changes a sheet already issued: sheets keep a snapshot.
    """

    title = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=HomeCareKind)
    instructions = models.TextField(help_text="One step per line, in plain words.")
    dose = models.CharField(
        max_length=120, blank=True, help_text="Duration, hold, repetitions or how often."
    )
    regions = models.JSONField(
        default=list, blank=True, help_text="Body regions it suits; none means any."
    )
    not_with_inflammation = models.BooleanField("Not advised with inflammation", default=False)
    without_heat = models.TextField(
        "Without heat",
        blank=True,
        help_text="What to do instead when the sheet has no heat (for steps that need warmth).",
    )
    position = models.PositiveSmallIntegerField(default=100, help_text="Order on a sheet.")
    # A small picture as a data: URI (SVG, PNG or JPEG). Kept in the row, not as a media
    # file, so that a sheet's snapshot can carry it and the PDF needs no file or URL.
    illustration = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="heat") | Q(not_with_inflammation=True),
                name="home_care_heat_not_with_inflammation",
                violation_error_message="Heat is not advised with inflammation.",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def shown_illustration(self) -> str:
        """The picture as a page may show it: one kept before the picture checks (issue 15)
        and failing them is left out (clinic.pictures.shown_picture)."""
        return shown_picture(self.illustration)

    @property
    def steps(self) -> list[str]:
        return [line.strip() for line in self.instructions.splitlines() if line.strip()]

    @property
    def is_heat(self) -> bool:
        return self.kind == HomeCareKind.HEAT

    def mentions_warmth(self) -> bool:
        """Its steps assume warmth (heat, a hot bath, a warm back): advice that depends on
        the heat items, which a sheet without heat must replace (see `without_heat`)."""
        return not self.is_heat and bool(WARMTH.search(self.instructions))


class SheetKind(models.TextChoices):
    RELIEF = "relief", "Relief (before or between visits)"
    PREVENTION = "prevention", "Prevention (at the end of a course)"


class HomeCareSheetQuerySet(models.QuerySet):
    def with_last_emailed(self):
        """Each sheet with `last_emailed`: when the mail server last took it for the patient."""
        return self.annotate(
            last_emailed=models.Max(
                "messages__sent_at",
                filter=Q(messages__state__in=WENT_OUT),
            )
        )


class HomeCareSheet(models.Model):
    """A sheet as it was given to a patient: an immutable snapshot of exactly what was
    printed. Reprints print the snapshot, whatever happened to the library since."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="home_care_sheets")
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    course = models.ForeignKey(
        TreatmentCourse, on_delete=models.PROTECT, null=True, blank=True, related_name="sheets"
    )
    kind = models.CharField(max_length=10, choices=SheetKind)
    version = models.PositiveSmallIntegerField(help_text="1 for the patient's first sheet…")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    snapshot = models.JSONField(help_text="Exactly what was printed.")
    content_hash = models.CharField(max_length=64)

    objects = HomeCareSheetQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "version"], name="home_care_sheet_version_unique"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} sheet {self.version} for {self.patient}"


class Channel(models.TextChoices):
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"


class MessageKind(models.TextChoices):
    REMINDER = "reminder", "Reminder"
    CORRECTED = "corrected", "Corrected reminder"
    CANCELLATION = "cancellation", "Cancellation notice"
    HOME_CARE_SHEET = "sheet", "Home-care sheet"


class MessageState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


# Accepted by the mail server or the SMS provider: a reminder that went out.
WENT_OUT = (MessageState.SENT, MessageState.DELIVERED)


class MessageQuerySet(models.QuerySet):
    def with_people(self):
        return self.select_related("patient", "appointment")

    def went_out(self):
        return self.filter(state__in=WENT_OUT)

    def due(self, now):
        """Scheduled, due, and not held by a worker (or by a backoff)."""
        return self.filter(state=MessageState.SCHEDULED, send_at__lte=now).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        )


class Message(models.Model):
    """One message to a patient on one channel, about one appointment (a reminder or notice)
    or carrying one issued home-care sheet (its PDF, by e-mail): the delivery log.

    Written only by treatments.reminders.services. A message is `sent` only once the mail
    server or the SMS provider accepted it; `appointment_start` is the time it speaks of, so
    a moved appointment is noticed (and corrected) by comparing it with the appointment's.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="messages")
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    sheet = models.ForeignKey(
        HomeCareSheet, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    # Who asked for a sheet to be sent (reminders are the worker's own doing).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(max_length=5, choices=Channel)
    kind = models.CharField(max_length=12, choices=MessageKind, default=MessageKind.REMINDER)
    appointment_start = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=MessageState, default=MessageState.SCHEDULED)
    reason = models.CharField(max_length=200, blank=True)
    send_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the SMS provider's delivery report says the message reached the phone or failed
    # after it was accepted (the provider's own time when it gives one).
    reported_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-send_at", "-id"]
        indexes = [
            models.Index(fields=["state", "send_at"], name="message_state_send_at_idx"),
            models.Index(fields=["appointment", "channel"], name="message_appointment_idx"),
            models.Index(fields=["patient", "-send_at"], name="message_patient_idx"),
            # A delivery report names the message by the provider's id.
            models.Index(fields=["provider_id"], name="message_provider_id_idx"),
        ]
        constraints = [
            # One message of a kind per appointment, channel and appointment time: the
            # reminder pass can run any number of times and derive the same log.
            models.UniqueConstraint(
                fields=["appointment", "channel", "kind", "appointment_start"],
                name="message_once_per_appointment_time",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=WENT_OUT) | Q(sent_at__isnull=False),
                name="message_sent_has_time",
            ),
            # A home-care sheet's message carries its sheet by e-mail; every other kind is
            # about an appointment at a time.
            models.CheckConstraint(
                condition=Q(
                    kind=MessageKind.HOME_CARE_SHEET,
                    sheet__isnull=False,
                    appointment__isnull=True,
                    appointment_start__isnull=True,
                    channel=Channel.EMAIL,
                )
                | (
                    ~Q(kind=MessageKind.HOME_CARE_SHEET)
                    & Q(
                        sheet__isnull=True,
                        appointment__isnull=False,
                        appointment_start__isnull=False,
                    )
                ),
                name="message_about_an_appointment_or_a_sheet",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[MessageState.FAILED, MessageState.SKIPPED]) | ~Q(reason=""),
                name="message_failed_or_skipped_has_reason",
            ),
            # Delivered is only ever the provider's word, and it says when.
            models.CheckConstraint(
                condition=~Q(state=MessageState.DELIVERED) | Q(reported_at__isnull=False),
                name="message_delivered_has_report_time",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.get_channel_display()}: {self.state}"

    @property
    def went_out(self) -> bool:
        return self.state in WENT_OUT

    @property
    def is_failed(self) -> bool:
        return self.state == MessageState.FAILED

    @property
    def is_delivered(self) -> bool:
        return self.state == MessageState.DELIVERED

    @property
    def is_sheet(self) -> bool:
        return self.kind == MessageKind.HOME_CARE_SHEET


# --- The waitlist ---------------------------------------------------------------------------


class WaitlistUrgency(models.IntegerChoices):
    """Higher is more urgent: the list and the matches sort on it, most urgent first."""

    ROUTINE = 0, "Routine"
    SOON = 1, "Soon"
    URGENT = 2, "Urgent"


class WaitlistStatus(models.TextChoices):
    # Expired is not stored: an entry waiting past its expiry date has expired (by the date).
    WAITING = "waiting", "Waiting"
    BOOKED = "booked", "Booked"
    REMOVED = "removed", "Removed"


# Parts of the day a patient can say they are free (the windows are the free-slot search's,
# treatments.scheduling.free_slots.TIMES_OF_DAY).
WAITLIST_TIMES_OF_DAY = [
    ("morning", "Morning"),
    ("afternoon", "Afternoon"),
    ("evening", "Evening"),
]


class WaitlistEntryQuerySet(models.QuerySet):
    def with_people(self):
        return self.select_related(
            "patient", "complaint", "course__complaint", "practitioner", "appointment_type"
        )

    def booked_otherwise(self):
        """Still waiting, but the patient has a live appointment booked since the entry was
        made: for the entry's course, else for its complaint, else (an entry for neither) any
        appointment. The entry has served its purpose and leaves the list, without a write."""
        later = Appointment.objects.live().filter(
            patient_id=OuterRef("patient_id"), booked_at__gte=OuterRef("created_at")
        )
        return self.filter(status=WaitlistStatus.WAITING).filter(
            (Q(course__isnull=False) & Exists(later.filter(course_id=OuterRef("course_id"))))
            | (
                Q(course__isnull=True, complaint__isnull=False)
                & Exists(later.filter(course__complaint_id=OuterRef("complaint_id")))
            )
            | (Q(course__isnull=True, complaint__isnull=True) & Exists(later))
        )

    def current(self, today=None):
        """On the list: waiting, not expired (by the date), not booked otherwise."""
        today = today or timezone.localdate()
        return self.filter(status=WaitlistStatus.WAITING, expires_on__gte=today).exclude(
            pk__in=self.booked_otherwise().values("pk")
        )

    def past(self, today=None):
        """Off the list: booked (from the list or otherwise), removed or expired."""
        today = today or timezone.localdate()
        return self.exclude(pk__in=self.model.objects.current(today).values("pk"))

    def most_urgent_first(self):
        return self.order_by("-urgency", "created_at", "pk")


class WaitlistEntry(models.Model):
    """A patient who wants an appointment sooner than the book can offer: when a slot frees
    (a cancellation, a move) the front desk offers it to the entries it fits.

    Only `treatments.waitlist.services` writes entries. Expiry is read from the date, never
    stored; an entry closes as booked (with the appointment) or removed (with a reason).
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="waitlist_entries")
    complaint = models.ForeignKey(
        Complaint, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    course = models.ForeignKey(
        TreatmentCourse,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waitlist_entries",
    )
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Leave empty for any practitioner.",
    )
    appointment_type = models.ForeignKey(
        AppointmentType, on_delete=models.PROTECT, related_name="+"
    )
    duration_minutes = models.PositiveSmallIntegerField("Length (minutes)")
    # Monday = 0; empty means any day.
    weekdays = models.JSONField(default=list, blank=True)
    # Of WAITLIST_TIMES_OF_DAY; empty means any time of day.
    times_of_day = models.JSONField(default=list, blank=True)
    urgency = models.PositiveSmallIntegerField(
        choices=WaitlistUrgency, default=WaitlistUrgency.ROUTINE
    )
    expires_on = models.DateField(help_text="The entry leaves the list after this day.")
    desk_notes = models.CharField(
        "Notes for the desk",
        max_length=200,
        blank=True,
        help_text="Practical notes only (how to reach them, short notice is fine): nothing "
        "clinical.",
    )
    status = models.CharField(max_length=10, choices=WaitlistStatus, default=WaitlistStatus.WAITING)
    appointment = models.OneToOneField(
        Appointment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waitlist_entry",
        help_text="The appointment booked from the waitlist.",
    )
    removed_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = WaitlistEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-urgency", "created_at", "id"]
        verbose_name_plural = "waitlist entries"
        indexes = [
            models.Index(fields=["status", "expires_on"], name="waitlist_status_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="waitlist_length_5_to_480",
                violation_error_message="An appointment lasts 5 to 480 minutes.",
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=WaitlistUrgency.values),
                name="waitlist_urgency_known",
            ),
            models.CheckConstraint(
                condition=Q(status=WaitlistStatus.BOOKED, appointment__isnull=False)
                | (~Q(status=WaitlistStatus.BOOKED) & Q(appointment__isnull=True)),
                name="waitlist_booked_has_appointment",
                violation_error_message="A booked entry names its appointment, and only it.",
            ),
            models.CheckConstraint(
                condition=(Q(status=WaitlistStatus.REMOVED) & ~Q(removed_reason=""))
                | (~Q(status=WaitlistStatus.REMOVED) & Q(removed_reason="")),
                name="waitlist_removed_has_reason",
                violation_error_message="Say why the entry is removed.",
            ),
            models.CheckConstraint(
                condition=Q(status=WaitlistStatus.WAITING, closed_at__isnull=True)
                | (~Q(status=WaitlistStatus.WAITING) & Q(closed_at__isnull=False)),
                name="waitlist_closed_has_time",
            ),
        ]

    def __str__(self):
        return f"Waitlist: {self.patient} ({self.get_urgency_display().lower()})"

    def is_expired(self, today=None) -> bool:
        """Waiting past its expiry date."""
        today = today or timezone.localdate()
        return self.status == WaitlistStatus.WAITING and self.expires_on < today

    @property
    def is_waiting(self) -> bool:
        return self.status == WaitlistStatus.WAITING

    def state_label(self, today=None) -> str:
        return "Expired" if self.is_expired(today) else self.get_status_display()

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    def wants_weekday(self, weekday: int) -> bool:
        return not self.weekdays or weekday in self.weekdays

    @property
    def weekday_labels(self) -> list[str]:
        names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        return [names[day] for day in sorted(self.weekdays)]

    @property
    def time_of_day_labels(self) -> list[str]:
        return [label for value, label in WAITLIST_TIMES_OF_DAY if value in self.times_of_day]

    @property
    def for_what(self) -> Complaint | None:
        """The complaint the entry is for (its course's, when it names a course)."""
        return self.course.complaint if self.course_id else self.complaint

    def clean(self):
        super().clean()
        errors = {}
        if not isinstance(self.weekdays, list) or any(
            not isinstance(day, int) or isinstance(day, bool) or not 0 <= day <= 6
            for day in self.weekdays
        ):
            errors["weekdays"] = "Days are Monday (0) to Sunday (6)."
        else:
            self.weekdays = sorted(set(self.weekdays))
        known = [value for value, _ in WAITLIST_TIMES_OF_DAY]
        if not isinstance(self.times_of_day, list) or set(self.times_of_day) - set(known):
            errors["times_of_day"] = "Times of day are morning, afternoon or evening."
        else:
            self.times_of_day = [value for value in known if value in self.times_of_day]
        if self.patient_id:
            if self.complaint_id and self.complaint.patient_id != self.patient_id:
                errors["complaint"] = "That complaint is another patient's."
            if self.course_id:
                if self.course.complaint.patient_id != self.patient_id:
                    errors["course"] = "That course is another patient's."
                elif self.complaint_id and self.course.complaint_id != self.complaint_id:
                    errors["course"] = "That course is for another complaint."
        if errors:
            raise ValidationError(errors)


# --- Recalls --------------------------------------------------------------------------------


class RecallKind(models.TextChoices):
    """Why a patient is on the front desk's recall list (treatments/recalls/worklist.py)."""

    UNBOOKED = "unbooked", "Sessions left, none booked"
    NO_PREVENTION_SHEET = "no_sheet", "Course ended without the prevention sheet"
    RESOLVED = "resolved", "Complaint resolved: time to check in"


# The recalls about a course name it; the one about a resolved complaint names only that.
COURSE_RECALLS = (RecallKind.UNBOOKED, RecallKind.NO_PREVENTION_SHEET)


def _names_its_course():
    return (Q(kind__in=COURSE_RECALLS) & Q(course__isnull=False)) | (
        Q(kind=RecallKind.RESOLVED) & Q(course__isnull=True)
    )


class ContactChannel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    LETTER = "letter", "Letter"


class RecallContact(models.Model):
    """The desk got in touch (or tried to) about a recall: who, when, how, and what came of
    it in the desk's words ("left a message", "will ring after her holiday"), never clinical.
    Only `treatments.recalls.services` writes these."""

    kind = models.CharField(max_length=10, choices=RecallKind)
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(
        TreatmentCourse, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField("How", max_length=10, choices=ContactChannel)
    outcome = models.CharField(
        max_length=200,
        help_text="For the desk: what came of it (no clinical details).",
    )
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    contacted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-contacted_at", "-id"]
        indexes = [models.Index(fields=["complaint", "-contacted_at"], name="recall_contact_idx")]
        constraints = [
            models.CheckConstraint(
                condition=_names_its_course(), name="recall_contact_names_its_course"
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} contact about {self.get_kind_display().lower()}"


class RecallDismissal(models.Model):
    """The desk took an item off the recall list, with the reason. It holds while the item
    stays as it was: a change after `dismissed_at` (a session held, the course changed, the
    complaint resolved again) puts the item back (see the worklist's `changed_at`).
    Only `treatments.recalls.services` writes these."""

    kind = models.CharField(max_length=10, choices=RecallKind)
    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="+")
    course = models.ForeignKey(
        TreatmentCourse, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=200)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-dismissed_at", "-id"]
        indexes = [
            models.Index(fields=["complaint", "kind", "-dismissed_at"], name="recall_dismissal_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=_names_its_course(), name="recall_dismissal_names_its_course"
            ),
        ]

    def __str__(self):
        return f"Dismissed: {self.get_kind_display().lower()}"
