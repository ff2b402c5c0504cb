"""Moving (rescheduling) an appointment: the new time is checked as a booking would be.

Paul and Priya work Monday to Friday 09:00–18:00; Ann Lee and Ben Ng are patients;
every booking is a 45-minute follow-up unless a test says otherwise.
"""

from tests.factories import (
    at,
    book,
    future_monday,
    initial_consultation,
    refused,
    works,
)
from treatments.models import (
    Appointment,
)
from treatments.scheduling import services as scheduling

MONDAY = future_monday()


def test_reschedule_moves_an_appointment_and_keeps_its_length(fiona, dr_paul, room_a, ann):
    appointment = book(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "10:00"),
        appointment_type=initial_consultation(),
        by=fiona,
    )

    scheduling.reschedule(appointment=appointment, start=at(MONDAY, "15:00"), by=fiona)

    appointment.refresh_from_db()
    assert (appointment.start, appointment.end) == (at(MONDAY, "15:00"), at(MONDAY, "16:00"))


def test_reschedule_may_overlap_the_appointments_own_old_time(fiona, dr_paul, room_a, ann):
    appointment = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )

    scheduling.reschedule(appointment=appointment, start=at(MONDAY, "10:15"), by=fiona)

    appointment.refresh_from_db()
    assert appointment.start == at(MONDAY, "10:15")


def test_reschedule_into_a_clash_is_refused_and_the_old_time_is_kept(
    fiona, dr_paul, room_a, room_b, ann, ben
):
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona)
    moving = book(
        patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "11:00"), by=fiona
    )

    error = refused(scheduling.reschedule, appointment=moving, start=at(MONDAY, "10:30"), by=fiona)

    assert error.messages == ["Paul Needham is seeing Ann Lee 10:00–10:45."]
    moving.refresh_from_db()
    assert (moving.start, moving.end) == (at(MONDAY, "11:00"), at(MONDAY, "11:45"))


def test_reschedule_into_a_taken_room_is_refused(
    fiona, dr_paul, dr_priya, room_a, room_b, ann, ben
):
    book(patient=ann, practitioner=dr_priya, room=room_a, start=at(MONDAY, "10:00"), by=fiona)
    moving = book(
        patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "10:00"), by=fiona
    )

    error = refused(
        scheduling.reschedule,
        appointment=moving,
        start=at(MONDAY, "10:00"),
        room=room_a,
        by=fiona,
    )

    assert error.messages == ["Room A is taken 10:00–10:45 by Priya Shah with Ann Lee."]
    moving.refresh_from_db()
    assert moving.room == room_b


def test_reschedule_outside_the_new_practitioners_hours_is_refused(
    fiona, dr_paul, priya, room_a, ann
):
    works(priya.practitioner, ("13:00", "17:00"))
    moving = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )

    error = refused(
        scheduling.reschedule,
        appointment=moving,
        start=at(MONDAY, "10:00"),
        practitioner=priya.practitioner,
        by=fiona,
    )

    assert error.messages == ["Priya Shah works 13:00–17:00 on Mondays."]
    moving.refresh_from_db()
    assert moving.practitioner == dr_paul


def test_only_booked_appointments_can_be_moved(fiona, dr_paul, room_a, ann):
    appointment = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )
    scheduling.cancel(appointment=appointment, reason="Away", by=fiona)

    error = refused(
        scheduling.reschedule, appointment=appointment, start=at(MONDAY, "11:00"), by=fiona
    )

    assert error.messages == ["Only booked appointments can be moved; this one is cancelled."]


def test_a_refused_reschedule_leaves_the_callers_appointment_unchanged(
    fiona, dr_paul, room_a, room_b, ann, ben
):
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona)
    moving = book(
        patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "11:00"), by=fiona
    )

    refused(scheduling.reschedule, appointment=moving, start=at(MONDAY, "10:30"), by=fiona)

    assert moving.start == at(MONDAY, "11:00")


def test_a_move_on_a_stale_copy_cannot_revive_a_cancelled_appointment(fiona, dr_paul, room_a, ann):
    on_screen_1 = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )
    on_screen_2 = Appointment.objects.get(pk=on_screen_1.pk)  # another desk's open page
    scheduling.cancel(appointment=on_screen_1, reason="Phoned to cancel", by=fiona)

    error = refused(
        scheduling.reschedule, appointment=on_screen_2, start=at(MONDAY, "15:00"), by=fiona
    )

    assert error.messages == ["Only booked appointments can be moved; this one is cancelled."]
    on_screen_1.refresh_from_db()
    assert (on_screen_1.status, on_screen_1.start) == ("cancelled", at(MONDAY, "10:00"))
