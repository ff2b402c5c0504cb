"""A date typed far beyond the diary (year 9999, year 1) is refused next to its field with the
input kept, on every screen that computes times from it; it never reaches the arithmetic
that would overflow Python's dates (an end time, the next day).

Paul works Monday to Friday 09:00–18:00; Ann Lee is a patient.
"""

from datetime import date

import pytest
from django.urls import reverse

from clinic.formtools import diary_range
from clinic.models import TimeOff
from treatments.models import Appointment

pytestmark = pytest.mark.django_db

TOO_FAR = "Choose a date up to 10 years ahead"


def _booking(ann, dr_paul, room_a, follow_up, day: str) -> dict:
    return {
        "patient": ann.pk,
        "practitioner": dr_paul.pk,
        "room": room_a.pk,
        "appointment_type": follow_up.pk,
        "date": day,
        "time": "10:00",
        "duration": "45",
    }


def test_booking_on_31_december_9999_is_refused_next_to_the_date(
    fiona_client, ann, dr_paul, room_a, follow_up
):
    data = _booking(ann, dr_paul, room_a, follow_up, "9999-12-31")

    response = fiona_client.post(reverse("treatments:appointment-create"), data)

    assert response.status_code == 200
    assert TOO_FAR in response.context["form"].errors["date"][0]
    assert 'value="9999-12-31"' in response.text
    assert not Appointment.objects.exists()


def test_the_live_check_of_a_booking_in_9999_says_nothing_until_book_shows_the_field_error(
    fiona_client, ann, dr_paul, room_a, follow_up
):
    data = _booking(ann, dr_paul, room_a, follow_up, "9999-12-31")

    response = fiona_client.post(reverse("treatments:appointment-check"), data)

    assert response.status_code == 200
    assert response.text.strip() == ""


def test_a_booking_in_year_1_is_refused_next_to_the_date(
    fiona_client, ann, dr_paul, room_a, follow_up
):
    data = _booking(ann, dr_paul, room_a, follow_up, "0001-01-01")

    response = fiona_client.post(reverse("treatments:appointment-create"), data)

    assert "Choose a date in the last 10 years" in response.context["form"].errors["date"][0]


def test_a_course_starting_on_20_december_9999_is_refused_next_to_the_first_date(
    fiona_client, course, room_a, follow_up
):
    data = {
        "propose": "1",
        "first_date": "9999-12-20",
        "first_time": "10:00",
        "interval_days": "7",
        "room": room_a.pk,
        "appointment_type": follow_up.pk,
    }

    response = fiona_client.get(reverse("treatments:course-book", args=[course.pk]), data)

    assert response.status_code == 200
    assert TOO_FAR in response.context["proposal"].errors["first_date"][0]
    assert response.context["rows"] is None


def test_a_session_moved_to_9999_in_the_course_report_is_refused_in_its_row(
    fiona_client, course, room_a, follow_up
):
    data = {
        "action": "check",
        "first_date": "2030-01-07",
        "first_time": "10:00",
        "interval_days": "7",
        "room": room_a.pk,
        "appointment_type": follow_up.pk,
        "session": "1",
        "session-1-start": "9999-12-31T23:45",
        "session-1-room": room_a.pk,
    }

    response = fiona_client.post(reverse("treatments:course-book", args=[course.pk]), data)

    [row] = response.context["rows"]
    assert TOO_FAR in row.form.errors["start"][0]


def test_time_off_until_31_december_9999_is_refused_next_to_until(maria_client, paul):
    data = {"start_date": "2030-01-07", "end_date": "9999-12-31", "reason": "Sabbatical"}

    response = maria_client.post(
        reverse("clinic:hours-time-off", args=[paul.practitioner.pk]), data
    )

    assert response.status_code == 200
    assert TOO_FAR in response.context["form"].errors["end_date"][0]
    assert 'value="Sabbatical"' in response.text
    assert not TimeOff.objects.exists()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "3000-01-01"])
def test_my_day_beyond_the_calendars_years_is_not_found(paul_client, day):
    response = paul_client.get(reverse("treatments:my-day"), {"day": day})

    assert response.status_code == 404


def test_free_slots_from_9999_are_refused_next_to_the_dates(fiona_client, follow_up):
    data = {
        "first_day": "9999-12-20",
        "last_day": "9999-12-31",
        "appointment_type": follow_up.pk,
        "time_of_day": "any",
    }

    response = fiona_client.get(reverse("treatments:free-slots"), data)

    assert TOO_FAR in response.context["form"].errors["last_day"][0]
    assert response.context["slots"] is None


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (date(2026, 5, 4), date(2016, 5, 4), date(2036, 5, 4)),
        (date(2028, 2, 29), date(2018, 2, 28), date(2038, 2, 28)),
    ],
)
def test_the_diary_reaches_ten_years_either_way_even_from_29_february(today, first, last):
    assert diary_range(today) == (first, last)
