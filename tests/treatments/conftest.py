"""The people, rooms and appointment types the treatments tests share.

Paul and Priya (tests/conftest.py) as practitioners: `dr_paul` and `dr_priya` work Monday to
Friday 09:00–18:00; `paul_no_hours` and `priya_no_hours` have no working hours yet, for tests
that give the hours they are about. Ann Lee and Ben Ng are patients. The builders these use
are in tests/factories.py.
"""

import pytest

from tests import factories
from tests.factories import PatientFactory, RoomFactory, chronic_complaint, course_for, works


@pytest.fixture
def paul_no_hours(paul):
    return paul.practitioner


@pytest.fixture
def priya_no_hours(priya):
    return priya.practitioner


@pytest.fixture
def dr_paul(paul):
    works(paul.practitioner)
    return paul.practitioner


@pytest.fixture
def dr_priya(priya):
    works(priya.practitioner)
    return priya.practitioner


@pytest.fixture
def room_a(db):
    return RoomFactory(name="Room A")


@pytest.fixture
def room_b(db):
    return RoomFactory(name="Room B")


@pytest.fixture
def willow(db):
    return RoomFactory(name="Willow")


@pytest.fixture
def ann(db):
    return PatientFactory(given_name="Ann", family_name="Lee")


@pytest.fixture
def ben(db):
    return PatientFactory(given_name="Ben", family_name="Ng")


@pytest.fixture
def follow_up(db):
    """The seeded 45-minute follow-up."""
    return factories.follow_up()


@pytest.fixture
def course(dr_paul):
    """A chronic complaint (9 weeks) and its 4-session weekly course with Paul, from today."""
    return course_for(dr_paul, complaint=chronic_complaint(days=63))
