"""The day calendar and a practitioner's week, as rows (time slots) and columns for a CSS grid.

A calendar page loads everything it shows here, in a fixed number of queries whatever the
number of appointments:

1. the appointments of the day (or week), with their people, their session number and a
   red-flag `Exists()`;
2. the practitioners (or rooms) that may get a column;
3. opening hours, working hours and time off (three queries, through `Availability`; the
   room view needs only the opening hours, so it runs one).

Each chip's "2/4" comes with the appointments (`with_session_number()`), in the same query,
which loads only the columns the calendars show (`with_names()`).

The grid itself (rows, columns, chips, free and away blocks) is built in `calendar_grid.py`.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from clinic.availability import Availability
from clinic.models import Practitioner, Room
from patients.models import Complaint, ComplaintStatus
from treatments.models import Appointment
from treatments.scheduling.calendar_grid import (
    Chip,
    ChipLinks,
    Column,
    Grid,
    appointment_extent,
    booking_link,
    fill,
    local,
    opening_extent,
    place,
    practitioner_note,
    practitioner_state,
    room_state,
    slots_for,
)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def by_name(people) -> list:
    """Practitioners in the calendars' order: by name, then by when they were added."""
    return sorted(people, key=lambda p: (p.display_name.casefold(), p.pk))


class WeekNavigation:
    """The days of the week starting at `self.monday`, and the weeks either side."""

    monday: date

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def today(self) -> date:
        return timezone.localdate()

    @property
    def previous_week(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next_week(self) -> date:
        return self.monday + timedelta(days=7)


def _calendar_queryset(first_day: date, last_day: date, **filters):
    """Appointments starting on the days, all statuses, with people, session numbers and a
    red-flag marker.

    `red_flagged`: the course's complaint, or any active complaint of the patient, records
    red flags — one subquery, so the calendar needs no query per chip.
    """
    flagged = Complaint.objects.exclude(red_flags=[]).filter(
        Q(pk=OuterRef("course__complaint_id"))
        | Q(patient_id=OuterRef("patient_id"), status=ComplaintStatus.ACTIVE)
    )
    return (
        Appointment.objects.between_days(first_day, last_day)
        .filter(**filters)
        .with_people()
        .with_session_number()
        .annotate(red_flagged=Exists(flagged))
        .order_by("start", "id")
    )


def calendar_appointments(first_day: date, last_day: date, **filters) -> list[Appointment]:
    """The calendar's appointments in full, with `reminder_failed` (the day sheet flags a
    failed reminder for the desk to phone)."""
    return list(_calendar_queryset(first_day, last_day, **filters).with_failed_reminder())


def chip_appointments(first_day: date, last_day: date, **filters) -> list[Appointment]:
    """The calendar's appointments with only what the calendars show (`Chip`): their own
    fields and their people's names (`with_names()`), no related objects."""
    return list(
        _calendar_queryset(first_day, last_day, **filters).select_related(None).with_names()
    )


# --- the day calendar ----------------------------------------------------------------------


@dataclass
class DayCalendar:
    """Every practitioner (or room) working on a day, their free slots and appointments."""

    day: date
    by_rooms: bool
    opening: tuple[datetime, datetime] | None
    grid: Grid
    cancelled: list[Chip]  # cancelled and no-shows: listed under the grid

    @property
    def is_closed(self) -> bool:
        return self.opening is None

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()

    @property
    def previous_day(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=1)

    @property
    def live_count(self) -> int:
        return len(self.grid.chips)


def day_calendar(
    day: date, *, by_rooms: bool = False, can_book: bool = False, user=None
) -> DayCalendar:
    """The day's calendar as `user` sees it (their own sessions get a "Note" button)."""
    now = timezone.now()
    links = ChipLinks.for_user(user, now=now)
    appointments = chip_appointments(day, day)
    live = [a for a in appointments if a.is_live]
    if by_rooms:
        rooms = Room.objects.active_and({a.room_id for a in live})
        availability = Availability(day, day, practitioner_ids=[])  # opening hours only
        owners = sorted(rooms, key=lambda r: (r.name.casefold(), r.pk))
    else:
        shown = list(Practitioner.objects.active_and({a.practitioner_id for a in live}))
        availability = Availability(day, day, practitioner_ids=[p.pk for p in shown])
        booked = {a.practitioner_id for a in live}
        owners = by_name(
            p
            for p in shown
            if p.pk in booked or (p.taking_bookings and availability.works_on(p.pk, day))
        )
    extents = [appointment_extent(a, day) for a in live]
    if (opening := opening_extent(availability, day)) is not None:
        extents.append(opening)
    slots = slots_for(extents)
    columns = []
    per_owner = _grouped(live, key=lambda a: a.room_id if by_rooms else a.practitioner_id)
    for number, owner in enumerate(owners, start=2):
        mine = per_owner.get(owner.pk, [])
        if by_rooms:
            column = Column(number, day, room=owner, booking_name=str(owner))
            state = room_state(availability, owner, day)
            booking = booking_link("room", owner.pk, can_book)
            who = _practitioner_of
        else:
            bookable = owner.taking_bookings
            column = Column(number, day, practitioner=owner, booking_name=owner.display_name)
            column.href = reverse("treatments:schedule-week", args=[owner.pk, day.isoformat()])
            column.note = practitioner_note(availability, owner, day, bookable)
            state = practitioner_state(availability, owner, day, bookable)
            booking = booking_link("practitioner", owner.pk, can_book)
            who = _room_of
        busy = place(column, mine, slots, links, who=who)
        fill(column, slots, state, busy, booking, now)
        columns.append(column)
    grid = Grid(slots, columns)
    cancelled = [Chip(a, links=links) for a in appointments if not a.is_live]
    return DayCalendar(day, by_rooms, availability.opening_span(day), grid, cancelled)


def _grouped(appointments: list[Appointment], *, key) -> dict:
    """The appointments by column (in their order): one pass, not one per column."""
    groups: dict = {}
    for appointment in appointments:
        groups.setdefault(key(appointment), []).append(appointment)
    return groups


def _practitioner_of(appointment: Appointment) -> str:
    return appointment.practitioner_name


def _room_of(appointment: Appointment) -> str:
    return appointment.room_name


# --- a practitioner's week -----------------------------------------------------------------


@dataclass
class WeekCalendar(WeekNavigation):
    """One practitioner's Monday to Sunday, on the rows of the week's widest opening hours."""

    practitioner: Practitioner
    practitioners: list[Practitioner]  # to switch to another practitioner's week
    monday: date
    grid: Grid
    cancelled: list[Chip]


def week_calendar(practitioner_pk: int, day: date, *, can_book: bool = False, user=None):
    """The week containing `day`, or None when there is no such practitioner."""
    now = timezone.now()
    links = ChipLinks.for_user(user, now=now)
    practitioners = list(
        Practitioner.objects.active_and([practitioner_pk]).order_by("display_name", "pk")
    )
    practitioner = next((p for p in practitioners if p.pk == practitioner_pk), None)
    if practitioner is None:
        return None
    bookable = practitioner.taking_bookings
    monday = monday_of(day)
    sunday = monday + timedelta(days=6)
    appointments = chip_appointments(monday, sunday, practitioner_id=practitioner.pk)
    live = [a for a in appointments if a.is_live]
    availability = Availability(monday, sunday, practitioner_ids=[practitioner.pk])
    days = [monday + timedelta(days=i) for i in range(7)]
    extents = [appointment_extent(a, local(a.start).date()) for a in live]
    extents += [e for d in days if (e := opening_extent(availability, d)) is not None]
    slots = slots_for(extents)
    columns = []
    per_day = _grouped(live, key=lambda a: local(a.start).date())
    for number, this_day in enumerate(days, start=2):
        column = Column(
            number,
            this_day,
            href=reverse("treatments:schedule-day", args=[this_day.isoformat()]),
            booking_name=(
                f"{practitioner.display_name} on {this_day:%A} {this_day.day} {this_day:%B}"
            ),
        )
        column.note = (
            "Closed"
            if availability.opening_span(this_day) is None
            else practitioner_note(availability, practitioner, this_day, bookable)
        )
        busy = place(column, per_day.get(this_day, []), slots, links)
        state = practitioner_state(availability, practitioner, this_day, bookable)
        booking = booking_link("practitioner", practitioner.pk, can_book)
        fill(column, slots, state, busy, booking, now)
        columns.append(column)
    grid = Grid(slots, columns)
    cancelled = [Chip(a, links=links) for a in appointments if not a.is_live]
    return WeekCalendar(practitioner, practitioners, monday, grid, cancelled)
