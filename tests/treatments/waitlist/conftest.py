"""The waitlist's people: Ann Lee and Ben Ng (tests/treatments/conftest.py) and Cara Diaz,
and a slot freed on a Monday a few weeks ahead, 10:00–10:45 with Paul in Room A."""

import pytest

from tests.factories import PatientFactory, at, future_monday
from treatments.waitlist.matching import FreedSlot


@pytest.fixture
def cara(db):
    return PatientFactory(given_name="Cara", family_name="Diaz")


@pytest.fixture
def monday():
    return future_monday()


@pytest.fixture
def freed(dr_paul, room_a, monday):
    """Paul's Monday 10:00–10:45 in Room A, free (as after a cancellation)."""
    return FreedSlot(at(monday, "10:00"), at(monday, "10:45"), dr_paul, room_a)
