"""Free time in the book: the next free slots, and the nearest ones to a wanted time.

Reads only; `treatments.scheduling.services` books. Three queries load the availability and one the
appointments, whatever the range searched.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clinic.availability import Availability
from clinic.formtools import SLOT
from clinic.models import Practitioner, Room, local_datetime
from patients.models import Patient
from treatments.models import Appointment

TIMES_OF_DAY = {
    "any": (time(0), time(23, 59)),
    "morning": (time(0), time(12)),
    "afternoon": (time(12), time(17)),
    "evening": (time(17), time(23, 59)),
}


@dataclass(frozen=True)
class FreeSlot:
    start: datetime
    end: datetime
    practitioner: Practitioner
    room: Room


def find_free_slots(
    *,
    duration: timedelta,
    first_day: date,
    last_day: date,
    practitioner: Practitioner | None = None,
    patient: Patient | None = None,
    time_of_day: str = "any",
    preferred_room: Room | None = None,
    limit: int = 10,
    availability: Availability | None = None,
) -> list[FreeSlot]:
    """Free slots in date order, on the calendar's grid, from now on.

    A slot needs the practitioner working and not away, no clash for them or the patient,
    and a free active room (the preferred one when it is free). Three queries for the
    availability and one for the appointments, whatever the range.
    """
    if practitioner is not None and not practitioner.takes_bookings:
        return []  # someone who has left or is not taking bookings has no free slots
    practitioners = (
        [practitioner]
        if practitioner
        else list(Practitioner.objects.active().select_related("user"))
    )
    ids = [p.pk for p in practitioners]
    availability = availability or Availability(first_day, last_day, ids)
    rooms = list(Room.objects.active())
    if preferred_room is not None and preferred_room.is_active:
        rooms.sort(key=lambda r: r.pk != preferred_room.pk)
    range_start = local_datetime(first_day, time(0))
    range_end = local_datetime(last_day + timedelta(days=1), time(0))
    busy = list(
        Appointment.objects.live()
        .overlapping(range_start, range_end)
        .only("start", "end", "practitioner_id", "room_id", "patient_id")
    )
    earliest, latest = TIMES_OF_DAY[time_of_day]
    now = timezone.now()
    slots = []
    day = first_day
    while day <= last_day and len(slots) < limit:
        for who in practitioners:
            for span_start, span_end in availability.working_spans(who.pk, day):
                start = span_start
                while start + duration <= span_end:
                    end = start + duration
                    local = timezone.localtime(start).time()
                    if (
                        start >= now
                        and earliest <= local < latest
                        and not availability.time_off_overlapping(who.pk, start, end)
                        and not any(
                            a.start < end
                            and a.end > start
                            and (
                                a.practitioner_id == who.pk
                                or (patient and a.patient_id == patient.pk)
                            )
                            for a in busy
                        )
                    ):
                        taken = {a.room_id for a in busy if a.start < end and a.end > start}
                        room = next((r for r in rooms if r.pk not in taken), None)
                        if room is not None:
                            slots.append(FreeSlot(start, end, who, room))
                    start += SLOT
        day += timedelta(days=1)
    slots.sort(key=lambda s: (s.start, s.practitioner.display_name))
    return slots[:limit]


def free_room(start: datetime, end: datetime) -> Room | None:
    """The first active room (in the rooms' order) with no live appointment in [start, end)."""
    taken = Appointment.objects.live().overlapping(start, end).values("room_id")
    return Room.objects.active().exclude(pk__in=taken).first()


def nearest_free_slots(
    *,
    practitioner: Practitioner,
    patient: Patient,
    wanted: datetime,
    duration: timedelta,
    preferred_room: Room | None = None,
    availability: Availability | None = None,
    count: int = 3,
    days_ahead: int = 7,
) -> list[FreeSlot]:
    """The free slots nearest to `wanted` (on the same day first, then the following days),
    in time order."""
    day = timezone.localtime(wanted).date()
    same_day = find_free_slots(
        duration=duration,
        first_day=day,
        last_day=day,
        practitioner=practitioner,
        patient=patient,
        preferred_room=preferred_room,
        limit=200,
        availability=availability,
    )
    same_day.sort(key=lambda s: abs(s.start - wanted))
    if len(same_day) >= count:
        return sorted(same_day[:count], key=lambda s: s.start)
    later = find_free_slots(
        duration=duration,
        first_day=day + timedelta(days=1),
        last_day=day + timedelta(days=days_ahead),
        practitioner=practitioner,
        patient=patient,
        preferred_room=preferred_room,
        limit=count - len(same_day),
        availability=availability,
    )
    return sorted(same_day[:count], key=lambda s: s.start) + later
