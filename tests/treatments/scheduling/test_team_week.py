"""Everyone's week: a row per practitioner, a column per day, the appointments of each day in
time order, in the same five queries at 10 and at 200 appointments."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.factories import AppointmentFactory, PatientFactory, RoomFactory, at, future_monday
from treatments.models import AppointmentStatus

pytestmark = pytest.mark.django_db

MONDAY = future_monday()


def url(day=MONDAY):
    return reverse("treatments:schedule-team-week", args=[day.isoformat()])


def fill_week(practitioners, count: int) -> None:
    """`count` appointments spread over the week's five working days and the practitioners."""
    rooms = [RoomFactory(name=f"Room {n}") for n in range(len(practitioners))]
    patients = [PatientFactory() for _ in range(10)]
    for n in range(count):
        day = MONDAY + timedelta(days=n % 5)
        slot = n // (5 * len(practitioners))  # 0 … (count / 10)
        who = n // 5 % len(practitioners)
        hour, quarter = 8 + slot * 45 // 60, slot * 45 % 60
        AppointmentFactory(
            patient=patients[n % 10],
            practitioner=practitioners[who],
            room=rooms[who],
            start=at(day, f"{hour:02d}:{quarter:02d}"),
        )


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    assert client.get(url()).status_code == 302


def test_staff_without_a_role_are_refused(nobody_client):
    assert nobody_client.get(url()).status_code == 403


def test_only_get_is_allowed(fiona_client):
    assert fiona_client.post(url()).status_code == 405


def test_every_practitioner_has_a_row_with_each_days_appointments_in_time_order(
    fiona_client, dr_paul, dr_priya, room_a, ann, ben
):
    AppointmentFactory(patient=ben, practitioner=dr_paul, room=room_a, start=at(MONDAY, "11:00"))
    AppointmentFactory(patient=ann, practitioner=dr_paul, room=room_a, start=at(MONDAY, "09:00"))
    AppointmentFactory(
        patient=ann,
        practitioner=dr_priya,
        room=room_a,
        start=at(MONDAY + timedelta(days=2), "14:00"),
    )
    AppointmentFactory(
        patient=ben,
        practitioner=dr_priya,
        room=room_a,
        start=at(MONDAY, "15:00"),
        status=AppointmentStatus.CANCELLED,
    )

    week = fiona_client.get(url(MONDAY + timedelta(days=3))).context["week"]

    assert week.monday == MONDAY
    assert [row.practitioner for row in week.rows] == [dr_paul, dr_priya]
    paul_monday = week.rows[0].cells[0]
    assert [c.appointment.patient for c in paul_monday.chips] == [ann, ben]
    assert paul_monday.note == "09:00–18:00"
    priya = week.rows[1]
    assert [len(cell.chips) for cell in priya.cells] == [0, 0, 1, 0, 0, 0, 0]  # not the cancelled
    assert priya.cells[5].note == "Not working"
    assert week.count == 3


def test_the_week_links_to_each_day_and_each_practitioners_week(fiona_client, dr_paul):
    page = fiona_client.get(url()).content.decode()
    assert reverse("treatments:schedule-day", args=[MONDAY.isoformat()]) in page
    assert reverse("treatments:schedule-week", args=[dr_paul.pk, MONDAY.isoformat()]) in page


def test_the_day_calendar_links_to_everyones_week(fiona_client):
    page = fiona_client.get(reverse("treatments:schedule-day", args=[MONDAY.isoformat()]))
    assert url() in page.content.decode()


def test_a_date_picked_goes_to_its_week_and_nonsense_stays_on_the_shown_week(fiona_client):
    this_week = reverse("treatments:schedule-team-this-week")
    response = fiona_client.get(this_week, {"day": MONDAY.isoformat()})
    assert response.url == url()
    response = fiona_client.get(this_week, {"day": "9999-12-31", "shown": MONDAY.isoformat()})
    assert response.status_code == 200
    assert response.context["week"].monday == MONDAY
    assert "The calendar runs from 1900 to 2999" in response.content.decode()


def test_a_day_that_is_not_a_date_is_not_found(fiona_client):
    assert fiona_client.get("/schedule/team/2026-13-45/").status_code == 404


@pytest.mark.parametrize("count", [10, 200])
def test_the_week_needs_the_same_queries_whatever_the_number_of_appointments(
    fiona_client, dr_paul, dr_priya, count, django_assert_num_queries
):
    fill_week([dr_paul, dr_priya], count)
    # session, user, the user's groups and two permission lookups (5), the week's
    # appointments (1), the active practitioners (1), opening hours, working hours, time off (3),
    # the clinic's profile (navigation)
    with django_assert_num_queries(11):
        response = fiona_client.get(url())
    assert response.context["week"].count == count
