"""The clinic's rule of thumb for a course's length: acute 1 session, chronic 3 to 6."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ComplaintFactory
from treatments.planning import suggest_course_length


def complaint_begun(days_ago: int):
    return ComplaintFactory.build(onset_date=timezone.localdate() - timedelta(days=days_ago))


@pytest.mark.parametrize(
    ("days_ago", "sessions"),
    [
        (0, 1),
        (14, 1),  # the last acute day (ACUTE_ONSET_MAX_DAYS)
        (15, 3),  # the first chronic day
        (42, 3),
        (43, 4),
        (91, 4),
        (92, 5),
        (182, 5),
        (183, 6),
        (2000, 6),
    ],
)
def test_suggested_sessions_follow_how_long_the_pain_has_lasted(days_ago, sessions):
    assert suggest_course_length(complaint_begun(days_ago)).sessions == sessions


def test_thresholds_come_from_the_settings(settings):
    settings.ACUTE_ONSET_MAX_DAYS = 7
    settings.COURSE_CHRONIC_SESSIONS = [(30, 2), (60, 4)]
    settings.COURSE_CHRONIC_MAX_SESSIONS = 8

    assert suggest_course_length(complaint_begun(7)).sessions == 1
    assert suggest_course_length(complaint_begun(8)).sessions == 2
    assert suggest_course_length(complaint_begun(30)).sessions == 2
    assert suggest_course_length(complaint_begun(31)).sessions == 4
    assert suggest_course_length(complaint_begun(60)).sessions == 4
    assert suggest_course_length(complaint_begun(61)).sessions == 8


def test_an_acute_suggestion_explains_itself_in_days():
    assert suggest_course_length(complaint_begun(1)).reason == (
        "Acute: the pain began 1 day ago, so one session may be all that is needed."
    )
    assert "began 5 days ago" in suggest_course_length(complaint_begun(5)).reason


def test_a_chronic_suggestion_explains_itself_in_weeks_then_months():
    reason = suggest_course_length(complaint_begun(63)).reason

    assert reason == (
        "Chronic: the pain has lasted 9 weeks; chronic pain usually needs three to six "
        "sessions, more the longer it has lasted."
    )
    assert "has lasted about 4 months;" in suggest_course_length(complaint_begun(122)).reason
