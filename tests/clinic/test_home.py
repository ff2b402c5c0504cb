"""The home page: each role sees its own part of the clinic, and only its own."""

import re
from datetime import time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic.models import OpeningHours
from clinic.roles import Role
from patients.models import ComplaintStatus
from tests.factories import (
    AppointmentFactory,
    ComplaintFactory,
    PatientFactory,
    PractitionerFactory,
    RoomFactory,
    UserFactory,
    at,
    busy_day,
    works,
)
from treatments.courses.services import course_plan
from treatments.models import AppointmentStatus

HOME = reverse("clinic:home")
FRONT_DESK_PART = "Find a patient"
PRACTITIONER_PART = "Your patients"
MANAGER_PARTS = ('id="staff-heading"', 'id="rooms-heading"')


def _nav_links(html):
    """The labels of the main navigation's links, the Manage menu's included."""
    nav = re.search(r'<nav class="navbar.*?</nav>', html, re.DOTALL).group(0)
    return re.findall(r'class="(?:nav-link|dropdown-item)[^"]*" href="[^"]*">([^<]+)</a>', nav)


def _list_item(html, text):
    """The one item of the page's lists that holds `text`."""
    items = re.findall(r'<li class="list-group-item[^"]*">.*?</li>', html, re.DOTALL)
    (item,) = [item for item in items if text in item]
    return item


def _complaint_item(html, patient):
    """The home page's list item for the complaint of `patient`."""
    return _list_item(html, patient.display_name)


def test_front_desk_home_offers_the_patient_search_and_the_newest_patients(fiona_client):
    older = PatientFactory(given_name="Margaret", family_name="Okafor")
    older.created_at = timezone.now() - timedelta(days=3)
    older.save(update_fields=["created_at"])
    newest = PatientFactory(given_name="Tomasz", family_name="Nowak")

    response = fiona_client.get(HOME)

    assert response.status_code == 200
    assert FRONT_DESK_PART in response.text
    assert 'action="/patients/"' in response.text
    assert list(response.context["recent_patients"]) == [newest, older]
    assert "Margaret Okafor" in response.text
    assert reverse("patients:detail", args=[newest.pk]) in response.text


def test_front_desk_home_shows_only_the_ten_newest_patients(fiona_client):
    PatientFactory.create_batch(12)

    response = fiona_client.get(HOME)

    assert len(response.context["recent_patients"]) == 10


def test_front_desk_home_leaves_out_archived_patients(fiona_client):
    PatientFactory(given_name="Archie", is_archived=True, archived_at=timezone.now())

    response = fiona_client.get(HOME)

    assert "Archie" not in response.text
    assert "No patients registered yet." in response.text


def test_front_desk_home_shows_no_practitioner_or_manager_parts(fiona_client):
    ComplaintFactory()

    response = fiona_client.get(HOME)

    assert PRACTITIONER_PART not in response.text
    for part in MANAGER_PARTS:
        assert part not in response.text


def _course(complaint, practitioner, sessions=4):
    return course_plan(
        complaint=complaint,
        practitioner=practitioner,
        planned_sessions=sessions,
        interval_days=7,
        start_date=timezone.localdate(),
        by=practitioner.user,
    )


def test_practitioner_home_lists_their_courses_and_complaints_still_without_one(
    paul, priya, paul_client
):
    mine = _course(
        ComplaintFactory(patient__given_name="Rosa", title="Hip pain"), paul.practitioner
    )
    _course(ComplaintFactory(patient__given_name="Other"), priya.practitioner)
    flagged = ComplaintFactory(
        patient__given_name="Ida", patient__family_name="Flagg", red_flags=["inflammation"]
    )
    plain = ComplaintFactory(patient__given_name="Ian", patient__family_name="Plain")

    response = paul_client.get(HOME)

    assert response.status_code == 200
    assert PRACTITIONER_PART in response.text
    assert list(response.context["my_courses"]) == [mine]
    assert "0 of 4 done, 4 to book" in response.text
    assert set(response.context["unplanned_complaints"]) == {flagged, plain}
    flagged_item = _complaint_item(response.text, flagged.patient)
    assert "red-flag" in flagged_item
    assert "Red flags</span>" in flagged_item
    assert "red-flag" not in _complaint_item(response.text, plain.patient)


def test_practitioner_home_leaves_out_resolved_complaints_and_archived_patients(paul, paul_client):
    ComplaintFactory(patient__given_name="Resolved", status=ComplaintStatus.RESOLVED)
    ComplaintFactory(
        patient__given_name="Archived",
        patient__is_archived=True,
        patient__archived_at=timezone.now(),
    )

    response = paul_client.get(HOME)

    assert list(response.context["unplanned_complaints"]) == []
    assert "No open courses with you." in response.text
    assert "No appointments for you today." in response.text


def test_practitioner_home_shows_no_front_desk_or_manager_parts(paul_client):
    PatientFactory()

    response = paul_client.get(HOME)

    assert FRONT_DESK_PART not in response.text
    for part in MANAGER_PARTS:
        assert part not in response.text


def test_manager_home_shows_the_staff_and_the_rooms(maria_client, fiona):
    RoomFactory(name="Garden Room")
    RoomFactory(name="Quiet Room", is_active=False)

    response = maria_client.get(HOME)

    assert response.status_code == 200
    for part in MANAGER_PARTS:
        assert part in response.text
    assert "Fiona Desk" in response.text
    assert "Garden Room" in response.text
    assert re.search(r"Quiet Room <span[^>]*>Inactive</span>", response.text)


def test_manager_home_shows_todays_schedule_with_each_status(maria_client, paul):
    today = timezone.localdate()
    room_a = RoomFactory(name="Room A")
    AppointmentFactory(
        patient__given_name="Rosa",
        patient__family_name="Marsh",
        practitioner=paul.practitioner,
        room=room_a,
        start=at(today, "09:00"),
        status=AppointmentStatus.ARRIVED,
    )
    AppointmentFactory(
        patient__given_name="Ike",
        patient__family_name="Yu",
        practitioner=paul.practitioner,
        start=at(today, "10:00"),
        status=AppointmentStatus.CANCELLED,
    )
    AppointmentFactory(start=at(today - timedelta(days=1), "09:00"), patient__given_name="Yolanda")

    response = maria_client.get(HOME)

    schedule = re.search(r'id="today-heading".*?</section>', response.text, re.DOTALL).group(0)
    rosa = _list_item(schedule, "Rosa Marsh")
    assert "09:00" in rosa
    assert "Paul Needham" in rosa
    assert "Room A" in rosa
    assert "Arrived" in rosa
    assert "Cancelled" in _list_item(schedule, "Ike Yu")
    assert "Yolanda" not in schedule
    assert 'href="/day-sheet/">Print day sheet</a>' in schedule


def _figures(html) -> dict[str, str]:
    """The manager's figures, label -> value."""
    section = re.search(r'id="figures-heading".*?</section>', html, re.DOTALL).group(0)
    return dict(re.findall(r"<dt[^>]*>([^<]+)</dt><dd[^>]*>([^<]+)</dd>", section))


def test_manager_home_gives_todays_figures(maria_client, paul, priya):
    today = timezone.localdate()
    statuses = ["booked", "booked", "arrived", "completed", "no_show", "cancelled", "cancelled"]
    for hour, status in enumerate(statuses, start=8):
        AppointmentFactory(start=at(today, f"{hour:02d}:00"), status=status)

    response = maria_client.get(HOME)

    assert _figures(response.text) == {
        "Booked, to come": "2",
        "Arrived": "1",
        "Completed": "1",
        "No-shows": "1",
        "Cancelled": "2",
        "Free practitioner time left": response.context["figures"].free_hours,
    }
    assert "5 appointments today, not counting cancellations." in response.text


def test_manager_home_counts_the_free_practitioner_time_left_today(
    maria_client, paul, priya, mid_morning
):
    """It is between 09:00 and 10:00. Paul works 12:00–14:00 every day and has a visit at
    12:30; Priya worked 07:00–09:00 (over by now)."""
    for weekday in range(7):
        OpeningHours.objects.update_or_create(
            weekday=weekday, defaults={"opens": time(7), "closes": time(20)}
        )
    works(paul.practitioner, ("12:00", "14:00"), weekdays=range(7))
    works(priya.practitioner, ("07:00", "09:00"), weekdays=range(7))
    today = timezone.localdate()
    AppointmentFactory(
        practitioner=paul.practitioner, start=at(today, "12:30"), end=at(today, "13:00")
    )

    response = maria_client.get(HOME)

    assert _figures(response.text)["Free practitioner time left"] == "1 h 30 min"


def test_manager_home_shows_no_front_desk_or_practitioner_parts(maria_client):
    PatientFactory()
    ComplaintFactory()

    response = maria_client.get(HOME)

    assert FRONT_DESK_PART not in response.text
    assert PRACTITIONER_PART not in response.text


def test_member_holding_several_roles_sees_each_of_their_parts(client_class, db):
    desk_manager = UserFactory(roles=[Role.FRONT_DESK, Role.MANAGER])
    client = client_class()
    client.force_login(desk_manager)

    response = client.get(HOME)

    assert FRONT_DESK_PART in response.text
    assert PRACTITIONER_PART not in response.text
    for part in MANAGER_PARTS:
        assert part in response.text


@pytest.mark.parametrize("who", ["fiona_client", "paul_client"])
def test_navigation_has_no_staff_or_rooms_links_for_other_roles(request, who):
    response = request.getfixturevalue(who).get(HOME)

    links = _nav_links(response.text)
    assert "Home" in links
    assert "Staff" not in links
    assert "Rooms" not in links


def test_navigation_has_staff_and_rooms_links_for_the_manager(maria_client):
    response = maria_client.get(HOME)

    assert {"Home", "Staff", "Rooms"} <= set(_nav_links(response.text))
    assert 'href="/staff/">Staff</a>' in response.text
    assert 'href="/rooms/">Rooms</a>' in response.text


@pytest.mark.parametrize("patient_count", [10, 200])
def test_front_desk_home_query_count_does_not_grow_with_the_patients(
    fiona_client, django_assert_max_num_queries, patient_count
):
    PatientFactory.create_batch(patient_count)

    # 1 session, 2 the user, 3 the user's roles (groups), 4-5 the user's own and group
    # permissions (for the navigation), 6 the ten newest current patients, 7 today's
    # appointments with their people, 8 the clinic's profile (navigation).
    with django_assert_max_num_queries(8):
        response = fiona_client.get(HOME)

    assert len(response.context["recent_patients"]) == 10


@pytest.mark.parametrize("complaint_count", [10, 200])
def test_practitioner_home_query_count_does_not_grow_with_the_complaints(
    paul, paul_client, django_assert_max_num_queries, complaint_count
):
    for complaint in ComplaintFactory.create_batch(complaint_count // 2):
        _course(complaint, paul.practitioner)
    ComplaintFactory.create_batch(complaint_count // 2)

    # 1 session, 2 the user, 3 the user's roles (groups), 4-5 the user's own and group
    # permissions (for the navigation), 6 the practitioner profile, 7 today's appointments,
    # 8 open courses with progress counts, 9 the ten newest complaints without a course,
    # 10-13 the access log's one insert (a row for each patient named) and its chain (the
    # chain's head, locked; the rows' links; the head moved on), 14 the clinic's profile
    # (navigation).
    with django_assert_max_num_queries(14):
        response = paul_client.get(HOME)

    assert len(response.context["my_courses"]) == complaint_count // 2
    assert len(response.context["unplanned_complaints"]) == min(10, complaint_count // 2)


# session, user, user's roles (groups), the user's own and group permissions (for the
# navigation), today's appointments with their people, the practitioners taking bookings, opening
# hours, working hours, time off (for the free time left), the active staff, their groups
# (prefetched), the rooms, the clinic's profile (navigation).
MANAGER_HOME_QUERIES = 14


@pytest.mark.parametrize("staff_count", [10, 60])
def test_manager_home_query_count_does_not_grow_with_the_staff(
    maria_client, django_assert_num_queries, staff_count
):
    UserFactory.create_batch(staff_count // 2, roles=[Role.FRONT_DESK])
    PractitionerFactory.create_batch(staff_count - staff_count // 2)

    with django_assert_num_queries(MANAGER_HOME_QUERIES):
        maria_client.get(HOME)


@pytest.mark.parametrize("appointment_count", [10, 200])
def test_manager_home_query_count_does_not_grow_with_todays_appointments(
    maria_client, django_assert_num_queries, appointment_count
):
    busy_day(timezone.localdate(), appointment_count)

    with django_assert_num_queries(MANAGER_HOME_QUERIES):
        response = maria_client.get(HOME)

    assert len(response.context["todays_appointments"]) == appointment_count
    figures = response.context["figures"]
    assert figures.appointments + figures.cancelled == appointment_count
