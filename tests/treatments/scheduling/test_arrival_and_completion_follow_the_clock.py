"""A patient is checked in at most ARRIVE_EARLIEST_MINUTES (60) before the start, and a
session completed no earlier than COMPLETE_EARLIEST_MINUTES (0) before it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import AppointmentFactory, refused
from treatments.models import AppointmentStatus, CourseStatus
from treatments.scheduling import services as scheduling

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mid_morning")]


def visit(minutes_from_now: int, **fields):
    return AppointmentFactory(start=timezone.now() + timedelta(minutes=minutes_from_now), **fields)


def test_arrival_is_refused_more_than_an_hour_before_the_start(fiona):
    early = visit(70)

    error = refused(scheduling.mark_arrived, appointment=early, by=fiona)

    opens = timezone.localtime(early.start - timedelta(minutes=60))
    assert error.messages == [f"Cannot mark as arrived before {opens:%H:%M}."]
    early.refresh_from_db()
    assert early.status == AppointmentStatus.BOOKED


def test_arrival_is_accepted_within_the_hour_before_the_start(fiona):
    appointment = scheduling.mark_arrived(appointment=visit(50), by=fiona)

    assert appointment.status == AppointmentStatus.ARRIVED


def test_the_arrival_window_is_a_setting(fiona, settings):
    settings.ARRIVE_EARLIEST_MINUTES = 90

    assert scheduling.mark_arrived(appointment=visit(80), by=fiona).is_live


def test_completion_is_refused_before_the_session_starts(fiona):
    arrived = visit(30, status=AppointmentStatus.ARRIVED)

    error = refused(scheduling.complete, appointment=arrived, by=fiona)

    opens = timezone.localtime(arrived.start)
    assert error.messages == [f"Cannot complete before {opens:%H:%M}."]
    arrived.refresh_from_db()
    assert arrived.status == AppointmentStatus.ARRIVED


def test_completion_is_accepted_once_the_session_has_started(fiona):
    under_way = visit(-5, status=AppointmentStatus.ARRIVED)

    assert scheduling.complete(appointment=under_way, by=fiona).status == "completed"


def test_completing_early_is_a_setting(fiona, settings):
    settings.COMPLETE_EARLIEST_MINUTES = 15

    assert scheduling.complete(appointment=visit(10), by=fiona).status == "completed"


def test_a_one_session_course_does_not_close_before_its_session_starts(fiona, course):
    course.planned_sessions = 1
    course.save()
    only = visit(30, course=course, patient=course.complaint.patient, status="arrived")

    refused(scheduling.complete, appointment=only, by=fiona)

    course.refresh_from_db()
    assert course.status != CourseStatus.COMPLETED


def test_a_later_day_names_the_day_it_opens(fiona):
    next_week = visit(7 * 24 * 60)

    error = refused(scheduling.mark_arrived, appointment=next_week, by=fiona)

    opens = timezone.localtime(next_week.start - timedelta(minutes=60))
    assert error.messages == [f"Cannot mark as arrived before {opens:%a %d %b %H:%M}."]
