"""A day in figures, for the clinic manager: appointments by status, and the practitioners'
free time still left to book."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from clinic.availability import Availability
from clinic.models import Practitioner
from treatments.models import Appointment, AppointmentStatus


@dataclass(frozen=True)
class DayFigures:
    booked: int  # still to come: booked, not yet arrived
    arrived: int
    completed: int
    no_shows: int
    cancelled: int
    free_time: timedelta  # the practitioners' working time left, neither booked nor away

    @property
    def appointments(self) -> int:
        """Everything booked for the day that was not cancelled (no-shows included)."""
        return self.booked + self.arrived + self.completed + self.no_shows

    @property
    def free_hours(self) -> str:
        """'5 h 30 min', '45 min', '0 h'."""
        hours, minutes = divmod(int(self.free_time.total_seconds()) // 60, 60)
        if hours and minutes:
            return f"{hours} h {minutes} min"
        return f"{minutes} min" if minutes else f"{hours} h"


def day_figures(day: date, appointments: list[Appointment], *, now: datetime) -> DayFigures:
    """The figures for `day` from its appointments (all statuses, already loaded), counting
    free time from `now` on: four queries (the practitioners taking bookings, and their
    opening hours, working hours and time off)."""
    statuses = Counter(a.status for a in appointments)
    practitioners = list(Practitioner.objects.active().values_list("pk", flat=True))
    availability = Availability(day, day, practitioner_ids=practitioners)
    busy = {pk: [] for pk in practitioners}
    for appointment in appointments:
        if appointment.is_live and appointment.practitioner_id in busy:
            busy[appointment.practitioner_id].append((appointment.start, appointment.end))
    free = sum(
        (
            end - start
            for pk in practitioners
            for start, end in availability.free_spans(pk, day, busy=busy[pk], after=now)
        ),
        timedelta(),
    )
    return DayFigures(
        booked=statuses[AppointmentStatus.BOOKED],
        arrived=statuses[AppointmentStatus.ARRIVED],
        completed=statuses[AppointmentStatus.COMPLETED],
        no_shows=statuses[AppointmentStatus.NO_SHOW],
        cancelled=statuses[AppointmentStatus.CANCELLED],
        free_time=free,
    )
