"""The one place for test data builders: people, rooms, patients, complaints, working hours,
time off, courses, appointments and session notes.

They write rows directly: tests of the services call the services themselves. The exceptions
say so: `book` books through the scheduling service and `write_note` writes through the notes
service, for tests that need a booking or a signed note as a given, and `on_waitlist` adds
to the waitlist through its service.
"""

import time as clock
from datetime import UTC, date, datetime, time, timedelta

import factory
import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import Practitioner, Room, TimeOff, User, WorkingHours, local_datetime
from clinic.roles import Role
from patients.models import BodyRegion, Complaint, Patient, RedFlag, Side, search_name_for
from patients.services import patient_index
from treatments.models import (
    Appointment,
    AppointmentStatus,
    AppointmentStatusChange,
    AppointmentType,
    TreatmentCourse,
    WaitlistEntry,
)
from treatments.notes import services as notes
from treatments.scheduling import services as scheduling
from treatments.scheduling.checks import SchedulingError
from treatments.waitlist import services as waitlist

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.test")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
        if create:
            self.save()


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    user = factory.SubFactory(UserFactory, roles=[Role.PRACTITIONER])
    display_name = factory.LazyAttribute(lambda p: f"{p.user.first_name} {p.user.last_name}")
    credentials = "L.Ac."


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"Room {n}")


class PatientFactory(factory.django.DjangoModelFactory):
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=85)
    phone = factory.Sequence(lambda n: f"+44 7911 {n % 1000000:06d}")
    # What the patient service's full_clean() would set.
    search_name = factory.LazyAttribute(
        lambda p: search_name_for(p.given_name, p.family_name, getattr(p, "preferred_name", ""))
    )

    class Meta:
        model = Patient
        skip_postgeneration_save = True

    @factory.post_generation
    def search_terms(self, create, extracted, **kwargs):
        """What the patient service would index: the search finds factory patients too."""
        if create:
            patient_index(patients=[self])


class ComplaintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Complaint

    patient = factory.SubFactory(PatientFactory)
    title = "Right hip and leg pain"
    regions = factory.LazyFunction(lambda: [BodyRegion.LOWER_BACK, BodyRegion.HIP])
    side = Side.RIGHT
    onset_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=5))
    pain_at_intake = 6


def chronic_complaint(days: int = 60, **kwargs) -> Complaint:
    """A complaint that began `days` ago (long enough to count as chronic by default)."""
    return ComplaintFactory(onset_date=timezone.localdate() - timedelta(days=days), **kwargs)


# --- working hours and time off -----------------------------------------------------------

WEEKDAYS = range(5)  # Monday to Friday; the clinic is open 08:00–20:00 on these days


def future_monday(weeks_ahead: int = 3) -> date:
    """A Monday a few weeks from today, so that nothing a test books is in the past."""
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday(), weeks=weeks_ahead - 1)


def mid_morning_zone() -> str:
    """A fixed-offset time zone in which it is now between 09:00 and 10:00: for tests about
    "later today" or "an hour ago" that must stay on today whatever hour the suite runs."""
    utc_hour = datetime.now(tz=UTC).hour
    offset = (9 - utc_hour + 12) % 24 - 12  # -12…+11 hours
    # POSIX-style names: Etc/GMT-3 is three hours *ahead* of UTC.
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def at(day: date, hh_mm: str) -> datetime:
    """The aware datetime of a wall-clock time ("10:00") on `day` in the clinic's zone."""
    return local_datetime(day, time.fromisoformat(hh_mm))


def works(practitioner, *blocks: tuple[str, str], weekdays=WEEKDAYS) -> list[WorkingHours]:
    """Give `practitioner` working hours: each block ("09:00", "12:30") on each weekday."""
    blocks = blocks or (("09:00", "18:00"),)
    return [
        WorkingHours.objects.create(
            practitioner=practitioner,
            weekday=weekday,
            start=time.fromisoformat(start),
            end=time.fromisoformat(end),
        )
        for weekday in weekdays
        for start, end in blocks
    ]


def working_practitioner(*blocks: tuple[str, str], weekdays=WEEKDAYS, **kwargs):
    practitioner = PractitionerFactory(**kwargs)
    works(practitioner, *blocks, weekdays=weekdays)
    return practitioner


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    practitioner = factory.SubFactory(PractitionerFactory)
    start = factory.LazyFunction(lambda: at(future_monday(), "09:00"))
    end = factory.LazyAttribute(lambda t: t.start + timedelta(hours=4))
    reason = "Training course"


# --- appointment types --------------------------------------------------------------------


def follow_up() -> AppointmentType:
    """The seeded 45-minute follow-up (migration 0002)."""
    return AppointmentType.objects.get(name="Follow-up")


def initial_consultation() -> AppointmentType:
    """The seeded 60-minute initial consultation."""
    return AppointmentType.objects.get(name="Initial consultation")


# --- courses ------------------------------------------------------------------------------


class CourseFactory(factory.django.DjangoModelFactory):
    """A weekly course of 4 sessions from a Monday a few weeks ahead; no one planned it."""

    class Meta:
        model = TreatmentCourse

    complaint = factory.SubFactory(ComplaintFactory)
    practitioner = factory.SubFactory(PractitionerFactory)
    planned_sessions = 4
    interval_days = 7
    start_date = factory.LazyFunction(future_monday)


def course_for(
    practitioner, planned: int = 4, *, complaint=None, start_date=None, **fields
) -> TreatmentCourse:
    """A weekly course `practitioner` planned, starting today unless told otherwise, for
    `complaint` (a chronic one by default)."""
    return CourseFactory(
        complaint=complaint or chronic_complaint(),
        practitioner=practitioner,
        planned_sessions=planned,
        start_date=start_date or timezone.localdate(),
        created_by=practitioner.user,
        **fields,
    )


def course_under_way(practitioner, planned: int = 6, **complaint) -> TreatmentCourse:
    """A course begun 60 days ago, for a new complaint with the given fields; its past
    sessions are added with `session`."""
    return course_for(
        practitioner,
        planned,
        complaint=ComplaintFactory(**complaint),
        start_date=timezone.localdate() - timedelta(days=60),
    )


# --- appointments -------------------------------------------------------------------------


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A row written directly, bypassing the scheduling service and all its checks."""

    class Meta:
        model = Appointment

    patient = factory.SubFactory(PatientFactory)
    practitioner = factory.SubFactory(PractitionerFactory)
    room = factory.SubFactory(RoomFactory)
    appointment_type = factory.LazyFunction(follow_up)
    start = factory.LazyFunction(lambda: at(future_monday(), "10:00"))
    end = factory.LazyAttribute(
        lambda a: a.start + timedelta(minutes=a.appointment_type.default_duration)
    )
    booked_by = factory.SubFactory(UserFactory)


def busy_day(day: date, count: int, *, lanes: int = 8, patients: int = 40) -> list[Practitioner]:
    """`count` appointments on `day`, written directly: `lanes` practitioners working
    08:00–20:00, each in a room of their own, back to back in 15-minute slots from 08:00;
    `patients` patients, each in a 12-session course, every other one with red flags; every
    tenth appointment cancelled. For query counts at 10 and 200 appointments."""
    doctors = [working_practitioner(("08:00", "20:00")) for _ in range(lanes)]
    rooms = [RoomFactory() for _ in doctors]
    courses = [
        course_for(
            doctors[0],
            planned=12,
            start_date=day,
            complaint=ComplaintFactory(red_flags=[RedFlag.NUMBNESS] if k % 2 else []),
        )
        for k in range(patients)
    ]
    for k in range(count):
        lane, slot = k % lanes, k // lanes
        course = courses[k % patients]
        start = at(day, "08:00") + timedelta(minutes=15 * slot)
        AppointmentFactory(
            patient=course.complaint.patient,
            practitioner=doctors[lane],
            room=rooms[lane],
            course=course,
            start=start,
            end=start + timedelta(minutes=15),
            status=AppointmentStatus.CANCELLED if k % 10 == 0 else AppointmentStatus.BOOKED,
        )
    return doctors


def session(course, days_ago: int, status=AppointmentStatus.COMPLETED, room=None) -> Appointment:
    """A 10:00 follow-up of `course` `days_ago` days ago (negative: ahead), written directly:
    for tests about notes and the course page, not booking."""
    start = local_datetime(timezone.localdate() - timedelta(days=days_ago), time(10))
    return Appointment.objects.create(
        patient=course.complaint.patient,
        practitioner=course.practitioner,
        room=room or RoomFactory(),
        appointment_type=follow_up(),
        course=course,
        start=start,
        end=start + timedelta(minutes=45),
        status=status,
        booked_by=course.practitioner.user,
    )


def book(
    *,
    patient,
    practitioner,
    room,
    by,
    start: datetime,
    appointment_type: AppointmentType | None = None,
    **kwargs,
) -> Appointment:
    """scheduling.book with a 45-minute follow-up unless told otherwise."""
    return scheduling.book(
        patient=patient,
        practitioner=practitioner,
        room=room,
        appointment_type=appointment_type or follow_up(),
        start=start,
        by=by,
        **kwargs,
    )


def refused(call, /, **kwargs) -> SchedulingError:
    """The SchedulingError that `call(**kwargs)` (`book`, say) raises; fails if none."""
    with pytest.raises(SchedulingError) as caught:
        call(**kwargs)
    return caught.value


def status_changes(appointment) -> list[tuple[str, str, str]]:
    """The appointment's recorded status changes: (from, to, username), oldest first."""
    return [
        (change.from_status, change.to_status, change.changed_by.username)
        for change in AppointmentStatusChange.objects.filter(appointment=appointment)
        .select_related("changed_by")
        .order_by("changed_at", "id")
    ]


# --- session notes ------------------------------------------------------------------------


# Enough for a note to be signed: what the patient reported and what was done.
SIGNABLE = {"subjective": "Sore right hip after a long drive.", "techniques": ["manual"]}


def write_note(appointment, *, sign=True, **fields):
    """The treating practitioner's note for `appointment`, saved (and signed) by the service;
    with a Subjective and a technique unless the test says otherwise."""
    by = appointment.practitioner.user
    note = notes.note_start(appointment=appointment, by=by)
    note = notes.note_save_draft(note=note, by=by, **(SIGNABLE | fields))
    return notes.note_sign(note=note, by=by) if sign else note


def scored_course(practitioner, scores, **complaint) -> TreatmentCourse:
    """A course with one completed, signed session per (before, after) pair, a week apart."""
    course = course_under_way(practitioner, planned=max(len(scores), 1), **complaint)
    for index, (before, after) in enumerate(scores):
        appointment = session(course, days_ago=7 * (len(scores) - index))
        write_note(appointment, pain_before=before, pain_after=after)
    return course


def authenticator(user: User) -> TOTPDevice:
    """The person's authenticator app, already set up (confirmed)."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, defaults={"name": "Authenticator app", "confirmed": True}
    )
    return device


def code_now(device: TOTPDevice) -> str:
    """What the app shows now, computed from the device's secret, as a phone does. A code is
    accepted once: logging in again within its 30 seconds takes the next one (the server
    allows one step of clock difference)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = clock.time()
    if totp.t() <= device.last_t:
        totp.drift += device.last_t + 1 - totp.t()
    return f"{totp.token():0{device.digits}d}"


# --- the waitlist -------------------------------------------------------------------------


def on_waitlist(patient, *, by, **fields) -> WaitlistEntry:
    """`patient` on the waitlist through the service: a 45-minute follow-up with anyone, any
    day and time, routine, for four weeks, unless told otherwise."""
    return waitlist.entry_save(
        patient=patient,
        by=by,
        **{
            "appointment_type": follow_up(),
            "duration_minutes": 45,
            "expires_on": timezone.localdate() + timedelta(days=28),
            **fields,
        },
    )
