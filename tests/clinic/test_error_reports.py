"""Error reports carry no patient data: a crash while saving a note mails the traceback, not
the note (clinic/error_reports.py)."""

import sys
from datetime import timedelta

import pytest
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.debug import get_exception_reporter_class

from tests.factories import AppointmentFactory
from tests.treatments.notes.test_notes_views import note_data
from treatments.notes import services as notes

pytestmark = pytest.mark.django_db

SOAP = {
    "subjective": "Woke with stabbing pain under the left shoulder blade",
    "objective": "Trigger point palpated at SI-11, guarding on rotation",
    "assessment": "Myofascial pain, no red flags on screening",
    "plan": "Review in one week; refer if numbness appears",
    "home_care": "Warm compress twice a day for ten minutes",
}
HIDDEN = "********************"
# Named here, away from the code that raises: the HTML report quotes the lines around it.
SEARCHED_NAME = "Lovelace"
SESSION_ID, CSRF_TOKEN = "abc123secret", "tok456"


class ServiceBroke(Exception):
    pass


@pytest.fixture
def admins(settings):
    settings.ADMINS = [("Clinic admin", "admin@clinic.example")]


@pytest.fixture
def draft(paul):
    appointment = AppointmentFactory(
        practitioner=paul.practitioner, start=timezone.now() - timedelta(minutes=50)
    )
    return notes.note_start(appointment=appointment, by=paul)


@pytest.fixture
def broken_save(monkeypatch):
    """The note service fails: the thing under test is the error report, not the service."""

    def note_save_draft(**kwargs):
        raise ServiceBroke("the database went away")

    monkeypatch.setattr(notes, "note_save_draft", note_save_draft)


def test_a_crash_while_saving_a_note_mails_the_error_without_its_text(
    admins, paul_client, draft, broken_save
):
    paul_client.raise_request_exception = False

    response = paul_client.post(reverse("treatments:note-edit", args=[draft.pk]), note_data(**SOAP))

    assert response.status_code == 500
    (report,) = mail.outbox
    assert report.to == ["admin@clinic.example"]
    assert "ServiceBroke" in report.body
    assert "the database went away" in report.body
    assert "action = 'save'" in report.body  # the button pressed is kept
    assert "points-TOTAL_FORMS = '1'" in report.body
    assert f"subjective = '{HIDDEN}'" in report.body
    for text in SOAP.values():
        assert text not in report.body
        assert text not in report.subject
    assert paul_client.cookies["sessionid"].value not in report.body


def test_the_full_report_hides_searches_cookies_and_local_variables(paul):
    request = RequestFactory().post(
        f"/patients/?q={SEARCHED_NAME}&day=2026-03-02",
        {"subjective": SOAP["subjective"], "action": "sign"},
        headers={
            "Cookie": f"sessionid={SESSION_ID}; csrftoken={CSRF_TOKEN}",
            "Referer": f"https://clinic.example/patients/?q={SEARCHED_NAME}",
            "HX-Current-URL": f"https://clinic.example/patients/?q={SEARCHED_NAME}",
        },
    )
    request.user = paul

    def save(subjective):
        raise ServiceBroke("no")

    try:
        save(SOAP["subjective"])
    except ServiceBroke:
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info())
    html, text = reporter.get_traceback_html(), reporter.get_traceback_text()

    for report in (html, text):
        assert SEARCHED_NAME not in report
        assert SOAP["subjective"] not in report
        assert SESSION_ID not in report
        assert CSRF_TOKEN not in report
        assert "2026-03-02" in report  # a date says nothing about a patient
        assert "sign" in report
    assert "/patients/?q=" in text  # the address keeps its path and the parameter's name


def test_the_database_password_is_not_in_the_settings_of_a_report(settings):
    settings.DATABASE_URL = "postgres://meridian:pw-in-the-url@db.example/meridian"
    request = RequestFactory().get("/")

    try:
        raise ServiceBroke("no")
    except ServiceBroke:
        reporter = get_exception_reporter_class(request)(request, *sys.exc_info())

    assert "pw-in-the-url" not in reporter.get_traceback_text()
