"""Which waitlist entries fit a freed slot: reads only.

An entry fits a slot (start, end, practitioner, room) when
- it is on the list (waiting, not expired on the slot's day or today, not booked otherwise);
- it wants the slot's practitioner, or any practitioner;
- its length fits in the slot;
- the slot's day of the week and time of day are among those it wants (none named: any);
- its course, if it names one, is open, has a session left to book, and has no live session
  closer than the course's interval (in days) to the slot's day, before or after it — a
  course's next session comes no sooner than its interval after the previous one, and a slot
  squeezed in before an already booked session would break the same rule;
- its patient has no live appointment overlapping the slot.
Fitting entries come most urgent first, then oldest first.

Four queries whatever the number of entries: the candidates (with their people), the
patients' overlapping appointments, the courses' live sessions, and their live counts.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q
from django.utils import timezone

from clinic.models import Practitioner, Room
from treatments.models import Appointment, WaitlistEntry
from treatments.scheduling.free_slots import TIMES_OF_DAY


@dataclass(frozen=True)
class FreedSlot:
    start: datetime
    end: datetime
    practitioner: Practitioner
    room: Room

    @classmethod
    def of(cls, appointment: Appointment) -> "FreedSlot":
        return cls(appointment.start, appointment.end, appointment.practitioner, appointment.room)

    @property
    def length_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def in_time_of_day(entry: WaitlistEntry, start: datetime) -> bool:
    if not entry.times_of_day:
        return True
    local = timezone.localtime(start).time()
    return any(
        TIMES_OF_DAY[part][0] <= local < TIMES_OF_DAY[part][1] for part in entry.times_of_day
    )


def candidates(slot: FreedSlot, today=None):
    """The entries the database can rule on: on the list, the practitioner, the length."""
    today = today or timezone.localdate()
    slot_day = timezone.localtime(slot.start).date()
    return (
        WaitlistEntry.objects.current(max(today, slot_day))
        .filter(duration_minutes__lte=slot.length_minutes)
        .filter(Q(practitioner__isnull=True) | Q(practitioner=slot.practitioner))
        .with_people()
        .most_urgent_first()
    )


def fitting_entries(slot: FreedSlot, today=None) -> list[WaitlistEntry]:
    """The entries that fit `slot`, most urgent first, then oldest (see the module's doc)."""
    entries = [
        entry
        for entry in candidates(slot, today)
        if entry.wants_weekday(timezone.localtime(slot.start).weekday())
        and in_time_of_day(entry, slot.start)
    ]
    if not entries:
        return []
    busy_patients = set(
        Appointment.objects.live()
        .overlapping(slot.start, slot.end)
        .filter(patient_id__in={entry.patient_id for entry in entries})
        .values_list("patient_id", flat=True)
    )
    entries = [entry for entry in entries if entry.patient_id not in busy_patients]
    course_ids = {entry.course_id for entry in entries if entry.course_id}
    too_close, full = _courses_ruled_out(slot, course_ids)
    return [
        entry
        for entry in entries
        if entry.course_id is None
        or (entry.course.is_open and entry.course_id not in too_close | full)
    ]


def _courses_ruled_out(slot: FreedSlot, course_ids: set[int]) -> tuple[set[int], set[int]]:
    """Of `course_ids`: those with a live session within their interval of the slot's day,
    and those with no session left to book."""
    if not course_ids:
        return set(), set()
    slot_day = timezone.localtime(slot.start).date()
    sessions = Appointment.objects.live().filter(course_id__in=course_ids)
    too_close = {
        course_id
        for course_id, start, interval in sessions.values_list(
            "course_id", "start", "course__interval_days"
        )
        if abs((timezone.localtime(start).date() - slot_day).days) < interval
    }
    full = {
        row["course_id"]
        for row in sessions.order_by()
        .values("course_id", "course__planned_sessions")
        .annotate(live=Count("pk"))
        if row["live"] >= row["course__planned_sessions"]
    }
    return too_close, full


def slot_taken(slot: FreedSlot) -> Appointment | None:
    """A live appointment now holding the slot's practitioner or room, if any."""
    return (
        Appointment.objects.live()
        .overlapping(slot.start, slot.end)
        .filter(Q(practitioner=slot.practitioner) | Q(room=slot.room))
        .with_people()
        .first()
    )
