"""No double booking under real concurrency, on SQLite and on PostgreSQL.

Eight threads, each with its own database connection (Django's connections are per thread),
wait at a barrier and then book the same slot at the same instant through the scheduling
service. Exactly one booking may exist afterwards; every other thread must get a
SchedulingError naming the clash — never "database is locked", never an IntegrityError.

The "widened" variants stretch the time between the service's clash check and its insert, so
that every thread checks before any has committed: on SQLite the IMMEDIATE transaction must
still serialise them; on PostgreSQL the exclusion constraints must refuse all but one insert
and the service must turn that refusal into the same clear message.

On PostgreSQL, racing inserts used to deadlock inside the exclusion-constraint check now and
then; the service now queues writers that share a practitioner, room, patient or course on
advisory locks (test_bookings_in_parallel.py), and a test forces the old deadlock.

The tests at the end (marked `postgres`) check the exclusion constraints themselves with raw
ORM writes that bypass the service.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import IntegrityError, OperationalError, connection, connections, transaction

from tests.factories import (
    AppointmentFactory,
    CourseFactory,
    PatientFactory,
    RoomFactory,
    at,
    follow_up,
    future_monday,
    working_practitioner,
    works,
)
from treatments.models import Appointment, AppointmentStatus
from treatments.scheduling import checks
from treatments.scheduling import services as scheduling
from treatments.scheduling.checks import SchedulingError
from treatments.scheduling.services import PlannedSession

THREADS = 8
MONDAY = future_monday()
START = at(MONDAY, "10:00")
END = START + timedelta(minutes=45)

# Transactional: every thread must see the rows the test made, so they are committed.
# serialized_rollback: the data migrations' rows (groups, opening hours, appointment types)
# are restored for each of these tests, since flushing the database removes them.
concurrent = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def race(attempts) -> list[tuple[str, object]]:
    """Run each attempt in its own thread, all released at once; collect what each got."""
    barrier = threading.Barrier(len(attempts))
    results: list[tuple[str, object]] = [("did not finish", None)] * len(attempts)

    def run(index, attempt):
        try:
            connection.ensure_connection()  # connect first, so the barrier releases the booking
            barrier.wait(timeout=10)
            results[index] = ("booked", attempt().pk)
        except SchedulingError as error:
            results[index] = ("refused", error.messages)
        except Exception as error:  # anything else is the failure these tests exist to catch
            results[index] = ("error", repr(error))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, attempt), name=f"booking-{index}")
        for index, attempt in enumerate(attempts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture(params=["natural", "widened"])
def race_window(request, monkeypatch):
    """'widened': the clash check sleeps after reading, before the booking is inserted."""
    if request.param == "widened":
        real_find_clashes = checks.find_clashes

        def slow_find_clashes(**kwargs):
            clashes = real_find_clashes(**kwargs)
            time.sleep(0.05)
            return clashes

        monkeypatch.setattr(checks, "find_clashes", slow_find_clashes)
    return request.param


def the_one_booking(results, expected_messages) -> Appointment:
    """Exactly one attempt booked; every other got `expected_messages(winner)` as a refusal
    (no deadlock, no "database is locked", no IntegrityError)."""
    booked = [detail for kind, detail in results if kind == "booked"]
    assert len(booked) == 1, results
    winner = Appointment.objects.select_related("patient", "practitioner").get(pk=booked[0])
    expected = expected_messages(winner)
    others = [(kind, detail) for kind, detail in results if kind != "booked"]
    assert others == [("refused", expected)] * len(others), results
    return winner


def booking(*, patient, practitioner, room, by):
    return lambda: scheduling.book(
        patient=patient,
        practitioner=practitioner,
        room=room,
        appointment_type=follow_up(),
        start=START,
        by=by,
    )


@concurrent
def test_eight_desks_booking_one_practitioner_and_room_at_once_get_one_booking(race_window, fiona):
    practitioner = working_practitioner(display_name="Dr Paul Needham")
    room = RoomFactory(name="Room A")
    patients = [PatientFactory(given_name=f"Patient{n}", family_name="Race") for n in range(8)]

    results = race(
        [booking(patient=p, practitioner=practitioner, room=room, by=fiona) for p in patients]
    )

    the_one_booking(
        results,
        lambda winner: [
            f"Dr Paul Needham is seeing {winner.patient} 10:00–10:45 in Room A.",
        ],
    )
    assert Appointment.objects.count() == 1
    assert Appointment.objects.live().overlapping(START, END).count() == 1


@concurrent
def test_eight_desks_booking_one_room_with_different_practitioners_get_one_booking(
    race_window, fiona
):
    room = RoomFactory(name="Room A")
    practitioners = [working_practitioner(display_name=f"Dr {n}") for n in range(THREADS)]
    patients = [PatientFactory() for _ in range(THREADS)]

    results = race(
        [
            booking(patient=patient, practitioner=practitioner, room=room, by=fiona)
            for patient, practitioner in zip(patients, practitioners, strict=True)
        ]
    )

    the_one_booking(
        results,
        lambda winner: [
            f"Room A is taken 10:00–10:45 by {winner.practitioner.display_name} "
            f"with {winner.patient}."
        ],
    )
    assert Appointment.objects.count() == 1


@concurrent
def test_eight_desks_booking_one_patient_with_different_practitioners_and_rooms_get_one(
    race_window, fiona
):
    patient = PatientFactory(given_name="Ann", family_name="Lee")
    practitioners = [working_practitioner(display_name=f"Dr {n}") for n in range(THREADS)]
    rooms = [RoomFactory() for _ in range(THREADS)]

    results = race(
        [
            booking(patient=patient, practitioner=practitioner, room=room, by=fiona)
            for practitioner, room in zip(practitioners, rooms, strict=True)
        ]
    )

    the_one_booking(
        results,
        lambda winner: [
            "Ann Lee already has an appointment 10:00–10:45 "
            f"with {winner.practitioner.display_name}."
        ],
    )
    assert Appointment.objects.count() == 1


@concurrent
def test_eight_desks_booking_different_practitioners_and_rooms_all_succeed(fiona):
    """The control: when nothing is shared, nobody is refused (the tests above are not vacuous)."""
    practitioners = [working_practitioner() for _ in range(THREADS)]
    rooms = [RoomFactory() for _ in range(THREADS)]
    patients = [PatientFactory() for _ in range(THREADS)]

    results = race(
        [
            booking(patient=patient, practitioner=practitioner, room=room, by=fiona)
            for patient, practitioner, room in zip(patients, practitioners, rooms, strict=True)
        ]
    )

    assert [kind for kind, _ in results] == ["booked"] * THREADS
    assert Appointment.objects.live().count() == THREADS


@concurrent
def test_two_courses_racing_for_the_same_sessions_book_one_course_whole(race_window, fiona):
    practitioner = working_practitioner(display_name="Dr Paul Needham")
    room = RoomFactory(name="Room A")
    courses = [CourseFactory(practitioner=practitioner, planned_sessions=3) for _ in range(4)]
    sessions = [PlannedSession(START + timedelta(weeks=week), room) for week in range(3)]

    results = race(
        [
            lambda course=course: scheduling.book_course(
                course=course, sessions=sessions, appointment_type=follow_up(), by=fiona
            )[0]
            for course in courses
        ]
    )

    def session_1_clashes(winner):
        return [
            f"Session {n} ({START + timedelta(weeks=n - 1):%a %d %b} 10:00): "
            f"Dr Paul Needham is seeing {winner.patient} 10:00–10:45 in Room A."
            for n in (1, 2, 3)
        ]

    winner = the_one_booking(results, session_1_clashes)
    assert Appointment.objects.count() == 3
    assert set(Appointment.objects.values_list("course", flat=True)) == {winner.course_id}


@concurrent
@pytest.mark.postgres
def test_a_booking_caught_in_a_deadlock_gets_an_answer_not_a_database_error(fiona):
    """Forces the deadlock the eight-thread races used to run into now and then.

    Another writer holds Room 1 at 10:00; the course's session 2 waits for it while holding
    Room 2 at 09:00 (session 1), which the other writer then wants. PostgreSQL breaks the
    cycle by aborting one of the two: today the course booking, which waited first. Whoever
    is aborted, the service must answer with a booking or a SchedulingError, and nothing may
    end up double-booked.
    """
    course = CourseFactory(
        practitioner=working_practitioner(display_name="Dr Paul Needham"), planned_sessions=2
    )
    room_1, room_2 = RoomFactory(name="Room 1"), RoomFactory(name="Room 2")
    sessions = [PlannedSession(at(MONDAY, "09:00"), room_2), PlannedSession(START, room_1)]
    result = []

    def book_the_course():
        try:
            scheduling.book_course(
                course=course, sessions=sessions, appointment_type=follow_up(), by=fiona
            )
            result.append(("booked", None))
        except SchedulingError as error:
            result.append(("refused", error.messages))
        except Exception as error:
            result.append(("error", repr(error)))
        finally:
            connections.close_all()

    try:
        with transaction.atomic():  # the other writer: its rows stay locked until it commits
            AppointmentFactory(room=room_1, start=START, end=END)
            worker = threading.Thread(target=book_the_course)
            worker.start()
            wait_until_a_backend_waits_for_a_lock()
            time.sleep(0.2)  # well inside the 1 s deadlock_timeout of the course's wait
            AppointmentFactory(room=room_2, start=at(MONDAY, "09:00"))
    except OperationalError as error:  # the other writer was the one aborted: fine
        if "deadlock detected" not in str(error):
            raise
    worker.join(timeout=30)

    assert len(result) == 1
    kind, messages = result[0]
    assert kind in ("booked", "refused"), result
    if kind == "refused":
        assert all(message.startswith("Session ") for message in messages), result
    assert Appointment.objects.filter(course=course).count() == (2 if kind == "booked" else 0)
    assert Appointment.objects.live().filter(room=room_1).count() == 1
    assert Appointment.objects.live().filter(room=room_2).count() == 1


def wait_until_a_backend_waits_for_a_lock(timeout=5.0):
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # else one snapshot per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise RuntimeError("the course booking never waited for the other writer")


@concurrent
def test_sqlite_races_run_on_a_shared_file_with_immediate_transactions():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: PostgreSQL has exclusion constraints instead")
    assert not connection.is_in_memory_db()
    assert connection.transaction_mode == "IMMEDIATE"
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000


# --- PostgreSQL: the database itself refuses double bookings --------------------------------


@pytest.fixture
def booked(db):
    """A live appointment Monday 10:00–10:45, written directly."""
    return AppointmentFactory(start=START, end=END)


def raw_insert(**fields):
    """Appointment.objects.create, bypassing the service, in its own savepoint."""
    with transaction.atomic():
        return AppointmentFactory(**fields)


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("shared", "constraint"),
    [
        ("practitioner", "appointment_no_practitioner_overlap"),
        ("room", "appointment_no_room_overlap"),
        ("patient", "appointment_no_patient_overlap"),
    ],
)
def test_the_database_refuses_an_overlapping_live_appointment(shared, constraint, booked):
    with pytest.raises(IntegrityError, match=constraint):
        raw_insert(
            **{shared: getattr(booked, shared)},
            start=START + timedelta(minutes=30),
            end=END + timedelta(minutes=30),
        )

    assert Appointment.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.parametrize("status", [AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED])
def test_the_database_refuses_an_overlapping_arrived_or_completed_appointment(status, booked):
    with pytest.raises(IntegrityError, match="appointment_no_room_overlap"):
        raw_insert(room=booked.room, start=START, end=END, status=status)


@pytest.mark.postgres
@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_the_database_accepts_an_overlapping_cancelled_or_no_show_appointment(status, booked):
    raw_insert(
        practitioner=booked.practitioner,
        room=booked.room,
        patient=booked.patient,
        start=START,
        end=END,
        status=status,
    )

    assert Appointment.objects.count() == 2


@pytest.mark.postgres
def test_the_database_accepts_back_to_back_appointments(booked):
    same = {"practitioner": booked.practitioner, "room": booked.room, "patient": booked.patient}

    raw_insert(**same, start=END, end=END + timedelta(minutes=45))
    raw_insert(**same, start=START - timedelta(minutes=45), end=START)

    assert Appointment.objects.live().count() == 3


@pytest.mark.postgres
def test_the_database_refuses_bringing_a_cancelled_appointment_back_into_a_taken_slot(booked):
    cancelled = raw_insert(
        practitioner=booked.practitioner, start=START, end=END, status=AppointmentStatus.CANCELLED
    )

    with (
        pytest.raises(IntegrityError, match="appointment_no_practitioner_overlap"),
        transaction.atomic(),
    ):
        Appointment.objects.filter(pk=cancelled.pk).update(status=AppointmentStatus.BOOKED)


@pytest.mark.postgres
def test_a_booking_that_loses_the_race_at_the_database_gets_the_clash_message(
    monkeypatch, fiona, booked
):
    """As if another desk committed between our clash check and our insert."""
    real_find_clashes = checks.find_clashes
    calls = []

    def check_before_the_other_commit(**kwargs):
        calls.append(kwargs)
        return [] if len(calls) == 1 else real_find_clashes(**kwargs)

    monkeypatch.setattr(checks, "find_clashes", check_before_the_other_commit)
    practitioner = booked.practitioner
    works(practitioner)

    with pytest.raises(SchedulingError) as caught:
        scheduling.book(
            patient=PatientFactory(),
            practitioner=practitioner,
            room=RoomFactory(),
            appointment_type=follow_up(),
            start=START + timedelta(minutes=15),
            by=fiona,
        )

    assert caught.value.messages == [
        f"{practitioner.display_name} is seeing {booked.patient} 10:00–10:45."
    ]
    assert len(calls) == 2
    assert Appointment.objects.count() == 1


@pytest.mark.postgres
def test_an_undo_that_loses_the_race_at_the_database_is_refused_cleanly(monkeypatch, fiona, booked):
    cancelled = AppointmentFactory(
        practitioner=booked.practitioner, start=START, end=END, status=AppointmentStatus.CANCELLED
    )
    cancelled.status_changes.create(
        from_status=AppointmentStatus.BOOKED,
        to_status=AppointmentStatus.CANCELLED,
        changed_by=fiona,
    )
    monkeypatch.setattr(checks, "find_clashes", lambda **kwargs: [])

    with pytest.raises(SchedulingError) as caught:
        scheduling.undo_status(appointment=cancelled, by=fiona)

    assert caught.value.messages == ["The slot has just been taken by another booking."]
    cancelled.refresh_from_db()
    assert cancelled.status == AppointmentStatus.CANCELLED
