"""The SMS provider's delivery reports: a text it accepted is later reported delivered, or
failed with its reason, by a signed POST to /reminders/sms/status/. Ann's text reminder was
accepted by the fake provider on localhost (its id "sms-0001") before each test reports on it.
"""

import json
import logging
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from tests.treatments.reminders.conftest import appointment_in, signed, signed_report
from treatments.models import Message, MessageState
from treatments.reminders import services
from treatments.reminders.sms import HttpJsonSmsBackend

STATUS = reverse("treatments:sms-status")


class Collected(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.INFO)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


@pytest.fixture
def reminders_log():
    handler = Collected()
    logger = logging.getLogger("treatments.reminders")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler.lines
    logger.removeHandler(handler)
    logger.setLevel(level)


@pytest.fixture
def sent_sms(ann_agreed, dr_paul, willow, sms_provider):
    """Ann's text reminder for an appointment in 20 hours, accepted by the provider five
    minutes ago."""
    visit = appointment_in(20, patient=ann_agreed, practitioner=dr_paul, room=willow)
    services.plan_messages()
    message = Message.objects.get(appointment=visit, channel="sms")
    five_minutes_ago = timezone.now() - timedelta(minutes=5)
    message = services.deliver(message_id=message.pk, now=five_minutes_ago)
    assert (message.state, message.provider_id) == (MessageState.SENT, "sms-0001")
    return message


def report(client, secret, **fields):
    """The provider's POST: `fields` as its JSON body, signed with `secret`."""
    body, headers = signed_report(secret, **fields)
    return client.post(STATUS, data=body, content_type="application/json", headers=headers)


def shown(moment) -> str:
    return date_format(timezone.localtime(moment), "D j M H:i")


class TestReportsThatChangeTheLog:
    def test_a_delivery_report_marks_the_text_delivered_at_the_providers_time(
        self, client, sent_sms, sms_provider
    ):
        at = sent_sms.sent_at + timedelta(seconds=40)
        response = report(
            client, sms_provider.secret, id="sms-0001", status="delivered", at=at.isoformat()
        )
        assert (response.status_code, response.json()) == (
            200,
            {"outcome": "recorded", "state": "delivered"},
        )
        sent_sms.refresh_from_db()
        assert (sent_sms.state, sent_sms.reported_at, sent_sms.reason) == ("delivered", at, "")

    def test_a_report_without_a_time_is_dated_when_it_arrives(self, client, sent_sms, sms_provider):
        before = timezone.now()
        report(client, sms_provider.secret, id="sms-0001", status="delivered")
        sent_sms.refresh_from_db()
        assert before <= sent_sms.reported_at <= timezone.now()

    def test_a_providers_clock_is_kept_between_the_sending_and_now(
        self, client, sent_sms, sms_provider
    ):
        a_year_ago = (sent_sms.sent_at - timedelta(days=365)).isoformat()
        report(client, sms_provider.secret, id="sms-0001", status="delivered", at=a_year_ago)
        sent_sms.refresh_from_db()
        assert sent_sms.reported_at == sent_sms.sent_at

    def test_a_failure_after_sending_fails_the_text_with_the_providers_reason(
        self, client, sent_sms, sms_provider
    ):
        response = report(
            client, sms_provider.secret, id="sms-0001", status="failed", reason="absent subscriber"
        )
        assert response.json() == {"outcome": "recorded", "state": "failed"}
        sent_sms.refresh_from_db()
        assert (sent_sms.state, sent_sms.reason) == (
            "failed",
            "SMS provider reported it failed: absent subscriber",
        )
        assert sent_sms.sent_at is not None  # it was accepted; the failure came after

    def test_an_undeliverable_text_fails_and_says_so(self, client, sent_sms, sms_provider):
        report(client, sms_provider.secret, id="sms-0001", status="undeliverable")
        sent_sms.refresh_from_db()
        assert (sent_sms.state, sent_sms.reason) == (
            "failed",
            "SMS provider reported it undeliverable",
        )

    def test_control_characters_in_the_providers_reason_are_not_kept(
        self, client, sent_sms, sms_provider
    ):
        reason = "no\x00 route\n\tto handset" + "!" * 300
        report(client, sms_provider.secret, id="sms-0001", status="failed", reason=reason)
        sent_sms.refresh_from_db()
        assert sent_sms.reason.startswith("SMS provider reported it failed: no route to handset!")
        assert len(sent_sms.reason) <= 200 and "\x00" not in sent_sms.reason


class TestTheLogNeverGoesBackwards:
    def test_a_repeated_report_changes_nothing(self, client, sent_sms, sms_provider):
        report(client, sms_provider.secret, id="sms-0001", status="delivered")
        first = Message.objects.get(pk=sent_sms.pk)
        response = report(client, sms_provider.secret, id="sms-0001", status="delivered")
        assert (response.status_code, response.json()["outcome"]) == (200, "repeated")
        again = Message.objects.get(pk=sent_sms.pk)
        assert (again.state, again.reported_at, again.updated_at) == (
            first.state,
            first.reported_at,
            first.updated_at,
        )

    def test_a_repeated_failure_keeps_the_first_reason(self, client, sent_sms, sms_provider):
        secret = sms_provider.secret
        report(client, secret, id="sms-0001", status="failed", reason="absent subscriber")
        report(client, secret, id="sms-0001", status="failed", reason="something else")
        sent_sms.refresh_from_db()
        assert sent_sms.reason == "SMS provider reported it failed: absent subscriber"

    def test_delivered_stays_delivered_when_a_failure_arrives_later(
        self, client, sent_sms, sms_provider
    ):
        report(client, sms_provider.secret, id="sms-0001", status="delivered")
        response = report(
            client, sms_provider.secret, id="sms-0001", status="failed", reason="expired"
        )
        assert response.json() == {"outcome": "superseded", "state": "delivered"}
        sent_sms.refresh_from_db()
        assert (sent_sms.state, sent_sms.reason) == ("delivered", "")

    def test_a_delivery_reported_after_a_failure_wins_so_order_does_not_matter(
        self, client, sent_sms, sms_provider
    ):
        report(client, sms_provider.secret, id="sms-0001", status="failed", reason="retrying")
        report(client, sms_provider.secret, id="sms-0001", status="delivered")
        sent_sms.refresh_from_db()
        assert (sent_sms.state, sent_sms.reason) == ("delivered", "")

    def test_a_report_about_a_text_not_yet_sent_is_refused_and_logged_by_id_only(
        self, client, ann_agreed, dr_paul, willow, sms_provider, reminders_log
    ):
        visit = appointment_in(20, patient=ann_agreed, practitioner=dr_paul, room=willow)
        services.plan_messages()
        waiting = Message.objects.get(appointment=visit, channel="sms")
        # As it would be between the provider's acceptance and the log recording it.
        Message.objects.filter(pk=waiting.pk).update(provider_id="sms-0001")
        response = report(client, sms_provider.secret, id="sms-0001", status="delivered")
        assert response.status_code == 409  # the provider tries again later
        waiting.refresh_from_db()
        assert (waiting.state, waiting.reported_at) == (MessageState.SCHEDULED, None)
        assert reminders_log == [
            f"delivery report for message {waiting.pk}, still scheduled: ignored"
        ]
        assert not any(
            "Ann" in line or "Lee" in line or str(ann_agreed.phone) in line
            for line in reminders_log
        )

    def test_an_e_mail_is_never_reported_on(self, client, sent_sms, sms_provider):
        Message.objects.filter(appointment=sent_sms.appointment, channel="email").update(
            provider_id="mail-1"
        )
        response = report(client, sms_provider.secret, id="mail-1", status="delivered")
        assert response.status_code == 404


class TestRefusedReports:
    def test_a_report_with_a_wrong_signature_is_refused(self, client, sent_sms):
        response = report(client, "not-the-secret", id="sms-0001", status="delivered")
        assert response.status_code == 403
        sent_sms.refresh_from_db()
        assert sent_sms.state == MessageState.SENT

    def test_a_report_without_a_signature_is_refused(self, client, sent_sms):
        body = json.dumps({"id": "sms-0001", "status": "delivered"})
        response = client.post(STATUS, data=body, content_type="application/json")
        assert response.status_code == 403

    def test_a_signed_body_changed_on_the_way_is_refused(self, client, sent_sms, sms_provider):
        body, headers = signed_report(sms_provider.secret, id="sms-0001", status="failed")
        tampered = body.replace(b"failed", b"delivered")
        response = client.post(
            STATUS, data=tampered, content_type="application/json", headers=headers
        )
        assert response.status_code == 403

    def test_without_a_secret_in_the_settings_every_report_is_refused(
        self, client, sent_sms, settings
    ):
        settings.SMS_API_STATUS_SECRET = ""
        assert report(client, "", id="sms-0001", status="delivered").status_code == 403

    @pytest.mark.parametrize(
        "body", [b"id=sms-0001&status=delivered", b"[" * 4000, b"\xff\xfe{", b""]
    )
    def test_a_signed_body_that_is_not_json_is_a_bad_request(
        self, client, sent_sms, sms_provider, body
    ):
        response = client.post(
            STATUS,
            data=body,
            content_type="application/json",
            headers=signed(sms_provider.secret, body),
        )
        assert (response.status_code, response.json()) == (400, {"error": "the body is not JSON"})

    def test_a_signed_json_list_is_a_bad_request(self, client, sent_sms, sms_provider):
        body = b'["sms-0001", "delivered"]'
        response = client.post(
            STATUS,
            data=body,
            content_type="application/json",
            headers=signed(sms_provider.secret, body),
        )
        assert response.status_code == 400

    @pytest.mark.parametrize(
        ("fields", "error"),
        [
            ({"id": "sms-0001", "status": "delivered", "to": "+447700900123"}, "unknown fields"),
            ({"id": "sms-0001", "status": "read"}, "'status' must be one of"),
            ({"status": "delivered"}, "'id' must be a string"),
            ({"id": 1, "status": "delivered"}, "'id' must be a string"),
            ({"id": "sms\x000001", "status": "delivered"}, "control characters"),
            ({"id": "sms-0001", "status": "failed", "reason": ["x"]}, "'reason' must be"),
            ({"id": "sms-0001", "status": "delivered", "at": "yesterday"}, "'at' is not"),
            ({"id": "sms-0001", "status": "delivered", "at": "2026-12-01T10:00"}, "UTC offset"),
            ({"id": "sms-0001", "status": "delivered", "at": "9999-12-31T23:59-05:00"}, "range"),
        ],
    )
    def test_a_report_that_is_not_one_is_a_bad_request_saying_why(
        self, client, sent_sms, sms_provider, fields, error
    ):
        response = report(client, sms_provider.secret, **fields)
        assert response.status_code == 400
        assert error in response.json()["error"]
        sent_sms.refresh_from_db()
        assert sent_sms.state == MessageState.SENT

    def test_a_report_on_an_id_no_text_has_is_not_found(self, client, sent_sms, sms_provider):
        response = report(client, sms_provider.secret, id="sms-9999", status="delivered")
        assert response.status_code == 404

    def test_an_id_two_texts_share_is_refused_not_guessed(self, client, sent_sms, sms_provider):
        other = appointment_in(
            26,
            patient=sent_sms.patient,
            practitioner=sent_sms.appointment.practitioner,
            room=sent_sms.appointment.room,
        )
        services.plan_messages()
        services.deliver(message_id=Message.objects.get(appointment=other, channel="sms").pk)
        response = report(client, sms_provider.secret, id="sms-0001", status="delivered")
        assert response.status_code == 409
        assert not Message.objects.filter(state=MessageState.DELIVERED).exists()

    def test_a_body_larger_than_a_report_is_refused_unread(self, client, sent_sms, sms_provider):
        response = report(
            client, sms_provider.secret, id="sms-0001", status="failed", reason="x" * 5000
        )
        assert response.status_code == 413

    def test_it_only_answers_post(self, client):
        assert client.get(STATUS).status_code == 405

    def test_a_logged_in_browser_cannot_post_a_report_without_the_signature(
        self, fiona_client, sent_sms
    ):
        body = json.dumps({"id": "sms-0001", "status": "delivered"})
        response = fiona_client.post(STATUS, data=body, content_type="application/json")
        assert response.status_code == 403


class TestWhereTheDeskSeesIt:
    def test_delivered_is_shown_with_its_time_on_the_messages_screen_and_the_appointment(
        self, client, fiona_client, sent_sms, sms_provider
    ):
        at = sent_sms.sent_at + timedelta(minutes=2)
        report(client, sms_provider.secret, id="sms-0001", status="delivered", at=at.isoformat())
        messages = fiona_client.get(reverse("treatments:messages"), {"state": "delivered"}).text
        appointment = fiona_client.get(
            reverse("treatments:appointment-detail", args=[sent_sms.appointment_id])
        ).text
        for page in (messages, appointment):
            assert 'Delivered</span> <small class="text-muted">at <time' in page
            assert f">{shown(at)}</time>" in page

    def test_a_failure_after_sending_shows_the_reason_and_flags_the_day_sheet(
        self, client, fiona_client, sent_sms, sms_provider
    ):
        report(
            client, sms_provider.secret, id="sms-0001", status="failed", reason="absent subscriber"
        )
        appointment = fiona_client.get(
            reverse("treatments:appointment-detail", args=[sent_sms.appointment_id])
        ).text
        assert "SMS provider reported it failed: absent subscriber" in appointment
        day = timezone.localtime(sent_sms.appointment.start).date().isoformat()
        sheet = fiona_client.get(reverse("treatments:day-sheet"), {"day": day}).text
        assert "✉ reminder failed" in sheet


def test_the_adapter_tells_the_provider_where_to_report(sent_sms, sms_provider, settings):
    (first,) = sms_provider.requests
    assert "status_url" not in first["body"]  # none set: nothing said
    settings.SMS_API_STATUS_URL = "https://clinic.example.org/reminders/sms/status/"
    HttpJsonSmsBackend().send(to="+447700900123", text="Hello")
    assert sms_provider.requests[-1]["body"]["status_url"] == settings.SMS_API_STATUS_URL


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_provider_reports_delivery_over_http_to_the_running_site(
    live_server, settings, sms_provider, ann_agreed, dr_paul, willow
):
    """The whole round: the text goes out with the status URL of a running server, and the
    fake provider POSTs its signed report there over real HTTP."""
    settings.SMS_API_STATUS_URL = live_server.url + STATUS
    sms_provider.report = {"status": "delivered"}
    visit = appointment_in(20, patient=ann_agreed, practitioner=dr_paul, room=willow)
    services.plan_messages()
    message = services.deliver(message_id=Message.objects.get(appointment=visit, channel="sms").pk)
    assert message.state == MessageState.SENT
    assert sms_provider.reported.wait(timeout=10)
    assert sms_provider.answers[-1] == 200
    message.refresh_from_db()
    assert message.state == MessageState.DELIVERED
