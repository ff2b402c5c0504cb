"""The only code that writes appointments: booking, whole courses, moves and status changes.

Every write checks, in one transaction, that the practitioner is working and not away, and
that no live appointment of the same practitioner, room or patient overlaps. On SQLite the
transaction starts IMMEDIATE, so checks and insert cannot interleave with another writer;
on PostgreSQL writers queue on a table lock for the same effect, and exclusion constraints
(migration 0003) stand behind the checks: a refusal from them comes back as the same clear
message.


Free slots live in `treatments.free_slots` (reading only), exported from here as well.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from clinic.availability import Availability
from clinic.models import Practitioner, Room, User, local_datetime
from patients.models import Patient
from treatments import notes
from treatments.free_slots import (  # the booking API's too: re-exported from here
    SLOT as SLOT,
)
from treatments.free_slots import TIMES_OF_DAY as TIMES_OF_DAY
from treatments.free_slots import FreeSlot as FreeSlot
from treatments.free_slots import find_free_slots as find_free_slots
from treatments.free_slots import nearest_free_slots as nearest_free_slots
from treatments.models import (
    LIVE_STATUSES,
    Appointment,
    AppointmentStatus,
    AppointmentStatusChange,
    AppointmentType,
    CourseStatus,
    TreatmentCourse,
)

EXCLUSION_VIOLATION = "23P01"  # PostgreSQL's SQLSTATE for an exclusion constraint
DEADLOCK_DETECTED = "40P01"


def _queue_writers() -> None:
    """On PostgreSQL, one appointment writer at a time, as SQLite's IMMEDIATE transactions
    give. Without it, bookings racing for one slot can deadlock inside the exclusion
    constraints' index checks instead of one winning. Readers are not blocked."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE treatments_appointment IN SHARE ROW EXCLUSIVE MODE")


def _hm(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


@dataclass(frozen=True)
class Clash:
    """A live appointment that holds the practitioner, room or patient we wanted."""

    kind: str  # "practitioner", "room" or "patient"
    appointment: Appointment

    def __str__(self):
        other = self.appointment
        when = f"{_hm(other.start)}–{_hm(other.end)}"
        if self.kind == "practitioner":
            return f"{other.practitioner.display_name} is seeing {other.patient} {when}."
        if self.kind == "room":
            return (
                f"{other.room} is taken {when} by {other.practitioner.display_name} "
                f"with {other.patient}."
            )
        with_whom = other.practitioner.display_name
        return f"{other.patient} already has an appointment {when} with {with_whom}."


class SchedulingError(Exception):
    """Why a booking or change cannot be made, in words for the front desk."""

    def __init__(self, problems=(), clashes=()):
        self.problems = list(problems)
        self.clashes = list(clashes)
        super().__init__(" ".join(self.messages))

    @property
    def messages(self) -> list[str]:
        return [*self.problems, *(str(clash) for clash in self.clashes)]

    @property
    def only_availability(self) -> bool:
        """True when a manager's override could book it (no clash, only hours)."""
        return not self.clashes


def find_clashes(
    *, patient: Patient, practitioner: Practitioner, room: Room, start, end, exclude=()
) -> list[Clash]:
    others = (
        Appointment.objects.live()
        .overlapping(start, end)
        .filter(Q(practitioner_id=practitioner.pk) | Q(room_id=room.pk) | Q(patient_id=patient.pk))
        .exclude(pk__in=[pk for pk in exclude if pk])
        .with_people()
    )
    clashes = []
    for other in others:
        if other.practitioner_id == practitioner.pk:
            clashes.append(Clash("practitioner", other))
        if other.room_id == room.pk:
            clashes.append(Clash("room", other))
        if other.patient_id == patient.pk:
            clashes.append(Clash("patient", other))
    return clashes


def _clashes_with_others(appointment: Appointment) -> list[Clash]:
    """What else holds this appointment's practitioner, room or patient at its time."""
    return find_clashes(
        patient=appointment.patient,
        practitioner=appointment.practitioner,
        room=appointment.room,
        start=appointment.start,
        end=appointment.end,
        exclude=[appointment.pk],
    )


def availability_problems(
    *, practitioner: Practitioner, room: Room, start, end, availability=None
) -> list[str]:
    if end <= start:
        return ["The appointment must end after it starts."]
    day = timezone.localtime(start).date()
    availability = availability or Availability(day, day, [practitioner.pk])
    return _unbookable(practitioner, room) + availability.problems(practitioner, start, end)


def _unbookable(practitioner: Practitioner, room: Room) -> list[str]:
    """What no override can change: someone who has left, a room out of use."""
    problems = []
    if not practitioner.takes_bookings:
        problems.append(f"{practitioner.display_name} is not taking bookings.")
    if not room.is_active:
        problems.append(f"{room} is not in use.")
    return problems


def _check(appointment: Appointment, *, override_reason: str, by: User) -> bool:
    """Raise SchedulingError for anything in the way; True when the override was needed."""
    if appointment.end <= appointment.start:
        raise SchedulingError(["The appointment must end after it starts."])
    problems = availability_problems(
        practitioner=appointment.practitioner,
        room=appointment.room,
        start=appointment.start,
        end=appointment.end,
    )
    overridden = bool(problems and override_reason)
    if overridden:
        if not by.has_perm("treatments.override_availability"):
            raise SchedulingError(["Only a clinic manager can book outside working hours."])
        # The manager's recorded reason stands in for the hours, never for a closed room.
        problems = _unbookable(appointment.practitioner, appointment.room)
    clashes = _clashes_with_others(appointment)
    if problems or clashes:
        raise SchedulingError(problems, clashes)
    return overridden


def _save_checked(appointment: Appointment, *, override_reason: str = "", by: User) -> None:
    try:
        with transaction.atomic():
            _queue_writers()
            overridden = _check(appointment, override_reason=override_reason, by=by)
            # Kept only when it was needed: it marks a booking made outside the hours.
            appointment.override_reason = override_reason if overridden else ""
            appointment.full_clean()
            appointment.save()
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != DEADLOCK_DETECTED:
            raise
        raise SchedulingError(
            ["Another booking was being saved at the same moment; please try again."]
        ) from error
    except IntegrityError as error:
        if getattr(error.__cause__, "sqlstate", None) != EXCLUSION_VIOLATION:
            raise
        # Another booking committed between our check and our insert (PostgreSQL only).
        clashes = _clashes_with_others(appointment)
        raise SchedulingError(
            [] if clashes else ["That time was just booked by someone else."], clashes
        ) from error


def _check_course(course: TreatmentCourse | None, patient: Patient, adding: int = 1) -> None:
    if course is None:
        return
    if course.complaint.patient_id != patient.pk:
        raise SchedulingError(["That course belongs to another patient."])
    if not course.is_open:
        raise SchedulingError([f"The course is {course.get_status_display().lower()}."])
    live = course.appointments.live().count()
    if live + adding > course.planned_sessions:
        raise SchedulingError(
            [
                f"The course has {course.planned_sessions} planned sessions and {live} "
                f"booked; change the plan to add more."
            ]
        )


def _activate(course: TreatmentCourse | None) -> None:
    if course is not None and course.status == CourseStatus.PLANNED:
        course.status = CourseStatus.ACTIVE
        course.save(update_fields=["status"])


@transaction.atomic
def book(
    *,
    patient: Patient,
    practitioner: Practitioner,
    room: Room,
    appointment_type: AppointmentType,
    start: datetime,
    end: datetime | None = None,
    course: TreatmentCourse | None = None,
    by: User,
    override_reason: str = "",
) -> Appointment:
    """Book one appointment, or raise SchedulingError saying what is in the way."""
    _check_course(course, patient)
    appointment = Appointment(
        patient=patient,
        practitioner=practitioner,
        room=room,
        appointment_type=appointment_type,
        course=course,
        start=start,
        end=end or start + timedelta(minutes=appointment_type.default_duration),
        booked_by=by,
    )
    _save_checked(appointment, override_reason=override_reason, by=by)
    _activate(course)
    return appointment


# --- whole courses ------------------------------------------------------------------------


@dataclass
class ProposedSession:
    """One session of a course proposal: where it would go, and what is in the way."""

    number: int
    start: datetime
    end: datetime
    room: Room
    problems: list[str] = field(default_factory=list)
    alternatives: list["FreeSlot"] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def session_starts(first_start: datetime, interval_days: int, count: int) -> list[datetime]:
    """Same wall-clock time every `interval_days`, whatever daylight saving does."""
    local = timezone.localtime(first_start)
    return [
        local_datetime(local.date() + timedelta(days=interval_days * i), local.time())
        for i in range(count)
    ]


def propose_course(
    *,
    course: TreatmentCourse,
    first_start: datetime,
    interval_days: int,
    room: Room,
    appointment_type: AppointmentType,
) -> list[ProposedSession]:
    """Every session still to book, each checked, with nearby free slots where it clashes."""
    remaining = course.planned_sessions - course.appointments.live().count()
    duration = timedelta(minutes=appointment_type.default_duration)
    starts = session_starts(first_start, interval_days, max(remaining, 0))
    if not starts:
        return []
    practitioner = course.practitioner
    patient = course.complaint.patient
    availability = Availability(
        timezone.localtime(starts[0]).date(),
        timezone.localtime(starts[-1]).date() + timedelta(days=7),
        [practitioner.pk],
    )
    already = course.appointments.live().count()
    proposals = []
    for offset, start in enumerate(starts):
        proposal = ProposedSession(already + offset + 1, start, start + duration, room)
        proposal.problems = availability_problems(
            practitioner=practitioner,
            room=room,
            start=start,
            end=start + duration,
            availability=availability,
        ) + [
            str(clash)
            for clash in find_clashes(
                patient=patient,
                practitioner=practitioner,
                room=room,
                start=start,
                end=start + duration,
            )
        ]
        if proposal.problems:
            proposal.alternatives = nearest_free_slots(
                practitioner=practitioner,
                patient=patient,
                wanted=start,
                duration=duration,
                preferred_room=room,
                availability=availability,
            )
        proposals.append(proposal)
    return proposals


@dataclass(frozen=True)
class PlannedSession:
    start: datetime
    room: Room


@transaction.atomic
def book_course(
    *,
    course: TreatmentCourse,
    sessions: list[PlannedSession],
    appointment_type: AppointmentType,
    by: User,
) -> list[Appointment]:
    """Book all `sessions` of `course` at once — or none, if any one cannot be booked.

    The SchedulingError then names each failing session ("Session 3 (Tue 14 Apr 10:00): …").
    """
    patient = course.complaint.patient
    _check_course(course, patient, adding=len(sessions))
    status_before = course.status
    booked, problems = [], []
    # Sessions are numbered by date among the course's live ones, old and new together.
    existing = list(course.appointments.live().values_list("start", flat=True))
    starts = sorted([*existing, *(session.start for session in sessions)])
    for session in sorted(sessions, key=lambda s: s.start):
        number = starts.index(session.start) + 1
        try:
            booked.append(
                book(
                    patient=patient,
                    practitioner=course.practitioner,
                    room=session.room,
                    appointment_type=appointment_type,
                    start=session.start,
                    course=course,
                    by=by,
                )
            )
        except SchedulingError as error:
            when = timezone.localtime(session.start).strftime("%a %d %b %H:%M")
            problems.extend(f"Session {number} ({when}): {m}" for m in error.messages)
    if problems:
        transaction.set_rollback(True)
        course.status = status_before  # the caller's object must match the rolled-back row
        raise SchedulingError(problems)
    return booked


# --- moving and status changes -------------------------------------------------------------


@transaction.atomic
def reschedule(
    *,
    appointment: Appointment,
    start: datetime,
    end: datetime | None = None,
    practitioner: Practitioner | None = None,
    room: Room | None = None,
    by: User,
    override_reason: str = "",
) -> Appointment:
    _reload_locked(appointment)  # another desk may have cancelled or moved it meanwhile
    if appointment.status != AppointmentStatus.BOOKED:
        state = appointment.get_status_display().lower()
        raise SchedulingError([f"Only booked appointments can be moved; this one is {state}."])
    before = (appointment.start, appointment.end, appointment.practitioner, appointment.room)
    duration = appointment.end - appointment.start
    appointment.start = start
    appointment.end = end or start + duration
    appointment.practitioner = practitioner or appointment.practitioner
    appointment.room = room or appointment.room
    try:
        _save_checked(appointment, override_reason=override_reason, by=by)
    except SchedulingError:
        appointment.start, appointment.end, appointment.practitioner, appointment.room = before
        raise
    return appointment


def _change_status(
    appointment: Appointment, to: str, *, by: User, note: str = "", undoes=None
) -> AppointmentStatusChange:
    change = AppointmentStatusChange.objects.create(
        appointment=appointment,
        from_status=appointment.status,
        to_status=to,
        changed_by=by,
        note=note,
        undoes=undoes,
    )
    appointment.status = to
    appointment.save(update_fields=["status", "cancellation_reason", "late_cancellation"])
    return change


def _reload_locked(appointment: Appointment) -> None:
    """Bring the caller's copy up to date with the row, locking it (on PostgreSQL) until
    the transaction ends: another desk may have moved, cancelled or changed it meanwhile."""
    list(Appointment.objects.select_for_update().filter(pk=appointment.pk).values_list("pk"))
    appointment.refresh_from_db()


def _require(appointment: Appointment, *allowed: str, action: str) -> None:
    _reload_locked(appointment)
    if appointment.status not in allowed:
        raise SchedulingError(
            [f"Cannot {action}: the appointment is {appointment.get_status_display().lower()}."]
        )


@transaction.atomic
def cancel(*, appointment: Appointment, reason: str, by: User) -> Appointment:
    _require(appointment, AppointmentStatus.BOOKED, action="cancel")
    reason = reason.strip()
    if not reason:
        raise SchedulingError(["Give a reason for the cancellation."])
    appointment.cancellation_reason = reason
    appointment.late_cancellation = appointment.is_late_cancellation()
    _change_status(appointment, AppointmentStatus.CANCELLED, by=by, note=reason)
    return appointment


def _not_on_a_later_day(appointment: Appointment, action: str) -> None:
    if timezone.localtime(appointment.start).date() > timezone.localdate():
        raise SchedulingError([f"Cannot {action}: the appointment is on a later day."])


@transaction.atomic
def mark_arrived(*, appointment: Appointment, by: User) -> Appointment:
    _require(appointment, AppointmentStatus.BOOKED, action="mark as arrived")
    _not_on_a_later_day(appointment, "mark as arrived")
    _change_status(appointment, AppointmentStatus.ARRIVED, by=by)
    return appointment


@transaction.atomic
def mark_no_show(*, appointment: Appointment, by: User) -> Appointment:
    _require(appointment, AppointmentStatus.BOOKED, action="mark as a no-show")
    if timezone.now() < appointment.start:
        raise SchedulingError(["The appointment has not started yet."])
    _change_status(appointment, AppointmentStatus.NO_SHOW, by=by)
    return appointment


@transaction.atomic
def complete(*, appointment: Appointment, by: User) -> Appointment:
    _require(appointment, AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, action="complete")
    _not_on_a_later_day(appointment, "complete")
    if not notes.can_complete_without_note(appointment):
        raise SchedulingError(["Sign the session note first: the clinic requires it."])
    _change_status(appointment, AppointmentStatus.COMPLETED, by=by)
    course = appointment.course
    if course is not None and course.is_open:
        done = course.appointments.filter(status=AppointmentStatus.COMPLETED).count()
        if done >= course.planned_sessions:
            course.status = CourseStatus.COMPLETED
            course.end_date = timezone.localdate()
            course.save(update_fields=["status", "end_date"])
    return appointment


@transaction.atomic
def undo_status(*, appointment: Appointment, by: User) -> Appointment:
    """Undo the latest status change (a no-show marked by mistake, say), recorded as a change.

    Bringing a cancelled or no-show appointment back checks that its slot is still free.
    """
    _queue_writers()
    _reload_locked(appointment)
    last = (
        appointment.status_changes.filter(undone_by__isnull=True, undoes__isnull=True)
        .order_by("-changed_at", "-id")
        .first()
    )
    if last is None or last.to_status != appointment.status:
        raise SchedulingError(["There is no status change to undo."])
    if last.from_status in LIVE_STATUSES and not appointment.is_live:
        clashes = _clashes_with_others(appointment)
        if clashes:
            raise SchedulingError(["The slot has been taken since:"], clashes)
        if appointment.course_id is not None:
            _check_course(appointment.course, appointment.patient)
    if appointment.status == AppointmentStatus.CANCELLED:
        appointment.cancellation_reason = ""
        appointment.late_cancellation = False
    try:
        with transaction.atomic():
            _change_status(appointment, last.from_status, by=by, note="Undo", undoes=last)
    except IntegrityError as error:
        if getattr(error.__cause__, "sqlstate", None) != EXCLUSION_VIOLATION:
            raise
        raise SchedulingError(["The slot has just been taken by another booking."]) from error
    course = appointment.course
    if (
        course is not None
        and last.to_status == AppointmentStatus.COMPLETED
        and course.status == CourseStatus.COMPLETED
    ):
        course.status = CourseStatus.ACTIVE
        course.end_date = None
        course.save(update_fields=["status", "end_date"])
    return appointment
