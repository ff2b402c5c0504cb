"""Proposals for booking a whole course: where each session would go, what stands in its
way, and the nearest free alternatives. Reads only; `services.book_course` books.

The course booking page is a report of rows (one per session): proposed from the first
session and the interval, then checked again with the times the user chose.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clinic.availability import Availability
from clinic.formtools import SLOT
from clinic.models import Room, local_datetime
from clinic.params import parse_id, parse_number
from treatments.models import AppointmentType, TreatmentCourse
from treatments.scheduling.checks import slot_problems
from treatments.scheduling.forms import SessionSlotForm, choice_value
from treatments.scheduling.free_slots import FreeSlot, nearest_free_slots

# How far ahead the booking page looks for the practitioner's next working day.
WORKING_DAY_SEARCH_DAYS = 14


@dataclass
class ProposedSession:
    """One session of a course proposal: where it would go, and what is in the way.

    A session whose regular time is taken is moved to the nearest free time; `moved_from`
    and `moved_because` say from where and why. Only a session with no free time nearby keeps
    its problems (and its regular time)."""

    number: int
    start: datetime
    end: datetime
    room: Room
    problems: list[str] = field(default_factory=list)
    alternatives: list["FreeSlot"] = field(default_factory=list)
    moved_from: datetime | None = None
    moved_because: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def session_starts(first_start: datetime, interval_days: int, count: int) -> list[datetime]:
    """Same wall-clock time every `interval_days`, whatever daylight saving does."""
    local = timezone.localtime(first_start)
    return [
        local_datetime(local.date() + timedelta(days=interval_days * i), local.time())
        for i in range(count)
    ]


def _problems(course, room, start, duration, availability) -> list[str]:
    """What stands in the way of one session of `course` (see `checks.slot_problems`)."""
    return slot_problems(
        patient=course.complaint.patient,
        practitioner=course.practitioner,
        room=room,
        start=start,
        end=start + duration,
        availability=availability,
    ).messages


def _alternatives(course, room, start, duration, availability, problems) -> list[FreeSlot]:
    """The free slots nearest a session that cannot go where it was wanted (none if it can)."""
    if not problems:
        return []
    return nearest_free_slots(
        practitioner=course.practitioner,
        patient=course.complaint.patient,
        wanted=start,
        duration=duration,
        preferred_room=room,
        availability=availability,
    )


def _overlaps(start: datetime, end: datetime, others: list[ProposedSession]) -> list[str]:
    return [
        f"It overlaps session {other.number} of this booking."
        for other in others
        if other.start < end and other.end > start
    ]


def propose_course(
    *,
    course: TreatmentCourse,
    first_start: datetime,
    interval_days: int,
    room: Room,
    appointment_type: AppointmentType,
) -> list[ProposedSession]:
    """Every session still to book, at the regular weekday and time where the practitioner,
    the room (or another room) and the patient are free, else at the nearest free time; a
    session with no free time nearby is reported with its problems."""
    already = course.appointments.live().count()
    duration = timedelta(minutes=appointment_type.default_duration)
    starts = session_starts(first_start, interval_days, max(course.planned_sessions - already, 0))
    if not starts:
        return []
    availability = Availability(
        timezone.localtime(starts[0]).date(),
        timezone.localtime(starts[-1]).date() + timedelta(days=7),
        [course.practitioner_id],
    )
    proposals: list[ProposedSession] = []
    for offset, start in enumerate(starts):
        proposal = ProposedSession(already + offset + 1, start, start + duration, room)
        wanted = _problems(course, room, start, duration, availability)
        wanted += _overlaps(start, start + duration, proposals)
        if wanted:
            free = [
                slot
                for slot in _alternatives(course, room, start, duration, availability, wanted)
                if not _overlaps(slot.start, slot.end, proposals)
            ]
            nearest = min(free, key=lambda slot: abs(slot.start - start), default=None)
            if nearest is None:
                proposal.problems = wanted
            else:
                proposal.start, proposal.end, proposal.room = (
                    nearest.start,
                    nearest.end,
                    nearest.room,
                )
                proposal.moved_from, proposal.moved_because = start, wanted
        proposals.append(proposal)
    return proposals


@dataclass
class ReportRow:
    """One session of the booking report: the inputs and what stands in their way."""

    form: SessionSlotForm
    problems: list[str] = field(default_factory=list)
    alternatives: list[FreeSlot] = field(default_factory=list)
    checked: bool = False
    position: int | None = None  # its number among the course's live sessions, by date
    moved_from: datetime | None = None  # the regular time it was moved from, and why
    moved_because: list[str] = field(default_factory=list)

    @property
    def number(self) -> int:
        return self.form.number

    @property
    def start(self) -> datetime | None:
        """The start to describe in words: as checked, else as proposed."""
        if self.form.is_bound:
            return self.form.cleaned_data.get("start") if self.form.is_valid() else None
        return self.form.initial.get("start")

    @property
    def choices(self) -> list[tuple[str, FreeSlot]]:
        return [(choice_value(slot.start, slot.room), slot) for slot in self.alternatives]


def propose_rows(course, proposal: dict, rooms: list[Room]) -> list[ReportRow]:
    proposed = propose_course(
        course=course,
        first_start=proposal["first_start"],
        interval_days=proposal["interval_days"],
        room=proposal["room"],
        appointment_type=proposal["appointment_type"],
    )
    return [
        ReportRow(
            SessionSlotForm(
                number=p.number, rooms=rooms, initial={"start": p.start, "room": p.room.pk}
            ),
            problems=p.problems,
            alternatives=p.alternatives,
            checked=True,
            moved_from=p.moved_from,
            moved_because=p.moved_because,
        )
        for p in proposed
    ]


def read_rows(data, rooms: list[Room]) -> list[ReportRow]:
    """The rows the user sent back, each as they left it (numbers come from hidden inputs)."""
    numbers = sorted(
        {n for n in (parse_number(v, low=1, high=12) for v in data.getlist("session")) if n}
    )
    return [ReportRow(SessionSlotForm(data, number=n, rooms=rooms)) for n in numbers]


def check_rows(course: TreatmentCourse, rows: list[ReportRow], duration: timedelta) -> None:
    """What propose_course says about each session, for times the user chose.

    Rows with unreadable input keep their field errors and are not checked.
    """
    valid = [row for row in rows if row.form.is_valid()]
    if not valid:
        return
    spans = {
        row.number: (row.form.cleaned_data["start"], row.form.cleaned_data["start"] + duration)
        for row in valid
    }
    days = [timezone.localtime(start).date() for start, _ in spans.values()]
    availability = Availability(min(days), max(days) + timedelta(days=7), [course.practitioner_id])
    for row in valid:
        start, end = spans[row.number]
        room = row.form.cleaned_data["room"]
        row.problems = _problems(course, room, start, duration, availability)
        row.problems += [
            f"It overlaps session {number} of this booking."
            for number, (other_start, other_end) in spans.items()
            if number != row.number and other_start < end and other_end > start
        ]
        row.alternatives = _alternatives(course, room, start, duration, availability, row.problems)
        row.checked = True


def _on_grid(moment: datetime) -> datetime:
    """Round up to the booking grid (a working block may begin at 09:10)."""
    local = timezone.localtime(moment).replace(second=0, microsecond=0)
    extra = local.minute % int(SLOT.total_seconds() // 60)
    return local + (SLOT - timedelta(minutes=extra)) if extra else local


def next_working_start(
    practitioner_id: int, first_day: date, *, at: time | None = None, length=timedelta(0)
) -> datetime | None:
    """The practitioner's first working day from `first_day` on, at `at` (on a day when one
    of their blocks holds `at` to `at + length`), or at their first hour when `at` is None."""
    last_day = first_day + timedelta(days=WORKING_DAY_SEARCH_DAYS)
    availability = Availability(first_day, last_day, [practitioner_id])
    for offset in range(WORKING_DAY_SEARCH_DAYS + 1):
        day = first_day + timedelta(days=offset)
        for span_start, span_end in availability.working_spans(practitioner_id, day):
            if at is None:
                return _on_grid(span_start)
            start = local_datetime(day, at)
            if span_start <= start and start + length <= span_end:
                return start
    return None


def default_first_start(course: TreatmentCourse, *, after: str = "") -> datetime | None:
    """Where the first session to book most likely goes.

    Rebooking a cancelled session (?after=<id>): from the day after it, the first day its
    time fits the practitioner's hours. With sessions booked already: one interval after the
    last, at its time. Otherwise the practitioner's next working day, at their first hour.
    """
    tomorrow = timezone.localdate() + timedelta(days=1)
    after_id = parse_id(after)
    cancelled = course.appointments.filter(pk=after_id).first() if after_id else None
    if cancelled is not None:
        local = timezone.localtime(cancelled.start)
        start = next_working_start(
            course.practitioner_id,
            max(local.date() + timedelta(days=1), tomorrow),
            at=local.time(),
            length=cancelled.end - cancelled.start,
        )
        if start is not None:
            return start
    last = course.appointments.live().order_by("-start").first()
    if last is not None:
        local = timezone.localtime(last.start)
        start = local_datetime(local.date() + timedelta(days=course.interval_days), local.time())
        if start > timezone.now():
            return start
    return next_working_start(course.practitioner_id, max(tomorrow, course.start_date))


def proposal_initial(course: TreatmentCourse, rooms: list[Room], *, after: str = "") -> dict:
    """The proposal form's first values: the course's interval, a follow-up, the room of the
    last session and the most likely first start (see `default_first_start`)."""
    last_room = (
        course.appointments.live().order_by("-start").values_list("room_id", flat=True).first()
    )
    initial = {
        "interval_days": course.interval_days,
        "appointment_type": AppointmentType.objects.follow_up(),
        "room": last_room if last_room in {r.pk for r in rooms} else rooms[0] if rooms else None,
    }
    first_start = default_first_start(course, after=after)
    if first_start is not None:
        local = timezone.localtime(first_start)
        initial["first_date"], initial["first_time"] = local.date(), f"{local:%H:%M}"
    return initial


def number_rows(course: TreatmentCourse, rows: list[ReportRow]) -> None:
    """Number each row as the course page will once it is booked: by date among the live
    sessions (a rebooked session 2 is session 2, not the last one)."""
    numbers = course.session_numbers([row.start for row in rows if row.start])
    for row in rows:
        row.position = numbers.get(row.start)
