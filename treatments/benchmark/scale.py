"""The scale database of `manage.py benchmark`: a busy clinic's five years, built in minutes.

100,000 patients (each with a complaint and a course with their usual practitioner),
~1,000,000 appointments, 8 practitioners in 8 rooms, and ~1,000,000 rows of access log,
written by bulk inserts (COPY on PostgreSQL, executemany on SQLite) rather than through the
services, which would take hours. Everything a page reads is consistent: every patient has a
`search_name`, live appointments never overlap (PostgreSQL's exclusion constraints check it
as the rows go in), and the access log is chained and sealed under the records key exactly as
`treatments.audit.chains.append` would have done, so `manage.py verify_records` passes.

Not written: appointment history (django-simple-history) rows, status changes, session notes.

The shape, around a benchmark day D (the build's day, or the next Monday at a weekend):

- the fortnight D-7 … D+7 looks like a busy real clinic: every weekday 200 appointments
  (25 for each practitioner, 30 minutes apart from 08:00), every Saturday 16 (2 each), Sundays none;
  so the day calendar, the week views, Today and the home page show realistic days for a week
  after the build;
- around it, five years of history (and a month ahead) at 69 ten-minute appointments a day per
  practitioner from 08:00: the weight that the clash check and the indexes carry;
- everyone works 07:00–21:00 every day, so 07:00–08:00 stays free for the measured bookings.

A table of its own, `meridian_benchmark`, marks a database as built by this module (and what
scale); the command refuses any database that holds data without that mark.
"""

import random
import time as clock
from dataclasses import dataclass
from datetime import UTC, date, time, timedelta
from types import SimpleNamespace

from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from phonenumber_field.phonenumber import PhoneNumber

from clinic.models import OpeningHours, Practitioner, Room, User, WorkingHours, local_datetime
from clinic.roles import Role
from patients.models import Complaint, Patient, PatientSearchTerm, search_name_for, search_terms_for
from treatments.audit import chains
from treatments.audit.keys import current_key
from treatments.audit.services import WHAT_VALUES
from treatments.models import (
    AccessLog,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    ChainHead,
    CourseStatus,
    RecordSeal,
    SealedKind,
    TreatmentCourse,
)

MARK_TABLE = "meridian_benchmark"
LANES = 8  # practitioner i works in room i
OPENS, CLOSES = time(7), time(21)
FIRST_START = time(8)  # 07:00–08:00 is kept free for the measured bookings
FILLER_MINUTES = 10
BUSY_DAY_STEP = 30  # minutes between a practitioner's appointments on a realistic day
BATCH = 20_000

GIVEN = [
    "Amara",
    "Zoë",
    "Björn",
    "Margaret",
    "José",
    "Aoife",
    "Chidi",
    "Élodie",
    "Hannah",
    "Ingrid",
    "Jürgen",
    "Kenji",
    "Leilani",
    "Mateo",
    "Nadia",
    "Oluwaseun",
    "Priya",
    "Quentin",
    "Rosa",
    "Siobhán",
    "Tomasz",
    "Ursula",
    "Viktor",
    "Wen",
    "Xavier",
    "Yusuf",
    "Zeynep",
    "Ana",
    "Bruno",
    "Chloé",
    "Dmitri",
    "Esther",
    "Farah",
    "Gustav",
    "Hélène",
    "Ivan",
    "Jamal",
    "Katarzyna",
    "Luca",
    "Mei",
    "Noor",
    "Oskar",
    "Paulina",
    "Rania",
    "Søren",
    "Thandiwe",
    "Uma",
    "Valentina",
    "William",
    "Ximena",
    "Yara",
    "Zainab",
    "Aaliyah",
    "Benoît",
    "Camille",
    "Dagny",
    "Emeka",
    "Fatima",
    "Grégoire",
]
FAMILY = [
    "Okafor",
    "Ødegård",
    "Smith",
    "Nakamura",
    "García",
    "Müller",
    "Kowalski",
    "O'Brien",
    "Nguyen",
    "Haddad",
    "Rossi",
    "Dubois",
    "Andersson",
    "Papadopoulos",
    "Yilmaz",
    "Kim",
    "Silva",
    "Novak",
    "Horvath",
    "Jansen",
    "Murphy",
    "Costa",
    "Fischer",
    "Ivanova",
    "Bianchi",
    "Lefèvre",
    "Eriksen",
    "Mensah",
    "Adeyemi",
    "Chen",
    "Singh",
    "Patel",
    "Khan",
    "Ahmed",
    "Moreau",
    "Lambert",
    "Wójcik",
    "Dvořák",
    "Szabó",
    "Popescu",
    "Petrov",
    "Kaya",
    "Demir",
    "Çelik",
    "Öztürk",
    "Ramos",
    "Ortiz",
    "Núñez",
    "Castillo",
    "Vargas",
    "Rojas",
    "Mendoza",
    "Herrera",
    "Aguilar",
    "Medina",
    "Navarro",
    "Campbell",
    "Stewart",
    "MacDonald",
    "Robertson",
    "Reid",
    "Thomson",
    "Walker",
    "Wright",
    "Hughes",
    "Edwards",
    "Davies",
    "Evans",
    "Price",
    "Griffiths",
    "Morgan",
    "Lloyd",
    "Jenkins",
    "Owen",
    "Bauer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Krause",
    "Meier",
    "Lehmann",
]
TITLES = (
    ("Lower back and hip pain", ["lower_back", "hip"]),
    ("Neck and shoulder stiffness", ["neck", "shoulder"]),
    ("Right knee pain", ["knee"]),
    ("Headaches", ["head"]),
)


@dataclass(frozen=True)
class Scale:
    name: str
    patients: int
    history_days: int  # filler days before the realistic fortnight (and 30 after it at most)
    filler_per_lane: int  # ten-minute appointments a day per practitioner on filler days
    busy_day: int  # appointments on a realistic weekday (multiples of LANES)
    quiet_day: int  # appointments on a realistic Saturday
    access_log: int


FULL = Scale("full", 100_000, 1795, 69, 200, 16, 1_000_000)
# The small twin of a full database: the same clinic at ~1,000 appointments, for "one booking
# at 1M appointments costs the same as at 1k".
SMALL = Scale("small", 1_000, 0, 0, 96, 16, 1_000)
# For `--quick` (a smoke test): seconds to build, still every kind of row.
QUICK = Scale("quick", 400, 20, 6, 40, 8, 2_000)
QUICK_SMALL = Scale("quick-small", 100, 0, 0, 16, 8, 100)
SCALES = {scale.name: scale for scale in (FULL, SMALL, QUICK, QUICK_SMALL)}


# --- the mark ---------------------------------------------------------------------------------


def read_mark() -> dict[str, str] | None:
    """The mark's entries, or None for a database this module did not build."""
    with connection.cursor() as cursor:
        if MARK_TABLE not in connection.introspection.table_names(cursor):
            return None
        cursor.execute(f"SELECT name, value FROM {MARK_TABLE}")
        return dict(cursor.fetchall())


def _write_mark(entries: dict[str, str]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARK_TABLE} (name varchar(40) PRIMARY KEY, value text)"
        )
        cursor.execute(f"DELETE FROM {MARK_TABLE}")
        for name, value in entries.items():
            cursor.execute(f"INSERT INTO {MARK_TABLE} (name, value) VALUES (%s, %s)", [name, value])


def holds_data() -> bool:
    """Anything a clinic would have entered: staff, patients, appointments, the access log."""
    return any(
        model.objects.exists() for model in (User, Patient, Appointment, AccessLog, Practitioner)
    )


# --- bulk inserts -------------------------------------------------------------------------------


def _insertable(model) -> list:
    return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def _prepped(model, obj) -> list:
    """`obj`'s row as the database takes it (defaults, auto_now, field conversions)."""
    return [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in _insertable(model)]


class Rows:
    """Rows of `model` that differ from a sample row in a few columns: the sample is prepared
    once by the fields themselves (so columns added later get their defaults), the varying
    columns are given ready for the database."""

    def __init__(self, model, sample, varying: list[str]):
        self.model = model
        fields = _insertable(model)
        self.columns = [f.column for f in fields]
        self.template = _prepped(model, sample)
        names = [f.attname for f in fields]
        self.positions = [names.index(name) for name in varying]

    def row(self, values) -> list:
        row = self.template.copy()
        for position, value in zip(self.positions, values, strict=True):
            row[position] = value
        return row


def insert(model, columns: list[str], rows) -> int:
    """Insert `rows` (lists in `columns` order) into `model`'s table in big batches."""
    table = model._meta.db_table
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})"
            raw = cursor.cursor  # the sqlite3 cursor: no %s rewriting per row
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == BATCH:
                    raw.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            raw.executemany(sql, batch)
            count += len(batch)
    return count


def insert_objects(model, objects) -> int:
    fields = _insertable(model)
    return insert(model, [f.column for f in fields], (_prepped(model, o) for o in objects))


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _reset_sequences(models) -> None:
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _datetime_prep():
    """A fast converter of aware datetimes to what the database takes."""
    if connection.vendor == "postgresql":
        return lambda value: value
    return lambda value: value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


# --- the build ------------------------------------------------------------------------------------


def benchmark_day(today: date) -> date:
    return today if today.weekday() < 5 else today + timedelta(days=7 - today.weekday())


def build(scale: Scale, *, day: date, say=lambda message: None) -> float:
    """Fill an empty database at `scale` around benchmark day `day`; mark it as built."""
    started = clock.perf_counter()
    random.seed(18)
    with transaction.atomic():
        staff = _staff(say)
        patients = _patients(scale, staff, say)
        appointments = _appointments(scale, day, staff, patients, say)
        access = _access_log(scale, day, staff, say)
        _write_mark(
            {
                "scale": scale.name,
                "day": day.isoformat(),
                "built": timezone.now().isoformat(timespec="seconds"),
                "patients": str(patients),
                "appointments": str(appointments),
                "access log": str(access),
            }
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planners' statistics for tables that just grew
    seconds = clock.perf_counter() - started
    with transaction.atomic():
        _write_mark({**read_mark(), "build seconds": f"{seconds:.0f}"})
    say(f"Built in {seconds:.0f} s.")
    return seconds


def _staff(say) -> dict:
    say("Staff, rooms and hours…")
    groups = {role: Group.objects.get(name=role) for role in Role.values}
    desk = User.objects.create(username="bench-desk", first_name="Bench", last_name="Desk")
    desk.groups.add(groups[Role.FRONT_DESK])
    manager = User.objects.create(
        username="bench-manager", first_name="Bench", last_name="Manager", is_staff=True
    )
    manager.groups.add(groups[Role.MANAGER])
    for user in (desk, manager):
        user.set_unusable_password()
        user.save()
    practitioners, rooms = [], []
    for lane in range(LANES):
        user = User.objects.create(
            username=f"bench-practitioner-{lane + 1}",
            first_name="Practitioner",
            last_name=f"{lane + 1}",
        )
        user.set_unusable_password()
        user.save()
        user.groups.add(groups[Role.PRACTITIONER])
        practitioner = Practitioner.objects.create(
            user=user, display_name=f"Practitioner {lane + 1}", colour=f"#{lane + 1}0{lane}0a0"
        )
        WorkingHours.objects.bulk_create(
            WorkingHours(practitioner=practitioner, weekday=weekday, start=OPENS, end=CLOSES)
            for weekday in range(7)
        )
        practitioners.append(practitioner)
        rooms.append(Room.objects.create(name=f"Room {lane + 1}"))
    for weekday in range(7):
        OpeningHours.objects.update_or_create(
            weekday=weekday, defaults={"opens": OPENS, "closes": CLOSES}
        )
    return {"desk": desk, "manager": manager, "practitioners": practitioners, "rooms": rooms}


def _patients(scale: Scale, staff: dict, say) -> int:
    """Patients, one complaint and one course each (course k with practitioner k % LANES)."""
    say(f"{scale.patients:,} patients with a complaint and a course…")
    desk, practitioners = staff["desk"], staff["practitioners"]
    first = _next_id(Patient)
    today = timezone.localdate()

    def patients():
        for k in range(scale.patients):
            given, family = random.choice(GIVEN), random.choice(FAMILY)
            patient = Patient(
                id=first + k,
                given_name=given,
                family_name=family,
                date_of_birth=date(1940 + k % 70, 1 + k % 12, 1 + k % 28),
                sex=("female", "male")[k % 2],
                consent_given_on=today,
                consent_recorded_by=desk,
                created_by=desk,
            )
            patient.search_name = search_name_for(given, family)
            patient.clean()  # whatever else the model derives from the names
            yield patient

    # The phone goes in as stored (E.164): parsing 100,000 numbers would take minutes.
    fields = _insertable(Patient)
    phone = [f.attname for f in fields].index("phone")

    # What the search box finds them by (issue 18), as the patient service would index them;
    # the number built from its parts, which costs nothing.
    terms = []

    def rows():
        for patient in patients():
            row = _prepped(Patient, patient)
            row[phone] = f"+447{900000000 + patient.pk - first}"
            patient.phone = PhoneNumber(
                country_code=44, national_number=7900000000 + patient.pk - first
            )
            terms.extend((patient.pk, kind, term) for kind, term in search_terms_for(patient))
            yield row

    insert(Patient, [f.column for f in fields], rows())
    first_term = _next_id(PatientSearchTerm)
    insert_objects(
        PatientSearchTerm,
        (
            PatientSearchTerm(id=first_term + n, patient_id=owner, kind=kind, term=term)
            for n, (owner, kind, term) in enumerate(terms)
        ),
    )

    def complaints():
        for k in range(scale.patients):
            title, regions = TITLES[k % len(TITLES)]
            yield Complaint(
                id=first + k,
                patient_id=first + k,
                title=title,
                regions=regions,
                side="left",
                onset_date=today - timedelta(days=60),
                pain_at_intake=k % 10,
                red_flags=["numbness"] if k % 10 == 0 else [],
                created_by=desk,
            )

    insert_objects(Complaint, complaints())
    first_course = _next_id(TreatmentCourse)

    def courses():
        for k in range(scale.patients):
            yield TreatmentCourse(
                id=first_course + k,
                complaint_id=first + k,
                practitioner=practitioners[k % LANES],
                planned_sessions=12,
                status=CourseStatus.ACTIVE,
                start_date=today - timedelta(days=7 + scale.history_days),
                created_by=desk,
            )

    insert_objects(TreatmentCourse, courses())
    _reset_sequences([Patient, Complaint, TreatmentCourse, PatientSearchTerm])
    staff["patients"] = (first, first_course)
    # Whom the measured bookings are for: a course of 12 with nothing booked yet.
    patient = Patient(
        given_name="Booking",
        family_name="Benchmark",
        date_of_birth=date(1970, 1, 1),
        phone="+447800000000",
        created_by=desk,
    )
    patient.clean()
    patient.save()
    complaint = Complaint.objects.create(
        patient=patient,
        title=TITLES[0][0],
        regions=TITLES[0][1],
        side="left",
        onset_date=today - timedelta(days=30),
        pain_at_intake=5,
    )
    TreatmentCourse.objects.create(
        complaint=complaint,
        practitioner=practitioners[0],
        planned_sessions=12,
        start_date=today,
        created_by=desk,
    )
    return scale.patients


def _days(scale: Scale, day: date):
    """(date, kind) for every day with appointments, oldest first."""
    start = day - timedelta(days=7 + scale.history_days)
    end = day + timedelta(days=7 + min(30, scale.history_days))
    current = start
    while current <= end:
        if abs((current - day).days) <= 7:
            weekday = current.weekday()
            kind = "busy" if weekday < 5 else "quiet" if weekday == 5 else None
        else:
            kind = "filler" if scale.filler_per_lane else None
        if kind:
            yield current, kind
        current += timedelta(days=1)


def _appointments(scale: Scale, day: date, staff: dict, patients: int, say) -> int:
    """Lane i is practitioner i in room i. Appointment k goes to the k-th patient of its lane
    in turn, so a patient sees one practitioner (their course's) and never two at once."""
    first_patient, first_course = staff["patients"]
    practitioners, rooms = staff["practitioners"], staff["rooms"]
    follow_up = AppointmentType.objects.order_by("pk").first()
    now = timezone.now()
    sample = Appointment(
        patient_id=first_patient,
        practitioner=practitioners[0],
        room=rooms[0],
        appointment_type=follow_up,
        course_id=first_course,
        start=now,
        end=now,
        booked_by=staff["desk"],
    )
    varying = ["id", "patient_id", "practitioner_id", "room_id", "course_id", "start", "end"]
    varying += ["status", "cancellation_reason"]
    rows = Rows(Appointment, sample, varying)
    prep = _datetime_prep()
    per_lane = patients // LANES
    first_id = _next_id(Appointment)
    seen = [0] * LANES

    def appointments():
        k = 0
        for current, kind in _days(scale, day):
            if kind == "filler":
                count, step, length = scale.filler_per_lane, FILLER_MINUTES, FILLER_MINUTES
            else:
                count = (scale.busy_day if kind == "busy" else scale.quiet_day) // LANES
                step, length = BUSY_DAY_STEP, 25
            morning = local_datetime(current, FIRST_START)
            for slot in range(count):
                start = morning + timedelta(minutes=step * slot)
                end = start + timedelta(minutes=length)
                past = end < now
                for lane in range(LANES):
                    index = lane + LANES * (seen[lane] % per_lane)
                    seen[lane] += 1
                    status, reason = AppointmentStatus.BOOKED, ""
                    if past:
                        status = AppointmentStatus.COMPLETED
                        if k % 23 == 0:
                            status, reason = AppointmentStatus.CANCELLED, "Unwell"
                        elif k % 41 == 0:
                            status = AppointmentStatus.NO_SHOW
                    yield rows.row(
                        (
                            first_id + k,
                            first_patient + index,
                            practitioners[lane].pk,
                            rooms[lane].pk,
                            first_course + index,
                            prep(start),
                            prep(end),
                            status,
                            reason,
                        )
                    )
                    k += 1

    say("Appointments…")
    count = insert(Appointment, rows.columns, appointments())
    _reset_sequences([Appointment])
    say(f"{count:,} appointments.")
    return count


def _access_log(scale: Scale, day: date, staff: dict, say) -> int:
    """Reads spread over the last year, chained and sealed as `chains.append` does."""
    say(f"{scale.access_log:,} rows of access log, chained…")
    key = current_key()
    kind = SealedKind.ACCESS_LOG
    first_patient, _ = staff["patients"]
    readers = [staff["desk"].pk] + [p.user_id for p in staff["practitioners"]]
    whats = sorted(WHAT_VALUES)
    head, _ = ChainHead.objects.select_for_update().get_or_create(kind=kind)
    previous, first_id = head.last_link, _next_id(AccessLog)
    now = timezone.now().replace(microsecond=0)
    step = timedelta(days=365) / max(1, scale.access_log)
    oldest = now - timedelta(days=365)
    sample = AccessLog(
        user_id=readers[0], patient_id=first_patient, what=whats[0], object_id=1, accessed_at=now
    )
    sample.ip_address = "127.0.0.1"
    log_rows = Rows(
        AccessLog, sample, ["id", "user_id", "patient_id", "what", "object_id", "accessed_at"]
    )
    seal_sample = RecordSeal(kind=kind, record_id=1, key_id=key.key_id, mac="")
    seal_rows = Rows(RecordSeal, seal_sample, ["id", "record_id", "mac"])
    first_seal = _next_id(RecordSeal)
    prep = _datetime_prep()
    ip = AccessLog._meta.get_field("ip_address").get_prep_value("127.0.0.1")
    log, seals = [], []
    for k in range(scale.access_log):
        pk = first_id + k
        patient = first_patient + random.randrange(scale.patients)
        at = (oldest + step * k).replace(microsecond=0)
        row = SimpleNamespace(
            pk=pk,
            user_id=readers[k % len(readers)],
            patient_id=patient,
            what=whats[k % len(whats)],
            object_id=patient,
            accessed_at=at,
            ip_address=ip,
        )
        previous = chains.link(key, kind, previous, chains.access_log_content(row))
        log.append(log_rows.row((pk, row.user_id, patient, row.what, patient, prep(at))))
        seals.append(seal_rows.row((first_seal + k, pk, previous)))
    count = insert(AccessLog, log_rows.columns, log)
    insert(RecordSeal, seal_rows.columns, seals)
    _reset_sequences([AccessLog, RecordSeal])
    if count:
        for name, value in chains.head_fields(
            key, kind, length=head.length + count, last_id=first_id + count - 1, last_link=previous
        ).items():
            setattr(head, name, value)
        head.save()
    say(f"{count:,} access-log rows.")
    return count


def people() -> SimpleNamespace:
    """The built clinic's staff, as the measurements need them."""
    course = TreatmentCourse.objects.select_related("complaint__patient").get(
        complaint__patient__given_name="Booking", complaint__patient__family_name="Benchmark"
    )
    return SimpleNamespace(
        course=course,
        desk=User.objects.get(username="bench-desk"),
        manager=User.objects.get(username="bench-manager"),
        practitioners=list(
            Practitioner.objects.filter(user__username__startswith="bench-practitioner-").order_by(
                "pk"
            )
        ),
        rooms=list(Room.objects.filter(name__startswith="Room ").order_by("pk")),
    )
