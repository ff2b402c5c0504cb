"""Planning a treatment course, its page, changing its plan and ending it."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.factories import ComplaintFactory, RoomFactory, chronic_complaint, course_for, session
from treatments.models import (
    AppointmentStatus,
    CourseStatus,
    TreatmentCourse,
)

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def plan_data(practitioner, **overrides) -> dict:
    return {
        "practitioner": practitioner.pk,
        "planned_sessions": 4,
        "interval_days": 7,
        "goal": "Walk the dog without leg pain.",
        **overrides,
    }


# --- planning a course ----------------------------------------------------------------------


def test_plan_form_is_prefilled_with_the_suggestion_and_says_why(paul_client, paul):
    complaint = chronic_complaint(days=63)

    response = paul_client.get(reverse("treatments:course-create", args=[complaint.pk]))

    assert response.status_code == 200
    form = response.context["form"]
    assert form["planned_sessions"].value() == 4
    assert form["interval_days"].value() == 7
    assert form["practitioner"].value() == paul.practitioner.pk
    content = response.content.decode()
    assert "Suggested: 4 sessions." in content
    assert "Chronic: the pain has lasted 9 weeks;" in content
    assert "acute 1 session, chronic 3–6" in content


def test_plan_form_suggests_one_session_for_an_acute_complaint(fiona_client):
    complaint = ComplaintFactory(onset_date=timezone.localdate() - timedelta(days=3))

    response = fiona_client.get(reverse("treatments:course-create", args=[complaint.pk]))

    assert response.context["form"]["planned_sessions"].value() == 1
    assert "Acute: the pain began 3 days ago" in response.content.decode()
    # The front desk has no practitioner profile: nobody is preselected.
    assert response.context["form"]["practitioner"].value() is None


def test_plan_form_shows_the_complaints_red_flags(fiona_client):
    complaint = chronic_complaint(red_flags=["numbness"])

    response = fiona_client.get(reverse("treatments:course-create", args=[complaint.pk]))

    assert "Red flags: consider referral." in response.content.decode()


def test_practitioner_can_change_the_suggestion(paul_client, paul, priya):
    complaint = chronic_complaint(days=63)

    response = paul_client.post(
        reverse("treatments:course-create", args=[complaint.pk]),
        plan_data(priya.practitioner, planned_sessions=6, interval_days=10),
    )

    course = TreatmentCourse.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("treatments:course-book", args=[course.pk])
    assert (course.planned_sessions, course.interval_days) == (6, 10)
    assert course.practitioner == priya.practitioner
    assert course.goal == "Walk the dog without leg pain."
    assert course.created_by == paul
    assert course.status == CourseStatus.PLANNED


def test_the_plan_asks_no_start_the_first_session_booked_next_is_the_one_start(paul_client, paul):
    complaint = chronic_complaint(days=63)
    url = reverse("treatments:course-create", args=[complaint.pk])

    form = paul_client.get(url).context["form"]
    response = paul_client.post(url, plan_data(paul.practitioner))

    assert "start_date" not in form.fields
    assert 'name="start_date"' not in paul_client.get(url).text
    course = TreatmentCourse.objects.get()
    assert course.start_date == timezone.localdate()  # no session before today
    assert response.url == reverse("treatments:course-book", args=[course.pk])


def test_a_course_planned_from_a_later_calendar_slot_books_nothing_before_that_day(
    paul_client, paul
):
    complaint = chronic_complaint(days=63)
    slot_day = timezone.localdate() + timedelta(days=20)
    url = reverse("treatments:course-create", args=[complaint.pk])

    paul_client.post(f"{url}?first_date={slot_day.isoformat()}", plan_data(paul.practitioner))

    assert TreatmentCourse.objects.get().start_date == slot_day


@pytest.mark.parametrize("sessions", [0, 13, "four"])
def test_plan_refuses_a_number_of_sessions_outside_one_to_twelve(paul_client, paul, sessions):
    complaint = chronic_complaint()

    response = paul_client.post(
        reverse("treatments:course-create", args=[complaint.pk]),
        plan_data(paul.practitioner, planned_sessions=sessions, goal="Sleep through"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["planned_sessions"]
    assert f'value="{sessions}"' in response.content.decode()
    assert "Sleep through" in response.content.decode()
    assert not TreatmentCourse.objects.exists()


def test_plan_refuses_a_second_open_course_for_the_same_complaint(paul_client, paul):
    first = course_for(paul.practitioner)

    response = paul_client.post(
        reverse("treatments:course-create", args=[first.complaint.pk]),
        plan_data(paul.practitioner, planned_sessions=5),
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "This complaint already has an open course; finish or discontinue it first."
    ]
    assert response.context["form"]["planned_sessions"].value() == "5"
    assert TreatmentCourse.objects.count() == 1


def test_plan_allows_a_new_course_once_the_old_one_is_discontinued(paul_client, paul):
    first = course_for(
        paul.practitioner, status=CourseStatus.DISCONTINUED, discontinued_reason="Moved away"
    )

    response = paul_client.post(
        reverse("treatments:course-create", args=[first.complaint.pk]), plan_data(paul.practitioner)
    )

    assert response.status_code == 302
    assert TreatmentCourse.objects.count() == 2


def test_plan_refuses_an_inactive_practitioner(paul_client, paul, priya):
    priya.practitioner.is_active = False
    priya.practitioner.save()
    complaint = chronic_complaint()

    response = paul_client.post(
        reverse("treatments:course-create", args=[complaint.pk]), plan_data(priya.practitioner)
    )

    assert response.context["form"].errors["practitioner"]
    assert not TreatmentCourse.objects.exists()


def test_plan_for_an_unknown_complaint_is_not_found(paul_client):
    assert paul_client.get(reverse("treatments:course-create", args=[999])).status_code == 404


# --- access -------------------------------------------------------------------------------


def course_urls(course) -> dict[str, str]:
    return {
        name: reverse(f"treatments:{name}", args=[course.pk])
        for name in ("course-detail", "course-edit", "course-book")
    } | {"course-create": reverse("treatments:course-create", args=[course.complaint.pk])}


@pytest.mark.parametrize(
    "name",
    [
        "course-create",
        "course-detail",
        "course-edit",
        "course-book",
        "course-complete",
        "course-discontinue",
    ],
)
def test_course_screens_send_anonymous_visitors_to_log_in(client, course, name):
    args = [course.complaint.pk] if name == "course-create" else [course.pk]
    url = reverse(f"treatments:{name}", args=args)

    response = (
        client.post(url) if name in ("course-complete", "course-discontinue") else client.get(url)
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "name",
    [
        "course-create",
        "course-detail",
        "course-edit",
        "course-book",
        "course-complete",
        "course-discontinue",
    ],
)
def test_course_screens_are_forbidden_to_staff_without_a_role(nobody_client, course, name):
    args = [course.complaint.pk] if name == "course-create" else [course.pk]
    url = reverse(f"treatments:{name}", args=args)

    response = (
        nobody_client.post(url, {"reason": "x"})
        if name in ("course-complete", "course-discontinue")
        else nobody_client.get(url)
    )

    assert response.status_code == 403
    course.refresh_from_db()
    assert course.status == CourseStatus.PLANNED


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("course-create", "put"),
        ("course-detail", "post"),
        ("course-edit", "delete"),
        ("course-book", "put"),
        ("course-complete", "get"),
        ("course-discontinue", "get"),
    ],
)
def test_course_screens_refuse_other_methods(fiona_client, course, name, method):
    args = [course.complaint.pk] if name == "course-create" else [course.pk]

    response = getattr(fiona_client, method)(reverse(f"treatments:{name}", args=args))

    assert response.status_code == 405


def test_unknown_courses_are_not_found(fiona_client):
    for name in ("course-detail", "course-edit", "course-book"):
        assert fiona_client.get(reverse(f"treatments:{name}", args=[999])).status_code == 404
    assert fiona_client.post(reverse("treatments:course-complete", args=[999])).status_code == 404


# --- the course page ----------------------------------------------------------------------


def test_the_course_page_says_the_plan_runs_from_its_first_booked_session(fiona_client, paul):
    # Planned today (1 Dec, say); the first session is booked for the day after next.
    course = course_for(paul.practitioner)
    session(course, days_ago=-1, status=AppointmentStatus.CANCELLED)
    first = session(course, days_ago=-2, status=AppointmentStatus.BOOKED)
    session(course, days_ago=-9, status=AppointmentStatus.BOOKED)

    response = fiona_client.get(reverse("treatments:course-detail", args=[course.pk]))

    start = timezone.localtime(first.start)
    assert f"every 7 days, from {start.day} {start:%b %Y}</dd>" in response.text
    today = timezone.localdate()
    assert f"from {today.day} {today:%b %Y}" not in response.text


def test_a_course_without_booked_sessions_says_so_in_its_plan(fiona_client, paul):
    course = course_for(paul.practitioner)

    response = fiona_client.get(reverse("treatments:course-detail", args=[course.pk]))

    assert "every 7 days; no session booked yet</dd>" in response.text


def test_course_page_shows_progress_in_words_and_numbers_the_live_sessions(fiona_client, course):
    first = session(course, days_ago=7, status=AppointmentStatus.COMPLETED)
    cancelled = session(course, days_ago=1, status=AppointmentStatus.CANCELLED)
    second = session(course, days_ago=-3, status=AppointmentStatus.BOOKED)

    response = fiona_client.get(reverse("treatments:course-detail", args=[course.pk]))

    assert response.status_code == 200
    sessions = response.context["sessions"]
    assert [(s.pk, s.session_number) for s in sessions] == [
        (first.pk, 1),
        (cancelled.pk, None),
        (second.pk, 2),
    ]
    progress = response.context["progress"]
    assert (progress.completed, progress.booked, progress.to_book) == (1, 1, 2)
    assert response.context["next_session"] == second
    content = response.content.decode()
    assert "Session 1 of 4" in content
    assert "Session 2 of 4" in content
    assert "Session 3 of 4" not in content  # the cancelled session has no number
    assert "Next: session 2 of 4" in content
    assert "1 of 4 done" in content
    assert "1 booked" in content
    assert "2 to book" in content
    assert "Book the remaining 2 sessions" in content
    assert reverse("treatments:appointment-detail", args=[cancelled.pk]) in content
    assert "Cancelled" in content


def test_course_page_shows_the_complaints_red_flags(fiona_client, paul):
    course = course_for(paul.practitioner, complaint=chronic_complaint(red_flags=["below_knee"]))

    response = fiona_client.get(reverse("treatments:course-detail", args=[course.pk]))

    assert "Sciatica-like: assess before treating." in response.content.decode()


def test_course_page_offers_no_booking_once_every_session_is_booked(fiona_client, paul):
    course = course_for(paul.practitioner, planned=1)
    session(course, days_ago=-2, status=AppointmentStatus.BOOKED)

    content = fiona_client.get(reverse("treatments:course-detail", args=[course.pk])).content

    assert b"Book the remaining" not in content
    assert b"Change plan" in content


def test_a_closed_course_offers_no_actions(fiona_client, paul):
    course = course_for(paul.practitioner, status=CourseStatus.COMPLETED)

    content = fiona_client.get(reverse("treatments:course-detail", args=[course.pk])).content

    for action in (b"Book the remaining", b"Change plan", b"Complete course", b"Discontinue"):
        assert action not in content


def test_course_page_runs_the_same_queries_for_one_session_or_twelve(
    fiona_client, paul, django_assert_num_queries
):
    room = RoomFactory()
    small = course_for(paul.practitioner, planned=12)
    session(
        small, days_ago=-20, status=AppointmentStatus.BOOKED, room=room
    )  # not overlapping the other course on PostgreSQL
    big = course_for(paul.practitioner, planned=12)
    for day in range(1, 13):
        session(big, days_ago=-day, status=AppointmentStatus.BOOKED, room=room)
    fiona_client.get(reverse("treatments:course-detail", args=[small.pk]))  # warm the session

    # 1 session, 2 user, 3 the user's groups (roles), 4-5 user and group permissions,
    # 6 the course with its complaint, patient, practitioner, creator and progress counts,
    # 7 its sessions with rooms, types and notes (for the pain chart),
    # 8-11 the read recorded in the access log (the chain's head, locked; the row; its link;
    # the head moved on), 12 the course's home-care sheets with practitioners,
    # 13 the clinic's profile (navigation).
    for course in (small, big):
        with django_assert_num_queries(13):
            response = fiona_client.get(reverse("treatments:course-detail", args=[course.pk]))
        assert response.status_code == 200


# --- changing the plan ----------------------------------------------------------------------


def test_edit_form_is_prefilled_with_the_plan(fiona_client, course):
    response = fiona_client.get(reverse("treatments:course-edit", args=[course.pk]))

    form = response.context["form"]
    assert (form["planned_sessions"].value(), form["interval_days"].value()) == (4, 7)


def test_plan_can_change_sessions_interval_and_goal(fiona_client, course):
    response = fiona_client.post(
        reverse("treatments:course-edit", args=[course.pk]),
        {"planned_sessions": 6, "interval_days": 14, "goal": "Back to golf"},
    )

    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.planned_sessions, course.interval_days, course.goal) == (6, 14, "Back to golf")


def test_plan_cannot_shrink_below_the_sessions_booked(fiona_client, course):
    session(course, days_ago=-1, status=AppointmentStatus.BOOKED)
    session(course, days_ago=-8, status=AppointmentStatus.BOOKED)

    response = fiona_client.post(
        reverse("treatments:course-edit", args=[course.pk]),
        {"planned_sessions": 1, "interval_days": 7, "goal": "Kept"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["planned_sessions"] == [
        "2 sessions are already booked; cancel some first."
    ]
    assert "Kept" in response.content.decode()
    course.refresh_from_db()
    assert course.planned_sessions == 4


@pytest.mark.parametrize(
    ("field", "value"), [("planned_sessions", 13), ("interval_days", 0), ("interval_days", 61)]
)
def test_plan_change_refuses_values_out_of_range(fiona_client, course, field, value):
    data = {"planned_sessions": 4, "interval_days": 7, "goal": "", field: value}

    response = fiona_client.post(reverse("treatments:course-edit", args=[course.pk]), data)

    assert response.context["form"].errors[field]
    course.refresh_from_db()
    assert (course.planned_sessions, course.interval_days) == (4, 7)


def test_a_closed_course_plan_cannot_change(fiona_client, paul):
    course = course_for(paul.practitioner, status=CourseStatus.COMPLETED)

    response = fiona_client.get(reverse("treatments:course-edit", args=[course.pk]))

    assert response.status_code == 302
    assert messages_of(response) == ["The course is completed."]


# --- ending a course ------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_discontinuing_requires_a_reason(fiona_client, course, reason):
    response = fiona_client.post(
        reverse("treatments:course-discontinue", args=[course.pk]), {"reason": reason}
    )

    assert response.status_code == 302
    assert response.url == reverse("treatments:course-detail", args=[course.pk])
    assert messages_of(response) == ["Say why the course is discontinued."]
    course.refresh_from_db()
    assert course.status == CourseStatus.PLANNED
    assert course.end_date is None


def test_discontinuing_records_the_reason_and_the_day(fiona_client, course):
    response = fiona_client.post(
        reverse("treatments:course-discontinue", args=[course.pk]),
        {"reason": " Referred to the GP "},
        follow=True,
    )

    course.refresh_from_db()
    assert course.status == CourseStatus.DISCONTINUED
    assert course.discontinued_reason == "Referred to the GP"
    assert course.end_date == timezone.localdate()
    assert "The course is discontinued." in response.content.decode()
    assert "Referred to the GP" in response.content.decode()


def test_completing_by_hand_ends_the_course_today(paul_client, course):
    response = paul_client.post(reverse("treatments:course-complete", args=[course.pk]))

    assert response.status_code == 302
    assert messages_of(response) == ["The course is completed."]
    course.refresh_from_db()
    assert course.status == CourseStatus.COMPLETED
    assert course.end_date == timezone.localdate()


def test_a_closed_course_cannot_be_completed_or_discontinued_again(fiona_client, paul):
    course = course_for(paul.practitioner, status=CourseStatus.COMPLETED)

    completed = fiona_client.post(reverse("treatments:course-complete", args=[course.pk]))
    discontinued = fiona_client.post(
        reverse("treatments:course-discontinue", args=[course.pk]), {"reason": "Moved away"}
    )

    assert messages_of(completed) == ["The course is already completed."]
    assert messages_of(discontinued)[-1] == "The course is already completed."
    course.refresh_from_db()
    assert course.status == CourseStatus.COMPLETED
    assert course.discontinued_reason == ""
