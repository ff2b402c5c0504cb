"""An appointment keeps its history: who booked it, who moved it from where to where, who
changed its status, and when; the clinic manager reads it on the appointment page.

Before, moving an appointment recorded nobody: only status changes had a trail.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from tests.factories import PatientFactory, RoomFactory, at, book, future_monday, works
from treatments.models import Appointment
from treatments.scheduling import services as scheduling

pytestmark = pytest.mark.django_db

MONDAY = future_monday()


@pytest.fixture
def booked(fiona, paul, priya):
    works(paul.practitioner)
    works(priya.practitioner)
    return book(
        patient=PatientFactory(),
        practitioner=paul.practitioner,
        room=RoomFactory(name="Treatment room 1"),
        by=fiona,
        start=at(MONDAY, "10:00"),
    )


def move_data(*, day, time, practitioner, room) -> dict:
    return {
        "date": day.isoformat(),
        "time": time,
        "duration": "45",
        "practitioner": practitioner.pk,
        "room": room.pk,
    }


def history_of(client, appointment) -> str:
    content = client.get(reverse("treatments:appointment-detail", args=[appointment.pk]))
    text = content.content.decode()
    return text[text.index('id="history"') :] if 'id="history"' in text else ""


def squeeze(text: str) -> str:
    """The page's words, without its markup."""
    return " ".join(strip_tags(text).split())


def test_a_move_records_who_moved_it_when_and_from_where_to_where(
    booked, maria, maria_client, priya
):
    tuesday = MONDAY + timedelta(days=1)
    room_2 = RoomFactory(name="Treatment room 2")
    url = reverse("treatments:appointment-move", args=[booked.pk])
    data = move_data(day=tuesday, time="11:00", practitioner=priya.practitioner, room=room_2)
    assert maria_client.post(url, data).status_code == 302

    history = squeeze(history_of(maria_client, booked))
    assert "Moved by Maria Manager on" in history
    monday, tues = (
        f"{MONDAY:%a} {MONDAY.day} {MONDAY:%b}",
        f"{tuesday:%a} {tuesday.day} {tuesday:%b}",
    )
    assert (
        f"from {monday} 10:00, Treatment room 1, with Paul Needham "
        f"to {tues} 11:00, Treatment room 2, with Priya Shah"
    ) in history
    assert (
        "Booked by Fiona Desk on" in history and f"for {monday} 10:00, Treatment room 1" in history
    )
    assert booked.history.first().history_user == maria


def test_a_cancellation_through_the_page_records_the_desk_and_the_reason(
    booked, fiona_client, maria_client
):
    url = reverse("treatments:appointment-cancel", args=[booked.pk])
    assert fiona_client.post(url, {"reason": "Patient unwell"}).status_code == 302

    history = squeeze(history_of(maria_client, booked))
    assert "Changed by Fiona Desk on" in history
    assert "Status: Booked → Cancelled" in history
    assert "Cancellation reason: — → Patient unwell" in history


def test_a_move_by_the_service_outside_a_request_still_names_who_moved_it(booked, maria):
    scheduling.reschedule(appointment=booked, start=at(MONDAY, "14:00"), by=maria)
    scheduling.cancel(appointment=booked, reason="Rebooked by phone", by=maria)
    assert [v.history_user for v in booked.history.order_by("history_id")] == [
        booked.booked_by,
        maria,
        maria,
    ]


@pytest.mark.parametrize("reader", ["fiona_client", "paul_client", "priya_client"])
def test_only_the_manager_sees_the_history(request, booked, maria, reader):
    scheduling.reschedule(appointment=booked, start=at(MONDAY, "14:00"), by=maria)
    client = request.getfixturevalue(reader)
    response = client.get(reverse("treatments:appointment-detail", args=[booked.pk]))
    assert response.status_code == 200
    assert 'id="history"' not in response.content.decode()
    assert "Moved by" not in response.content.decode()


@pytest.mark.parametrize("moves", [1, 20])
def test_the_managers_appointment_page_runs_the_same_queries_after_one_move_or_twenty(
    booked, maria, maria_client, django_assert_num_queries, moves
):
    rooms = [RoomFactory() for _ in range(3)]
    for n in range(moves):
        start = at(MONDAY + timedelta(days=n % 5), "10:00") + timedelta(minutes=15 * (n // 5))
        scheduling.reschedule(appointment=booked, start=start, room=rooms[n % 3], by=maria)
    url = reverse("treatments:appointment-detail", args=[booked.pk])
    maria_client.get(url)  # warm the session

    # 1 session, 2 user, 3 groups, 4-5 permissions, 6 the appointment with its people and
    # session number, 7 the clinic's profile (navigation), 8 who booked it, 9 its status
    # changes, 10 the reminders' delivery log, 11 its note, 12 the manager's practitioner
    # profile (none); for the manager's history: 13 the versions with who made them, 14 the
    # practitioners and 15 the rooms they name; 16 the access-log row for the read, 17-19 its
    # chain (the head, locked; the link; the head moved on).
    with django_assert_num_queries(19):
        response = maria_client.get(url)
    assert len(response.context["history"]) == moves + 1
    assert Appointment.history.filter(id=booked.pk).count() == moves + 1
