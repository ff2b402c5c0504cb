"""A treatment course keeps its history: who planned it, who changed its plan, who closed it
and when; the clinic manager reads it on the course page, nobody else does."""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from tests.factories import ComplaintFactory, future_monday
from treatments.courses import services as courses

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(paul):
    return courses.course_plan(
        complaint=ComplaintFactory(),
        practitioner=paul.practitioner,
        planned_sessions=4,
        interval_days=7,
        start_date=future_monday(),
        by=paul,
    )


def history_on(client, course) -> str:
    text = client.get(reverse("treatments:course-detail", args=[course.pk])).content.decode()
    if 'id="history"' not in text:
        return ""
    return " ".join(strip_tags(text[text.index('id="history"') :]).split())


def test_the_manager_reads_who_planned_changed_and_discontinued_the_course(
    course, paul, maria, maria_client, fiona_client
):
    url = reverse("treatments:course-edit", args=[course.pk])
    data = {"planned_sessions": "6", "interval_days": "7", "goal": "Walk the dog again"}
    assert fiona_client.post(url, data).status_code == 302
    courses.course_discontinue(course=course, reason="Referred to the GP", by=maria)

    history = history_on(maria_client, course)
    assert "Created by Paul Needham on" in history
    assert "Changed by Fiona Desk on" in history and "Planned sessions: 4 → 6" in history
    assert "Changed by Maria Manager on" in history
    assert "Status: Planned → Discontinued" in history
    assert "Discontinued reason: — → Referred to the GP" in history


@pytest.mark.parametrize("reader", ["fiona_client", "paul_client", "priya_client"])
def test_nobody_but_the_manager_sees_the_course_history(request, course, maria, reader):
    courses.course_update_plan(
        course=course, planned_sessions=5, interval_days=7, goal="", by=maria
    )
    assert history_on(request.getfixturevalue(reader), course) == ""


@pytest.mark.parametrize("edits", [1, 20])
def test_the_managers_course_page_runs_the_same_queries_after_one_change_or_twenty(
    course, maria, maria_client, priya, django_assert_num_queries, edits
):
    for n in range(edits):
        courses.course_update_plan(
            course=course, planned_sessions=1 + n % 12, interval_days=7, goal=f"{n}", by=maria
        )
    url = reverse("treatments:course-detail", args=[course.pk])
    maria_client.get(url)  # warm the session

    # The course page: 13 queries (see test_courses: session, user, groups, two for
    # permissions, the course with its people and progress, its sessions, the access log
    # row with its chain (3), its sheets, the clinic's profile); the manager's history adds
    # 2: the versions with who made them, and the practitioners they name.
    with django_assert_num_queries(15):
        response = maria_client.get(url)
    assert len(response.context["history"]) == edits + 1
