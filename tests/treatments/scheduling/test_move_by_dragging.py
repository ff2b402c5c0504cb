"""Dragging a chip on the calendar posts to the Move page's view: booked chips carry where
to post, and the view goes back to the calendar it came from (never to another site)."""

import pytest
from django.urls import reverse

from tests.factories import AppointmentFactory, at, book, future_monday
from treatments.models import AppointmentStatus

pytestmark = pytest.mark.django_db

MONDAY = future_monday()


@pytest.fixture
def anns_ten_o_clock(fiona, dr_paul, room_a, ann):
    return book(patient=ann, practitioner=dr_paul, room=room_a, by=fiona, start=at(MONDAY, "10:00"))


def day_url():
    return reverse("treatments:schedule-day", args=[MONDAY.isoformat()])


def move(client, appointment, hh_mm, **extra):
    data = {
        "date": MONDAY.isoformat(),
        "time": hh_mm,
        "duration": "45",
        "practitioner": appointment.practitioner_id,
        "room": appointment.room_id,
        **extra,
    }
    return client.post(reverse("treatments:appointment-move", args=[appointment.pk]), data)


def test_a_booked_chip_can_be_dragged_by_the_front_desk(fiona_client, anns_ten_o_clock):
    page = fiona_client.get(day_url()).content.decode()
    move_url = reverse("treatments:appointment-move", args=[anns_ten_o_clock.pk])
    assert f'draggable="true" data-move-url="{move_url}" data-duration="45"' in page
    assert '<form method="post" id="calendar-move" hidden>' in page
    assert "clinic/calendar-drag.js" in page


def test_only_booked_appointments_can_be_dragged(fiona_client, dr_paul, room_a, ben):
    AppointmentFactory(
        patient=ben,
        practitioner=dr_paul,
        room=room_a,
        start=at(MONDAY, "10:00"),
        status=AppointmentStatus.ARRIVED,
    )
    page = fiona_client.get(day_url()).content.decode()
    assert "Ben Ng" in page
    assert 'draggable="true"' not in page


def test_a_move_from_the_calendar_goes_back_to_it(fiona_client, anns_ten_o_clock):
    response = move(fiona_client, anns_ten_o_clock, "11:30", next=day_url())
    assert response.status_code == 302
    assert response.url == day_url()
    anns_ten_o_clock.refresh_from_db()
    assert anns_ten_o_clock.start == at(MONDAY, "11:30")


def test_a_move_never_goes_on_to_another_site(fiona_client, anns_ten_o_clock):
    response = move(fiona_client, anns_ten_o_clock, "11:30", next="https://example.org/")
    assert response.url == reverse("treatments:appointment-detail", args=[anns_ten_o_clock.pk])


def test_a_refused_drag_shows_the_move_page_with_the_dragged_to_time_kept(
    fiona, fiona_client, dr_paul, room_a, ben, anns_ten_o_clock
):
    book(patient=ben, practitioner=dr_paul, room=room_a, by=fiona, start=at(MONDAY, "12:00"))
    response = move(fiona_client, anns_ten_o_clock, "12:00", next=day_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Paul Needham is seeing Ben Ng 12:00–12:45 in Room A." in page
    assert f'<input type="hidden" name="next" value="{day_url()}">' in page
    assert response.context["form"]["time"].value() == "12:00"
    anns_ten_o_clock.refresh_from_db()
    assert anns_ten_o_clock.start == at(MONDAY, "10:00")
