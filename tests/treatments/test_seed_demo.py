from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from clinic.models import Practitioner, Room, User
from clinic.roles import Role
from patients.models import Complaint, Patient
from patients.services import patient_register


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The command hashes six demo passwords; PBKDF2 would spend seconds per test on them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Practitioner, Room, Patient, Complaint)
    }


@pytest.mark.django_db
def test_seed_demo_creates_a_believable_demo_clinic():
    output = seed()

    users = {user.username: user for user in User.objects.all()}
    assert {name: user.roles for name, user in users.items()} == {
        "manager": {Role.MANAGER},
        "frontdesk": {Role.FRONT_DESK},
        "frontdesk2": {Role.FRONT_DESK},
        "practitioner": {Role.PRACTITIONER},
        "practitioner2": {Role.PRACTITIONER},
        "practitioner3": {Role.PRACTITIONER},
    }
    assert all(user.check_password("meridian-demo") for user in users.values())
    assert Practitioner.objects.active().count() == 3
    assert len(set(Practitioner.objects.values_list("colour", flat=True))) == 3
    assert Room.objects.active().count() == 3
    assert Patient.objects.count() == 200
    complaints_per_patient = Patient.objects.annotate(n=Count("complaints")).values_list(
        "n", flat=True
    )
    assert set(complaints_per_patient) == {1, 2}

    complaints = list(Complaint.objects.select_related("patient"))
    assert any(c.is_acute for c in complaints)
    assert any(c.is_chronic for c in complaints)
    assert 0 < sum(c.has_red_flags for c in complaints) < len(complaints) / 4
    today = timezone.localdate()
    assert all(c.patient.date_of_birth <= c.onset_date <= today for c in complaints)
    assert all(3 <= c.pain_at_intake <= 9 for c in complaints)
    assert all(p.phone.is_valid() for p in Patient.objects.all())
    assert "meridian-demo" in output
    assert "practitioner3" in output


@pytest.mark.django_db
def test_running_seed_demo_twice_creates_no_duplicates():
    seed()
    before = counts()

    output = seed()

    assert counts() == before
    assert "already there" in output


@pytest.mark.django_db
def test_if_empty_leaves_a_database_with_a_patient_alone():
    patient_register(
        by=None, given_name="Ada", family_name="Price", date_of_birth=date(1970, 1, 1),
        phone="020 7946 0001",
    )  # fmt: skip

    output = seed("--if-empty")

    assert counts() == {"User": 0, "Practitioner": 0, "Room": 0, "Patient": 1, "Complaint": 0}
    assert len(output.strip().splitlines()) == 1


@pytest.mark.django_db
def test_if_empty_seeds_an_empty_database():
    seed("--if-empty")

    assert counts()["Patient"] == 200
