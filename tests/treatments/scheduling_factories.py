"""Builders for the scheduling tests: working hours, time off, courses, appointment rows.

Like tests/factories.py they write rows directly. Tests of the scheduling service book through
the service itself; `AppointmentFactory` is for the rows a test needs as a given (a past
appointment to mark as a no-show, a row with a status the service would not produce).
"""

from datetime import date, datetime, time, timedelta

import factory
from django.utils import timezone

from clinic.models import TimeOff, WorkingHours, local_datetime
from tests.factories import (
    ComplaintFactory,
    PatientFactory,
    PractitionerFactory,
    RoomFactory,
    UserFactory,
)
from treatments.models import Appointment, AppointmentType, TreatmentCourse
from treatments.scheduling import services as scheduling

WEEKDAYS = range(5)  # Monday to Friday; the clinic is open 08:00–20:00 on these days


def future_monday(weeks_ahead: int = 3) -> date:
    """A Monday a few weeks from today, so that nothing a test books is in the past."""
    today = timezone.localdate()
    return today + timedelta(days=7 - today.weekday(), weeks=weeks_ahead - 1)


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


def follow_up() -> AppointmentType:
    """The seeded 45-minute follow-up (migration 0002)."""
    return AppointmentType.objects.get(name="Follow-up")


def initial_consultation() -> AppointmentType:
    """The seeded 60-minute initial consultation."""
    return AppointmentType.objects.get(name="Initial consultation")


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    practitioner = factory.SubFactory(PractitionerFactory)
    start = factory.LazyFunction(lambda: at(future_monday(), "09:00"))
    end = factory.LazyAttribute(lambda t: t.start + timedelta(hours=4))
    reason = "Training course"


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TreatmentCourse

    complaint = factory.SubFactory(ComplaintFactory)
    practitioner = factory.SubFactory(PractitionerFactory)
    planned_sessions = 4
    interval_days = 7
    start_date = factory.LazyFunction(future_monday)


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
