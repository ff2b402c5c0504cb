"""The scheduling service: double-booking rules, moves, status changes and undo, courses, DST.

Paul and Priya work Monday to Friday 09:00–18:00; Ann Lee and Ben Ng are patients;
every booking is a 45-minute follow-up unless a test says otherwise.
"""

from datetime import UTC, date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.factories import (
    AppointmentFactory,
    CourseFactory,
    PatientFactory,
    RoomFactory,
    at,
    book,
    follow_up,
    future_monday,
    initial_consultation,
    works,
)
from treatments.models import (
    Appointment,
    AppointmentStatus,
    AppointmentStatusChange,
    CourseStatus,
)
from treatments.scheduling import services as scheduling
from treatments.scheduling.checks import SchedulingError
from treatments.scheduling.proposals import propose_course, session_starts
from treatments.scheduling.services import PlannedSession

MONDAY = future_monday()
# Arrival and completion happen on the day, not ahead: a Monday some weeks ago.
PAST_MONDAY = MONDAY - timedelta(weeks=6)


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
def ann(db):
    return PatientFactory(given_name="Ann", family_name="Lee")


@pytest.fixture
def ben(db):
    return PatientFactory(given_name="Ben", family_name="Ng")


def refused(call, **kwargs) -> SchedulingError:
    with pytest.raises(SchedulingError) as caught:
        call(**kwargs)
    return caught.value


# --- overlap rules -------------------------------------------------------------------------


def test_booking_refuses_a_practitioner_who_is_already_seeing_someone(
    fiona, dr_paul, room_a, room_b, ann, ben
):
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona)

    error = refused(
        book, patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "10:15"), by=fiona
    )

    assert error.messages == ["Paul Needham is seeing Ann Lee 10:00–10:45."]
    assert [clash.kind for clash in error.clashes] == ["practitioner"]
    assert not error.only_availability
    assert Appointment.objects.filter(patient=ben).count() == 0


def test_booking_refuses_a_room_that_is_taken(fiona, dr_paul, dr_priya, room_a, ann, ben):
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona)

    error = refused(
        book, patient=ben, practitioner=dr_priya, room=room_a, start=at(MONDAY, "10:30"), by=fiona
    )

    assert error.messages == ["Room A is taken 10:00–10:45 by Paul Needham with Ann Lee."]
    assert [clash.kind for clash in error.clashes] == ["room"]


def test_booking_refuses_a_patient_who_is_already_booked_with_someone_else_elsewhere(
    fiona, dr_paul, dr_priya, room_a, room_b, ann
):
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona)

    error = refused(
        book, patient=ann, practitioner=dr_priya, room=room_b, start=at(MONDAY, "09:30"), by=fiona
    )

    assert error.messages == ["Ann Lee already has an appointment 10:00–10:45 with Paul Needham."]
    assert [clash.kind for clash in error.clashes] == ["patient"]


def test_a_booking_that_clashes_three_ways_names_each_clash(fiona, dr_paul, room_a, ann):
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona)

    error = refused(
        book, patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )

    assert error.messages == [
        "Paul Needham is seeing Ann Lee 10:00–10:45.",
        "Room A is taken 10:00–10:45 by Paul Needham with Ann Lee.",
        "Ann Lee already has an appointment 10:00–10:45 with Paul Needham.",
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


# --- reschedule ----------------------------------------------------------------------------


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


# --- status changes ------------------------------------------------------------------------


def changes(appointment) -> list[tuple[str, str, str]]:
    return [
        (change.from_status, change.to_status, change.changed_by.username)
        for change in AppointmentStatusChange.objects.filter(appointment=appointment)
        .select_related("changed_by")
        .order_by("changed_at", "id")
    ]


def test_arrival_and_completion_are_recorded_with_who_from_and_to(
    fiona, paul, dr_paul, room_a, ann
):
    appointment = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(PAST_MONDAY, "10:00"), by=fiona
    )

    scheduling.mark_arrived(appointment=appointment, by=fiona)
    scheduling.complete(appointment=appointment, by=paul)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.COMPLETED
    assert changes(appointment) == [
        ("booked", "arrived", "fiona"),
        ("arrived", "completed", "paul"),
    ]


def test_a_booked_appointment_can_be_completed_without_arriving_first(paul):
    appointment = AppointmentFactory(start=timezone.now() - timedelta(hours=1))

    scheduling.complete(appointment=appointment, by=paul)

    assert changes(appointment) == [("booked", "completed", "paul")]


def test_a_no_show_is_refused_before_the_appointment_starts(fiona):
    appointment = AppointmentFactory(start=timezone.now() + timedelta(minutes=30))

    error = refused(scheduling.mark_no_show, appointment=appointment, by=fiona)

    assert error.messages == ["The appointment has not started yet."]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert changes(appointment) == []


def test_a_no_show_is_recorded_once_the_appointment_has_started(fiona):
    appointment = AppointmentFactory(start=timezone.now() - timedelta(minutes=10))

    scheduling.mark_no_show(appointment=appointment, by=fiona)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW
    assert changes(appointment) == [("booked", "no_show", "fiona")]


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_a_cancellation_needs_a_reason(reason, fiona):
    appointment = AppointmentFactory(start=timezone.now() + timedelta(days=3))

    error = refused(scheduling.cancel, appointment=appointment, reason=reason, by=fiona)

    assert error.messages == ["Give a reason for the cancellation."]
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert changes(appointment) == []


def test_a_cancellation_keeps_the_reason_and_is_recorded(fiona):
    appointment = AppointmentFactory(start=timezone.now() + timedelta(days=3))

    scheduling.cancel(appointment=appointment, reason="  Car broke down ", by=fiona)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancellation_reason == "Car broke down"
    change = AppointmentStatusChange.objects.get(appointment=appointment)
    assert (change.from_status, change.to_status, change.changed_by, change.note) == (
        "booked",
        "cancelled",
        fiona,
        "Car broke down",
    )


@pytest.mark.parametrize(
    ("hours_before", "late"),
    [(1, True), (23, True), (25, False), (24 * 7, False)],
)
def test_a_cancellation_is_late_when_less_than_the_configured_hours_before_the_start(
    hours_before, late, fiona, settings
):
    assert settings.LATE_CANCELLATION_HOURS == 24
    appointment = AppointmentFactory(start=timezone.now() + timedelta(hours=hours_before))

    scheduling.cancel(appointment=appointment, reason="Unwell", by=fiona)

    appointment.refresh_from_db()
    assert appointment.late_cancellation is late


def test_the_late_cancellation_limit_follows_the_setting(fiona, settings):
    settings.LATE_CANCELLATION_HOURS = 2
    appointment = AppointmentFactory(start=timezone.now() + timedelta(hours=3))

    scheduling.cancel(appointment=appointment, reason="Unwell", by=fiona)

    appointment.refresh_from_db()
    assert appointment.late_cancellation is False


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        ("cancelled", "complete", "Cannot complete: the appointment is cancelled."),
        ("no_show", "complete", "Cannot complete: the appointment is no-show."),
        ("completed", "cancel", "Cannot cancel: the appointment is completed."),
        ("arrived", "cancel", "Cannot cancel: the appointment is arrived."),
        ("cancelled", "cancel", "Cannot cancel: the appointment is cancelled."),
        ("no_show", "mark_arrived", "Cannot mark as arrived: the appointment is no-show."),
        ("completed", "mark_arrived", "Cannot mark as arrived: the appointment is completed."),
        ("arrived", "mark_no_show", "Cannot mark as a no-show: the appointment is arrived."),
        ("completed", "complete", "Cannot complete: the appointment is completed."),
    ],
)
def test_wrong_status_changes_are_refused(status, action, message, fiona):
    appointment = AppointmentFactory(start=timezone.now() - timedelta(hours=1), status=status)
    call = getattr(scheduling, action)
    extra = {"reason": "Unwell"} if action == "cancel" else {}

    error = refused(call, appointment=appointment, by=fiona, **extra)

    assert error.messages == [message]
    appointment.refresh_from_db()
    assert appointment.status == status
    assert changes(appointment) == []


# --- undo --------------------------------------------------------------------------------


def test_undo_reverts_the_last_change_and_records_the_undo(fiona, maria):
    appointment = AppointmentFactory(start=timezone.now() - timedelta(minutes=20))
    scheduling.mark_no_show(appointment=appointment, by=fiona)
    mistake = AppointmentStatusChange.objects.get(appointment=appointment)

    undone = scheduling.undo_status(appointment=appointment, by=maria)

    assert undone.status == AppointmentStatus.BOOKED
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert changes(appointment) == [("booked", "no_show", "fiona"), ("no_show", "booked", "maria")]
    undo = AppointmentStatusChange.objects.get(undoes=mistake)
    assert undo.note == "Undo"


def test_undo_steps_back_one_change_at_a_time_and_then_stops(fiona):
    appointment = AppointmentFactory(start=timezone.now() - timedelta(minutes=20))
    scheduling.mark_arrived(appointment=appointment, by=fiona)
    scheduling.complete(appointment=appointment, by=fiona)

    assert scheduling.undo_status(appointment=appointment, by=fiona).status == "arrived"
    assert scheduling.undo_status(appointment=appointment, by=fiona).status == "booked"
    error = refused(scheduling.undo_status, appointment=appointment, by=fiona)

    assert error.messages == ["There is no status change to undo."]


def test_undo_without_any_change_is_refused(fiona):
    appointment = AppointmentFactory()

    error = refused(scheduling.undo_status, appointment=appointment, by=fiona)

    assert error.messages == ["There is no status change to undo."]


def test_undoing_a_cancellation_brings_the_booking_back_and_clears_the_reason(fiona):
    appointment = AppointmentFactory(start=timezone.now() + timedelta(hours=2))
    scheduling.cancel(appointment=appointment, reason="Clicked the wrong row", by=fiona)
    appointment.refresh_from_db()
    assert appointment.late_cancellation is True

    scheduling.undo_status(appointment=appointment, by=fiona)

    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert (appointment.cancellation_reason, appointment.late_cancellation) == ("", False)


def test_undoing_a_cancellation_is_refused_when_the_slot_has_been_taken_since(
    fiona, dr_paul, room_a, room_b, ann, ben
):
    cancelled = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )
    scheduling.cancel(appointment=cancelled, reason="Unwell", by=fiona)
    book(patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "10:00"), by=fiona)

    error = refused(scheduling.undo_status, appointment=cancelled, by=fiona)

    assert error.messages == [
        "The slot has been taken since:",
        "Paul Needham is seeing Ben Ng 10:00–10:45.",
    ]
    cancelled.refresh_from_db()
    assert cancelled.status == AppointmentStatus.CANCELLED
    assert cancelled.cancellation_reason == "Unwell"
    assert len(changes(cancelled)) == 1


def test_undoing_a_completion_reopens_the_course_it_completed(fiona, paul, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=1)
    session = book(
        patient=course.patient,
        practitioner=dr_paul,
        room=room_a,
        start=at(PAST_MONDAY, "10:00"),
        course=course,
        by=fiona,
    )
    scheduling.complete(appointment=session, by=paul)
    course.refresh_from_db()
    assert (course.status, course.end_date) == (CourseStatus.COMPLETED, timezone.localdate())

    scheduling.undo_status(appointment=session, by=fiona)

    course.refresh_from_db()
    assert (course.status, course.end_date) == (CourseStatus.ACTIVE, None)
    session.refresh_from_db()
    assert session.status == AppointmentStatus.BOOKED


def test_undoing_a_cancellation_cannot_push_a_course_past_its_planned_sessions(
    fiona, dr_paul, room_a
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=2)
    _, second = scheduling.book_course(
        course=course,
        sessions=[
            PlannedSession(at(MONDAY, "10:00"), room_a),
            PlannedSession(at(MONDAY + timedelta(days=7), "10:00"), room_a),
        ],
        appointment_type=follow_up(),
        by=fiona,
    )
    scheduling.cancel(appointment=second, reason="Away that week", by=fiona)
    book(  # rebooked within the course, keeping the count
        patient=course.patient,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY + timedelta(days=8), "10:00"),
        course=course,
        by=fiona,
    )

    error = refused(scheduling.undo_status, appointment=second, by=fiona)

    assert error.messages == [
        "The course has 2 planned sessions and 2 booked; change the plan to add more."
    ]
    assert course.appointments.live().count() == 2
    second.refresh_from_db()
    assert second.status == AppointmentStatus.CANCELLED


def test_a_status_change_on_a_stale_copy_cannot_revive_a_cancelled_appointment(
    fiona, dr_paul, room_a, room_b, ann, ben
):
    on_screen_1 = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )
    on_screen_2 = Appointment.objects.get(pk=on_screen_1.pk)  # another desk's open page
    scheduling.cancel(appointment=on_screen_1, reason="Phoned to cancel", by=fiona)
    book(patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "10:00"), by=fiona)

    with pytest.raises(SchedulingError) as caught, transaction.atomic():
        scheduling.mark_arrived(appointment=on_screen_2, by=fiona)

    assert caught.value.messages == ["Cannot mark as arrived: the appointment is cancelled."]
    assert Appointment.objects.live().filter(practitioner=dr_paul).count() == 1


def test_an_undo_on_a_stale_copy_checks_the_slot_the_appointment_holds_now(
    fiona, dr_paul, room_a, room_b, ann, ben
):
    on_screen_1 = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )
    on_screen_2 = Appointment.objects.get(pk=on_screen_1.pk)  # another desk's open page
    scheduling.reschedule(appointment=on_screen_1, start=at(MONDAY, "14:00"), by=fiona)
    scheduling.cancel(appointment=on_screen_1, reason="Phoned to cancel", by=fiona)
    book(patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "14:00"), by=fiona)

    with pytest.raises(SchedulingError) as caught, transaction.atomic():
        scheduling.undo_status(appointment=on_screen_2, by=fiona)

    assert caught.value.messages[0] == "The slot has been taken since:"
    assert Appointment.objects.live().filter(practitioner=dr_paul).count() == 1


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


def test_a_cancellation_on_a_stale_copy_is_late_by_the_time_the_appointment_holds_now(fiona):
    appointment = AppointmentFactory(start=timezone.now() + timedelta(days=5))
    on_screen = Appointment.objects.get(pk=appointment.pk)  # loaded before the move
    Appointment.objects.filter(pk=appointment.pk).update(
        start=timezone.now() + timedelta(hours=2), end=timezone.now() + timedelta(hours=3)
    )

    scheduling.cancel(appointment=on_screen, reason="Unwell", by=fiona)

    appointment.refresh_from_db()
    assert appointment.late_cancellation is True


# --- treatment courses -------------------------------------------------------------------


def weekly(first_day, hh_mm, count, room):
    return [
        PlannedSession(at(first_day + timedelta(weeks=week), hh_mm), room) for week in range(count)
    ]


def test_book_course_books_every_session_and_activates_the_course(fiona, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=4)
    assert course.status == CourseStatus.PLANNED

    booked = scheduling.book_course(
        course=course,
        sessions=weekly(MONDAY, "10:00", 4, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )

    assert [a.start for a in booked] == [s.start for s in weekly(MONDAY, "10:00", 4, room_a)]
    assert {(a.patient, a.practitioner, a.course) for a in booked} == {
        (course.patient, dr_paul, course)
    }
    course.refresh_from_db()
    assert course.status == CourseStatus.ACTIVE
    progress = course.progress()
    assert (progress.planned, progress.completed, progress.booked, progress.to_book) == (
        4,
        0,
        4,
        0,
    )


def test_book_course_books_nothing_when_one_session_clashes(fiona, dr_paul, room_a, room_b, ben):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=4)
    third_monday = MONDAY + timedelta(weeks=2)
    book(patient=ben, practitioner=dr_paul, room=room_b, start=at(third_monday, "10:15"), by=fiona)

    error = refused(
        scheduling.book_course,
        course=course,
        sessions=weekly(MONDAY, "10:00", 4, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )

    when = f"{at(third_monday, '10:00'):%a %d %b} 10:00"
    assert error.messages == [f"Session 3 ({when}): Paul Needham is seeing Ben Ng 10:15–11:00."]
    assert Appointment.objects.filter(course=course).count() == 0
    assert Appointment.objects.count() == 1
    course.refresh_from_db()
    assert course.status == CourseStatus.PLANNED


def test_book_course_names_every_failing_session_with_its_number(
    fiona, dr_paul, room_a, room_b, ben
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=3)
    book(patient=ben, practitioner=dr_paul, room=room_b, start=at(MONDAY, "10:00"), by=fiona)

    error = refused(
        scheduling.book_course,
        course=course,
        sessions=[
            *weekly(MONDAY, "10:00", 2, room_a),
            PlannedSession(at(MONDAY + timedelta(weeks=2), "19:00"), room_a),
        ],
        appointment_type=follow_up(),
        by=fiona,
    )

    first, third = at(MONDAY, "10:00"), at(MONDAY + timedelta(weeks=2), "19:00")
    assert error.messages == [
        f"Session 1 ({first:%a %d %b} 10:00): Paul Needham is seeing Ben Ng 10:00–10:45.",
        f"Session 3 ({third:%a %d %b} 19:00): Paul Needham works 09:00–18:00 on Mondays.",
    ]
    assert Appointment.objects.filter(course=course).count() == 0


def test_a_refused_course_booking_leaves_the_course_object_planned(
    fiona, dr_paul, room_a, room_b, ben
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=2)
    book(
        patient=ben,
        practitioner=dr_paul,
        room=room_b,
        start=at(MONDAY + timedelta(weeks=1), "10:00"),
        by=fiona,
    )

    refused(
        scheduling.book_course,
        course=course,
        sessions=weekly(MONDAY, "10:00", 2, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )

    assert course.status == CourseStatus.PLANNED


def test_the_first_single_booking_activates_a_planned_course(fiona, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=3)

    book(
        patient=course.patient,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "10:00"),
        course=course,
        by=fiona,
    )

    course.refresh_from_db()
    assert course.status == CourseStatus.ACTIVE


def test_a_course_completes_when_its_last_planned_session_is_completed(
    fiona, paul, dr_paul, room_a
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=2)
    first, last = scheduling.book_course(
        course=course,
        sessions=weekly(PAST_MONDAY, "10:00", 2, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )

    scheduling.complete(appointment=first, by=paul)
    course.refresh_from_db()
    assert (course.status, course.end_date) == (CourseStatus.ACTIVE, None)

    scheduling.complete(appointment=last, by=paul)
    course.refresh_from_db()
    assert (course.status, course.end_date) == (CourseStatus.COMPLETED, timezone.localdate())


def test_booking_more_live_sessions_than_planned_is_refused(fiona, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=2)
    scheduling.book_course(
        course=course,
        sessions=weekly(MONDAY, "10:00", 2, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )

    error = refused(
        book,
        patient=course.patient,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "14:00"),
        course=course,
        by=fiona,
    )

    assert error.messages == [
        "The course has 2 planned sessions and 2 booked; change the plan to add more."
    ]
    assert course.appointments.count() == 2


def test_book_course_refuses_more_sessions_than_the_plan_has_room_for(fiona, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=2)

    error = refused(
        scheduling.book_course,
        course=course,
        sessions=weekly(MONDAY, "10:00", 3, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )

    assert error.messages == [
        "The course has 2 planned sessions and 0 booked; change the plan to add more."
    ]
    assert course.appointments.count() == 0


def test_a_cancelled_course_session_can_be_rebooked_within_the_course(fiona, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=2)
    _, second = scheduling.book_course(
        course=course,
        sessions=weekly(MONDAY, "10:00", 2, room_a),
        appointment_type=follow_up(),
        by=fiona,
    )
    scheduling.cancel(appointment=second, reason="Away that week", by=fiona)

    book(
        patient=course.patient,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY + timedelta(days=8), "10:00"),
        course=course,
        by=fiona,
    )

    assert course.appointments.live().count() == 2


def test_booking_a_course_of_another_patient_is_refused(fiona, dr_paul, room_a, ann):
    course = CourseFactory(practitioner=dr_paul)

    error = refused(
        book,
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "10:00"),
        course=course,
        by=fiona,
    )

    assert error.messages == ["That course belongs to another patient."]
    assert Appointment.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (CourseStatus.COMPLETED, "The course is completed."),
        (CourseStatus.DISCONTINUED, "The course is discontinued."),
    ],
)
def test_a_closed_course_takes_no_more_bookings(status, message, fiona, dr_paul, room_a):
    course = CourseFactory(practitioner=dr_paul, status=status, discontinued_reason="Moved away")

    error = refused(
        book,
        patient=course.patient,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "10:00"),
        course=course,
        by=fiona,
    )

    assert error.messages == [message]


def test_propose_course_reports_each_session_and_offers_alternatives_for_a_clash(
    fiona, dr_paul, room_a, room_b, ben
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=3)
    second_monday = MONDAY + timedelta(weeks=1)
    book(patient=ben, practitioner=dr_paul, room=room_b, start=at(second_monday, "10:00"), by=fiona)

    proposals = propose_course(
        course=course,
        first_start=at(MONDAY, "10:00"),
        interval_days=7,
        room=room_a,
        appointment_type=follow_up(),
    )

    assert [(p.number, p.ok) for p in proposals] == [(1, True), (2, False), (3, True)]
    assert proposals[1].problems == ["Paul Needham is seeing Ben Ng 10:00–10:45."]
    assert [timezone.localtime(s.start).strftime("%H:%M") for s in proposals[1].alternatives] == [
        "09:15",
        "10:45",
        "09:00",
    ]
    assert all(s.room == room_a for s in proposals[1].alternatives)
    assert proposals[0].alternatives == []


# --- daylight saving ---------------------------------------------------------------------
# Europe/London: clocks go forward on Sunday 28 March 2027 and back on Sunday 31 October 2027.

BEFORE_SPRING = date(2027, 3, 22)  # a Monday; the Monday after the change is 29 March


def test_course_sessions_keep_their_wall_clock_time_when_the_clocks_go_forward():
    first = at(BEFORE_SPRING, "10:00")

    starts = session_starts(first, 7, 2)

    assert [timezone.localtime(s).strftime("%a %d %b %H:%M") for s in starts] == [
        "Mon 22 Mar 10:00",
        "Mon 29 Mar 10:00",
    ]
    assert [s.astimezone(UTC).hour for s in starts] == [10, 9]


def test_course_sessions_keep_their_wall_clock_time_when_the_clocks_go_back():
    first = at(BEFORE_SPRING.replace(month=10, day=25), "10:00")

    starts = session_starts(first, 7, 2)

    assert [timezone.localtime(s).strftime("%a %d %b %H:%M") for s in starts] == [
        "Mon 25 Oct 10:00",
        "Mon 01 Nov 10:00",
    ]
    assert [s.astimezone(UTC).hour for s in starts] == [9, 10]


def test_session_starts_given_in_utc_still_follow_the_local_wall_clock():
    first = at(BEFORE_SPRING, "10:00").astimezone(UTC)

    starts = session_starts(first, 3, 3)

    assert [timezone.localtime(s).strftime("%d %H:%M") for s in starts] == [
        "22 10:00",
        "25 10:00",
        "28 10:00",
    ]


def test_10_00_bookings_either_side_of_the_spring_change_are_inside_9_to_6_hours(
    fiona, dr_paul, room_a, ann
):
    before = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(BEFORE_SPRING, "10:00"), by=fiona
    )
    after = book(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=at(BEFORE_SPRING + timedelta(days=7), "10:00"),
        by=fiona,
    )

    before.refresh_from_db()
    after.refresh_from_db()
    assert [timezone.localtime(a.start).strftime("%H:%M") for a in (before, after)] == [
        "10:00",
        "10:00",
    ]
    assert [a.start.astimezone(UTC).hour for a in (before, after)] == [10, 9]


def test_working_hours_follow_the_local_clock_the_day_after_the_spring_change(
    fiona, dr_paul, room_a, ann, ben
):
    monday = BEFORE_SPRING + timedelta(days=7)

    too_early = refused(
        book, patient=ben, practitioner=dr_paul, room=room_a, start=at(monday, "08:45"), by=fiona
    )
    too_late = refused(
        book, patient=ann, practitioner=dr_paul, room=room_a, start=at(monday, "17:30"), by=fiona
    )
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(monday, "09:00"), by=fiona)
    book(patient=ben, practitioner=dr_paul, room=room_a, start=at(monday, "17:15"), by=fiona)

    assert too_early.messages == too_late.messages == ["Paul Needham works 09:00–18:00 on Mondays."]
    assert Appointment.objects.live().count() == 2


def test_09_00_and_10_00_the_day_after_the_spring_change_do_not_clash(
    fiona, dr_paul, room_a, ann, ben
):
    monday = BEFORE_SPRING + timedelta(days=7)
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(monday, "09:00"), by=fiona)

    book(patient=ben, practitioner=dr_paul, room=room_a, start=at(monday, "10:00"), by=fiona)

    assert Appointment.objects.live().count() == 2


def test_a_clash_the_day_after_the_spring_change_is_reported_in_local_time(
    fiona, dr_paul, room_a, room_b, ann, ben
):
    monday = BEFORE_SPRING + timedelta(days=7)
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(monday, "10:00"), by=fiona)

    error = refused(
        book, patient=ben, practitioner=dr_paul, room=room_b, start=at(monday, "10:30"), by=fiona
    )

    assert error.messages == ["Paul Needham is seeing Ann Lee 10:00–10:45."]


def test_a_weekly_course_across_the_spring_change_books_at_10_00_local_every_week(
    fiona, dr_paul, room_a
):
    course = CourseFactory(practitioner=dr_paul, planned_sessions=3)
    starts = session_starts(at(BEFORE_SPRING - timedelta(weeks=1), "10:00"), 7, 3)

    booked = scheduling.book_course(
        course=course,
        sessions=[PlannedSession(start, room_a) for start in starts],
        appointment_type=follow_up(),
        by=fiona,
    )

    assert [timezone.localtime(a.start).strftime("%d %b %H:%M") for a in booked] == [
        "15 Mar 10:00",
        "22 Mar 10:00",
        "29 Mar 10:00",
    ]


def test_the_day_after_the_autumn_change_keeps_local_working_hours(fiona, dr_paul, room_a, ann):
    monday = BEFORE_SPRING.replace(month=11, day=1)

    appointment = book(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(monday, "09:00"), by=fiona
    )
    error = refused(
        book, patient=ann, practitioner=dr_paul, room=room_a, start=at(monday, "08:15"), by=fiona
    )

    assert appointment.start.astimezone(UTC).hour == 9
    assert error.messages == ["Paul Needham works 09:00–18:00 on Mondays."]
