"""Fill a database with a believable demo clinic: staff, rooms, patients and their complaints,
working hours and time off, treatment courses and a diary of appointments around today.

    python manage.py seed_demo             # create the demo clinic (once; a rerun is a no-op)
    python manage.py seed_demo --if-empty  # only when there are no users and no patients yet

Every write goes through the services, so the demo data passes the same validation as real
data. Faker runs with a fixed seed, so the same people and stories come out every time; dates
are counted back from today, so acute complaints are still acute on the day of the demo.

The diary centres on the demo day (today, or Monday when today is a Sunday): about a dozen
appointments that day, courses that began one to three weeks ago with their first sessions
completed ("2 of 4"), courses and acute visits over the next weeks, one cancellation.
"""

import random
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from faker import Faker

from clinic.availability import Availability
from clinic.formtools import SLOT
from clinic.models import Practitioner, Room, User, local_datetime
from clinic.roles import Role
from clinic.services import room_save, staff_create, time_off_add, working_hours_add
from patients.models import BodyRegion as R
from patients.models import Complaint, Patient, RedFlag, Sex, Side
from patients.services import complaint_record, patient_register
from treatments import demo_notes
from treatments.courses.services import course_plan
from treatments.models import Appointment, AppointmentType
from treatments.planning import suggest_course_length
from treatments.scheduling.checks import SchedulingError
from treatments.scheduling.free_slots import find_free_slots
from treatments.scheduling.services import book, cancel, complete, mark_arrived

DEMO_PASSWORD = "meridian-demo"
FAKER_SEED = 5102
PATIENT_COUNT = 200

# (username, first name, last name, role, practitioner profile)
STAFF = (
    ("manager", "Helen", "Marsh", Role.MANAGER, None),
    ("frontdesk", "Tom", "Okafor", Role.FRONT_DESK, None),
    ("frontdesk2", "Grace", "Lindqvist", Role.FRONT_DESK, None),
    ("practitioner", "Ana", "Reyes", Role.PRACTITIONER,
     {"display_name": "Dr Ana Reyes", "credentials": "L.Ac.", "colour": "#2a9d8f"}),
    ("practitioner2", "James", "Whitfield", Role.PRACTITIONER,
     {"display_name": "James Whitfield", "credentials": "MBAcC", "colour": "#e76f51"}),
    ("practitioner3", "Priya", "Natarajan", Role.PRACTITIONER,
     {"display_name": "Priya Natarajan", "credentials": "MBAcC, BSc", "colour": "#6a4c93"}),
)  # fmt: skip
ROOMS = ("Room 1 – Willow", "Room 2 – Birch", "Room 3 – Cedar")

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

# Ofcom keeps 020 7946 0xxx for drama, so no real person gets called. Its drama mobile range
# (07700 900xxx) fails phonenumbers' validation, which the model field applies.
PHONE_NUMBERS = tuple(f"020 7946 0{n:03d}" for n in range(1000))

PREFERRED_NAMES = {
    Sex.FEMALE: {"Margaret": "Peggy", "Elizabeth": "Liz", "Catherine": "Kate",
                 "Rebecca": "Becky", "Susan": "Sue", "Victoria": "Tori"},
    Sex.MALE: {"William": "Bill", "Robert": "Rob", "Edward": "Ted", "Anthony": "Tony",
               "Christopher": "Kit", "Jonathan": "Jon"},
}  # fmt: skip
DESK_NOTES = (
    "Prefers morning appointments.",
    "Works shifts: call after 4pm.",
    "Uses a walking stick; ground-floor room please.",
    "Hard of hearing: text rather than call.",
    "Often brings a toddler; needs space for the buggy.",
    "Self-funding; asks for a receipt each visit.",
)

# (weight, title, regions, possible sides): most clinics see back, hip, buttock and leg.
LR = (Side.LEFT, Side.RIGHT)
COMPLAINTS = (
    (6, "{Side} hip and leg pain", (R.HIP, R.THIGH), LR),
    (6, "Lower back and {side} buttock pain", (R.LOWER_BACK, R.BUTTOCK), LR),
    (5, "Low back pain spreading into the {side} hip", (R.LOWER_BACK, R.HIP), LR),
    (4, "{Side} hip, buttock and leg pain", (R.HIP, R.BUTTOCK, R.THIGH), LR),
    (4, "{Side} buttock pain down the back of the thigh", (R.BUTTOCK, R.THIGH), LR),
    (3, "Lower back stiffness", (R.LOWER_BACK,), (Side.CENTRAL,)),
    (3, "Lower back and hip pain on both sides", (R.LOWER_BACK, R.HIP), (Side.BOTH,)),
    (2, "{Side}-sided low back pain", (R.LOWER_BACK,), LR),
    (1, "{Side} knee pain", (R.KNEE,), LR),
    (1, "{Side} heel and arch pain", (R.FOOT,), LR),
    (1, "Neck and shoulder tension", (R.OTHER,), (Side.BOTH,)),
)
# Overdoing it, then a long stretch of sitting: the pattern behind most muscle spasms.
ONSET_STORIES = (
    "Round of golf at the company outing, then an hour sitting at lunch.",
    "Hill walk, then a long coach ride home.",
    "First charity run, then a film in the evening.",
    "Moved house over the weekend, then a four-hour drive to return the van.",
    "Dug over the allotment all morning, then fell asleep in the armchair.",
    "Two sets of tennis after a winter off, then a long train journey.",
    "Painted the spare-room ceiling, then an evening on the sofa.",
    "Five-a-side with colleagues, then a three-hour drive back.",
    "Carried luggage through the airport, then a nine-hour flight.",
    "Danced at a wedding until midnight, then the coach home next morning.",
    "Cleared out the garage, then a full day at the desk.",
    "Laid a patio over the bank holiday, then straight back to a desk job.",
    "No single cause; came on during a week of double shifts at the till.",
)
AGGRAVATING = (
    "Sitting for more than 20 minutes.", "Getting out of the car.", "Putting on socks.",
    "Stairs, especially going down.", "Worst first thing in the morning.", "Standing in queues.",
)  # fmt: skip
EASING = (
    "Gentle walking.", "A hot bath.", "Lying on the back with knees bent.",
    "Moving about; stiffens up if still.", "Ibuprofen takes the edge off.",
)  # fmt: skip
INFLAMMATION_FLAGS = ((RedFlag.INFLAMMATION,), (RedFlag.INFLAMMATION, RedFlag.TRAUMA))
# Nerve-root signs only make sense for one-sided pain from the back, buttock or hip.
RED_FLAG_SETS = (
    *INFLAMMATION_FLAGS,
    (RedFlag.BELOW_KNEE,),
    (RedFlag.BELOW_KNEE, RedFlag.NUMBNESS),
    (RedFlag.NUMBNESS,),
    (RedFlag.BELOW_KNEE, RedFlag.NUMBNESS, RedFlag.WEAKNESS),
)


class Command(BaseCommand):
    help = (
        "Create a demo clinic: 6 staff logins, 3 rooms, working hours, 200 patients with "
        "complaints, treatment courses and appointments around today."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any user or patient exists (used by `make run`).",
        )

    def handle(self, *args, if_empty: bool, **options):
        if if_empty and (User.objects.exists() or Patient.objects.exists()):
            self.stdout.write("seed_demo: the database already has users or patients; skipped.")
            return
        usernames = [username for username, *_ in STAFF]
        existing = set(
            User.objects.filter(username__in=usernames).values_list("username", flat=True)
        )
        if "manager" in existing:
            self.stdout.write("The demo data is already there; nothing was created.")
        elif existing:
            # Creating the rest around someone's real accounts would leave a half demo.
            raise CommandError(f"Users {', '.join(sorted(existing))} exist but no demo manager.")
        else:
            with transaction.atomic():
                summary = self._create_clinic()
            self.stdout.write(self.style.SUCCESS(f"Created the demo clinic with {summary}."))
        self._write_logins()

    def _create_clinic(self) -> int:
        users = {}
        for username, first, last, role, profile in STAFF:
            users[username] = staff_create(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{first}.{last}@example.com".lower(),
                password=DEMO_PASSWORD,
                roles=[role],
                practitioner=profile,
                by=users.get("manager"),
            )
        for name in ROOMS:
            room_save(name=name, by=users["manager"])

        fake = Faker("en_GB")
        fake.seed_instance(FAKER_SEED)
        rng = fake.random
        today = timezone.localdate()
        phones = rng.sample(PHONE_NUMBERS, len(PHONE_NUMBERS))
        desk = [users["frontdesk"], users["frontdesk2"]]
        practitioners = [users[name] for name in ("practitioner", "practitioner2", "practitioner3")]
        for i in range(PATIENT_COUNT):
            patient = patient_register(
                by=desk[i % 2], consent_given=rng.random() < 0.88, **_patient(fake, phones, today)
            )
            for story in rng.sample(ONSET_STORIES, rng.choice((1, 1, 2))):
                complaint_record(
                    patient=patient,
                    by=practitioners[i % 3],
                    **_complaint(fake, today, patient.date_of_birth, story),
                )
        diary = DemoDiary(users, today)
        diary.create()
        demo_notes.create_point_sets(Practitioner.objects.all())
        written = demo_notes.write_notes(random.Random(SCHEDULE_SEED))
        return f"{PATIENT_COUNT} patients, {diary.summary()}, {written} signed session notes"

    def _write_logins(self):
        self.stdout.write(f"\nDemo logins (every password is {DEMO_PASSWORD!r}):")
        self.stdout.write(f"  {'username':<15}{'role':<17}password")
        for username, _, _, role, _ in STAFF:
            self.stdout.write(f"  {username:<15}{role.label:<17}{DEMO_PASSWORD}")


def _patient(fake: Faker, phones: list[str], today) -> dict:
    rng = fake.random
    sex = rng.choices((Sex.FEMALE, Sex.MALE, ""), weights=(53, 44, 3))[0]
    nicknames = PREFERRED_NAMES.get(sex, {})
    if nicknames and rng.random() < 0.12:
        given = rng.choice(list(nicknames))
        preferred = nicknames[given]
    else:
        given = fake.first_name_male() if sex == Sex.MALE else fake.first_name_female()
        preferred = ""
    family = fake.last_name()
    # Adults, most of them of working age: the people who overdo it at the weekend.
    age_days = int(rng.triangular(18, 88, 45) * 365.25)
    fields = {
        "given_name": given,
        "family_name": family,
        "preferred_name": preferred,
        "date_of_birth": today - timedelta(days=age_days),
        "sex": sex,
        "phone": phones.pop(),
    }
    if rng.random() < 0.6:
        # example.com/.org/.net are reserved, so a demo email can never reach anyone.
        local = "".join(
            c for c in f"{preferred or given}.{family}".lower() if c.isalpha() or c == "."
        )
        fields["email"] = f"{local}@example.{rng.choice(('com', 'org', 'net'))}"
    if rng.random() < 0.75:
        fields["address"] = fake.address()
    if rng.random() < 0.5:
        fields["emergency_contact_name"] = (
            f"{fake.first_name()} {rng.choice((family, fake.last_name()))}"
        )
        fields["emergency_contact_phone"] = phones.pop()
    if rng.random() < 0.15:
        fields["front_desk_notes"] = rng.choice(DESK_NOTES)
    return fields


def _complaint(fake: Faker, today, born, story: str) -> dict:
    rng = fake.random
    (_, title, regions, sides) = rng.choices(COMPLAINTS, weights=[c[0] for c in COMPLAINTS])[0]
    side = rng.choice(sides)
    acute_days = settings.ACUTE_ONSET_MAX_DAYS
    if rng.random() < 0.4:
        onset, pain = today - timedelta(days=rng.randint(0, acute_days)), rng.randint(5, 9)
    else:
        # Weeks to months, as chronic pain presents; none sits on the acute/chronic boundary.
        onset = today - timedelta(days=rng.randint(acute_days + 7, 540))
        pain = rng.randint(3, 8)
    nerve_root_possible = side in LR and {R.LOWER_BACK, R.BUTTOCK, R.HIP} & set(regions)
    flag_sets = RED_FLAG_SETS if nerve_root_possible else INFLAMMATION_FLAGS
    red_flags = list(rng.choice(flag_sets)) if rng.random() < 0.18 else []
    if RedFlag.BELOW_KNEE in red_flags:
        regions = (*regions, R.LOWER_LEG)
    return {
        "title": title.format(side=side.value, Side=side.label),
        "regions": list(regions),
        "side": side,
        # The model rejects pain that began before birth; cheap insurance for the youngest.
        "onset_date": max(onset, born),
        "onset_story": story,
        "pain_at_intake": pain,
        "aggravating_factors": rng.choice(AGGRAVATING) if rng.random() < 0.7 else "",
        "easing_factors": rng.choice(EASING) if rng.random() < 0.6 else "",
        "red_flags": red_flags,
    }


# --- working hours, courses and the diary -------------------------------------------------


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
        wanted = self._pick_time(practitioner, first)
        if wanted is None:
            return
        for number in range(sessions):
            if sessions == 1:
                kind = "Acute visit"
            else:
                kind = "Initial consultation" if number == 0 else "Follow-up"
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
