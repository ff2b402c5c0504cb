"""What a calendar chip shows, now that its text, tooltip and links are made in Python
(calendar_grid.Chip) rather than in the template: the same words, links and attributes."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from patients.models import RedFlag
from tests.factories import ComplaintFactory, PatientFactory, works
from tests.treatments.scheduling.test_calendar import MONDAY, TUESDAY, at, day_url, week_url
from treatments.courses.services import course_plan
from treatments.models import Appointment, AppointmentStatus
from treatments.scheduling import services as scheduling

pytestmark = pytest.mark.django_db


@pytest.fixture
def paul_works(paul):
    works(paul.practitioner, ("09:00", "17:00"), weekdays=range(6))
    return paul.practitioner


@pytest.fixture
def peggys_second_session(fiona, paul_works, willow, follow_up):
    """Margaret (Peggy) Okafor's second of four sessions with Paul, Tuesday 10:00 in Willow;
    her complaint records a red flag."""
    patient = PatientFactory(given_name="Margaret", preferred_name="Peggy", family_name="Okafor")
    complaint = ComplaintFactory(
        patient=patient, title="Tingling left hand", red_flags=[RedFlag.NUMBNESS]
    )
    course = course_plan(
        complaint=complaint,
        practitioner=paul_works,
        planned_sessions=4,
        interval_days=1,
        start_date=MONDAY,
        by=fiona,
    )
    _, second = scheduling.book_course(
        course=course,
        sessions=[
            scheduling.PlannedSession(at(MONDAY, 10), willow),
            scheduling.PlannedSession(at(TUESDAY, 10), willow),
        ],
        appointment_type=follow_up,
        by=fiona,
    )
    return second


def chip_html(page: str, appointment) -> str:
    """The chip's <a> element, from the page."""
    href = escape(reverse("treatments:appointment-detail", args=[appointment.pk]))
    match = re.search(rf'<a class="(?:calendar|team)-chip[^"]*" href="{href}".*?</a>', page, re.S)
    assert match, "no chip for the appointment"
    return match.group(0)


def test_the_front_desk_sees_every_part_of_a_chip(fiona_client, peggys_second_session):
    appointment = peggys_second_session
    chip = chip_html(fiona_client.get(day_url(TUESDAY)).text, appointment)

    who = appointment.practitioner.display_name
    tooltip = (
        f"10:00–10:45 Margaret (Peggy) Okafor, {appointment.appointment_type.name}, session 2"
        f" of 4 with {who} in Willow (Booked)"
    )
    assert f'title="{escape(tooltip)}"' in chip
    assert 'class="calendar-chip calendar-chip--booked"' in chip
    assert '<span class="calendar-chip-time">10:00–10:45</span>' in chip
    assert '<span class="calendar-chip-status">Booked</span>' in chip
    assert '⚑<span class="visually-hidden"> red flags</span>' in chip
    assert "Margaret (Peggy) Okafor" in chip
    assert '<span class="visually-hidden">session </span>2/4</span>' in chip
    assert '<span class="calendar-chip-who">Willow</span>' in chip
    # The front desk may move it: drag data for the Move page.
    move = reverse("treatments:appointment-move", args=[appointment.pk])
    assert f'data-move-url="{move}" data-duration="45"' in chip
    assert f'data-practitioner="{appointment.practitioner_id}"' in chip
    assert f'data-room="{appointment.room_id}"' in chip
    assert f"border-left-color: {appointment.practitioner.colour};" in chip


def test_a_chip_shows_nothing_clinical(fiona_client, peggys_second_session):
    page = fiona_client.get(day_url(TUESDAY)).text

    assert "Tingling" not in page
    assert "umbness" not in page  # the red flag is a marker, never its name


def test_the_rooms_view_names_the_practitioner_on_the_chip(fiona_client, peggys_second_session):
    appointment = peggys_second_session
    chip = chip_html(fiona_client.get(day_url(TUESDAY, view="rooms")).text, appointment)

    who = appointment.practitioner.display_name
    assert f'<span class="calendar-chip-who">{escape(who)}</span>' in chip


def test_the_week_view_chip_names_no_room(fiona_client, peggys_second_session):
    appointment = peggys_second_session
    chip = chip_html(fiona_client.get(week_url(appointment.practitioner, MONDAY)).text, appointment)

    assert "Margaret (Peggy) Okafor" in chip
    assert "calendar-chip-who" not in chip


def test_everyones_week_shows_the_chip(fiona_client, peggys_second_session):
    appointment = peggys_second_session
    url = reverse("treatments:schedule-team-week", args=[MONDAY.isoformat()])
    chip = chip_html(fiona_client.get(url).text, appointment)

    assert "10:00–10:45" in chip
    assert "Margaret (Peggy) Okafor" in chip
    assert '<span class="visually-hidden">session </span>2/4 · Willow</span>' in chip


def test_only_the_treating_practitioner_gets_the_note_button(
    fiona_client, paul_client, peggys_second_session
):
    appointment = peggys_second_session
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.ARRIVED)
    note = f'action="{reverse("treatments:note-start", args=[appointment.pk])}"'

    assert note in paul_client.get(day_url(TUESDAY)).text
    assert note not in fiona_client.get(day_url(TUESDAY)).text


def test_a_cancelled_session_is_listed_with_its_link_and_reason(
    fiona, fiona_client, peggys_second_session
):
    appointment = peggys_second_session
    scheduling.cancel(appointment=appointment, reason="Car broke down", by=fiona)
    page = fiona_client.get(day_url(TUESDAY)).text

    detail = reverse("treatments:appointment-detail", args=[appointment.pk])
    item = re.search(r'<li class="calendar-cancelled-item.*?</li>', page, re.S).group(0)
    assert f'href="{detail}"' in item
    assert "10:00–10:45" in item
    assert "Margaret (Peggy) Okafor" in item
    assert "Cancelled" in item
    assert "Car broke down" in item
