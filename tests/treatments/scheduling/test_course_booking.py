"""Booking a whole course in one action: the proposal, its per-session report, and the
all-or-nothing confirmation."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from clinic.models import WorkingHours, local_datetime
from tests.factories import ComplaintFactory, PatientFactory, RoomFactory, works
from treatments.models import Appointment, AppointmentStatus, TreatmentCourse
from treatments.scheduling import services as scheduling

pytestmark = pytest.mark.django_db

TEN = time(10)


def next_weekday(weekday: int, weeks_ahead: int = 1) -> date:
    """A day of the given weekday at least a week away, so every session is in the future."""
    day = timezone.localdate() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day + timedelta(weeks=weeks_ahead)


@pytest.fixture
def rooms():
    return RoomFactory(name="Room 1"), RoomFactory(name="Room 2")


def proposal(first: date, room, appointment_type, at="10:00", interval=7) -> dict:
    return {
        "first_date": first.isoformat(),
        "first_time": at,
        "interval_days": interval,
        "room": room.pk,
        "appointment_type": appointment_type.pk,
    }


def report(settings: dict, sessions: dict, action="confirm") -> dict:
    """The report form as the browser sends it: {number: ("YYYY-MM-DDTHH:MM", room)}."""
    data = {**settings, "action": action, "session": list(sessions)}
    for number, (start, room) in sessions.items():
        data[f"session-{number}-start"] = start
        data[f"session-{number}-room"] = room.pk if hasattr(room, "pk") else room
    return data


def weekly(first: date, count: int, room, at="10:00", number=1) -> dict:
    return {number + i: (f"{first + timedelta(weeks=i)}T{at}", room) for i in range(count)}


def book_other_patient(practitioner, room, start, by, appointment_type):
    return scheduling.book(
        patient=PatientFactory(),
        practitioner=practitioner,
        room=room,
        appointment_type=appointment_type,
        start=start,
        by=by,
    )


def book_url(course) -> str:
    return reverse("treatments:course-book", args=[course.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- step 1: the proposal -------------------------------------------------------------------


def test_booking_page_defaults_to_the_practitioners_next_working_day(
    fiona_client, course, rooms, follow_up
):
    response = fiona_client.get(book_url(course))

    assert response.status_code == 200
    form = response.context["proposal"]
    first_date = form["first_date"].value()
    assert first_date > timezone.localdate()
    assert first_date.weekday() < 5  # Paul works Monday to Friday
    assert form["first_time"].value() == "09:00"
    assert form["interval_days"].value() == 7
    assert form["appointment_type"].value() == follow_up.pk
    assert response.context["rows"] is None
    assert "Propose 4 sessions" in response.content.decode()


def test_booking_page_leaves_the_time_empty_when_the_practitioner_never_works(
    fiona_client, course, rooms
):
    WorkingHours.objects.all().delete()

    form = fiona_client.get(book_url(course)).context["proposal"]

    assert form["first_date"].value() is None
    assert form["first_time"].value() is None


def test_proposal_for_a_chronic_course_reports_every_session_ok(
    fiona_client, course, rooms, follow_up
):
    tuesday = next_weekday(1)

    response = fiona_client.get(
        book_url(course), {"propose": 1, **proposal(tuesday, rooms[0], follow_up)}
    )

    rows = response.context["rows"]
    assert [row.number for row in rows] == [1, 2, 3, 4]
    assert all(row.checked and not row.problems for row in rows)
    # The form shows local wall-clock times.
    assert [row.form["start"].value() for row in rows] == [
        datetime.combine(tuesday + timedelta(weeks=i), TEN) for i in range(4)
    ]
    content = response.content.decode()
    assert content.count('<span class="text-success fw-semibold">OK</span>') == 4
    assert f'name="session-1-start" value="{tuesday}T10:00"' in content
    assert "Session 4 of 4" in content
    assert "Book 4 sessions" in content
    assert not Appointment.objects.exists()  # proposing books nothing


def test_proposal_can_be_posted_too(fiona_client, course, rooms, follow_up):
    data = {"action": "propose", **proposal(next_weekday(1), rooms[0], follow_up)}

    response = fiona_client.post(book_url(course), data)

    assert len(response.context["rows"]) == 4


def test_a_proposal_moves_a_taken_session_to_the_nearest_free_time_and_says_so(
    fiona_client, course, rooms, follow_up, priya
):
    tuesday = next_weekday(1)
    third = local_datetime(tuesday + timedelta(weeks=2), TEN)
    other = book_other_patient(course.practitioner, rooms[1], third, priya, follow_up)

    response = fiona_client.get(
        book_url(course), {"propose": 1, **proposal(tuesday, rooms[0], follow_up)}
    )

    rows = response.context["rows"]
    assert [bool(row.problems) for row in rows] == [False, False, False, False]
    assert rows[2].moved_from == third
    moved_to = timezone.localtime(rows[2].start)
    assert moved_to.date() == third.date() and moved_to != third  # the same day, nearest
    content = response.content.decode()
    assert (
        f"Moved from {third:%a %-d %b} 10:00: Paul Needham is seeing {other.patient} 10:00–10:45."
        in content
    )
    assert 'id="book-sessions">Book 4 sessions</button>' in content  # not disabled


def test_checking_a_taken_time_names_the_clash_once_with_free_times_in_time_order(
    fiona_client, course, rooms, follow_up, priya
):
    tuesday = next_weekday(1)
    third = local_datetime(tuesday + timedelta(weeks=2), TEN)
    other = book_other_patient(course.practitioner, rooms[0], third, priya, follow_up)

    response = fiona_client.post(
        book_url(course),
        report(proposal(tuesday, rooms[0], follow_up), weekly(tuesday, 4, rooms[0]), "check"),
    )

    rows = response.context["rows"]
    assert [bool(row.problems) for row in rows] == [False, False, True, False]
    assert rows[2].problems == [f"Paul Needham is seeing {other.patient} 10:00–10:45 in Room 1."]
    starts = [slot.start for slot in rows[2].alternatives]
    assert 1 <= len(starts) <= 3 and starts == sorted(starts)
    assert all(timezone.localtime(start).date() == third.date() for start in starts)
    content = response.content.decode()
    first_choice = timezone.localtime(starts[0])
    assert (
        f'name="session-3-choice" id="session-3-choice-1" value="{first_choice:%Y-%m-%dT%H:%M}@'
        in content
    )
    # Book waits until the red session has a free time.
    assert 'id="book-sessions" disabled aria-describedby="book-blocked">' in content
    assert "1 session needs a free time first" in content


def test_proposal_with_bad_settings_shows_the_form_again(fiona_client, course, rooms, follow_up):
    data = {"propose": 1, **proposal(next_weekday(1), rooms[0], follow_up, at="10:07")}
    data["interval_days"] = 0

    response = fiona_client.get(book_url(course), data)

    form = response.context["proposal"]
    assert set(form.errors) == {"first_time", "interval_days"}
    assert response.context["rows"] is None


def test_proposal_refuses_a_first_session_in_the_past(fiona_client, course, rooms, follow_up):
    data = {"propose": 1, **proposal(timezone.localdate() - timedelta(days=1), rooms[0], follow_up)}

    response = fiona_client.get(book_url(course), data)

    assert response.context["proposal"].errors["first_date"]


# --- step 2: confirming ---------------------------------------------------------------------


def test_confirming_books_all_four_sessions_in_one_go(
    fiona_client, fiona, course, rooms, follow_up
):
    tuesday = next_weekday(1)

    response = fiona_client.post(
        book_url(course),
        report(proposal(tuesday, rooms[0], follow_up), weekly(tuesday, 4, rooms[0])),
    )

    assert response.status_code == 302
    assert response.url == reverse("treatments:course-detail", args=[course.pk])
    assert messages_of(response) == ["4 sessions booked."]
    booked = list(course.appointments.order_by("start"))
    assert [timezone.localtime(a.start) for a in booked] == [
        local_datetime(tuesday + timedelta(weeks=i), TEN) for i in range(4)
    ]
    assert {(a.room, a.appointment_type, a.booked_by, a.status) for a in booked} == {
        (rooms[0], follow_up, fiona, AppointmentStatus.BOOKED)
    }
    course.refresh_from_db()
    progress = course.progress()
    assert (progress.completed, progress.booked, progress.to_book) == (0, 4, 0)
    assert course.status == "active"


def test_any_slot_can_be_adjusted_before_confirming(fiona_client, course, rooms, follow_up):
    tuesday = next_weekday(1)
    sessions = weekly(tuesday, 4, rooms[0])
    sessions[3] = (f"{tuesday + timedelta(weeks=2, days=1)}T14:30", rooms[1])

    response = fiona_client.post(
        book_url(course), report(proposal(tuesday, rooms[0], follow_up), sessions)
    )

    assert response.status_code == 302
    third = course.appointments.order_by("start")[2]
    assert timezone.localtime(third.start) == local_datetime(
        tuesday + timedelta(weeks=2, days=1), time(14, 30)
    )
    assert third.room == rooms[1]


def test_a_chosen_alternative_wins_over_the_inputs_without_javascript(
    fiona_client, course, rooms, follow_up
):
    tuesday = next_weekday(1)
    data = report(proposal(tuesday, rooms[0], follow_up), weekly(tuesday, 4, rooms[0]))
    data["session-3-choice"] = f"{tuesday + timedelta(weeks=2)}T11:15@{rooms[1].pk}"

    response = fiona_client.post(book_url(course), data)

    assert response.status_code == 302
    third = course.appointments.order_by("start")[2]
    assert timezone.localtime(third.start).time() == time(11, 15)
    assert third.room == rooms[1]


def test_checking_again_shows_the_state_of_the_chosen_times_and_books_nothing(
    fiona_client, course, rooms, follow_up
):
    tuesday = next_weekday(1)
    sessions = weekly(tuesday, 4, rooms[0])
    sessions[2] = (f"{tuesday + timedelta(weeks=1)}T18:30", rooms[0])  # after Paul's day

    response = fiona_client.post(
        book_url(course), report(proposal(tuesday, rooms[0], follow_up), sessions, "check")
    )

    rows = response.context["rows"]
    assert [bool(row.problems) for row in rows] == [False, True, False, False]
    assert rows[1].problems == ["Paul Needham works 09:00–18:00 on Tuesdays."]
    assert rows[1].form["start"].value() == f"{tuesday + timedelta(weeks=1)}T18:30"
    assert not Appointment.objects.exists()


def test_two_sessions_at_the_same_time_are_reported(fiona_client, course, rooms, follow_up):
    tuesday = next_weekday(1)
    sessions = weekly(tuesday, 4, rooms[0])
    sessions[2] = sessions[1]

    response = fiona_client.post(
        book_url(course), report(proposal(tuesday, rooms[0], follow_up), sessions, "check")
    )

    rows = response.context["rows"]
    assert "It overlaps session 2 of this booking." in rows[0].problems
    assert "It overlaps session 1 of this booking." in rows[1].problems


def test_a_clash_between_proposal_and_confirmation_books_nothing(
    fiona_client, course, rooms, follow_up, priya
):
    tuesday = next_weekday(1)
    settings = proposal(tuesday, rooms[0], follow_up)
    proposed = fiona_client.get(book_url(course), {"propose": 1, **settings})
    assert all(row.checked and not row.problems for row in proposed.context["rows"])
    # Meanwhile someone else books Paul at the time proposed for session 3.
    third = local_datetime(tuesday + timedelta(weeks=2), TEN)
    other = book_other_patient(course.practitioner, rooms[1], third, priya, follow_up)

    response = fiona_client.post(book_url(course), report(settings, weekly(tuesday, 4, rooms[0])))

    assert response.status_code == 200
    assert list(course.appointments.all()) == []
    errors = response.context["errors"]
    assert errors[0] == "Nothing was booked."
    assert errors[1] == (
        f"Session 3 ({third:%a %d %b} 10:00): Paul Needham is seeing {other.patient} 10:00–10:45."
    )
    rows = response.context["rows"]
    assert [bool(row.problems) for row in rows] == [False, False, True, False]
    assert rows[2].alternatives
    # The user's chosen times are kept, ready to adjust.
    assert [row.form["start"].value() for row in rows] == [
        f"{tuesday + timedelta(weeks=i)}T10:00" for i in range(4)
    ]
    assert "Nothing was booked." in response.content.decode()
    course.refresh_from_db()
    assert course.status == "planned"


def test_unreadable_input_on_confirm_shows_the_row_error_and_books_nothing(
    fiona_client, course, rooms, follow_up
):
    tuesday = next_weekday(1)
    sessions = weekly(tuesday, 4, rooms[0])
    sessions[2] = ("next tuesday at ten", rooms[0])
    sessions[4] = (sessions[4][0], 9999)

    response = fiona_client.post(
        book_url(course), report(proposal(tuesday, rooms[0], follow_up), sessions)
    )

    assert response.status_code == 200
    assert not Appointment.objects.exists()
    rows = response.context["rows"]
    assert rows[1].form.errors["start"] == ["Enter a date and a time, e.g. 2026-04-14 10:00."]
    assert rows[3].form.errors["room"] == ["Choose a room that is in use."]
    assert rows[0].checked and not rows[0].problems  # the other rows are still checked
    content = response.content.decode()
    assert 'value="next tuesday at ten"' in content
    assert "Nothing was booked: correct the sessions marked below." in content


def test_an_inactive_room_cannot_be_chosen_for_a_session(fiona_client, course, rooms, follow_up):
    tuesday = next_weekday(1)
    closed = RoomFactory(name="Store room", is_active=False)
    sessions = weekly(tuesday, 4, rooms[0])
    sessions[1] = (sessions[1][0], closed)

    response = fiona_client.post(
        book_url(course), report(proposal(tuesday, rooms[0], follow_up), sessions)
    )

    assert response.context["rows"][0].form.errors["room"]
    assert not Appointment.objects.exists()


def test_weekly_sessions_across_the_clocks_going_forward_keep_their_wall_clock_time(
    fiona_client, course, rooms, follow_up
):
    year = timezone.localdate().year + 1
    last_sunday = date(year, 3, 31)
    while last_sunday.weekday() != 6:
        last_sunday -= timedelta(days=1)
    first = last_sunday - timedelta(days=12)  # a Tuesday, two weeks before the change

    proposed = fiona_client.get(
        book_url(course), {"propose": 1, **proposal(first, rooms[0], follow_up)}
    )
    rows = proposed.context["rows"]
    response = fiona_client.post(
        book_url(course),
        report(
            proposal(first, rooms[0], follow_up),
            {
                row.number: (
                    f"{row.form['start'].value():%Y-%m-%dT%H:%M}",
                    rooms[0],
                )
                for row in rows
            },
        ),
    )

    assert response.status_code == 302
    starts = [a.start for a in course.appointments.order_by("start")]
    assert [timezone.localtime(s).time() for s in starts] == [TEN] * 4
    assert [s.astimezone(UTC).hour for s in starts] == [10, 10, 9, 9]


def test_only_the_sessions_still_to_book_are_proposed(
    fiona_client, course, rooms, follow_up, fiona
):
    tuesday = next_weekday(1)
    scheduling.book_course(
        course=course,
        sessions=[scheduling.PlannedSession(local_datetime(tuesday, TEN), rooms[0])],
        appointment_type=follow_up,
        by=fiona,
    )

    page = fiona_client.get(book_url(course))
    form = page.context["proposal"]
    response = fiona_client.get(
        book_url(course),
        {"propose": 1, **proposal(tuesday + timedelta(weeks=1), rooms[0], follow_up)},
    )

    # The default first time is one interval after the last booked session.
    assert (form["first_date"].value(), form["first_time"].value()) == (
        tuesday + timedelta(weeks=1),
        "10:00",
    )
    assert form["room"].value() == rooms[0].pk
    assert [row.number for row in response.context["rows"]] == [2, 3, 4]
    assert "Propose 3 sessions" in page.content.decode()


def test_rebooking_a_cancelled_session_defaults_to_the_next_day(
    fiona_client, course, rooms, follow_up, fiona
):
    tuesday = next_weekday(1)
    booked = scheduling.book_course(
        course=course,
        sessions=[
            scheduling.PlannedSession(local_datetime(tuesday + timedelta(weeks=i), TEN), rooms[0])
            for i in range(4)
        ],
        appointment_type=follow_up,
        by=fiona,
    )
    scheduling.cancel(appointment=booked[1], reason="Away that week", by=fiona)

    response = fiona_client.get(book_url(course), {"after": booked[1].pk})

    form = response.context["proposal"]
    assert form["first_date"].value() == tuesday + timedelta(weeks=1, days=1)
    assert form["first_time"].value() == "10:00"
    assert "Propose 1 session" in response.content.decode()

    settings = proposal(tuesday + timedelta(weeks=1, days=1), rooms[0], follow_up)
    proposed = fiona_client.get(book_url(course), {"propose": 1, **settings})

    # Only one session is proposed, numbered where it falls among the booked ones.
    [row] = proposed.context["rows"]
    assert (row.number, row.position, row.problems) == (4, 2, [])
    assert "Session 2 of 4" in proposed.content.decode()


def test_rebooking_skips_days_the_practitioner_does_not_work(
    fiona_client, course, rooms, follow_up, fiona
):
    friday = next_weekday(4)
    [session] = scheduling.book_course(
        course=course,
        sessions=[scheduling.PlannedSession(local_datetime(friday, time(17)), rooms[0])],
        appointment_type=follow_up,
        by=fiona,
    )
    scheduling.cancel(appointment=session, reason="Car broke down", by=fiona)

    form = fiona_client.get(book_url(course), {"after": session.pk}).context["proposal"]

    # Paul does not work at weekends: the Monday after, at the same time.
    assert form["first_date"].value() == friday + timedelta(days=3)
    assert form["first_time"].value() == "17:00"


def test_confirming_more_sessions_than_remain_books_nothing(
    fiona_client, course, rooms, follow_up, fiona
):
    tuesday = next_weekday(1)
    settings = proposal(tuesday, rooms[0], follow_up)
    # Someone books a session of this course in another tab after the proposal.
    scheduling.book(
        patient=course.complaint.patient,
        practitioner=course.practitioner,
        room=rooms[1],
        appointment_type=follow_up,
        start=local_datetime(tuesday - timedelta(days=1), TEN),
        course=course,
        by=fiona,
    )

    response = fiona_client.post(book_url(course), report(settings, weekly(tuesday, 4, rooms[0])))

    assert response.status_code == 200
    assert course.appointments.count() == 1
    assert response.context["errors"][1] == (
        "The course has 4 planned sessions and 1 booked; change the plan to add more."
    )


def test_a_fully_booked_course_has_nothing_to_propose(fiona_client, paul, rooms, follow_up, fiona):
    works(paul.practitioner)
    course = TreatmentCourse.objects.create(
        complaint=ComplaintFactory(),
        practitioner=paul.practitioner,
        planned_sessions=1,
        start_date=timezone.localdate(),
    )
    scheduling.book_course(
        course=course,
        sessions=[scheduling.PlannedSession(local_datetime(next_weekday(2), TEN), rooms[0])],
        appointment_type=follow_up,
        by=fiona,
    )

    response = fiona_client.get(book_url(course))

    assert "The course's one session is booked." in response.content.decode()


def test_a_closed_course_cannot_be_booked(fiona_client, course, rooms, follow_up):
    course.status = "completed"
    course.save()
    tuesday = next_weekday(1)

    response = fiona_client.post(
        book_url(course),
        report(proposal(tuesday, rooms[0], follow_up), weekly(tuesday, 4, rooms[0])),
    )

    assert response.status_code == 302
    assert messages_of(response) == ["The course is completed."]
    assert not Appointment.objects.exists()


def test_booking_a_course_needs_permission_to_add_appointments(nobody_client, course):
    assert nobody_client.get(book_url(course)).status_code == 403


@pytest.mark.parametrize(
    "garbage",
    [
        {"session": ["abc", "999999999999"]},
        {"session-1-choice": "garbage@"},
        {"session-1-choice": "2030-01-01T10:00@abc"},
        {"session-1-start": "2030-03-31T01:30"},  # the hour the clocks skip
        {"session-1-start": "2030-13-45T10:00"},
    ],
)
def test_garbage_in_the_report_is_an_error_never_a_crash(
    fiona_client, course, rooms, follow_up, garbage
):
    tuesday = next_weekday(1)
    data = report(proposal(tuesday, rooms[0], follow_up), weekly(tuesday, 4, rooms[0]))
    data |= garbage

    response = fiona_client.post(book_url(course), data)

    assert response.status_code == 200
    assert response.context["errors"]
    assert not Appointment.objects.exists()


def test_garbage_in_the_proposal_is_an_error_never_a_crash(fiona_client, course):
    data = {
        "propose": 1,
        "first_date": "soon",
        "first_time": "25:00",
        "interval_days": "weekly",
        "room": "abc",
        "appointment_type": "",
    }

    response = fiona_client.get(book_url(course), data)

    assert response.status_code == 200
    assert set(response.context["proposal"].errors) == set(data) - {"propose"}
