"""Booking from a free slot on the calendar: the slot brings a room that is free then, and a
patient brings their one open course, so the first "Book" books."""

import pytest
from django.urls import reverse

from tests.factories import at, book, chronic_complaint, course_for, future_monday
from treatments.models import Appointment

pytestmark = pytest.mark.django_db

URL = reverse("treatments:appointment-create")
MONDAY = future_monday()


def slot(practitioner, hh_mm="10:00", **extra):
    return {"practitioner": practitioner.pk, "start": f"{MONDAY}T{hh_mm}", **extra}


def test_a_slot_fills_in_a_room_that_is_free_then(
    fiona, fiona_client, dr_paul, dr_priya, ann, room_a, willow
):
    book(patient=ann, practitioner=dr_priya, room=room_a, by=fiona, start=at(MONDAY, "10:00"))
    form = fiona_client.get(URL, slot(dr_paul)).context["form"]
    assert form["room"].value() == willow.pk  # Room A is Priya's at 10:00
    form = fiona_client.get(URL, slot(dr_paul, "11:00")).context["form"]
    assert form["room"].value() == room_a.pk


def test_a_slot_when_every_room_is_taken_leaves_the_room_to_choose(
    fiona, fiona_client, dr_paul, dr_priya, ann, willow
):
    book(patient=ann, practitioner=dr_priya, room=willow, by=fiona, start=at(MONDAY, "10:00"))
    form = fiona_client.get(URL, slot(dr_paul)).context["form"]
    assert form["room"].value() is None


def test_the_room_in_the_link_wins(fiona_client, dr_paul, willow, room_a):
    form = fiona_client.get(URL, slot(dr_paul, room=room_a.pk)).context["form"]
    assert form["room"].value() == room_a.pk


def test_booking_straight_from_a_slot_books_with_that_room(fiona_client, dr_paul, ann, willow):
    form = fiona_client.get(URL, slot(dr_paul, patient=ann.pk)).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["date"], data["time"] = MONDAY.isoformat(), "10:00"
    response = fiona_client.post(URL, data)
    assert response.status_code == 302
    booked = Appointment.objects.get()
    assert (booked.patient, booked.practitioner, booked.room) == (ann, dr_paul, willow)


def test_the_patients_one_open_course_is_chosen(fiona_client, dr_paul, course, willow):
    patient = course.complaint.patient
    form = fiona_client.get(URL, slot(dr_paul, patient=patient.pk)).context["form"]
    assert form["course"].value() == course.pk


def test_with_two_open_courses_the_desk_chooses(fiona_client, dr_paul, course, willow):
    patient = course.complaint.patient
    course_for(dr_paul, complaint=chronic_complaint(patient=patient, title="Left shoulder"))
    form = fiona_client.get(URL, slot(dr_paul, patient=patient.pk)).context["form"]
    assert form["course"].value() is None


def test_choosing_a_patient_replaces_the_course_field_with_their_open_course(fiona_client, course):
    response = fiona_client.get(
        reverse("treatments:patient-courses"), {"patient": course.complaint.patient.pk}
    )
    page = response.content.decode()
    assert '<div id="course-field" hx-swap-oob="true">' in page
    assert f'<option value="{course.pk}" selected>' in page
