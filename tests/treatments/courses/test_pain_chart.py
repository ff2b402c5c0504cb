"""The pain chart of a course: its data (signed notes only), the meaningful-improvement rule
at its boundaries (2 points AND 30% of the first score; under 2 points is measurement error),
and the chart on the course page."""

import pytest
from django.urls import reverse

from tests.factories import course_under_way, scored_course, session, write_note
from treatments.courses.painchart import pain_chart
from treatments.models import AppointmentStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("scores", "change", "percent", "meaningful"),
    [
        ([(7, 6), (6, 5)], -2, -29, False),  # 2 points but only 29% of 7
        ([(9, 8), (8, 7)], -2, -22, False),  # 9 → 7: a high baseline needs a larger drop
        ([(7, 6)], -1, -14, False),  # 1 point and 14%: neither threshold
        ([(3, 2)], -1, -33, False),  # 33% of a low first score, but under 2 points
        ([(6, 5), (5, 4)], -2, -33, True),  # both thresholds
        ([(10, 8), (8, 7)], -3, -30, True),  # both, exactly at 30%
        ([(5, 5)], 0, 0, False),
        ([(4, 6)], 2, 50, False),  # worse is never an improvement
    ],
)
def test_meaningful_improvement_needs_two_points_and_thirty_percent(
    paul, scores, change, percent, meaningful
):
    chart = pain_chart(scored_course(paul.practitioner, scores))

    assert (chart.change, chart.percent, chart.meaningful_improvement) == (
        change,
        percent,
        meaningful,
    )


def test_first_score_is_the_first_sessions_before_and_latest_the_last_after(paul):
    chart = pain_chart(scored_course(paul.practitioner, [(7, 5), (5, 4), (4, 3)]))

    assert (chart.first, chart.latest) == (7, 3)
    assert [(p.number, p.before, p.after) for p in chart.points] == [
        (1, 7, 5),
        (2, 5, 4),
        (3, 4, 3),
    ]


def test_the_summary_says_the_change_in_words(paul):
    chart = pain_chart(scored_course(paul.practitioner, [(7, 5), (5, 3)]))

    assert chart.summary == (
        "Pain has dropped from 7 to 3 (\u22124 points, \u221257%): "
        "a clinically meaningful improvement."
    )


def test_a_small_change_is_not_yet_meaningful_in_words(paul):
    chart = pain_chart(scored_course(paul.practitioner, [(7, 6)]))

    assert chart.summary == (
        "Pain has dropped from 7 to 6 (\u22121 point, \u221214%): within measurement error "
        "(a change of less than 2 points)."
    )


def test_a_first_score_of_zero_has_no_percentage_and_no_improvement(paul):
    chart = pain_chart(scored_course(paul.practitioner, [(0, 0), (0, 2)]))

    assert (chart.first, chart.latest, chart.percent) == (0, 2, None)
    assert not chart.meaningful_improvement
    assert chart.summary == "Pain has risen from 0 to 2 (+2 points): worse than at the first score."


def test_without_notes_there_are_not_enough_scores(paul):
    course = course_under_way(paul.practitioner, pain_at_intake=7)
    session(course, days_ago=7)  # completed, no note

    chart = pain_chart(course)

    assert (chart.points, chart.first, chart.latest) == ([], 7, None)
    assert chart.summary == "Not enough scores yet."
    assert not chart.meaningful_improvement


def test_with_only_before_scores_the_latest_before_score_counts(paul):
    chart = pain_chart(scored_course(paul.practitioner, [(8, None), (6, None), (5, None)]))

    assert (chart.first, chart.latest, chart.meaningful_improvement) == (8, 5, True)


def test_a_single_before_score_is_not_enough(paul):
    chart = pain_chart(scored_course(paul.practitioner, [(7, None)]))

    assert chart.summary == "Not enough scores yet."


def test_without_a_first_before_score_the_pain_at_intake_is_the_first(paul):
    chart = pain_chart(scored_course(paul.practitioner, [(None, 4)], pain_at_intake=8))

    assert (chart.first, chart.latest, chart.change) == (8, 4, -4)


def test_signed_notes_count_whatever_the_appointment_status(paul):
    course = course_under_way(paul.practitioner)
    write_note(session(course, days_ago=21), pain_before=6, pain_after=5)
    session(course, days_ago=14, status=AppointmentStatus.CANCELLED)  # not numbered
    write_note(session(course, days_ago=7, status=AppointmentStatus.ARRIVED), pain_before=4)
    session(course, days_ago=-7, status=AppointmentStatus.BOOKED)

    chart = pain_chart(course)

    # The visit not yet marked completed still counts: its note is signed.
    assert [(p.number, p.before) for p in chart.points] == [(1, 6), (2, 4)]
    assert chart.unsigned == []


def test_a_draft_note_does_not_count_and_the_chart_names_its_session(paul):
    course = course_under_way(paul.practitioner)
    write_note(session(course, days_ago=21), pain_before=7, pain_after=6)
    write_note(session(course, days_ago=14), sign=False, pain_before=5, pain_after=2)
    session(course, days_ago=7)  # completed, no note at all
    session(course, days_ago=-7, status=AppointmentStatus.BOOKED)  # still to come: not named

    chart = pain_chart(course)

    assert [(p.number, p.before, p.after) for p in chart.points] == [(1, 7, 6)]
    assert chart.unsigned == [2, 3]
    assert chart.unsigned_text == (
        "Sessions 2 and 3 have no signed note: their scores are not counted yet."
    )


def test_a_two_point_drop_from_a_high_baseline_is_not_yet_meaningful_in_words(paul):
    chart = pain_chart(scored_course(paul.practitioner, [(9, 8), (8, 7)]))

    assert chart.summary == (
        "Pain has dropped from 9 to 7 (\u22122 points, \u221222%): an improvement, but less "
        "than 30% of the first score: not yet clinically meaningful."
    )


def test_the_chart_reads_all_notes_in_one_query(paul, django_assert_num_queries):
    course = scored_course(paul.practitioner, [(7, 6)] * 8)

    with django_assert_num_queries(1):  # the live sessions with their notes
        chart = pain_chart(course)

    assert len(chart.points) == 8


# --- on the course page ---------------------------------------------------------------------


def test_the_course_page_shows_the_chart_to_the_practitioner(paul, paul_client):
    course = scored_course(paul.practitioner, [(7, 5), (5, 3)])

    response = paul_client.get(reverse("treatments:course-detail", args=[course.pk]))

    html = response.content.decode()
    assert "<svg" in html and "<polyline" in html
    assert "Pain has dropped from 7 to 3" in html
    assert "<title" in html and "<desc" in html
    assert '<table class="visually-hidden">' in html


def test_the_course_page_says_which_sessions_have_no_signed_note(paul, paul_client):
    course = scored_course(paul.practitioner, [(9, 8), (8, 7)])
    write_note(session(course, days_ago=1), sign=False, pain_before=2)

    response = paul_client.get(reverse("treatments:course-detail", args=[course.pk]))

    html = response.content.decode()
    assert "not yet clinically meaningful" in html
    assert "Session 3 has no signed note: its scores are not counted yet." in html


def test_the_front_desk_does_not_see_pain_scores(paul, fiona_client):
    course = scored_course(paul.practitioner, [(7, 5)])

    response = fiona_client.get(reverse("treatments:course-detail", args=[course.pk]))

    assert response.status_code == 200
    assert response.context["pain_chart"] is None
    assert "Pain has dropped" not in response.content.decode()


def test_a_finished_course_prompts_to_resolve_or_refer_the_complaint(paul, paul_client):
    course = scored_course(paul.practitioner, [(7, 5), (5, 3)])  # 2 of 2 sessions done
    edit = reverse(
        "patients:complaint-edit", args=[course.complaint.patient_id, course.complaint_id]
    )

    response = paul_client.get(reverse("treatments:course-detail", args=[course.pk]))

    html = response.content.decode()
    assert "Mark the complaint resolved or referred" in html
    assert f'href="{edit}"' in html


def test_a_course_under_way_does_not_prompt(paul, paul_client):
    course = course_under_way(paul.practitioner, planned=4)
    write_note(session(course, days_ago=7), pain_before=7, pain_after=5)

    response = paul_client.get(reverse("treatments:course-detail", args=[course.pk]))

    assert "Mark the complaint resolved or referred" not in response.content.decode()


@pytest.mark.parametrize("count", [1, 10])
def test_the_course_page_with_its_chart_runs_a_fixed_number_of_queries(
    paul, paul_client, django_assert_num_queries, count
):
    course = scored_course(paul.practitioner, [(7, 5)] * count)
    paul_client.get(reverse("treatments:course-detail", args=[course.pk]))  # warm the session

    # 1 session, 2 user, 3 groups, 4-5 permissions, 6 the course with its people and
    # progress, 7 its sessions with rooms, types and notes, 8-11 the read in the access log
    # (the chain's head, locked; the row; its link; the head moved on), 12 the course's
    # home-care sheets with their practitioners, 13 the clinic's profile.
    with django_assert_num_queries(13):
        response = paul_client.get(reverse("treatments:course-detail", args=[course.pk]))

    assert len(response.context["pain_chart"].points) == count
