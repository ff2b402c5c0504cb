"""The calendars' grid: rows of wall-clock slots, a column per practitioner, room or day,
appointments placed as chips and the free, closed and away blocks between them.

Rows are wall-clock times in the clinic's zone: an appointment at 10:00 sits in the 10:00
row on either side of a daylight-saving change. Grid row 1 holds the column headers, grid
column 1 the times. `calendar.py` builds the day and week calendars from these pieces.

Speed: a calendar prints hundreds of chips and slots, so everything they show is made here
as text and the templates only print it. Numbers are included as text too (`grid_area`,
`data-*`): a template localises every integer it prints (`number_format`), which cost more
than the rest of a chip.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clinic.availability import Availability
from clinic.formtools import SLOT
from clinic.links import PkLink
from clinic.models import Practitioner, Room, local_datetime
from patients.models import patient_display_name
from treatments.models import Appointment, AppointmentStatus

SLOT_MINUTES = settings.SCHEDULE_SLOT_MINUTES
FIRST_ROW = 2  # grid row 1 holds the column headers
MINUTES_IN_DAY = 24 * 60


def local(moment: datetime) -> datetime:
    """`moment` on the clinic's wall clock: `timezone.localtime()` without looking up the
    current zone each time (a calendar converts thousands of times; Meridian never activates
    another zone than the clinic's, TIME_ZONE)."""
    return moment.astimezone(timezone.get_default_timezone())


def _minute_of(moment: datetime, day: date) -> int:
    """Minutes from midnight at the start of `day` to `moment`, on the clinic's wall clock."""
    local_moment = local(moment)
    minutes = (
        (local_moment.date() - day).days * MINUTES_IN_DAY
        + local_moment.hour * 60
        + local_moment.minute
    )
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

    @property
    def grid_area(self) -> str:
        return f"grid-row: {self.row};"


@dataclass
class Block:
    """The background of a column over one or more rows.

    A free slot (a booking link when the user may book), or a stretch that cannot be
    booked, with the reason: "closed", "off" (not working), "away" (time off), "past".
    """

    column: int
    row: int
    span: int
    kind: str
    reason: str = ""
    label: str = ""  # the slot's time, for free slots
    href: str = ""  # the booking form for the slot, when the user may book
    hint: str = ""  # the link's words for screen readers: "book Paul Quinn at 10:00"

    @property
    def end_row(self) -> int:
        return self.row + self.span

    @property
    def grid_area(self) -> str:
        if self.href:  # a free slot: always one row
            return f"grid-column: {self.column}; grid-row: {self.row};"
        return f"grid-column: {self.column}; grid-row: {self.row} / span {self.span};"


@dataclass(frozen=True)
class ChipLinks:
    """What a page's chips link to, each URL pattern reversed once per page (`PkLink`), and
    who is looking: the user's own sessions get a "Note" button, movers get drag-and-drop."""

    detail: PkLink
    note: PkLink
    freed: PkLink
    move: PkLink | None  # None: the user may not move appointments
    user_id: int | None
    now: datetime

    @classmethod
    def for_user(cls, user, *, now: datetime | None = None) -> "ChipLinks":
        can_move = user is not None and user.has_perm("treatments.change_appointment")
        return cls(
            detail=PkLink("treatments:appointment-detail"),
            note=PkLink("treatments:note-start"),
            freed=PkLink("treatments:waitlist-freed"),
            move=PkLink("treatments:appointment-move") if can_move else None,
            user_id=getattr(user, "pk", None),
            now=now or timezone.now(),
        )


class Chip:
    """An appointment as the calendars show it: on the grid from its start row, spanning its
    slots (a live one), or in the list of cancelled ones under it.

    Everything the chip shows is worked out here, once, from the appointment's own columns
    (`calendar.chip_appointments`), so the templates only print it: its text, tooltip, links
    and drag data. `who` is the line naming its room or practitioner, if any.
    """

    def __init__(
        self,
        appointment: Appointment,
        row: int = 0,
        span: int = 1,
        *,
        links: ChipLinks,
        lane: int = 0,
        who: str = "",
        column: int = 0,
    ):
        a = appointment
        self.appointment, self.row, self.span, self.lane, self.who = a, row, span, lane, who
        self.session: int | None = a.session_number  # among the course's live sessions
        self.progress = (
            f"{self.session}/{a.planned_sessions}"
            if a.course_id is not None and self.session is not None
            else ""
        )
        self.red_flagged: bool = a.red_flagged
        # Not get_status_display(): it flattens the field's choices on every call.
        self.status, self.status_label = a.status, AppointmentStatus(a.status).label
        self.patient = patient_display_name(
            a.patient_given_name, a.patient_preferred_name, a.patient_family_name
        )
        self.type_name, self.room = a.type_name, a.room_name
        self.practitioner, self.colour = a.practitioner_name, a.practitioner_colour
        # The chip's classes and place on the grid, whole: one template variable each.
        self.classes = f"calendar-chip--{a.status}"
        self.classes += " calendar-chip--overlap" if lane else ""
        self.classes += " calendar-chip--short" if span == 1 else ""
        self.grid_area = f"grid-column: {column}; grid-row: {row} / span {span};"
        self.style = f"{self.grid_area} border-left-color: {self.colour};"
        self.start, self.end = local(a.start), local(a.end)
        self.time_range = f"{self.start:%H:%M}–{self.end:%H:%M}"
        session = f", session {self.progress.replace('/', ' of ')}" if self.progress else ""
        # Everything about the appointment in one line, for the chip's tooltip.
        self.summary = (
            f"{self.time_range} {self.patient}, {self.type_name}{session}"
            f" with {self.practitioner} in {self.room} ({self.status_label})"
        )
        self.url = links.detail(a.pk)
        booked = a.status == AppointmentStatus.BOOKED
        self.move_url = links.move(a.pk) if links.move is not None and booked else ""
        self.duration = str(a.duration_minutes) if self.move_url else ""
        self.practitioner_id, self.room_id = str(a.practitioner_id), str(a.room_id)
        # One click to the session note for the treating practitioner.
        mine = links.user_id is not None and a.practitioner_user_id == links.user_id
        self.note_url = links.note(a.pk) if mine and a.note_can_start(links.now) else ""
        # A cancellation's freed slot, while it is still ahead, can go to the waiting list.
        self.freed_url = links.freed(a.pk) if links.now < a.end and not a.is_live else ""


@dataclass
class Column:
    """One practitioner or room on a day (day calendar), or one day (week view)."""

    number: int  # grid column; the times are column 1
    day: date
    practitioner: Practitioner | None = None
    room: Room | None = None
    note: str = ""
    href: str = ""  # the column heading's link: the practitioner's week, or the day
    booking_name: str = ""  # who a free slot books: "Paul Quinn", "Paul Quinn on Monday 7 December"
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


def slots_for(extents: list[tuple[int, int]]) -> list[Slot]:
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


def opening_extent(availability: Availability, day: date) -> tuple[int, int] | None:
    span = availability.opening_span(day)
    return None if span is None else (_minute_of(span[0], day), _minute_of(span[1], day))


def appointment_extent(appointment: Appointment, day: date) -> tuple[int, int]:
    return _minute_of(appointment.start, day), _minute_of(appointment.end, day)


def place(
    column: Column,
    appointments: list[Appointment],
    slots: list[Slot],
    links: ChipLinks,
    *,
    who=None,
) -> set[int]:
    """Put the live appointments on the column as chips; return the rows they cover.

    `who(appointment)` names the room or practitioner on the chip (none on the week view).
    """
    if not slots:
        return set()
    first = slots[0].minute
    busy, lane_ends = set(), []
    for appointment in appointments:
        start, end = appointment_extent(appointment, column.day)
        row = FIRST_ROW + (start - first) // SLOT_MINUTES
        end_row = FIRST_ROW - (-(end - first) // SLOT_MINUTES)
        span = max(end_row - row, 1)
        lane = next((i for i, lane_end in enumerate(lane_ends) if lane_end <= row), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(0)
        lane_ends[lane] = row + span
        text = who(appointment) if who is not None else ""
        column.chips.append(
            Chip(appointment, row, span, links=links, lane=lane, who=text, column=column.number)
        )
        busy.update(range(row, row + span))
    return busy


def fill(column: Column, slots: list[Slot], state, busy: set[int], booking, now) -> None:
    """Background blocks for the column: free slots one by one, shaded stretches merged.

    `state(start, end)` says ("free", "") or why the slot cannot be booked; `booking(start)`
    gives the booking link (empty when the user may not book).
    """
    zone = timezone.get_default_timezone()
    for slot in slots:
        start = local_datetime(column.day, slot.at, zone)
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
        href = booking(start) if kind == "free" else ""
        hint = f"book {column.booking_name} at {slot.label}" if href else ""
        column.blocks.append(
            Block(column.number, slot.row, 1, kind, reason, slot.label, href, hint)
        )


def _hours(spans) -> str:
    return ", ".join(
        f"{timezone.localtime(a):%H:%M}–{timezone.localtime(b):%H:%M}" for a, b in spans
    )


def practitioner_state(availability: Availability, practitioner, day: date, bookable: bool):
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


def room_state(availability: Availability, room: Room, day: date):
    opening = availability.opening_span(day)

    def state(start, end):
        if opening is None or start < opening[0] or end > opening[1]:
            return "closed", "Clinic closed"
        if not room.is_active:
            return "off", "Not in use"
        return "free", ""

    return state


def booking_link(param: str, pk: int, can_book: bool):
    """The booking form's address for a free slot of this practitioner or room."""
    book_url = reverse("treatments:appointment-create") if can_book else ""

    def link(start: datetime) -> str:
        if not can_book:
            return ""
        return f"{book_url}?{param}={pk}&start={local(start):%Y-%m-%dT%H:%M}"

    return link


def practitioner_note(availability: Availability, practitioner, day: date, bookable) -> str:
    if not bookable:
        return "Not taking bookings"
    spans = availability.working_spans(practitioner.pk, day)
    return _hours(spans) if spans else "Not working"
