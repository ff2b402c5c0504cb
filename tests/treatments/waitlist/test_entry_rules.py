"""What a waitlist entry may be: the database's constraints, the model's checks, and the
service's rules for adding, changing and removing one. Expiry is read from the date."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import ComplaintFactory, at, book, course_for, on_waitlist
from treatments.models import WaitlistEntry, WaitlistStatus, WaitlistUrgency
from treatments.waitlist import services as waitlist

pytestmark = pytest.mark.django_db


def refused_by_database(entry_pk, **fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        WaitlistEntry.objects.filter(pk=entry_pk).update(**fields)


def test_a_booked_entry_must_name_its_appointment(ann, fiona):
    entry = on_waitlist(ann, by=fiona)
    refused_by_database(entry.pk, status=WaitlistStatus.BOOKED, closed_at=timezone.now())


def test_a_removed_entry_must_say_why(ann, fiona):
    entry = on_waitlist(ann, by=fiona)
    refused_by_database(entry.pk, status=WaitlistStatus.REMOVED, closed_at=timezone.now())


def test_a_waiting_entry_has_no_reason_for_removal(ann, fiona):
    entry = on_waitlist(ann, by=fiona)
    refused_by_database(entry.pk, removed_reason="Moved away")


def test_a_closed_entry_says_when_it_closed(ann, fiona):
    entry = on_waitlist(ann, by=fiona)
    refused_by_database(entry.pk, status=WaitlistStatus.REMOVED, removed_reason="Moved away")


def test_the_length_is_5_to_480_minutes(ann, fiona):
    entry = on_waitlist(ann, by=fiona)
    refused_by_database(entry.pk, duration_minutes=4)
    refused_by_database(entry.pk, duration_minutes=481)


def test_urgency_is_one_of_the_three(ann, fiona):
    entry = on_waitlist(ann, by=fiona)
    refused_by_database(entry.pk, urgency=3)


def test_the_course_must_be_the_patients_own(ann, fiona, dr_paul):
    someone_elses = course_for(dr_paul)
    with pytest.raises(ValidationError) as caught:
        on_waitlist(ann, by=fiona, course=someone_elses)
    assert caught.value.message_dict == {"course": ["That course is another patient's."]}


def test_the_complaint_must_be_the_patients_own(ann, fiona):
    with pytest.raises(ValidationError) as caught:
        on_waitlist(ann, by=fiona, complaint=ComplaintFactory())
    assert caught.value.message_dict == {"complaint": ["That complaint is another patient's."]}


def test_course_and_complaint_must_agree(ann, fiona, dr_paul):
    course = course_for(dr_paul, complaint=ComplaintFactory(patient=ann))
    other = ComplaintFactory(patient=ann)
    with pytest.raises(ValidationError) as caught:
        on_waitlist(ann, by=fiona, course=course, complaint=other)
    assert "course" in caught.value.message_dict


def test_days_and_times_of_day_are_checked_and_kept_in_order(ann, fiona):
    entry = on_waitlist(ann, by=fiona, weekdays=[4, 0, 4], times_of_day=["evening", "morning"])
    assert entry.weekdays == [0, 4]
    assert entry.times_of_day == ["morning", "evening"]
    assert entry.weekday_labels == ["Mon", "Fri"]
    with pytest.raises(ValidationError) as caught:
        on_waitlist(ann, by=fiona, weekdays=[7], times_of_day=["night"])
    assert set(caught.value.message_dict) == {"weekdays", "times_of_day"}


def test_an_entry_is_never_written_already_expired(ann, fiona):
    with pytest.raises(ValidationError) as caught:
        on_waitlist(ann, by=fiona, expires_on=timezone.localdate() - timedelta(days=1))
    assert caught.value.message_dict == {"expires_on": ["Choose today or a later day."]}


def test_an_entry_expires_by_the_date_and_leaves_the_list(ann, fiona):
    entry = on_waitlist(ann, by=fiona, expires_on=timezone.localdate())
    assert not entry.is_expired()
    assert list(WaitlistEntry.objects.current()) == [entry]
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert entry.is_expired(tomorrow)
    assert entry.state_label(tomorrow) == "Expired"
    assert list(WaitlistEntry.objects.current(tomorrow)) == []
    assert list(WaitlistEntry.objects.past(tomorrow)) == [entry]


def test_removing_needs_a_reason_and_keeps_who_and_when(ann, fiona):
    entry = on_waitlist(ann, by=fiona)
    with pytest.raises(ValidationError):
        waitlist.entry_remove(entry=entry, reason="  ", by=fiona)
    removed = waitlist.entry_remove(entry=entry, reason="Found a time that suits", by=fiona)
    assert (removed.status, removed.closed_by) == (WaitlistStatus.REMOVED, fiona)
    assert removed.closed_at is not None
    assert list(WaitlistEntry.objects.current()) == []


def test_a_removed_entry_cannot_be_changed_or_removed_again(ann, fiona):
    entry = on_waitlist(ann, by=fiona)
    waitlist.entry_remove(entry=entry, reason="Moved away", by=fiona)
    with pytest.raises(ValidationError):
        waitlist.entry_remove(entry=entry, reason="Again", by=fiona)
    with pytest.raises(ValidationError):
        waitlist.entry_save(
            entry=entry,
            patient=ann,
            appointment_type=entry.appointment_type,
            duration_minutes=30,
            expires_on=entry.expires_on,
            by=fiona,
        )


def test_changing_an_entry_keeps_its_patient_and_creator(ann, ben, fiona, maria):
    entry = on_waitlist(ann, by=fiona)
    changed = waitlist.entry_save(
        entry=entry,
        patient=ann,
        appointment_type=entry.appointment_type,
        duration_minutes=30,
        expires_on=entry.expires_on,
        urgency=WaitlistUrgency.URGENT,
        by=maria,
    )
    assert (changed.duration_minutes, changed.urgency, changed.created_by) == (30, 2, fiona)
    with pytest.raises(ValidationError):
        waitlist.entry_save(
            entry=entry,
            patient=ben,
            appointment_type=entry.appointment_type,
            duration_minutes=30,
            expires_on=entry.expires_on,
            by=maria,
        )


def test_an_entry_leaves_the_list_when_its_course_is_booked_otherwise(
    ann, fiona, dr_paul, room_a, monday
):
    course = course_for(dr_paul, complaint=ComplaintFactory(patient=ann))
    entry = on_waitlist(ann, by=fiona, course=course)
    other = on_waitlist(ann, by=fiona)  # for nothing in particular: any booking serves it
    book(patient=ann, practitioner=dr_paul, room=room_a, by=fiona, start=at(monday, "11:00"))
    assert list(WaitlistEntry.objects.current()) == [entry]  # not its course
    book(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        by=fiona,
        start=at(monday + timedelta(days=7), "11:00"),
        course=course,
    )
    assert list(WaitlistEntry.objects.current()) == []
    assert set(WaitlistEntry.objects.booked_otherwise()) == {entry, other}
    assert entry.status == WaitlistStatus.WAITING  # nothing is written: it is read


def test_an_entry_for_a_complaint_leaves_when_a_session_for_it_is_booked(
    ann, fiona, dr_paul, room_a, monday
):
    complaint = ComplaintFactory(patient=ann)
    entry = on_waitlist(ann, by=fiona, complaint=complaint)
    course = course_for(dr_paul, complaint=complaint)
    book(
        patient=ann,
        practitioner=dr_paul,
        room=room_a,
        by=fiona,
        start=at(monday, "11:00"),
        course=course,
    )
    assert list(WaitlistEntry.objects.booked_otherwise()) == [entry]


def test_an_appointment_booked_before_the_entry_does_not_close_it(
    ann, fiona, dr_paul, room_a, monday
):
    book(patient=ann, practitioner=dr_paul, room=room_a, by=fiona, start=at(monday, "11:00"))
    entry = on_waitlist(ann, by=fiona)
    assert list(WaitlistEntry.objects.current()) == [entry]
