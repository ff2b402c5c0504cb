"""The clash check reads a bounded stretch of an index, whatever the clinic's history.

An appointment lasts at most 8 hours (a database constraint), so anything overlapping
[start, end) started after start - 8 hours: each of the three parts of the check (this
practitioner's, this room's, this patient's live appointments) is a range scan of a
(column, start) index. The tests read the databases' own query plans.
"""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    RoomFactory,
    at,
    follow_up,
    future_monday,
    working_practitioner,
)
from treatments.models import Appointment
from treatments.scheduling import services as scheduling
from treatments.scheduling.checks import SchedulingError, clashing_ids
from treatments.scheduling.forms import WhenForm

MONDAY = future_monday()
START = at(MONDAY, "10:00")


def clash_query_sql(practitioner, room, patient):
    ids = clashing_ids(
        patient_id=patient.pk,
        practitioner_id=practitioner.pk,
        room_id=room.pk,
        start=START,
        end=START + timedelta(minutes=45),
    )
    return Appointment.objects.filter(pk__in=ids).with_people().query.sql_with_params()


@pytest.mark.django_db
def test_sqlite_answers_each_part_of_the_clash_check_from_an_index():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL's is the next test")
    booked = AppointmentFactory(start=START, end=START + timedelta(minutes=45))
    sql, params = clash_query_sql(booked.practitioner, booked.room, booked.patient)

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[-1] for row in cursor.fetchall()]

    reads = [step for step in plan if " U0 " in f"{step} "]
    assert reads == [
        "SEARCH U0 USING INDEX appointment_practitioner_idx "
        "(practitioner_id=? AND start>? AND start<?)",
        "SEARCH U0 USING INDEX appointment_room_idx (room_id=? AND start>? AND start<?)",
        "SEARCH U0 USING INDEX appointment_patient_idx (patient_id=? AND start>? AND start<?)",
    ], plan


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_answers_the_clash_check_from_indexes_over_years_of_history():
    """Five years of four practitioners' and rooms' days, eight visits a weekday each, among
    fifty patients, none of them double-booked (~40,000 appointments), analysed as
    autovacuum would."""
    booked = AppointmentFactory(start=START, end=START + timedelta(minutes=45))
    pairs = [(booked.practitioner, booked.room)] + [
        (working_practitioner(), RoomFactory()) for _ in range(3)
    ]
    patients = [booked.patient] + [PatientFactory() for _ in range(49)]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO treatments_appointment
                (patient_id, practitioner_id, room_id, appointment_type_id, booked_by_id,
                 start, "end", status, cancellation_reason, late_cancellation,
                 override_reason, booked_at)
            SELECT (%(patients)s::bigint[])[1 + ((n + 13 * k) %% 50)],
                   pair.practitioner_id, pair.room_id, %(type)s, %(by)s,
                   at, at + interval '45 minutes', 'completed', '', false, '', now()
            FROM unnest(%(practitioners)s::bigint[], %(rooms)s::bigint[])
                     WITH ORDINALITY AS pair(practitioner_id, room_id, k),
                 generate_series(%(start)s::timestamptz - interval '5 years',
                                 %(start)s::timestamptz - interval '1 day',
                                 interval '1 hour') WITH ORDINALITY AS s(at, n)
            WHERE extract(isodow FROM at) < 6 AND extract(hour FROM at) BETWEEN 9 AND 16
            """,
            {
                "patients": [patient.pk for patient in patients],
                "practitioners": [practitioner.pk for practitioner, _ in pairs],
                "rooms": [room.pk for _, room in pairs],
                "type": booked.appointment_type_id,
                "by": booked.booked_by_id,
                "start": START,
            },
        )
        cursor.execute("ANALYZE treatments_appointment")
        sql, params = clash_query_sql(booked.practitioner, booked.room, booked.patient)
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = [row[0].strip() for row in cursor.fetchall()]

    assert Appointment.objects.count() > 30_000
    text = "\n".join(plan)
    assert "Seq Scan" not in text and "BitmapOr" not in text, text
    # The three parts of the UNION (u0, u0_1, u0_2): each an index scan bounded on both sides
    # of `start` (the planner picks (start) or (column, start), both read only the window).
    parts = [n for n, step in enumerate(plan) if " on treatments_appointment u0" in step]
    assert len(parts) == 3, text
    for n in parts:
        assert plan[n].startswith("->  Index Scan using appointment_"), text
        assert plan[n + 1].startswith("Index Cond:") and "start >" in plan[n + 1], text
        assert "start <" in plan[n + 1], text


# --- the limit the bound relies on ------------------------------------------------------


@pytest.mark.django_db
def test_booking_longer_than_eight_hours_is_refused_with_the_limit_in_words(fiona):
    with pytest.raises(SchedulingError) as caught:
        scheduling.book(
            patient=PatientFactory(),
            practitioner=working_practitioner(("07:00", "20:00")),
            room=RoomFactory(),
            appointment_type=follow_up(),
            start=at(MONDAY, "08:00"),
            end=at(MONDAY, "16:01"),
            by=fiona,
        )

    assert caught.value.messages == ["An appointment lasts at most 8 hours (480 minutes)."]
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_an_appointment_of_exactly_eight_hours_can_be_booked(fiona):
    booked = scheduling.book(
        patient=PatientFactory(),
        practitioner=working_practitioner(("08:00", "16:00")),
        room=RoomFactory(),
        appointment_type=follow_up(),
        start=at(MONDAY, "08:00"),
        end=at(MONDAY, "16:00"),
        by=fiona,
    )

    assert booked.duration_minutes == 480


@pytest.mark.django_db
def test_the_database_refuses_an_appointment_longer_than_eight_hours():
    with (
        pytest.raises(IntegrityError, match="appointment_ends_after_start_within_8_hours"),
        transaction.atomic(),
    ):
        AppointmentFactory(start=START, end=START + timedelta(hours=8, minutes=1))


def test_the_booking_form_says_how_long_an_appointment_may_last():
    form = WhenForm(data={"date": MONDAY.isoformat(), "time": "09:00", "duration": "481"})

    assert form.errors["duration"] == ["An appointment lasts at most 8 hours (480 minutes)."]
