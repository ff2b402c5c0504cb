"""A day in figures for the clinic manager: appointments by status and free time left."""

from datetime import timedelta

import pytest

from tests.factories import (
    AppointmentFactory,
    TimeOffFactory,
    at,
    future_monday,
    working_practitioner,
)
from treatments.models import Appointment, AppointmentStatus
from treatments.scheduling.day_figures import DayFigures, day_figures

pytestmark = pytest.mark.django_db

MONDAY = future_monday()


def visit(practitioner, start: str, end: str, status=AppointmentStatus.BOOKED):
    return AppointmentFactory(
        practitioner=practitioner,
        start=at(MONDAY, start),
        end=at(MONDAY, end),
        status=status,
    )


@pytest.fixture
def monday(dr_paul, dr_priya):
    """Paul and Priya work 09:00–18:00. Paul: 10:00 booked, 11:00 cancelled, away 14:00–15:00.
    Priya: 09:00 completed, 09:45 arrived, 11:00 a no-show."""
    visit(dr_paul, "10:00", "10:45")
    visit(dr_paul, "11:00", "11:45", AppointmentStatus.CANCELLED)
    TimeOffFactory(practitioner=dr_paul, start=at(MONDAY, "14:00"), end=at(MONDAY, "15:00"))
    visit(dr_priya, "09:00", "09:45", AppointmentStatus.COMPLETED)
    visit(dr_priya, "09:45", "10:30", AppointmentStatus.ARRIVED)
    visit(dr_priya, "11:00", "11:45", AppointmentStatus.NO_SHOW)
    return list(Appointment.objects.on_day(MONDAY))


def test_the_figures_count_the_appointments_by_status(monday):
    figures = day_figures(MONDAY, monday, now=at(MONDAY, "09:30"))

    assert (figures.booked, figures.arrived, figures.completed) == (1, 1, 1)
    assert (figures.no_shows, figures.cancelled) == (1, 1)
    assert figures.appointments == 4  # the cancelled one is not counted


def test_free_time_left_is_working_time_from_now_less_live_appointments_and_time_off(monday):
    figures = day_figures(MONDAY, monday, now=at(MONDAY, "09:30"))

    # Paul: 09:30–18:00 less 45 minutes booked and an hour away (the cancelled visit frees
    # its time) = 6 h 45. Priya: 09:30–18:00 less the end of the completed visit (15 min)
    # and the arrived one (45 min); the no-show frees its time = 7 h 30.
    assert figures.free_time == timedelta(hours=14, minutes=15)
    assert figures.free_hours == "14 h 15 min"


def test_practitioners_not_taking_bookings_have_no_free_time(monday, dr_paul, dr_priya):
    working_practitioner(("09:00", "18:00"), is_active=False)
    dr_priya.user.is_active = False
    dr_priya.user.save()

    figures = day_figures(MONDAY, monday, now=at(MONDAY, "17:00"))

    assert figures.free_hours == "1 h"  # Paul's last hour


def test_no_time_is_left_after_the_working_day(monday):
    assert day_figures(MONDAY, monday, now=at(MONDAY, "18:00")).free_hours == "0 h"


@pytest.mark.parametrize(
    ("minutes", "shown"), [(0, "0 h"), (45, "45 min"), (60, "1 h"), (330, "5 h 30 min")]
)
def test_free_time_reads_in_hours_and_minutes(minutes, shown):
    figures = DayFigures(0, 0, 0, 0, 0, free_time=timedelta(minutes=minutes))

    assert figures.free_hours == shown
