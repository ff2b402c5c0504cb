"""What stands in the way of a slot: clashes with live appointments and the practitioner's
hours. Reads only; `slot_problems()` is the one check that booking, the course report and the
booking form's live check all use."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from clinic.availability import Availability
from clinic.models import Practitioner, Room
from patients.models import Patient
from treatments.models import Appointment


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
    return [
        Clash(
            frozenset(
                kind
                for kind, held in (
                    ("practitioner", other.practitioner_id == practitioner.pk),
                    ("room", other.room_id == room.pk),
                    ("patient", other.patient_id == patient.pk),
                )
                if held
            ),
            other,
        )
        for other in others.order_by("start")
    ]


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
