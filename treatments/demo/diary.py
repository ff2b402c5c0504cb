"""The demo clinic's diary: working hours, time off, courses and appointments around the
demo day, booked through the scheduling service as the front desk would (see seed_demo)."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from clinic.availability import Availability
from clinic.formtools import SLOT
from clinic.models import Practitioner, Room, User, local_datetime
from clinic.services import time_off_add, working_hours_add
from patients.models import Complaint
from treatments.courses.services import course_plan
from treatments.models import FOLLOW_UP, Appointment, AppointmentType
from treatments.planning import suggest_course_length
from treatments.scheduling.checks import SchedulingError
from treatments.scheduling.free_slots import find_free_slots
from treatments.scheduling.services import book, cancel, complete, mark_arrived

# Each practitioner's regular week: weekday (Monday = 0) -> blocks. Two work Saturday morning,
# so a Saturday demo still has a full morning.
_SPLIT_DAY = (("09:00", "12:30"), ("13:30", "18:00"))
_EARLY = (("08:00", "12:00"), ("13:00", "16:00"))
WORKING_WEEKS = {
    "practitioner": dict.fromkeys(range(5), _SPLIT_DAY),
    "practitioner2": {
        0: (("12:00", "20:00"),),
        1: (("12:00", "20:00"),),
        3: (("12:00", "20:00"),),
        4: (("08:00", "14:00"),),
        5: (("09:00", "13:00"),),
    },
    "practitioner3": {
        0: _EARLY,
        2: _EARLY,
        3: _EARLY,
        4: (("10:00", "18:00"),),
        5: (("09:00", "14:00"),),
    },
}
TIME_OFF = ("practitioner3", "CPD course: dry needling refresher", 3)  # days, next month

SCHEDULE_SEED = 3103
CHRONIC_COURSES = 25
ACUTE_VISITS = 10
# Courses whose current session falls on the demo day, and acute visits that day.
DEMO_DAY_COURSES = {"weekday": 10, "saturday": 7}
DEMO_DAY_ACUTE = 3
CANCELLATION_REASON = "Patient away with work that week; will ring to rebook."


def demo_day(today: date) -> date:
    """The day the demo diary is full: today, or Monday when the clinic is closed today."""
    return today + timedelta(days=1) if today.weekday() == 6 else today


def _at(text: str) -> time:
    return time.fromisoformat(text)


class DemoDiary:
    """Books the demo's courses through the scheduling service, as the front desk would.

    It keeps its own list of what it booked, so it rarely asks the service for a slot that
    is taken; when the service still refuses (SchedulingError), it tries the next free time
    that day, then the next free slot on the following days (`find_free_slots`).
    """

    def __init__(self, users: dict[str, User], today: date):
        self.users = users
        self.today = today
        self.day = demo_day(today)
        self.now = timezone.now()
        self.rng = random.Random(SCHEDULE_SEED)
        self.practitioners = {
            name: Practitioner.objects.get(user=users[name]) for name in WORKING_WEEKS
        }
        self.rooms = list(Room.objects.active())
        self.types = {t.name: t for t in AppointmentType.objects.active()}
        self.desk = [users["frontdesk"], users["frontdesk2"]]
        self.booked: list[Appointment] = []
        self.courses = 0

    def create(self) -> None:
        self._working_hours()
        self._time_off()
        ids = [p.pk for p in self.practitioners.values()]
        self.availability = Availability(
            self.day - timedelta(days=35), self.day + timedelta(days=100), ids
        )
        chronic, acute = self._complaints()
        self._chronic_courses(chronic)
        self._acute_visits(acute)
        self._statuses()
        self._cancel_one()

    def summary(self) -> str:
        live = [a for a in self.booked if a.is_live]
        on_day = sum(timezone.localtime(a.start).date() == self.day for a in live)
        return (
            f"{self.courses} treatment courses and {len(live)} appointments "
            f"({on_day} on {self.day:%a %d %b})"
        )

    # --- availability -------------------------------------------------------------------

    def _working_hours(self) -> None:
        for name, week in WORKING_WEEKS.items():
            for weekday, blocks in week.items():
                for start, end in blocks:
                    working_hours_add(
                        practitioner=self.practitioners[name],
                        weekday=weekday,
                        start=_at(start),
                        end=_at(end),
                        by=self.users["manager"],
                    )

    def _time_off(self) -> None:
        name, reason, days = TIME_OFF
        first_of_next_month = (self.day.replace(day=28) + timedelta(days=4)).replace(day=1)
        monday = first_of_next_month + timedelta(days=(-first_of_next_month.weekday()) % 7)
        time_off_add(
            practitioner=self.practitioners[name],
            start=local_datetime(monday, time(0)),
            end=local_datetime(monday + timedelta(days=days), time(0)),
            reason=reason,
            by=self.users["manager"],
        )

    def _works(self, practitioner: Practitioner, day: date) -> bool:
        """Working that day for at least an hour, time off aside."""
        return next(self._starts(practitioner, day, timedelta(hours=1)), None) is not None

    def _working_on(self, day: date) -> list[Practitioner]:
        return [p for p in self.practitioners.values() if self._works(p, day)]

    def _least_busy(self, practitioners: list[Practitioner]) -> Practitioner:
        """Whoever has the most free 45-minute starts left on the demo day."""

        def free_starts(practitioner):
            patient = None
            duration = timedelta(minutes=45)
            return sum(
                bool(self._free_rooms(practitioner, patient, start, start + duration))
                for start in self._starts(practitioner, self.day, duration)
            )

        return max(practitioners, key=free_starts)

    def _next_working_day(self, practitioner: Practitioner, day: date) -> date:
        while not self._works(practitioner, day):
            day += timedelta(days=1)
        return day

    # --- courses ------------------------------------------------------------------------

    def _complaints(self) -> tuple[list[Complaint], list[Complaint]]:
        """Chronic and acute complaints of different patients, in a fixed random order."""
        complaints = list(Complaint.objects.select_related("patient", "created_by").order_by("pk"))
        self.rng.shuffle(complaints)
        seen, chronic, acute = set(), [], []
        for complaint in complaints:
            if complaint.patient_id in seen:
                continue
            if complaint.is_chronic and len(chronic) < CHRONIC_COURSES:
                chronic.append(complaint)
            elif complaint.is_acute and len(acute) < ACUTE_VISITS:
                acute.append(complaint)
            else:
                continue
            seen.add(complaint.patient_id)
        return chronic, acute

    def _own_practitioner(self, complaint: Complaint) -> Practitioner:
        """The practitioner who took the complaint, as in a real clinic."""
        for practitioner in self.practitioners.values():
            if practitioner.user_id == complaint.created_by_id:
                return practitioner
        return next(iter(self.practitioners.values()))

    def _chronic_courses(self, complaints: list[Complaint]) -> None:
        key = "saturday" if self.day.weekday() == 5 else "weekday"
        on_day = DEMO_DAY_COURSES[key]
        working = self._working_on(self.day)
        for i, complaint in enumerate(complaints):
            sessions = suggest_course_length(complaint).sessions
            if i < on_day and working:
                # Under way: its next session is on the demo day, earlier ones are done.
                practitioner = self._least_busy(working)
                first = self.day - timedelta(weeks=self.rng.randrange(min(sessions, 4)))
            else:
                practitioner = self._own_practitioner(complaint)
                offset = self.rng.choice((-17, -10, -4, *range(1, 36)))
                first = self._next_working_day(practitioner, self.day + timedelta(days=offset))
                if first == self.day:
                    first = self._next_working_day(practitioner, first + timedelta(days=1))
            self._course(complaint, practitioner, sessions, first)

    def _acute_visits(self, complaints: list[Complaint]) -> None:
        working = self._working_on(self.day)
        for i, complaint in enumerate(complaints):
            if i < DEMO_DAY_ACUTE and working:
                # Squeezed in that day by whoever has the most room for it.
                practitioner, day = self._least_busy(working), self.day
            else:
                practitioner = self._own_practitioner(complaint)
                offset = (
                    -self.rng.randint(1, 6) if i < DEMO_DAY_ACUTE + 2 else self.rng.randint(1, 14)
                )
                day = max(self.day + timedelta(days=offset), complaint.onset_date)
                day = self._next_working_day(practitioner, day)
            self._course(complaint, practitioner, 1, day)

    def _course(self, complaint, practitioner, sessions: int, first: date) -> None:
        course = course_plan(
            complaint=complaint,
            practitioner=practitioner,
            planned_sessions=sessions,
            interval_days=7,
            start_date=first,
            goal="Pain-free sitting and walking; back to normal activity.",
            by=practitioner.user,
        )
        self.courses += 1
        self.book_sessions(course, practitioner, first, sessions)

    def book_sessions(self, course, practitioner, first: date, count: int) -> None:
        """Book the course's first `count` sessions weekly from `first`, at one time of day."""
        sessions = course.planned_sessions
        wanted = self._pick_time(practitioner, first)
        if wanted is None:
            return
        for number in range(count):
            if sessions == 1:
                kind = "Acute visit"
            else:
                kind = "Initial consultation" if number == 0 else FOLLOW_UP
            local = timezone.localtime(wanted)
            when = local_datetime(local.date() + timedelta(weeks=number), local.time())
            self._book(course, practitioner, self.types[kind], when)

    def _pick_time(self, practitioner: Practitioner, day: date) -> datetime | None:
        starts = list(self._starts(practitioner, day, timedelta(minutes=60)))
        on_the_half_hour = [s for s in starts if timezone.localtime(s).minute in (0, 30)]
        return self.rng.choice(on_the_half_hour or starts) if starts else None

    def _starts(self, practitioner: Practitioner, day: date, duration: timedelta):
        """Every start on the calendar's grid when `practitioner` works and is not away."""
        for span_start, span_end in self.availability.working_spans(practitioner.pk, day):
            start = span_start
            while start + duration <= span_end:
                end = start + duration
                if not self.availability.time_off_overlapping(practitioner.pk, start, end):
                    yield start
                start += SLOT

    # --- booking ------------------------------------------------------------------------

    def _book(self, course, practitioner, appointment_type, wanted: datetime) -> None:
        """Book at `wanted`, else the nearest free time that day, else the next free slot."""
        patient = course.complaint.patient
        duration = timedelta(minutes=appointment_type.default_duration)
        day = timezone.localtime(wanted).date()
        starts = sorted(self._starts(practitioner, day, duration), key=lambda s: abs(s - wanted))
        candidates = (
            (start, room)
            for start in starts
            for room in self._free_rooms(practitioner, patient, start, start + duration)
        )
        for start, room in candidates:
            if self._try_book(course, practitioner, room, appointment_type, start):
                return
        if day < self.today:
            return  # a past session with no free time that day: the course simply has a gap
        slots = find_free_slots(
            duration=duration,
            first_day=day + timedelta(days=1),
            last_day=day + timedelta(days=14),
            practitioner=practitioner,
            patient=patient,
            preferred_room=self._room_of(practitioner),
            limit=3,
            availability=self.availability,
        )
        for slot in slots:
            if self._try_book(course, practitioner, slot.room, appointment_type, slot.start):
                return

    def _try_book(self, course, practitioner, room, appointment_type, start) -> bool:
        try:
            appointment = book(
                patient=course.complaint.patient,
                practitioner=practitioner,
                room=room,
                appointment_type=appointment_type,
                start=start,
                course=course,
                by=self.desk[len(self.booked) % 2],
            )
        except SchedulingError:
            return False
        self.booked.append(appointment)
        return True

    def _room_of(self, practitioner: Practitioner) -> Room:
        """Each practitioner has a usual room; they borrow another when it is taken."""
        index = list(self.practitioners.values()).index(practitioner)
        return self.rooms[index % len(self.rooms)]

    def _free_rooms(self, practitioner, patient, start, end) -> list[Room]:
        taken = set()
        for other in self.booked:
            if other.start < end and other.end > start:
                if other.practitioner_id == practitioner.pk or (
                    patient is not None and other.patient_id == patient.pk
                ):
                    return []
                taken.add(other.room_id)
        usual = self._room_of(practitioner)
        rooms = sorted(self.rooms, key=lambda r: r.pk != usual.pk)
        return [room for room in rooms if room.pk not in taken]

    # --- what has happened so far ---------------------------------------------------------

    def _statuses(self) -> None:
        """Sessions that are over were completed; one under way has the patient in."""
        for appointment in self.booked:
            if appointment.end <= self.now:
                complete(appointment=appointment, by=appointment.practitioner.user)
            elif appointment.start <= self.now:
                mark_arrived(appointment=appointment, by=self.desk[0])

    def _cancel_one(self) -> None:
        later = [
            a
            for a in self.booked
            if a.course.planned_sessions > 1
            and timezone.localtime(a.start).date() > self.day + timedelta(days=2)
        ]
        if later:
            appointment = min(later, key=lambda a: a.start)
            cancel(appointment=appointment, reason=CANCELLATION_REASON, by=self.desk[1])
