"""Closing a course frees the slots it no longer needs."""

from datetime import timedelta

import pytest

from tests.factories import (
    AppointmentFactory,
    CourseFactory,
    RoomFactory,
    at,
    book,
    future_monday,
    working_practitioner,
)
from treatments.courses import services
from treatments.models import AppointmentStatus, CourseStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def course_with_sessions(fiona):
    practitioner = working_practitioner()
    course = CourseFactory(practitioner=practitioner, planned_sessions=3)
    room = RoomFactory()
    monday = future_monday()
    sessions = [
        book(
            patient=course.complaint.patient,
            practitioner=practitioner,
            room=room,
            by=fiona,
            start=at(monday + timedelta(days=7 * week), "10:00"),
            course=course,
        )
        for week in range(2)
    ]
    past = AppointmentFactory(
        patient=course.complaint.patient,
        practitioner=practitioner,
        room=room,
        course=course,
        start=at(monday - timedelta(days=28), "10:00"),
        status=AppointmentStatus.COMPLETED,
    )
    return course, sessions, past


def test_discontinuing_a_course_cancels_its_future_sessions_with_the_reason(
    course_with_sessions, maria
):
    course, sessions, past = course_with_sessions
    services.course_discontinue(course=course, reason="Referred to the GP", by=maria)
    for session in sessions:
        session.refresh_from_db()
        assert session.status == AppointmentStatus.CANCELLED
        assert session.cancellation_reason == "Course discontinued: Referred to the GP"
        assert session.status_changes.get().changed_by == maria
    past.refresh_from_db()
    assert past.status == AppointmentStatus.COMPLETED
    course.refresh_from_db()
    assert course.status == CourseStatus.DISCONTINUED


def test_completing_a_course_early_cancels_its_future_sessions(course_with_sessions, paul):
    course, sessions, _ = course_with_sessions
    services.course_complete(course=course, by=paul)
    assert {s.status for s in course.appointments.filter(pk__in=[s.pk for s in sessions])} == {
        AppointmentStatus.CANCELLED
    }


def test_a_very_long_reason_still_cancels_cleanly(course_with_sessions, maria):
    course, sessions, _ = course_with_sessions
    services.course_discontinue(course=course, reason="x" * 500, by=maria)
    sessions[0].refresh_from_db()
    assert len(sessions[0].cancellation_reason) == 200
