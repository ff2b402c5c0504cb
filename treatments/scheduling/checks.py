"""What stands in the way of a slot: clashes with live appointments and the practitioner's
hours. Reads only; `slot_problems()` is the one check that booking, the course report and the
booking form's live check all use."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from clinic.availability import Availability
from clinic.models import Practitioner, Room
from patients.models import Patient
from treatments.models import LONGEST_APPOINTMENT, Appointment


def _hm(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


@dataclass(frozen=True)
class Clash:
    """A live appointment that holds the practitioner, room and/or patient we wanted: one
    clash per appointment, however many of the three it holds."""

    kinds: frozenset[str]  # of "practitioner", "room", "patient"
    appointment: Appointment

    def __str__(self):
        other = self.appointment
        when = f"{_hm(other.start)}–{_hm(other.end)}"
        where = f" in {other.room}" if "room" in self.kinds else ""
        if "practitioner" in self.kinds:
            return f"{other.practitioner.display_name} is seeing {other.patient} {when}{where}."
        if "patient" in self.kinds:
            with_whom = other.practitioner.display_name
            return f"{other.patient} already has an appointment {when} with {with_whom}{where}."
        return (
            f"{other.room} is taken {when} by {other.practitioner.display_name} "
            f"with {other.patient}."
        )


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


def clashing_ids(*, patient_id, practitioner_id, room_id, start, end, exclude=()):
    """The ids of live appointments of this practitioner, room or patient overlapping
    [start, end), as a subquery: three index range scans joined by UNION.

    Bounded below by the longest an appointment may last (a constraint holds it), so each
    part reads the (practitioner|room|patient, start) index from `start - 8 hours` to `end`,
    however long the clinic's history. One OR over the three columns instead would have the
    databases combine (or abandon) the indexes and read every earlier appointment of the room.
    """
    window = (
        Appointment.objects.live()
        .filter(start__gt=start - LONGEST_APPOINTMENT, start__lt=end, end__gt=start)
        .exclude(pk__in=[pk for pk in exclude if pk])
        .order_by()
        .values("pk")
    )
    return window.filter(practitioner_id=practitioner_id).union(
        window.filter(room_id=room_id), window.filter(patient_id=patient_id)
    )


def _clash(other: Appointment, *, patient_id, practitioner_id, room_id) -> Clash:
    held = (
        ("practitioner", other.practitioner_id == practitioner_id),
        ("room", other.room_id == room_id),
        ("patient", other.patient_id == patient_id),
    )
    return Clash(frozenset(kind for kind, holds in held if holds), other)


def find_clashes(
    *, patient: Patient, practitioner: Practitioner, room: Room, start, end, exclude=()
) -> list[Clash]:
    people = {"patient_id": patient.pk, "practitioner_id": practitioner.pk, "room_id": room.pk}
    ids = clashing_ids(**people, start=start, end=end, exclude=exclude)
    others = Appointment.objects.filter(pk__in=ids).with_people().order_by("start")
    return [_clash(other, **people) for other in others]


def unbookable(practitioner: Practitioner, room: Room) -> list[str]:
    """What no override can change: someone who has left, a room out of use."""
    problems = []
    if not practitioner.takes_bookings:
        problems.append(f"{practitioner.display_name} is not taking bookings.")
    if not room.is_active:
        problems.append(f"{room} is not in use.")
    return problems


def availability_problems(
    *, practitioner: Practitioner, room: Room, start, end, availability=None
) -> list[str]:
    if end <= start:
        return ["The appointment must end after it starts."]
    day = timezone.localtime(start).date()
    availability = availability or Availability(day, day, [practitioner.pk])
    return unbookable(practitioner, room) + availability.problems(practitioner, start, end)


@dataclass
class SlotProblems:
    """Everything in the way of one slot: the hours (a manager may book over those) and the
    clashes (nobody may)."""

    hours: list[str] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.hours or self.clashes)

    @property
    def messages(self) -> list[str]:
        return [*self.hours, *(str(clash) for clash in self.clashes)]


def slot_problems(
    *,
    patient: Patient,
    practitioner: Practitioner,
    room: Room,
    start: datetime,
    end: datetime,
    exclude=(),
    availability: Availability | None = None,
) -> SlotProblems:
    """What stops `patient` seeing `practitioner` in `room` from `start` to `end`."""
    hours = availability_problems(
        practitioner=practitioner, room=room, start=start, end=end, availability=availability
    )
    if end <= start:
        return SlotProblems(hours)
    clashes = find_clashes(
        patient=patient, practitioner=practitioner, room=room, start=start, end=end, exclude=exclude
    )
    return SlotProblems(hours, clashes)


def appointment_clashes(appointment: Appointment) -> list[Clash]:
    """What else holds this appointment's practitioner, room or patient at its time."""
    return find_clashes(
        patient=appointment.patient,
        practitioner=appointment.practitioner,
        room=appointment.room,
        start=appointment.start,
        end=appointment.end,
        exclude=[appointment.pk],
    )


@dataclass(frozen=True)
class Slot:
    """One of several slots checked together (a course's sessions): where and when."""

    room: Room
    start: datetime
    end: datetime


def slots_problems(
    *, patient: Patient, practitioner: Practitioner, slots: list[Slot]
) -> list[SlotProblems]:
    """`slot_problems` for each of `slots` of one patient with one practitioner, in a constant
    number of queries however many there are: the hours of all their days at once, and one
    query for the clashes of them all (a UNION of each slot's three index range scans).
    Slots that overlap one another clash too, the later with the earlier."""
    if not slots:
        return []
    days = [timezone.localtime(slot.start).date() for slot in slots]
    availability = Availability(min(days), max(days), [practitioner.pk])
    people = {"patient_id": patient.pk, "practitioner_id": practitioner.pk}
    windows = [
        clashing_ids(**people, room_id=slot.room.pk, start=slot.start, end=slot.end)
        for slot in slots
    ]
    ids = windows[0].union(*windows[1:]) if len(windows) > 1 else windows[0]
    booked = list(Appointment.objects.filter(pk__in=ids).with_people().order_by("start"))
    found = []
    for index, slot in enumerate(slots):
        hours = availability_problems(
            practitioner=practitioner,
            room=slot.room,
            start=slot.start,
            end=slot.end,
            availability=availability,
        )
        if slot.end <= slot.start:
            found.append(SlotProblems(hours))
            continue
        earlier = [
            Appointment(
                patient=patient,
                practitioner=practitioner,
                room=other.room,
                start=other.start,
                end=other.end,
            )
            for other in slots[:index]
        ]
        others = sorted([*booked, *earlier], key=lambda other: other.start)
        clashes = [
            _clash(other, **people, room_id=slot.room.pk)
            for other in others
            if other.start < slot.end
            and other.end > slot.start
            and (
                other.practitioner_id == practitioner.pk
                or other.room_id == slot.room.pk
                or other.patient_id == patient.pk
            )
        ]
        found.append(SlotProblems(hours, clashes))
    return found
