"""A manager's override is recorded only when it was needed; inactive people have no slots."""

from datetime import timedelta

import pytest

from tests.factories import (
    CourseFactory,
    RoomFactory,
    at,
    book,
    future_monday,
    working_practitioner,
)
from treatments.scheduling.free_slots import find_free_slots

pytestmark = pytest.mark.django_db


def test_an_override_reason_is_kept_only_when_the_hours_needed_overriding(maria):
    practitioner = working_practitioner()
    room = RoomFactory()
    monday = future_monday()
    within = book(
        patient=CourseFactory().complaint.patient,
        practitioner=practitioner,
        room=room,
        by=maria,
        start=at(monday, "10:00"),
        override_reason="Just in case",
    )
    assert within.override_reason == ""
    outside = book(
        patient=CourseFactory().complaint.patient,
        practitioner=practitioner,
        room=room,
        by=maria,
        start=at(monday, "19:00"),
        override_reason="Evening favour",
    )
    assert outside.override_reason == "Evening favour"
    assert find_free_slots(
        duration=timedelta(minutes=45), first_day=monday, last_day=monday, practitioner=practitioner
    )
    practitioner.is_active = False
    practitioner.save()
    assert not find_free_slots(
        duration=timedelta(minutes=45), first_day=monday, last_day=monday, practitioner=practitioner
    )
