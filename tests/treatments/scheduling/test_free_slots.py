"""The free-slot searches (find_free_slots, nearest_free_slots): only bookable times are
offered.

Paul and Priya start with no working hours: each test gives the hours it is about.
Ann Lee and Ben Ng are patients; every booking is a 45-minute follow-up.
"""

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from clinic.models import Weekday
from tests.factories import (
    AppointmentFactory,
    RoomFactory,
    TimeOffFactory,
    at,
    book,
    future_monday,
    works,
)
from treatments.scheduling.free_slots import find_free_slots, nearest_free_slots

MONDAY = future_monday()
WEDNESDAY = MONDAY + timedelta(days=2)
FORTY_FIVE = timedelta(minutes=45)


def hh_mm(moments) -> list[str]:
    return [timezone.localtime(m).strftime("%H:%M") for m in moments]


def test_free_slots_run_across_two_touching_blocks(paul_no_hours, room_a):
    works(paul_no_hours, ("09:00", "10:00"), ("10:00", "11:00"))

    slots = find_free_slots(
        duration=FORTY_FIVE, first_day=MONDAY, last_day=MONDAY, practitioner=paul_no_hours, limit=50
    )

    assert hh_mm(s.start for s in slots) == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15"]


def free(**kwargs):
    defaults = {"duration": FORTY_FIVE, "first_day": MONDAY, "last_day": MONDAY}
    return find_free_slots(**{**defaults, **kwargs})


def test_free_slots_cover_the_working_hours_on_the_15_minute_grid(paul_no_hours, room_a):
    works(paul_no_hours, ("09:00", "12:00"))

    slots = free(practitioner=paul_no_hours, limit=50)

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
    assert {(s.practitioner, s.room) for s in slots} == {(paul_no_hours, room_a)}


def test_free_slots_skip_the_lunch_gap_and_days_not_worked(paul_no_hours, room_a):
    works(paul_no_hours, ("09:00", "10:00"), ("13:00", "14:00"), weekdays=[Weekday.MONDAY])

    slots = free(practitioner=paul_no_hours, last_day=MONDAY + timedelta(days=6), limit=50)

    assert [f"{timezone.localtime(s.start):%a %H:%M}" for s in slots] == [
        "Mon 09:00",
        "Mon 09:15",
        "Mon 13:00",
        "Mon 13:15",
    ]


def test_free_slots_leave_out_time_off(paul_no_hours, room_a):
    works(paul_no_hours, ("09:00", "12:00"))
    TimeOffFactory(practitioner=paul_no_hours, start=at(MONDAY, "09:30"), end=at(MONDAY, "11:00"))

    slots = free(practitioner=paul_no_hours, limit=50)

    assert hh_mm(s.start for s in slots) == ["11:00", "11:15"]


def test_free_slots_leave_out_the_practitioners_appointments(paul_no_hours, room_a, ann):
    works(paul_no_hours, ("09:00", "12:00"))
    AppointmentFactory(practitioner=paul_no_hours, room=room_a, start=at(MONDAY, "10:00"))
    AppointmentFactory(
        practitioner=paul_no_hours, room=room_a, start=at(MONDAY, "11:00"), status="cancelled"
    )

    slots = free(practitioner=paul_no_hours, limit=50)

    assert hh_mm(s.start for s in slots) == ["09:00", "09:15", "10:45", "11:00", "11:15"]


def test_free_slots_leave_out_times_the_patient_is_booked_with_someone_else(
    paul_no_hours, priya_no_hours, room_a, ann
):
    works(paul_no_hours, ("09:00", "12:00"))
    AppointmentFactory(patient=ann, practitioner=priya_no_hours, start=at(MONDAY, "09:30"))

    for_ann = free(practitioner=paul_no_hours, patient=ann, limit=50)
    for_anyone = free(practitioner=paul_no_hours, limit=50)

    assert hh_mm(s.start for s in for_ann) == ["10:15", "10:30", "10:45", "11:00", "11:15"]
    assert len(for_anyone) == 10


def test_free_slots_need_a_free_active_room(paul_no_hours, priya_no_hours, room_a):
    works(paul_no_hours, ("09:00", "12:00"))
    RoomFactory(name="Store room", is_active=False)
    AppointmentFactory(
        practitioner=priya_no_hours, room=room_a, start=at(MONDAY, "09:00"), end=at(MONDAY, "11:00")
    )

    slots = free(practitioner=paul_no_hours, limit=50)

    assert hh_mm(s.start for s in slots) == ["11:00", "11:15"]
    assert {s.room for s in slots} == {room_a}


def test_no_free_slot_when_every_room_is_busy(paul_no_hours, priya_no_hours, room_a):
    works(paul_no_hours, ("09:00", "12:00"))
    room_b = RoomFactory(name="Room B")
    for room in (room_a, room_b):
        AppointmentFactory(room=room, start=at(MONDAY, "08:00"), end=at(MONDAY, "12:00"))

    assert free(practitioner=paul_no_hours, limit=50) == []


def test_free_slots_use_the_preferred_room_while_it_is_free(paul_no_hours, room_a):
    works(paul_no_hours, ("09:00", "11:00"))
    room_b = RoomFactory(name="Room B")
    AppointmentFactory(room=room_b, start=at(MONDAY, "09:00"), end=at(MONDAY, "10:00"))

    slots = free(practitioner=paul_no_hours, preferred_room=room_b, limit=50)

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
    time_of_day, first, last, count, paul_no_hours, room_a
):
    works(paul_no_hours, ("08:00", "20:00"))

    slots = free(practitioner=paul_no_hours, time_of_day=time_of_day, limit=100)

    starts = hh_mm(s.start for s in slots)
    assert (starts[0], starts[-1], len(starts)) == (first, last, count)


def test_free_slots_are_never_in_the_past(monkeypatch, paul_no_hours, room_a):
    works(paul_no_hours, ("09:00", "12:00"))
    now = at(MONDAY, "10:07")
    monkeypatch.setattr(timezone, "now", lambda: now)

    slots = free(practitioner=paul_no_hours, first_day=MONDAY - timedelta(days=7), limit=50)

    assert [f"{timezone.localtime(s.start):%d %H:%M}" for s in slots] == [
        f"{MONDAY:%d} {t}" for t in ("10:15", "10:30", "10:45", "11:00", "11:15")
    ]


def test_free_slots_for_any_practitioner_come_in_time_order_up_to_the_limit(
    paul_no_hours, priya_no_hours, room_a
):
    RoomFactory(name="Room B")
    works(paul_no_hours, ("10:00", "12:00"))
    works(priya_no_hours, ("09:30", "12:00"))

    slots = free(last_day=MONDAY + timedelta(days=1), limit=5)

    assert [(f"{timezone.localtime(s.start):%a %H:%M}", s.practitioner) for s in slots] == [
        ("Mon 09:30", priya_no_hours),
        ("Mon 09:45", priya_no_hours),
        ("Mon 10:00", paul_no_hours),
        ("Mon 10:00", priya_no_hours),
        ("Mon 10:15", paul_no_hours),
    ]


def test_free_slots_for_any_practitioner_leave_out_inactive_practitioners(
    paul_no_hours, priya_no_hours, room_a
):
    works(paul_no_hours, ("09:00", "10:00"))
    works(priya_no_hours, ("09:00", "10:00"))
    priya_no_hours.is_active = False
    priya_no_hours.save()

    slots = free(limit=50)

    assert {s.practitioner for s in slots} == {paul_no_hours}


def test_free_slots_stop_at_the_limit_across_days(paul_no_hours, room_a):
    works(paul_no_hours, ("09:00", "18:00"))

    slots = free(practitioner=paul_no_hours, last_day=MONDAY + timedelta(days=30), limit=3)

    assert [timezone.localtime(s.start) for s in slots] == [
        at(MONDAY, "09:00"),
        at(MONDAY, "09:15"),
        at(MONDAY, "09:30"),
    ]


def test_free_slots_across_the_spring_change_stay_on_local_hours(paul_no_hours, room_a):
    works(paul_no_hours, ("09:00", "10:00"), weekdays=[Weekday.MONDAY])
    first = date(2027, 3, 22)  # clocks go forward on Sunday 28 March 2027

    slots = find_free_slots(
        duration=FORTY_FIVE,
        first_day=first,
        last_day=first + timedelta(days=7),
        practitioner=paul_no_hours,
    )

    assert [f"{timezone.localtime(s.start):%d %H:%M}" for s in slots] == [
        "22 09:00",
        "22 09:15",
        "29 09:00",
        "29 09:15",
    ]


# --- nearest_free_slots --------------------------------------------------------------------


def test_the_nearest_free_slots_on_the_same_day_come_first_in_time_order(
    paul_no_hours, room_a, ann, ben
):
    works(paul_no_hours, ("09:00", "12:00"))
    AppointmentFactory(
        patient=ben, practitioner=paul_no_hours, room=room_a, start=at(MONDAY, "10:00")
    )

    slots = nearest_free_slots(
        practitioner=paul_no_hours, patient=ann, wanted=at(MONDAY, "10:00"), duration=FORTY_FIVE
    )

    # The three nearest to 10:00 (09:15, 10:45, 09:00), listed by the clock.
    assert hh_mm(s.start for s in slots) == ["09:00", "09:15", "10:45"]


def test_nearest_free_slots_go_on_to_the_following_days(paul_no_hours, room_a, ann, ben):
    works(paul_no_hours, ("09:00", "10:30"), weekdays=[Weekday.MONDAY, Weekday.WEDNESDAY])
    AppointmentFactory(
        patient=ben, practitioner=paul_no_hours, room=room_a, start=at(MONDAY, "09:00")
    )

    slots = nearest_free_slots(
        practitioner=paul_no_hours, patient=ann, wanted=at(MONDAY, "09:00"), duration=FORTY_FIVE
    )

    assert [f"{timezone.localtime(s.start):%a %H:%M}" for s in slots] == [
        "Mon 09:45",
        "Wed 09:00",
        "Wed 09:15",
    ]


def test_nearest_free_slots_are_empty_when_the_week_is_full(paul_no_hours, room_a, ann):
    works(paul_no_hours, ("09:00", "10:00"), weekdays=[Weekday.MONDAY])
    TimeOffFactory(
        practitioner=paul_no_hours,
        start=at(MONDAY, "00:00"),
        end=at(MONDAY + timedelta(days=14), "00:00"),
        reason="Holiday",
    )

    slots = nearest_free_slots(
        practitioner=paul_no_hours, patient=ann, wanted=at(MONDAY, "09:00"), duration=FORTY_FIVE
    )

    assert slots == []


def test_every_free_slot_offered_can_actually_be_booked(fiona, paul_no_hours, room_a, ann, ben):
    works(paul_no_hours, ("09:00", "12:30"), ("13:30", "17:00"))
    TimeOffFactory(practitioner=paul_no_hours, start=at(MONDAY, "15:00"), end=at(MONDAY, "16:00"))
    AppointmentFactory(
        patient=ben, practitioner=paul_no_hours, room=room_a, start=at(MONDAY, "10:00")
    )

    for slot in free(practitioner=paul_no_hours, patient=ann, limit=100):
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
