"""Booking: no practitioner, room or patient in two places at once; back to back is fine,
and cancelled or no-show appointments free their slot.

Paul and Priya work Monday to Friday 09:00–18:00; Ann Lee and Ben Ng are patients;
every booking is a 45-minute follow-up unless a test says otherwise.
"""

import pytest

from tests.factories import (
    AppointmentFactory,
    at,
    book,
    future_monday,
    initial_consultation,
    refused,
)
from treatments.models import (
    Appointment,
    AppointmentStatus,
)
from treatments.scheduling import services as scheduling

MONDAY = future_monday()


def test_booking_refuses_a_practitioner_who_is_already_seeing_someone(
    fiona, dr_paul, room_a, room_b, ann, ben
):
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona)

    error = refused(
        book, patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "10:15"), by=fiona
    )

    assert error.messages == ["Paul Needham is seeing Ann Lee 10:00–10:45."]
    assert [clash.kinds for clash in error.clashes] == [{"practitioner"}]
    assert not error.only_availability
    assert Appointment.objects.filter(patient=ben).count() == 0


def test_booking_refuses_a_room_that_is_taken(fiona, dr_paul, dr_priya, room_a, ann, ben):
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona)

    error = refused(
        book, patient=ben, practitioner=dr_priya, room=room_a, start=at(MONDAY, "10:30"), by=fiona
    )

    assert error.messages == ["Room A is taken 10:00–10:45 by Paul Needham with Ann Lee."]
    assert [clash.kinds for clash in error.clashes] == [{"room"}]


def test_booking_refuses_a_patient_who_is_already_booked_with_someone_else_elsewhere(
    fiona, dr_paul, dr_priya, room_a, room_b, ann
):
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona)

    error = refused(
        book, patient=ann, practitioner=dr_priya, room=room_b, start=at(MONDAY, "09:30"), by=fiona
    )

    assert error.messages == ["Ann Lee already has an appointment 10:00–10:45 with Paul Needham."]
    assert [clash.kinds for clash in error.clashes] == [{"patient"}]


def test_an_appointment_that_clashes_three_ways_is_named_once(fiona, dr_paul, room_a, ann):
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona)

    error = refused(
        book, patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )

    assert error.messages == ["Paul Needham is seeing Ann Lee 10:00–10:45 in Room A."]
    assert [clash.kinds for clash in error.clashes] == [{"practitioner", "room", "patient"}]


def test_two_appointments_in_the_way_are_named_once_each_in_time_order(
    fiona, dr_paul, dr_priya, room_a, room_b, ann, ben
):
    book(patient=ben, practitioner=dr_priya, room=room_a, start=at(MONDAY, "10:30"), by=fiona)
    book(patient=ann, practitioner=dr_paul, room=room_b, start=at(MONDAY, "09:45"), by=fiona)

    error = refused(
        book, patient=ben, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:15"), by=fiona
    )

    assert error.messages == [
        "Paul Needham is seeing Ann Lee 09:45–10:30.",
        "Ben Ng already has an appointment 10:30–11:15 with Priya Shah in Room A.",
    ]


def test_a_clash_with_a_longer_appointment_names_its_own_times(
    fiona, dr_paul, room_a, room_b, ann, ben
):
    book(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "14:00"),
        appointment_type=initial_consultation(),
        by=fiona,
    )

    error = refused(
        book, patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "14:50"), by=fiona
    )

    assert error.messages == ["Paul Needham is seeing Ann Lee 14:00–15:00."]


def test_back_to_back_bookings_are_allowed_for_the_same_practitioner_room_and_patient(
    fiona, dr_paul, room_a, ann
):
    middle = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )
    after = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:45"), by=fiona
    )
    before = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "09:15"), by=fiona
    )

    assert (before.end, after.start) == (middle.start, middle.end)
    assert Appointment.objects.live().count() == 3


@pytest.mark.parametrize(
    "kind", ["same practitioner", "same room", "same patient"], ids=lambda k: k.replace(" ", "_")
)
def test_back_to_back_is_allowed_for_each_kind_of_clash(
    kind, fiona, dr_paul, dr_priya, room_a, room_b, ann, ben
):
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona)
    second = {
        "same practitioner": {"patient": ben, "practitioner": dr_paul, "room": room_b},
        "same room": {"patient": ben, "practitioner": dr_priya, "room": room_a},
        "same patient": {"patient": ann, "practitioner": dr_priya, "room": room_b},
    }[kind]

    book(**second, start=at(MONDAY, "10:45"), by=fiona)

    assert Appointment.objects.live().count() == 2


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_cancelled_and_no_show_appointments_free_their_slot(
    status, fiona, dr_paul, room_a, ann, ben
):
    AppointmentFactory(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), status=status
    )

    taken_again = book(
        patient=ben, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )

    assert taken_again.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize(
    "status", [AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED]
)
def test_booked_arrived_and_completed_appointments_keep_their_slot(
    status, fiona, dr_paul, room_b, ann, ben
):
    AppointmentFactory(patient=ann, practitioner=dr_paul, start=at(MONDAY, "10:00"), status=status)

    error = refused(
        book, patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "10:00"), by=fiona
    )

    assert error.messages == ["Paul Needham is seeing Ann Lee 10:00–10:45."]


def test_a_slot_cancelled_through_the_service_can_be_booked_again(fiona, dr_paul, room_a, ann, ben):
    first = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )
    scheduling.cancel(appointment=first, reason="Feeling better", by=fiona)

    book(patient=ben, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona)

    assert Appointment.objects.live().get().patient == ben
