from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from clinic.models import ClinicProfile, Practitioner, Room, TimeOff, User, WorkingHours
from clinic.roles import Role
from patients.models import Complaint, Patient
from patients.services import patient_register
from treatments.audit.seals import note_verifies
from treatments.demo.diary import demo_day
from treatments.demo.recalls import UNBOOKED_COURSES
from treatments.models import (
    Appointment,
    AppointmentStatus,
    CourseStatus,
    PointSet,
    RecallDismissal,
    RecallKind,
    SessionNote,
    TreatmentCourse,
)
from treatments.recalls.worklist import recall_list

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    """Seed as `make run` does: with DEBUG on."""
    out = StringIO()
    with override_settings(DEBUG=True):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Practitioner, Room, Patient, Complaint)
    }


@pytest.fixture(scope="class")
def demo_clinic(django_db_setup, django_db_blocker):
    """Seeded once for a class of tests that only read it, and rolled back afterwards."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield seed()
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_clinic")
class TestTheDemoClinic:
    def test_has_a_phone_number_for_its_sheets(self, demo_clinic):
        profile = ClinicProfile.objects.get()
        assert profile.phone == "0161 496 0000"
        assert profile.history.first().history_user.username == "manager"

    def test_has_staff_rooms_patients_and_complaints(self, demo_clinic):
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
        assert "meridian-demo" in demo_clinic
        assert "practitioner3" in demo_clinic

    def test_every_practitioner_has_working_hours_and_one_has_time_off(self):
        days_worked = {
            p.display_name: {block.weekday for block in p.working_hours.all()}
            for p in Practitioner.objects.prefetch_related("working_hours")
        }
        assert all(len(days) >= 4 for days in days_worked.values())
        assert any(5 in days for days in days_worked.values())  # someone works Saturdays
        assert WorkingHours.objects.filter(weekday=6).count() == 0  # the clinic is shut
        assert TimeOff.objects.filter(start__gt=timezone.now()).count() == 1

    def test_has_chronic_courses_acute_visits_and_courses_under_way(self):
        courses = list(TreatmentCourse.objects.with_progress().select_related("complaint"))
        chronic = [c for c in courses if c.planned_sessions > 1]
        acute = [c for c in courses if c.planned_sessions == 1]

        assert len(chronic) == 25 + UNBOOKED_COURSES  # the diary's, the recall list's
        assert len(acute) == 10
        assert all(3 <= c.planned_sessions <= 6 and c.complaint.is_chronic for c in chronic)
        assert all(c.complaint.is_acute for c in acute)
        assert all(c.progress().booked + c.progress().completed >= 1 for c in courses)
        under_way = [c for c in chronic if 0 < c.progress().completed < c.planned_sessions]
        assert len(under_way) >= 3  # "session 2 of 4" shows on the calendar
        assert all(c.status != CourseStatus.PLANNED for c in courses)

    def test_no_practitioner_room_or_patient_is_double_booked(self):
        live = list(Appointment.objects.live().order_by("start"))

        assert len(live) > 100
        for holder in ("practitioner_id", "room_id", "patient_id"):
            last_end = {}
            for appointment in live:  # by start: each must begin after the last one ended
                key = getattr(appointment, holder)
                assert appointment.start >= last_end.get(key, appointment.start), (
                    f"{holder} double-booked at {appointment}"
                )
                last_end[key] = max(last_end.get(key, appointment.end), appointment.end)

    def test_the_demo_day_is_busy_and_what_is_over_is_done(self):
        day = demo_day(timezone.localdate())
        on_day = [
            a for a in Appointment.objects.live() if timezone.localtime(a.start).date() == day
        ]

        assert 8 <= len(on_day) <= 15
        assert len({a.practitioner_id for a in on_day}) >= 2
        now = timezone.now()
        for appointment in Appointment.objects.live():
            if appointment.end <= now:
                assert appointment.status == AppointmentStatus.COMPLETED
            elif appointment.start > now:
                assert appointment.status == AppointmentStatus.BOOKED

    def test_every_completed_session_has_a_signed_note_and_practitioners_have_point_sets(self):
        completed = Appointment.objects.filter(status=AppointmentStatus.COMPLETED)
        assert completed.exists()
        signed = SessionNote.objects.signed()
        assert set(signed.values_list("appointment", flat=True)) == set(
            completed.values_list("pk", flat=True)
        )
        assert all(note_verifies(note) for note in signed)
        assert all(note.needles_match for note in signed)
        assert PointSet.objects.filter(name="Hip and buttock spasm").count() == 3

    def test_the_recall_list_has_each_kind_and_a_contact_and_a_dismissal(self):
        lists = recall_list(now=timezone.now(), months=6)

        assert len(lists[RecallKind.UNBOOKED]) == UNBOOKED_COURSES
        assert len(lists[RecallKind.NO_PREVENTION_SHEET]) >= 1  # acute visits of the last days
        assert len(lists[RecallKind.RESOLVED]) == 2  # of three, one dismissed
        assert sorted(len(item.contacts) for item in lists[RecallKind.UNBOOKED]) == [0, 1]
        assert RecallDismissal.objects.count() == 1

    def test_one_appointment_was_cancelled_with_a_reason(self):
        cancelled = Appointment.objects.filter(status=AppointmentStatus.CANCELLED)

        assert [a.cancellation_reason != "" for a in cancelled] == [True]


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


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_refuses_when_debug_is_off(fiona):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--allow-production"):
        call_command("seed_demo", "--if-empty", stdout=StringIO())


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_runs_with_debug_off_when_explicitly_allowed(fiona):
    out = StringIO()
    call_command("seed_demo", "--if-empty", "--allow-production", stdout=out)
    assert "already has users or patients" in out.getvalue()
