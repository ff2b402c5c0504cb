"""A practitioner's free time on a day: working hours, less time off and appointments."""

from datetime import timedelta

import pytest

from clinic.availability import Availability, subtract
from tests.factories import TimeOffFactory, at, future_monday, working_practitioner

pytestmark = pytest.mark.django_db

MONDAY = future_monday()
SATURDAY = MONDAY + timedelta(days=5)


def spans(*pairs, day=MONDAY):
    return [(at(day, start), at(day, end)) for start, end in pairs]


@pytest.mark.parametrize(
    ("hole", "left"),
    [
        (("08:00", "09:00"), [("09:00", "12:00")]),  # before: untouched
        (("12:00", "13:00"), [("09:00", "12:00")]),  # touching the end: untouched
        (("08:00", "10:00"), [("10:00", "12:00")]),  # over the start
        (("10:00", "10:30"), [("09:00", "10:00"), ("10:30", "12:00")]),  # inside: two pieces
        (("11:00", "13:00"), [("09:00", "11:00")]),  # over the end
        (("08:00", "13:00"), []),  # all of it
    ],
)
def test_subtracting_a_hole_leaves_what_is_outside_it(hole, left):
    assert subtract(spans(("09:00", "12:00")), spans(hole)) == spans(*left)


def test_subtracting_several_holes_cuts_each_span():
    left = subtract(
        spans(("09:00", "12:00"), ("13:00", "17:00")),
        spans(("11:00", "14:00"), ("15:00", "15:30")),
    )

    assert left == spans(("09:00", "11:00"), ("14:00", "15:00"), ("15:30", "17:00"))


def test_free_time_is_working_time_less_time_off_and_appointments_from_a_moment_on():
    paul = working_practitioner(("09:00", "17:00"))
    TimeOffFactory(practitioner=paul, start=at(MONDAY, "12:00"), end=at(MONDAY, "13:00"))
    availability = Availability(MONDAY, MONDAY, [paul.pk])

    free = availability.free_spans(
        paul.pk, MONDAY, busy=spans(("10:00", "10:45")), after=at(MONDAY, "09:30")
    )

    assert free == spans(("09:30", "10:00"), ("10:45", "12:00"), ("13:00", "17:00"))


def test_there_is_no_free_time_once_the_working_day_is_over():
    paul = working_practitioner(("09:00", "17:00"))
    availability = Availability(MONDAY, MONDAY, [paul.pk])

    assert availability.free_spans(paul.pk, MONDAY, after=at(MONDAY, "17:00")) == []
    assert availability.free_spans(paul.pk, MONDAY, after=at(MONDAY, "08:00")) == spans(
        ("09:00", "17:00")
    )


def test_there_is_no_free_time_on_a_day_off():
    paul = working_practitioner(("09:00", "17:00"))
    availability = Availability(SATURDAY, SATURDAY, [paul.pk])

    assert availability.free_spans(paul.pk, SATURDAY) == []
