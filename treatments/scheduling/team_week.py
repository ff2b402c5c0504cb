"""Every practitioner's week on one screen: a row per practitioner, a column per day, each
cell that day's appointments in time order (the calendar's chips, as a list).

Five queries whatever the number of appointments: the week's appointments with their people,
session numbers and red-flag marker (`chip_appointments`), the active practitioners, and
opening hours, working hours and time off (`Availability`).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.utils import timezone

from clinic.availability import Availability
from clinic.models import Practitioner
from treatments.scheduling.calendar import WeekNavigation, by_name, chip_appointments, monday_of
from treatments.scheduling.calendar_grid import Chip, ChipLinks, local, practitioner_note


@dataclass
class TeamCell:
    day: date
    chips: list[Chip]
    note: str  # their hours that day, "Not working", "Closed" …

    @cached_property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()


@dataclass
class TeamRow:
    practitioner: Practitioner
    cells: list[TeamCell]

    @property
    def count(self) -> int:
        return sum(len(cell.chips) for cell in self.cells)


@dataclass
class TeamWeek(WeekNavigation):
    monday: date
    rows: list[TeamRow]

    @property
    def count(self) -> int:
        return sum(row.count for row in self.rows)


def team_week(day: date, *, user=None) -> TeamWeek:
    """The week containing `day`: every active practitioner, and anyone else with a live
    appointment that week (someone who has since left still shows what they had)."""
    monday = monday_of(day)
    sunday = monday + timedelta(days=6)
    links = ChipLinks.for_user(user)
    live = [a for a in chip_appointments(monday, sunday) if a.is_live]
    everyone = by_name(Practitioner.objects.active_and({a.practitioner_id for a in live}))
    availability = Availability(monday, sunday, practitioner_ids=[p.pk for p in everyone])
    by_cell: dict[tuple[int, date], list[Chip]] = {}
    for appointment in live:
        key = (appointment.practitioner_id, local(appointment.start).date())
        chip = Chip(appointment, links=links, who=appointment.room_name)
        by_cell.setdefault(key, []).append(chip)
    days = [monday + timedelta(days=i) for i in range(7)]
    rows = [
        TeamRow(
            practitioner,
            [
                TeamCell(
                    this_day,
                    by_cell.get((practitioner.pk, this_day), []),
                    "Closed"
                    if availability.opening_span(this_day) is None
                    else practitioner_note(
                        availability, practitioner, this_day, practitioner.taking_bookings
                    ),
                )
                for this_day in days
            ],
        )
        for practitioner in everyone
    ]
    return TeamWeek(monday, rows)
