"""The only code that writes appointments: booking, whole courses, moves and status changes.

Every write checks, in one transaction, that the practitioner is working and not away, and
that no live appointment of the same practitioner, room or patient overlaps. On SQLite the
transaction starts IMMEDIATE, so checks and insert cannot interleave with another writer.
On PostgreSQL a writer first takes transaction-scoped advisory locks on the practitioner,
room, patient (and course) it touches, so writers that share one of them queue while
bookings for other people and rooms go ahead in parallel; exclusion constraints (migration
0003) stand behind the checks, and a refusal from them comes back as the same clear message.

What stands in a slot's way is checked in `checks.py`; proposals and free slots are reads
(`proposals.py`, `free_slots.py`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from clinic.models import Practitioner, Room, User
from patients.models import Patient
from treatments.audit import services as audit
from treatments.models import (
    LIVE_STATUSES,
    LONGEST_APPOINTMENT,
    LONGEST_APPOINTMENT_MINUTES,
    Appointment,
    AppointmentStatus,
    AppointmentStatusChange,
    AppointmentType,
    TreatmentCourse,
)
from treatments.notes import services as notes
from treatments.scheduling.checks import (
    SchedulingError,
    Slot,
    appointment_clashes,
    slot_problems,
    slots_problems,
    unbookable,
)

EXCLUSION_VIOLATION = "23P01"  # PostgreSQL's SQLSTATE for an exclusion constraint
DEADLOCK_DETECTED = "40P01"


# Keys of pg_advisory_xact_lock(bigint): "MR" in the top bits for Meridian's booking locks,
# then one key space per kind of thing booked, then its id (below 2**44).
_LOCK_BASE = 0x4D52 << 48
_LOCK_SPACES = {"practitioner": 1 << 44, "room": 2 << 44, "patient": 3 << 44, "course": 4 << 44}


def _lock_slots(*, practitioners=(), rooms=(), patients=(), courses=()) -> None:
    """On PostgreSQL, hold the booking lock of each practitioner, room, patient and course
    (given by id) to the end of the transaction, waiting for any writer holding one. All in
    one statement, in key order, so two writers never hold one each while waiting for the
    other's; a writer takes every lock it needs here before it reads or locks any row. Any
    role may take advisory locks (the app's role may not lock tables: database_roles.py).
    Without these, bookings racing for one slot can deadlock inside the exclusion
    constraints' index checks instead of one winning. Readers are not blocked."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE transaction already holds the database's write lock
    kinds = {"practitioner": practitioners, "room": rooms, "patient": patients, "course": courses}
    keys = sorted(
        {_LOCK_BASE + _LOCK_SPACES[kind] + pk for kind, pks in kinds.items() for pk in pks if pk}
    )
    if not keys:
        return
    # Select-list items run left to right: the locks are taken in key order.
    sql = "SELECT " + ", ".join(["pg_advisory_xact_lock(%s)"] * len(keys))
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, keys)
    except OperationalError as error:
        _raise_if_deadlocked(error)


def _lock_appointment_slots(appointment: Appointment) -> None:
    _lock_slots(
        practitioners=[appointment.practitioner_id],
        rooms=[appointment.room_id],
        patients=[appointment.patient_id],
        courses=[appointment.course_id],
    )


def _check(appointment: Appointment, *, override_reason: str, by: User) -> bool:
    """Raise SchedulingError for anything in the way; True when the override was needed."""
    if appointment.end <= appointment.start:
        raise SchedulingError(["The appointment must end after it starts."])
    if appointment.end - appointment.start > LONGEST_APPOINTMENT:
        # A constraint holds it too: the clash check reads back only this far.
        raise SchedulingError(
            [f"An appointment lasts at most 8 hours ({LONGEST_APPOINTMENT_MINUTES} minutes)."]
        )
    found = slot_problems(
        patient=appointment.patient,
        practitioner=appointment.practitioner,
        room=appointment.room,
        start=appointment.start,
        end=appointment.end,
        exclude=[appointment.pk],
    )
    overridden = bool(found.hours and override_reason)
    if overridden:
        if not by.has_perm("treatments.override_availability"):
            raise SchedulingError(["Only a clinic manager can book outside working hours."])
        # The manager's recorded reason stands in for the hours, never for a closed room.
        found.hours = unbookable(appointment.practitioner, appointment.room)
    if found:
        raise SchedulingError(found.hours, found.clashes)
    return overridden


def _raise_if_deadlocked(error: OperationalError) -> None:
    """A deadlock becomes the clear "try again" refusal; any other database error stands."""
    if getattr(error.__cause__, "sqlstate", None) != DEADLOCK_DETECTED:
        raise error
    raise SchedulingError(
        ["Another booking was being saved at the same moment; please try again."]
    ) from error


class InsertRefused(SchedulingError):
    def __init__(self, appointment: Appointment, problems=(), clashes=()):
        super().__init__(problems, clashes)
        self.appointment = appointment  # which of those being inserted was refused


def _insert(*appointments: Appointment) -> None:
    """Validate and save, all or none (one savepoint), turning the database's last word into
    the clear refusal about the appointment it refused."""
    current = appointments[0]
    try:
        with transaction.atomic():
            for current in appointments:  # on failure, `current` is the one refused
                current.full_clean()
                current.save()
    except OperationalError as error:
        try:
            _raise_if_deadlocked(error)
        except SchedulingError as refusal:
            raise InsertRefused(current, refusal.problems) from error
    except IntegrityError as error:
        if getattr(error.__cause__, "sqlstate", None) != EXCLUSION_VIOLATION:
            raise
        # A writer that bypassed the locks committed between our check and our insert.
        clashes = appointment_clashes(current)
        raise InsertRefused(
            current, [] if clashes else ["That time was just booked by someone else."], clashes
        ) from error


def _save_checked(appointment: Appointment, *, override_reason: str = "", by: User) -> None:
    """Check and save; the caller holds the appointment's locks (`_lock_slots`) already."""
    overridden = _check(appointment, override_reason=override_reason, by=by)
    # Kept only when it was needed: it marks a booking made outside the hours.
    appointment.override_reason = override_reason if overridden else ""
    _insert(appointment)


def _check_course(course: TreatmentCourse | None, patient: Patient, adding: int = 1) -> None:
    """Refuse a booking the course has no room for. Callers hold the course's lock first
    (see `_lock_slots`): the count of live sessions must be read once no other booking into
    the course can commit before ours, or twenty desks booking at once all count the same
    empty course. The lock is held to the end of the transaction, so the count still holds
    when the sessions are inserted."""
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
    _lock_slots(
        practitioners=[practitioner.pk],
        rooms=[room.pk],
        patients=[patient.pk],
        courses=[course and course.pk],
    )
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
    appointment._history_user = by  # who made this version (outside a request too)
    _save_checked(appointment, override_reason=override_reason, by=by)
    if course is not None:
        course._history_user = by
        course.mark_active()
    return appointment


# --- whole courses ------------------------------------------------------------------------


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
    All sessions are checked together in a constant number of queries (`slots_problems`);
    only the inserts are one per session.
    """
    patient, practitioner = course.complaint.patient, course.practitioner
    sessions = sorted(sessions, key=lambda s: s.start)
    _lock_slots(
        practitioners=[practitioner.pk],
        rooms=[session.room.pk for session in sessions],
        patients=[patient.pk],
        courses=[course.pk],
    )
    _check_course(course, patient, adding=len(sessions))
    numbers = course.session_numbers([session.start for session in sessions])
    length = timedelta(minutes=appointment_type.default_duration)
    appointments = [
        Appointment(
            patient=patient,
            practitioner=practitioner,
            room=session.room,
            appointment_type=appointment_type,
            course=course,
            start=session.start,
            end=session.start + length,
            booked_by=by,
        )
        for session in sessions
    ]

    def named(appointment: Appointment, messages) -> list[str]:
        when = timezone.localtime(appointment.start).strftime("%a %d %b %H:%M")
        return [f"Session {numbers[appointment.start]} ({when}): {m}" for m in messages]

    found = slots_problems(
        patient=patient,
        practitioner=practitioner,
        slots=[Slot(a.room, a.start, a.end) for a in appointments],
    )
    problems = [m for a, f in zip(appointments, found, strict=True) for m in named(a, f.messages)]
    if problems:
        raise SchedulingError(problems)
    for appointment in appointments:
        appointment._history_user = by  # who made this version (outside a request too)
    try:
        _insert(*appointments)
    except InsertRefused as error:
        raise SchedulingError(named(error.appointment, error.messages)) from error
    course._history_user = by
    course.mark_active()
    return appointments


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
    def target() -> tuple:
        return (
            practitioner.pk if practitioner else appointment.practitioner_id,
            room.pk if room else appointment.room_id,
            appointment.patient_id,
        )

    def lock(practitioner_id, room_id, patient_id) -> None:
        _lock_slots(practitioners=[practitioner_id], rooms=[room_id], patients=[patient_id])

    locked = target()
    lock(*locked)  # before the row lock, as every writer (see `_lock_slots`)
    _reload_locked(appointment)  # another desk may have cancelled or moved it meanwhile
    if target() != locked:  # moved to another practitioner or room meanwhile: rare
        lock(*target())
    if appointment.status != AppointmentStatus.BOOKED:
        state = appointment.get_status_display().lower()
        raise SchedulingError([f"Only booked appointments can be moved; this one is {state}."])
    before = (appointment.start, appointment.end, appointment.practitioner, appointment.room)
    duration = appointment.end - appointment.start
    appointment.start = start
    appointment.end = end or start + duration
    appointment.practitioner = practitioner or appointment.practitioner
    appointment.room = room or appointment.room
    appointment._history_user = by
    try:
        _save_checked(appointment, override_reason=override_reason, by=by)
    except SchedulingError:
        appointment.start, appointment.end, appointment.practitioner, appointment.room = before
        raise
    return appointment


def _change_status(
    appointment: Appointment, to: str, *, by: User, note: str = "", undoes=None
) -> AppointmentStatusChange:
    change = audit.status_change_append(
        AppointmentStatusChange(
            appointment=appointment,
            from_status=appointment.status,
            to_status=to,
            changed_by=by,
            note=note,
            undoes=undoes,
        )
    )
    appointment.status = to
    appointment._history_user = by
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


def _not_before(opens: datetime, action: str) -> None:
    """Sessions follow the clock: nothing is recorded as happening before it can have."""
    if timezone.now() < opens:
        when = timezone.localtime(opens)
        day = "" if when.date() == timezone.localdate() else f"{when:%a %d %b} "
        raise SchedulingError([f"Cannot {action} before {day}{when:%H:%M}."])


@transaction.atomic
def mark_arrived(*, appointment: Appointment, by: User) -> Appointment:
    _require(appointment, AppointmentStatus.BOOKED, action="mark as arrived")
    _not_before(appointment.arrival_opens, "mark as arrived")
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
    _not_before(appointment.completion_opens, "complete")
    if not notes.can_complete_without_note(appointment):
        raise SchedulingError(["Sign the session note first: the clinic requires it."])
    _change_status(appointment, AppointmentStatus.COMPLETED, by=by)
    if appointment.course is not None:
        appointment.course._history_user = by
        appointment.course.complete_if_all_done()
    return appointment


@transaction.atomic
def undo_status(*, appointment: Appointment, by: User) -> Appointment:
    """Undo the latest status change (a no-show marked by mistake, say), recorded as a change.

    Bringing a cancelled or no-show appointment back checks that its slot is still free.
    """
    _lock_appointment_slots(appointment)  # before the row lock, as every writer
    _reload_locked(appointment)
    last = (
        appointment.status_changes.filter(undone_by__isnull=True, undoes__isnull=True)
        .order_by("-changed_at", "-id")
        .first()
    )
    if last is None or last.to_status != appointment.status:
        raise SchedulingError(["There is no status change to undo."])
    if last.from_status in LIVE_STATUSES and not appointment.is_live:
        clashes = appointment_clashes(appointment)
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
    if appointment.course is not None and last.to_status == AppointmentStatus.COMPLETED:
        appointment.course._history_user = by
        appointment.course.reopen()
    return appointment
