"""Which waitlist entries fit a freed slot (Paul's Monday 10:00–10:45 in Room A), and in
what order: urgent first, then the longest waiting."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import (
    ComplaintFactory,
    PatientFactory,
    at,
    book,
    course_for,
    future_monday,
    initial_consultation,
    on_waitlist,
    refused,
)
from treatments.models import WaitlistEntry, WaitlistUrgency
from treatments.scheduling import services as scheduling
from treatments.waitlist import services as waitlist
from treatments.waitlist.matching import FreedSlot, fitting_entries

pytestmark = pytest.mark.django_db


def test_an_entry_for_any_practitioner_any_time_fits(freed, ann, fiona):
    entry = on_waitlist(ann, by=fiona)
    assert fitting_entries(freed) == [entry]


def test_an_entry_for_paul_fits_his_slot_and_one_for_priya_does_not(
    freed, ann, ben, fiona, dr_priya
):
    for_paul = on_waitlist(ann, by=fiona, practitioner=freed.practitioner)
    on_waitlist(ben, by=fiona, practitioner=dr_priya)
    assert fitting_entries(freed) == [for_paul]


def test_an_entry_longer_than_the_slot_does_not_fit(freed, ann, ben, fiona):
    on_waitlist(ann, by=fiona, appointment_type=initial_consultation(), duration_minutes=60)
    shorter = on_waitlist(ben, by=fiona, duration_minutes=30)
    assert fitting_entries(freed) == [shorter]


def test_an_entry_for_other_days_does_not_fit_a_monday(freed, ann, ben, fiona):
    on_waitlist(ann, by=fiona, weekdays=[1, 3])
    mondays = on_waitlist(ben, by=fiona, weekdays=[0, 2])
    assert fitting_entries(freed) == [mondays]


def test_an_afternoon_entry_does_not_fit_a_morning_slot(freed, ann, ben, fiona):
    on_waitlist(ann, by=fiona, times_of_day=["afternoon", "evening"])
    mornings = on_waitlist(ben, by=fiona, times_of_day=["morning"])
    assert fitting_entries(freed) == [mornings]


def test_an_entry_expiring_before_the_slots_day_does_not_fit(freed, ann, ben, fiona):
    on_waitlist(ann, by=fiona, expires_on=timezone.localdate())
    lasting = on_waitlist(ben, by=fiona, expires_on=freed.start.date())
    assert fitting_entries(freed) == [lasting]


def test_an_expired_entry_does_not_fit(freed, ann, fiona):
    entry = on_waitlist(ann, by=fiona)
    tomorrow = timezone.localdate() + timedelta(days=1)
    WaitlistEntry.objects.filter(pk=entry.pk).update(expires_on=timezone.localdate())
    assert fitting_entries(freed, today=tomorrow) == []


def test_a_patient_already_booked_at_that_time_does_not_fit(
    freed, ann, ben, fiona, dr_priya, room_b
):
    on_waitlist(ann, by=fiona)
    free = on_waitlist(ben, by=fiona)
    book(patient=ann, practitioner=dr_priya, room=room_b, by=fiona, start=freed.start)
    assert fitting_entries(freed) == [free]


def test_a_course_session_too_soon_after_the_previous_one_does_not_fit(
    freed, ann, fiona, dr_paul, room_b
):
    course = course_for(dr_paul, complaint=ComplaintFactory(patient=ann), interval_days=7)
    previous = book(
        patient=ann,
        practitioner=dr_paul,
        room=room_b,
        by=fiona,
        start=freed.start - timedelta(days=3),
        course=course,
    )
    # Made after that booking, the entry is on the list for the course's next session.
    entry = on_waitlist(ann, by=fiona, course=course)
    assert fitting_entries(freed) == []
    scheduling.reschedule(appointment=previous, start=freed.start - timedelta(days=7), by=fiona)
    assert fitting_entries(freed) == [entry]


def test_a_slot_squeezed_before_a_booked_course_session_does_not_fit(
    freed, ann, fiona, dr_paul, room_b
):
    course = course_for(dr_paul, complaint=ComplaintFactory(patient=ann), interval_days=7)
    book(
        patient=ann,
        practitioner=dr_paul,
        room=room_b,
        by=fiona,
        start=freed.start + timedelta(days=2),
        course=course,
    )
    on_waitlist(ann, by=fiona, course=course)
    # The entry was made after that booking: it is on the list, for another session.
    assert WaitlistEntry.objects.current().count() == 1
    assert fitting_entries(freed) == []


def test_a_course_with_every_session_booked_does_not_fit(freed, ann, fiona, dr_paul, room_b):
    course = course_for(dr_paul, planned=1, complaint=ComplaintFactory(patient=ann))
    book(
        patient=ann,
        practitioner=dr_paul,
        room=room_b,
        by=fiona,
        start=freed.start + timedelta(days=30),
        course=course,
    )
    on_waitlist(ann, by=fiona, course=course)
    assert fitting_entries(freed) == []


def test_a_closed_course_does_not_fit(freed, ann, fiona, dr_paul):
    course = course_for(dr_paul, complaint=ComplaintFactory(patient=ann))
    on_waitlist(ann, by=fiona, course=course)
    course.close("discontinued", reason="Moved away")
    assert fitting_entries(freed) == []


def test_removed_and_booked_entries_do_not_fit(freed, ann, ben, fiona, dr_priya, room_b):
    removed = on_waitlist(ann, by=fiona)
    waitlist.entry_remove(entry=removed, reason="Found a time", by=fiona)
    booked = on_waitlist(ben, by=fiona)
    waitlist.entry_book(
        entry=booked,
        practitioner=dr_priya,
        room=room_b,
        start=freed.start + timedelta(days=1),
        by=fiona,
    )
    assert fitting_entries(freed) == []


def test_urgent_first_then_the_longest_waiting(freed, fiona):
    def waiting(name, urgency, days_ago):
        entry = on_waitlist(PatientFactory(given_name=name), by=fiona, urgency=urgency)
        WaitlistEntry.objects.filter(pk=entry.pk).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
        return name

    waiting("Old routine", WaitlistUrgency.ROUTINE, 20)
    waiting("New urgent", WaitlistUrgency.URGENT, 1)
    waiting("Soon", WaitlistUrgency.SOON, 5)
    waiting("Newer routine", WaitlistUrgency.ROUTINE, 2)
    waiting("Old urgent", WaitlistUrgency.URGENT, 9)
    assert [entry.patient.given_name for entry in fitting_entries(freed)] == [
        "Old urgent",
        "New urgent",
        "Soon",
        "Old routine",
        "Newer routine",
    ]


def test_booking_from_the_waitlist_books_the_entrys_length_type_and_course(
    freed, ann, fiona, dr_paul
):
    course = course_for(dr_paul, complaint=ComplaintFactory(patient=ann))
    entry = on_waitlist(ann, by=fiona, course=course, duration_minutes=30)
    appointment = waitlist.entry_book(
        entry=entry,
        practitioner=freed.practitioner,
        room=freed.room,
        start=freed.start,
        by=fiona,
    )
    entry.refresh_from_db()
    assert (entry.status, entry.appointment, entry.closed_by) == ("booked", appointment, fiona)
    assert appointment.course == course
    assert appointment.end - appointment.start == timedelta(minutes=30)
    assert appointment.start == freed.start


def test_booking_into_a_taken_slot_is_refused_and_the_entry_keeps_waiting(freed, ann, ben, fiona):
    entry = on_waitlist(ann, by=fiona)
    book(patient=ben, practitioner=freed.practitioner, room=freed.room, by=fiona, start=freed.start)
    error = refused(
        waitlist.entry_book,
        entry=entry,
        practitioner=freed.practitioner,
        room=freed.room,
        start=freed.start,
        by=fiona,
    )
    assert "Paul Needham is seeing Ben Ng" in " ".join(error.messages)
    entry.refresh_from_db()
    assert entry.status == "waiting"


def test_a_weekend_evening_entry_fits_a_sunday_evening_slot(ann, ben, fiona, dr_paul, room_a):
    sunday = future_monday() - timedelta(days=1)
    slot = FreedSlot(at(sunday, "18:00"), at(sunday, "19:00"), dr_paul, room_a)
    weekend_evenings = on_waitlist(ann, by=fiona, weekdays=[5, 6], times_of_day=["evening"])
    on_waitlist(ben, by=fiona, weekdays=[6], times_of_day=["morning"])
    assert fitting_entries(slot) == [weekend_evenings]
