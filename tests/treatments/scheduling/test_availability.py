"""When a practitioner can be booked (hours, time off, closed days, manager overrides), and the
free-slot searches that offer only bookable times."""

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from clinic.models import OpeningHours, Weekday
from tests.factories import (
    AppointmentFactory,
    PatientFactory,
    RoomFactory,
    TimeOffFactory,
    at,
    book,
    future_monday,
    works,
)
from treatments.models import Appointment
from treatments.scheduling.checks import SchedulingError, availability_problems
from treatments.scheduling.free_slots import find_free_slots, nearest_free_slots

MONDAY = future_monday()
WEDNESDAY = MONDAY + timedelta(days=2)
SATURDAY = MONDAY + timedelta(days=5)
SUNDAY = MONDAY + timedelta(days=6)
FORTY_FIVE = timedelta(minutes=45)


@pytest.fixture
def dr_paul(paul):
    return paul.practitioner


@pytest.fixture
def dr_priya(priya):
    return priya.practitioner


@pytest.fixture
def room_a(db):
    return RoomFactory(name="Room A")


@pytest.fixture
def ann(db):
    return PatientFactory(given_name="Ann", family_name="Lee")


@pytest.fixture
def ben(db):
    return PatientFactory(given_name="Ben", family_name="Ng")


def refused(**kwargs) -> SchedulingError:
    with pytest.raises(SchedulingError) as caught:
        book(**kwargs)
    return caught.value


def hh_mm(moments) -> list[str]:
    return [timezone.localtime(m).strftime("%H:%M") for m in moments]


# --- working hours, time off, closed days --------------------------------------------------


def test_a_booking_outside_the_practitioners_hours_is_refused_naming_the_hours(
    fiona, dr_paul, room_a, ann
):
    works(dr_paul, ("09:00", "18:00"))

    early = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "08:00"), by=fiona
    )
    late = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "17:30"), by=fiona
    )

    assert early.messages == late.messages == ["Paul Needham works 09:00–18:00 on Mondays."]
    assert early.only_availability
    assert Appointment.objects.count() == 0


def test_bookings_filling_the_working_hours_exactly_are_accepted(fiona, dr_paul, room_a, ann):
    works(dr_paul, ("09:00", "18:00"))

    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "09:00"), by=fiona)
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "17:15"), by=fiona)

    assert Appointment.objects.count() == 2


def test_a_booking_in_the_lunch_gap_between_two_blocks_is_refused(fiona, dr_paul, room_a, ann):
    works(dr_paul, ("09:00", "12:30"), ("13:30", "18:00"))

    in_gap = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "12:30"), by=fiona
    )
    into_gap = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "12:00"), by=fiona
    )
    from_gap = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "13:00"), by=fiona
    )

    expected = ["Paul Needham works 09:00–12:30, 13:30–18:00 on Mondays."]
    assert in_gap.messages == into_gap.messages == from_gap.messages == expected


def test_bookings_either_side_of_the_lunch_gap_are_accepted(fiona, dr_paul, room_a, ann, ben):
    works(dr_paul, ("09:00", "12:30"), ("13:30", "18:00"))

    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "11:45"), by=fiona)
    book(patient=ben, practitioner=dr_paul, room=room_a, start=at(MONDAY, "13:30"), by=fiona)

    assert Appointment.objects.count() == 2


def test_a_booking_across_two_touching_blocks_is_accepted(fiona, dr_paul, room_a, ann):
    works(dr_paul, ("09:00", "13:00"), ("13:00", "18:00"))

    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "12:30"), by=fiona)
    late = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "17:30"), by=fiona
    )

    assert Appointment.objects.count() == 1
    assert late.messages == ["Paul Needham works 09:00–18:00 on Mondays."]


def test_free_slots_run_across_two_touching_blocks(dr_paul, room_a):
    works(dr_paul, ("09:00", "10:00"), ("10:00", "11:00"))

    slots = find_free_slots(
        duration=FORTY_FIVE, first_day=MONDAY, last_day=MONDAY, practitioner=dr_paul, limit=50
    )

    assert hh_mm(s.start for s in slots) == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15"]


def test_a_day_the_practitioner_does_not_work_is_refused(fiona, dr_paul, room_a, ann):
    works(dr_paul, weekdays=[Weekday.MONDAY, Weekday.TUESDAY])

    error = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(WEDNESDAY, "10:00"), by=fiona
    )

    assert error.messages == ["Paul Needham does not work on Wednesdays."]


def test_a_booking_during_time_off_is_refused_with_the_reason(fiona, dr_paul, room_a, ann):
    works(dr_paul)
    TimeOffFactory(
        practitioner=dr_paul,
        start=at(MONDAY, "09:00"),
        end=at(MONDAY, "13:00"),
        reason="Training course",
    )

    error = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "12:30"), by=fiona
    )

    day = f"{MONDAY:%d %b}"
    assert error.messages == [f"Paul Needham is away (Training course) {day} 09:00–{day} 13:00."]


def test_a_booking_right_after_time_off_ends_is_accepted(fiona, dr_paul, room_a, ann):
    works(dr_paul)
    TimeOffFactory(practitioner=dr_paul, start=at(MONDAY, "09:00"), end=at(MONDAY, "13:00"))

    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "13:00"), by=fiona)

    assert Appointment.objects.count() == 1


def test_a_week_of_holiday_refuses_every_day_in_it(fiona, dr_paul, room_a, ann):
    works(dr_paul)
    TimeOffFactory(
        practitioner=dr_paul,
        start=at(MONDAY, "00:00"),
        end=at(MONDAY + timedelta(days=7), "00:00"),
        reason="Holiday",
    )

    error = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(WEDNESDAY, "10:00"), by=fiona
    )

    assert error.messages == [
        f"Paul Needham is away (Holiday) {MONDAY:%d %b} 00:00–"
        f"{MONDAY + timedelta(days=7):%d %b} 00:00."
    ]


def test_the_clinic_is_closed_on_sundays_whatever_the_practitioners_hours(
    fiona, dr_paul, room_a, ann
):
    works(dr_paul, weekdays=[Weekday.SUNDAY])
    assert not OpeningHours.objects.filter(weekday=Weekday.SUNDAY).exists()

    error = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(SUNDAY, "10:00"), by=fiona
    )

    assert error.messages == ["The clinic is closed on Sundays."]


def test_working_hours_are_cut_to_the_clinics_opening_hours(fiona, dr_paul, room_a, ann):
    works(dr_paul, ("09:00", "17:00"), weekdays=[Weekday.SATURDAY])  # the clinic shuts at 14:00

    error = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(SATURDAY, "13:30"), by=fiona
    )
    book(patient=ann, practitioner=dr_paul, room=room_a, start=at(SATURDAY, "13:15"), by=fiona)

    assert error.messages == ["The clinic is open 09:00–14:00 on Saturdays."]


def test_an_inactive_practitioner_cannot_be_booked(fiona, dr_paul, room_a, ann):
    works(dr_paul)
    dr_paul.is_active = False
    dr_paul.save()

    error = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )

    assert error.messages == ["Paul Needham is not taking bookings."]


def test_a_practitioner_whose_account_is_deactivated_cannot_be_booked(
    fiona, paul, dr_paul, room_a, ann
):
    works(dr_paul)
    paul.is_active = False
    paul.save()

    error = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )

    assert error.messages == ["Paul Needham is not taking bookings."]


def test_an_inactive_room_cannot_be_booked(fiona, dr_paul, room_a, ann):
    works(dr_paul)
    room_a.is_active = False
    room_a.save()

    error = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"), by=fiona
    )

    assert error.messages == ["Room A is not in use."]


@pytest.mark.parametrize("minutes", [0, -30], ids=["zero_length", "end_before_start"])
def test_an_appointment_must_end_after_it_starts(minutes, fiona, dr_paul, room_a, ann):
    works(dr_paul)
    start = at(MONDAY, "10:00")

    error = refused(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=start,
        end=start + timedelta(minutes=minutes),
        by=fiona,
    )

    assert error.messages == ["The appointment must end after it starts."]
    assert Appointment.objects.count() == 0


def test_the_database_refuses_an_appointment_that_ends_before_it_starts(db):
    appointment = AppointmentFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(end=F("start"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.filter(pk=appointment.pk).update(end=F("start") - FORTY_FIVE)

    appointment.refresh_from_db()
    assert appointment.end == appointment.start + FORTY_FIVE


def test_an_appointment_cannot_run_past_midnight(fiona, dr_paul, room_a, ann):
    works(dr_paul)
    start = at(MONDAY, "23:30")

    error = refused(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=start,
        end=start + FORTY_FIVE,
        by=fiona,
    )

    assert error.messages == ["An appointment must start and end on the same day."]


# --- the clinic manager's override -------------------------------------------------------


def test_a_clinic_manager_may_book_outside_hours_with_a_reason_that_is_stored(
    maria, dr_paul, room_a, ann
):
    works(dr_paul)

    appointment = book(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "18:30"),
        by=maria,
        override_reason="Only free after work; Paul agreed",
    )

    appointment.refresh_from_db()
    assert appointment.override_reason == "Only free after work; Paul agreed"
    assert appointment.booked_by == maria


def test_a_clinic_manager_may_book_during_time_off_with_a_reason(maria, dr_paul, room_a, ann):
    works(dr_paul)
    TimeOffFactory(practitioner=dr_paul, start=at(MONDAY, "09:00"), end=at(MONDAY, "13:00"))

    appointment = book(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "10:00"),
        by=maria,
        override_reason="Course cancelled",
    )

    assert appointment.pk is not None


def test_a_clinic_manager_without_a_reason_gets_the_hours_refusal(maria, dr_paul, room_a, ann):
    works(dr_paul)

    error = refused(
        patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "18:30"), by=maria
    )

    assert error.messages == ["Paul Needham works 09:00–18:00 on Mondays."]


@pytest.mark.parametrize("who", ["fiona", "paul"])
def test_an_override_reason_from_anyone_but_a_manager_is_refused(
    who, request, dr_paul, room_a, ann
):
    works(dr_paul)
    user = request.getfixturevalue(who)

    error = refused(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "18:30"),
        by=user,
        override_reason="Patient insisted",
    )

    assert error.messages == ["Only a clinic manager can book outside working hours."]
    assert Appointment.objects.count() == 0


def test_an_override_never_allows_a_clash(maria, dr_paul, room_a, ann, ben):
    works(dr_paul)
    book(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "18:30"),
        by=maria,
        override_reason="Evening clinic",
    )

    error = refused(
        patient=ben,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "18:45"),
        by=maria,
        override_reason="Evening clinic",
    )

    assert error.messages == [
        "Paul Needham is seeing Ann Lee 18:30–19:15.",
        "Room A is taken 18:30–19:15 by Paul Needham with Ann Lee.",
    ]
    assert not error.only_availability
    assert Appointment.objects.count() == 1


def test_an_override_cannot_make_an_appointment_end_before_it_starts(maria, dr_paul, room_a, ann):
    start = at(MONDAY, "10:00")

    error = refused(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=start,
        end=start,
        by=maria,
        override_reason="Testing",
    )

    assert error.messages == ["The appointment must end after it starts."]


def test_an_override_does_not_book_an_inactive_room(maria, dr_paul, room_a, ann):
    works(dr_paul)
    room_a.is_active = False
    room_a.save()

    error = refused(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "18:30"),
        by=maria,
        override_reason="Evening clinic",
    )

    assert error.messages == ["Room A is not in use."]
    assert Appointment.objects.count() == 0


def test_an_override_does_not_book_a_practitioner_who_has_left(maria, paul, dr_paul, room_a, ann):
    works(dr_paul)
    paul.is_active = False
    paul.save()

    error = refused(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "10:00"),
        by=maria,
        override_reason="One last session",
    )

    assert error.messages == ["Paul Needham is not taking bookings."]


def test_availability_problems_lists_everything_in_the_way(dr_paul, room_a):
    works(dr_paul)
    dr_paul.is_active = False
    room_a.is_active = False

    problems = availability_problems(
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "08:30"),
        end=at(MONDAY, "09:15"),
    )

    assert problems == [
        "Paul Needham is not taking bookings.",
        "Room A is not in use.",
        "Paul Needham works 09:00–18:00 on Mondays.",
    ]


# --- find_free_slots -----------------------------------------------------------------------


def free(**kwargs):
    defaults = {"duration": FORTY_FIVE, "first_day": MONDAY, "last_day": MONDAY}
    return find_free_slots(**{**defaults, **kwargs})


def test_free_slots_cover_the_working_hours_on_the_15_minute_grid(dr_paul, room_a):
    works(dr_paul, ("09:00", "12:00"))

    slots = free(practitioner=dr_paul, limit=50)

    assert hh_mm(s.start for s in slots) == [
        "09:00",
        "09:15",
        "09:30",
        "09:45",
        "10:00",
        "10:15",
        "10:30",
        "10:45",
        "11:00",
        "11:15",
    ]
    assert all(s.end - s.start == FORTY_FIVE for s in slots)
    assert {(s.practitioner, s.room) for s in slots} == {(dr_paul, room_a)}


def test_free_slots_skip_the_lunch_gap_and_days_not_worked(dr_paul, room_a):
    works(dr_paul, ("09:00", "10:00"), ("13:00", "14:00"), weekdays=[Weekday.MONDAY])

    slots = free(practitioner=dr_paul, last_day=MONDAY + timedelta(days=6), limit=50)

    assert [f"{timezone.localtime(s.start):%a %H:%M}" for s in slots] == [
        "Mon 09:00",
        "Mon 09:15",
        "Mon 13:00",
        "Mon 13:15",
    ]


def test_free_slots_leave_out_time_off(dr_paul, room_a):
    works(dr_paul, ("09:00", "12:00"))
    TimeOffFactory(practitioner=dr_paul, start=at(MONDAY, "09:30"), end=at(MONDAY, "11:00"))

    slots = free(practitioner=dr_paul, limit=50)

    assert hh_mm(s.start for s in slots) == ["11:00", "11:15"]


def test_free_slots_leave_out_the_practitioners_appointments(dr_paul, room_a, ann):
    works(dr_paul, ("09:00", "12:00"))
    AppointmentFactory(practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"))
    AppointmentFactory(
        practitioner=dr_paul, room=room_a, start=at(MONDAY, "11:00"), status="cancelled"
    )

    slots = free(practitioner=dr_paul, limit=50)

    assert hh_mm(s.start for s in slots) == ["09:00", "09:15", "10:45", "11:00", "11:15"]


def test_free_slots_leave_out_times_the_patient_is_booked_with_someone_else(
    dr_paul, dr_priya, room_a, ann
):
    works(dr_paul, ("09:00", "12:00"))
    AppointmentFactory(patient=ann, practitioner=dr_priya, start=at(MONDAY, "09:30"))

    for_ann = free(practitioner=dr_paul, patient=ann, limit=50)
    for_anyone = free(practitioner=dr_paul, limit=50)

    assert hh_mm(s.start for s in for_ann) == ["10:15", "10:30", "10:45", "11:00", "11:15"]
    assert len(for_anyone) == 10


def test_free_slots_need_a_free_active_room(dr_paul, dr_priya, room_a):
    works(dr_paul, ("09:00", "12:00"))
    RoomFactory(name="Store room", is_active=False)
    AppointmentFactory(
        practitioner=dr_priya, room=room_a, start=at(MONDAY, "09:00"), end=at(MONDAY, "11:00")
    )

    slots = free(practitioner=dr_paul, limit=50)

    assert hh_mm(s.start for s in slots) == ["11:00", "11:15"]
    assert {s.room for s in slots} == {room_a}


def test_no_free_slot_when_every_room_is_busy(dr_paul, dr_priya, room_a):
    works(dr_paul, ("09:00", "12:00"))
    room_b = RoomFactory(name="Room B")
    for room in (room_a, room_b):
        AppointmentFactory(room=room, start=at(MONDAY, "08:00"), end=at(MONDAY, "12:00"))

    assert free(practitioner=dr_paul, limit=50) == []


def test_free_slots_use_the_preferred_room_while_it_is_free(dr_paul, room_a):
    works(dr_paul, ("09:00", "11:00"))
    room_b = RoomFactory(name="Room B")
    AppointmentFactory(room=room_b, start=at(MONDAY, "09:00"), end=at(MONDAY, "10:00"))

    slots = free(practitioner=dr_paul, preferred_room=room_b, limit=50)

    assert [(f"{timezone.localtime(s.start):%H:%M}", s.room.name) for s in slots] == [
        ("09:00", "Room A"),
        ("09:15", "Room A"),
        ("09:30", "Room A"),
        ("09:45", "Room A"),
        ("10:00", "Room B"),
        ("10:15", "Room B"),
    ]


@pytest.mark.parametrize(
    ("time_of_day", "first", "last", "count"),
    [
        ("morning", "08:00", "11:45", 16),
        ("afternoon", "12:00", "16:45", 20),
        ("evening", "17:00", "19:15", 10),
        ("any", "08:00", "19:15", 46),
    ],
)
def test_free_slots_keep_to_the_time_of_day_asked_for(
    time_of_day, first, last, count, dr_paul, room_a
):
    works(dr_paul, ("08:00", "20:00"))

    slots = free(practitioner=dr_paul, time_of_day=time_of_day, limit=100)

    starts = hh_mm(s.start for s in slots)
    assert (starts[0], starts[-1], len(starts)) == (first, last, count)


def test_free_slots_are_never_in_the_past(monkeypatch, dr_paul, room_a):
    works(dr_paul, ("09:00", "12:00"))
    now = at(MONDAY, "10:07")
    monkeypatch.setattr(timezone, "now", lambda: now)

    slots = free(practitioner=dr_paul, first_day=MONDAY - timedelta(days=7), limit=50)

    assert [f"{timezone.localtime(s.start):%d %H:%M}" for s in slots] == [
        f"{MONDAY:%d} {t}" for t in ("10:15", "10:30", "10:45", "11:00", "11:15")
    ]


def test_free_slots_for_any_practitioner_come_in_time_order_up_to_the_limit(
    dr_paul, dr_priya, room_a
):
    RoomFactory(name="Room B")
    works(dr_paul, ("10:00", "12:00"))
    works(dr_priya, ("09:30", "12:00"))

    slots = free(last_day=MONDAY + timedelta(days=1), limit=5)

    assert [(f"{timezone.localtime(s.start):%a %H:%M}", s.practitioner) for s in slots] == [
        ("Mon 09:30", dr_priya),
        ("Mon 09:45", dr_priya),
        ("Mon 10:00", dr_paul),
        ("Mon 10:00", dr_priya),
        ("Mon 10:15", dr_paul),
    ]


def test_free_slots_for_any_practitioner_leave_out_inactive_practitioners(
    dr_paul, dr_priya, room_a
):
    works(dr_paul, ("09:00", "10:00"))
    works(dr_priya, ("09:00", "10:00"))
    dr_priya.is_active = False
    dr_priya.save()

    slots = free(limit=50)

    assert {s.practitioner for s in slots} == {dr_paul}


def test_free_slots_stop_at_the_limit_across_days(dr_paul, room_a):
    works(dr_paul, ("09:00", "18:00"))

    slots = free(practitioner=dr_paul, last_day=MONDAY + timedelta(days=30), limit=3)

    assert [timezone.localtime(s.start) for s in slots] == [
        at(MONDAY, "09:00"),
        at(MONDAY, "09:15"),
        at(MONDAY, "09:30"),
    ]


def test_free_slots_across_the_spring_change_stay_on_local_hours(dr_paul, room_a):
    works(dr_paul, ("09:00", "10:00"), weekdays=[Weekday.MONDAY])
    first = date(2027, 3, 22)  # clocks go forward on Sunday 28 March 2027

    slots = find_free_slots(
        duration=FORTY_FIVE,
        first_day=first,
        last_day=first + timedelta(days=7),
        practitioner=dr_paul,
    )

    assert [f"{timezone.localtime(s.start):%d %H:%M}" for s in slots] == [
        "22 09:00",
        "22 09:15",
        "29 09:00",
        "29 09:15",
    ]


# --- nearest_free_slots --------------------------------------------------------------------


def test_nearest_free_slots_are_on_the_same_day_first_nearest_first(dr_paul, room_a, ann, ben):
    works(dr_paul, ("09:00", "12:00"))
    AppointmentFactory(patient=ben, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"))

    slots = nearest_free_slots(
        practitioner=dr_paul, patient=ann, wanted=at(MONDAY, "10:00"), duration=FORTY_FIVE
    )

    assert hh_mm(s.start for s in slots) == ["09:15", "10:45", "09:00"]


def test_nearest_free_slots_go_on_to_the_following_days(dr_paul, room_a, ann, ben):
    works(dr_paul, ("09:00", "10:30"), weekdays=[Weekday.MONDAY, Weekday.WEDNESDAY])
    AppointmentFactory(patient=ben, practitioner=dr_paul, room=room_a, start=at(MONDAY, "09:00"))

    slots = nearest_free_slots(
        practitioner=dr_paul, patient=ann, wanted=at(MONDAY, "09:00"), duration=FORTY_FIVE
    )

    assert [f"{timezone.localtime(s.start):%a %H:%M}" for s in slots] == [
        "Mon 09:45",
        "Wed 09:00",
        "Wed 09:15",
    ]


def test_nearest_free_slots_are_empty_when_the_week_is_full(dr_paul, room_a, ann):
    works(dr_paul, ("09:00", "10:00"), weekdays=[Weekday.MONDAY])
    TimeOffFactory(
        practitioner=dr_paul,
        start=at(MONDAY, "00:00"),
        end=at(MONDAY + timedelta(days=14), "00:00"),
        reason="Holiday",
    )

    slots = nearest_free_slots(
        practitioner=dr_paul, patient=ann, wanted=at(MONDAY, "09:00"), duration=FORTY_FIVE
    )

    assert slots == []


def test_every_free_slot_offered_can_actually_be_booked(fiona, dr_paul, room_a, ann, ben):
    works(dr_paul, ("09:00", "12:30"), ("13:30", "17:00"))
    TimeOffFactory(practitioner=dr_paul, start=at(MONDAY, "15:00"), end=at(MONDAY, "16:00"))
    AppointmentFactory(patient=ben, practitioner=dr_paul, room=room_a, start=at(MONDAY, "10:00"))

    for slot in free(practitioner=dr_paul, patient=ann, limit=100):
        with transaction.atomic():
            appointment = book(
                patient=ann,
                practitioner=slot.practitioner,
                room=slot.room,
                start=slot.start,
                by=fiona,
            )
            assert appointment.pk
            transaction.set_rollback(True)
