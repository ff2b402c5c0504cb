"""The day calendar and a practitioner's week, as rows (time slots) and columns for a CSS grid.

A calendar page loads everything it shows here, in a fixed number of queries whatever the
number of appointments:

1. the appointments of the day (or week), with their people, their session number and a
   red-flag `Exists()`;
2. the practitioners (or rooms) that may get a column;
3. opening hours, working hours and time off (three queries, through `Availability`; the
   room view needs only the opening hours, so it runs one).

Each chip's "2/4" comes with the appointments (`with_session_number()`), in the same query.

Rows are wall-clock times in the clinic's zone: an appointment at 10:00 sits in the 10:00
row on either side of a daylight-saving change. Grid row 1 holds the column headers, grid
column 1 the times.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from clinic.availability import Availability
from clinic.formtools import SLOT
from clinic.models import Practitioner, Room, local_datetime
from patients.models import Complaint, ComplaintStatus
from treatments.models import Appointment

SLOT_MINUTES = settings.SCHEDULE_SLOT_MINUTES
FIRST_ROW = 2  # grid row 1 holds the column headers
MINUTES_IN_DAY = 24 * 60

# Beyond these years the previous/next links would overflow Python's dates.
FIRST_YEAR, LAST_YEAR = 1900, 2999


def parse_day(value: str | None) -> date | None:
    """A YYYY-MM-DD date, or None. (date.fromisoformat alone also takes '20250331'.)"""
    if not value or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _minute_of(moment: datetime, day: date) -> int:
    """Minutes from midnight at the start of `day` to `moment`, on the clinic's wall clock."""
    local = timezone.localtime(moment)
    minutes = (local.date() - day).days * MINUTES_IN_DAY + local.hour * 60 + local.minute
    return min(max(minutes, 0), MINUTES_IN_DAY)


@dataclass(frozen=True)
class Slot:
    """One row of the grid: a wall-clock time, the same on every day of the calendar."""

    row: int
    minute: int  # after midnight

    @property
    def at(self) -> time:
        return time(self.minute // 60, self.minute % 60)

    @property
    def label(self) -> str:
        return f"{self.minute // 60:02d}:{self.minute % 60:02d}"

    @property
    def on_the_hour(self) -> bool:
        return self.minute % 60 == 0


@dataclass
class Block:
    """The background of a column over one or more rows.

    A free slot (a booking link when the user may book), or a stretch that cannot be
    booked, with the reason: "closed", "off" (not working), "away" (time off), "past".
    """

    row: int
    span: int
    kind: str
    reason: str = ""
    label: str = ""  # the slot's time, for free slots
    booking_query: str = ""

    @property
    def end_row(self) -> int:
        return self.row + self.span


@dataclass
class Chip:
    """A live appointment placed on the grid: from its start row, spanning its slots."""

    appointment: Appointment
    row: int
    span: int
    lane: int = 0  # > 0 when it overlaps another chip of the column (off-grid times)

    @property
    def session(self) -> int | None:
        """Its number among the course's live sessions, by start."""
        return self.appointment.session_number

    @property
    def progress(self) -> str:
        course = self.appointment.course
        if course is None or self.session is None:
            return ""
        return f"{self.session}/{course.planned_sessions}"

    @property
    def red_flagged(self) -> bool:
        return self.appointment.red_flagged

    @cached_property
    def time_range(self) -> str:
        start, end = (timezone.localtime(t) for t in (self.appointment.start, self.appointment.end))
        return f"{start:%H:%M}–{end:%H:%M}"

    @cached_property
    def summary(self) -> str:
        """Everything about the appointment in one line, for the chip's tooltip."""
        a = self.appointment
        session = f", session {self.progress.replace('/', ' of ')}" if self.progress else ""
        return (
            f"{self.time_range} {a.patient.display_name}, {a.appointment_type.name}{session}"
            f" with {a.practitioner.display_name} in {a.room} ({a.get_status_display()})"
        )


@dataclass
class Column:
    """One practitioner or room on a day (day calendar), or one day (week view)."""

    number: int  # grid column; the times are column 1
    day: date
    practitioner: Practitioner | None = None
    room: Room | None = None
    note: str = ""
    blocks: list[Block] = field(default_factory=list)
    chips: list[Chip] = field(default_factory=list)

    @property
    def is_today(self) -> bool:
        return self.day == timezone.localdate()

    @property
    def title(self) -> str:
        if self.practitioner is not None:
            return self.practitioner.display_name
        if self.room is not None:
            return str(self.room)
        return f"{self.day:%a} {self.day.day} {self.day:%b}"


@dataclass
class Grid:
    slots: list[Slot]
    columns: list[Column]

    @property
    def chips(self) -> list[Chip]:
        return [chip for column in self.columns for chip in column.chips]


def calendar_appointments(first_day: date, last_day: date, **filters) -> list[Appointment]:
    """Appointments starting on the days, all statuses, with people and a red-flag marker.

    `red_flagged`: the course's complaint, or any active complaint of the patient, records
    red flags — one subquery, so the calendar needs no query per chip.
    """
    flagged = Complaint.objects.exclude(red_flags=[]).filter(
        Q(pk=OuterRef("course__complaint_id"))
        | Q(patient_id=OuterRef("patient_id"), status=ComplaintStatus.ACTIVE)
    )
    return list(
        Appointment.objects.between_days(first_day, last_day)
        .filter(**filters)
        .with_people()
        .with_session_number()
        .annotate(red_flagged=Exists(flagged))
        .order_by("start", "id")
    )


def _slots(extents: list[tuple[int, int]]) -> list[Slot]:
    """Rows on the slot grid covering every (first minute, last minute) extent."""
    extents = [(a, b) for a, b in extents if b > a]
    if not extents:
        return []
    first = min(a for a, _ in extents) // SLOT_MINUTES * SLOT_MINUTES
    last = -(-max(b for _, b in extents) // SLOT_MINUTES) * SLOT_MINUTES
    return [
        Slot(FIRST_ROW + i, minute)
        for i, minute in enumerate(range(first, min(last, MINUTES_IN_DAY), SLOT_MINUTES))
    ]


def _opening_extent(availability: Availability, day: date) -> tuple[int, int] | None:
    span = availability.opening_span(day)
    return None if span is None else (_minute_of(span[0], day), _minute_of(span[1], day))


def _appointment_extent(appointment: Appointment, day: date) -> tuple[int, int]:
    return _minute_of(appointment.start, day), _minute_of(appointment.end, day)


def _place(column: Column, appointments: list[Appointment], slots: list[Slot]) -> set[int]:
    """Put the live appointments on the column as chips; return the rows they cover."""
    if not slots:
        return set()
    first = slots[0].minute
    busy, lane_ends = set(), []
    for appointment in appointments:
        start, end = _appointment_extent(appointment, column.day)
        row = FIRST_ROW + (start - first) // SLOT_MINUTES
        end_row = FIRST_ROW - (-(end - first) // SLOT_MINUTES)
        span = max(end_row - row, 1)
        lane = next((i for i, lane_end in enumerate(lane_ends) if lane_end <= row), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(0)
        lane_ends[lane] = row + span
        column.chips.append(Chip(appointment, row, span, lane=lane))
        busy.update(range(row, row + span))
    return busy


def _fill(column: Column, slots: list[Slot], state, busy: set[int], booking, now) -> None:
    """Background blocks for the column: free slots one by one, shaded stretches merged.

    `state(start, end)` says ("free", "") or why the slot cannot be booked; `booking(start)`
    gives the booking link's query (empty when the user may not book).
    """
    for slot in slots:
        start = local_datetime(column.day, slot.at)
        end = start + SLOT
        kind, reason = state(start, end)
        if kind == "free" and slot.row in busy:
            continue
        if kind == "free" and end <= now:
            kind = "past"
        previous = column.blocks[-1] if column.blocks else None
        if (
            kind != "free"
            and previous is not None
            and (previous.kind, previous.reason) == (kind, reason)
            and previous.end_row == slot.row
        ):
            previous.span += 1
            continue
        query = booking(start) if kind == "free" else ""
        column.blocks.append(Block(slot.row, 1, kind, reason, slot.label, query))


def _hours(spans) -> str:
    return ", ".join(
        f"{timezone.localtime(a):%H:%M}–{timezone.localtime(b):%H:%M}" for a, b in spans
    )


def _practitioner_state(availability: Availability, practitioner, day: date, bookable: bool):
    opening = availability.opening_span(day)
    spans = availability.working_spans(practitioner.pk, day)

    def state(start, end):
        if opening is None or start < opening[0] or end > opening[1]:
            return "closed", "Clinic closed"
        if not bookable:
            return "off", "Not taking bookings"
        away = availability.time_off_overlapping(practitioner.pk, start, end)
        if away:
            return "away", away[0].reason
        if not any(a <= start and end <= b for a, b in spans):
            return "off", "Not working"
        return "free", ""

    return state


def _room_state(availability: Availability, room: Room, day: date):
    opening = availability.opening_span(day)

    def state(start, end):
        if opening is None or start < opening[0] or end > opening[1]:
            return "closed", "Clinic closed"
        if not room.is_active:
            return "off", "Not in use"
        return "free", ""

    return state


def _booking(param: str, pk: int, can_book: bool):
    def query(start: datetime) -> str:
        if not can_book:
            return ""
        return f"{param}={pk}&start={timezone.localtime(start):%Y-%m-%dT%H:%M}"

    return query


def _practitioner_note(availability: Availability, practitioner, day: date, bookable) -> str:
    if not bookable:
        return "Not taking bookings"
    spans = availability.working_spans(practitioner.pk, day)
    return _hours(spans) if spans else "Not working"


# --- the day calendar ----------------------------------------------------------------------


@dataclass
class DayCalendar:
    """Every practitioner (or room) working on a day, their free slots and appointments."""

    day: date
    by_rooms: bool
    opening: tuple[datetime, datetime] | None
    grid: Grid
    cancelled: list[Appointment]  # cancelled and no-shows: listed under the grid

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


def day_calendar(day: date, *, by_rooms: bool = False, can_book: bool = False) -> DayCalendar:
    now = timezone.now()
    appointments = calendar_appointments(day, day)
    live = [a for a in appointments if a.is_live]
    if by_rooms:
        rooms = {room.pk: room for room in Room.objects.active()}
        rooms.update((a.room_id, a.room) for a in live)
        availability = Availability(day, day, practitioner_ids=[])  # opening hours only
        owners = sorted(rooms.values(), key=lambda r: (r.name.casefold(), r.pk))
    else:
        active = {p.pk: p for p in Practitioner.objects.active()}
        booked = {a.practitioner_id: a.practitioner for a in live}
        availability = Availability(day, day, practitioner_ids=[*active, *booked])
        working = {pk: p for pk, p in active.items() if availability.works_on(pk, day)}
        owners = sorted(
            {**working, **booked}.values(), key=lambda p: (p.display_name.casefold(), p.pk)
        )
    extents = [_appointment_extent(a, day) for a in live]
    if (opening := _opening_extent(availability, day)) is not None:
        extents.append(opening)
    slots = _slots(extents)
    columns = []
    for number, owner in enumerate(owners, start=2):
        if by_rooms:
            column = Column(number, day, room=owner)
            state = _room_state(availability, owner, day)
            booking = _booking("room", owner.pk, can_book)
            mine = [a for a in live if a.room_id == owner.pk]
        else:
            bookable = owner.pk in active
            column = Column(number, day, practitioner=owner)
            column.note = _practitioner_note(availability, owner, day, bookable)
            state = _practitioner_state(availability, owner, day, bookable)
            booking = _booking("practitioner", owner.pk, can_book)
            mine = [a for a in live if a.practitioner_id == owner.pk]
        busy = _place(column, mine, slots)
        _fill(column, slots, state, busy, booking, now)
        columns.append(column)
    grid = Grid(slots, columns)
    cancelled = [a for a in appointments if not a.is_live]
    return DayCalendar(day, by_rooms, availability.opening_span(day), grid, cancelled)


# --- a practitioner's week -----------------------------------------------------------------


@dataclass
class WeekCalendar:
    """One practitioner's Monday to Sunday, on the rows of the week's widest opening hours."""

    practitioner: Practitioner
    practitioners: list[Practitioner]  # to switch to another practitioner's week
    monday: date
    grid: Grid
    cancelled: list[Appointment]

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


def week_calendar(practitioner_pk: int, day: date, *, can_book: bool = False):
    """The week containing `day`, or None when there is no such practitioner."""
    now = timezone.now()
    practitioners = list(
        Practitioner.objects.filter(Q(is_active=True, user__is_active=True) | Q(pk=practitioner_pk))
        .select_related("user")
        .order_by("display_name", "pk")
    )
    practitioner = next((p for p in practitioners if p.pk == practitioner_pk), None)
    if practitioner is None:
        return None
    bookable = practitioner.is_active and practitioner.user.is_active
    monday = monday_of(day)
    sunday = monday + timedelta(days=6)
    appointments = calendar_appointments(monday, sunday, practitioner_id=practitioner.pk)
    live = [a for a in appointments if a.is_live]
    availability = Availability(monday, sunday, practitioner_ids=[practitioner.pk])
    days = [monday + timedelta(days=i) for i in range(7)]
    extents = [_appointment_extent(a, timezone.localtime(a.start).date()) for a in live]
    extents += [e for d in days if (e := _opening_extent(availability, d)) is not None]
    slots = _slots(extents)
    columns = []
    for number, this_day in enumerate(days, start=2):
        column = Column(number, this_day)
        column.note = (
            "Closed"
            if availability.opening_span(this_day) is None
            else _practitioner_note(availability, practitioner, this_day, bookable)
        )
        mine = [a for a in live if timezone.localtime(a.start).date() == this_day]
        busy = _place(column, mine, slots)
        state = _practitioner_state(availability, practitioner, this_day, bookable)
        booking = _booking("practitioner", practitioner.pk, can_book)
        _fill(column, slots, state, busy, booking, now)
        columns.append(column)
    grid = Grid(slots, columns)
    cancelled = [a for a in appointments if not a.is_live]
    return WeekCalendar(practitioner, practitioners, monday, grid, cancelled)
