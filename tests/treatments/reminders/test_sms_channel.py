"""Text-message reminders through the JSON-over-HTTP provider adapter, against a fake provider
on localhost: what it is sent, and each kind of answer it can give."""

import io

import pytest

from tests.treatments.reminders.conftest import appointment_in
from treatments.models import Message, MessageState
from treatments.reminders import services
from treatments.reminders.channels import PermanentFailure, TemporaryFailure
from treatments.reminders.sms import ConsoleSmsBackend, FileSmsBackend, HttpJsonSmsBackend


@pytest.fixture
def due_sms(ann_agreed, dr_paul, willow):
    """Ann's text reminder for an appointment in 20 hours, due now."""
    visit = appointment_in(20, patient=ann_agreed, practitioner=dr_paul, room=willow)
    services.plan_messages()
    return Message.objects.get(appointment=visit, channel="sms")


def test_the_provider_is_sent_the_number_and_text_and_its_id_is_kept(due_sms, sms_provider):
    message = services.deliver(message_id=due_sms.pk)
    assert (message.state, message.provider_id) == (MessageState.SENT, "sms-0001")
    (request,) = sms_provider.requests
    assert request["auth"] == "Bearer test-key"
    assert request["body"]["to"] == str(due_sms.patient.phone)
    assert request["body"]["text"] == message.text
    assert "Room Willow" in message.text


def test_a_refused_number_fails_the_reminder(due_sms, sms_provider):
    sms_provider.status, sms_provider.answer = 400, {"error": "invalid number"}
    message = services.deliver(message_id=due_sms.pk)
    assert (message.state, message.reason) == (
        MessageState.FAILED,
        "SMS provider refused the message (400)",
    )


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_or_broken_provider_is_tried_again_later(due_sms, sms_provider, status):
    sms_provider.status = status
    message = services.deliver(message_id=due_sms.pk)
    assert (message.state, message.reason) == (
        MessageState.SCHEDULED,
        f"SMS provider answered {status}",
    )
    assert message.next_attempt_at is not None


def test_a_provider_that_does_not_answer_in_time_is_tried_again_later(due_sms, sms_provider):
    sms_provider.delay = 1.5  # the adapter waits one second (SMS_API_TIMEOUT_SECONDS)
    message = services.deliver(message_id=due_sms.pk)
    assert (message.state, message.reason) == (
        MessageState.SCHEDULED,
        "SMS provider did not answer in time",
    )


def test_the_adapter_answers_each_kind_of_failure_as_temporary_or_permanent(sms_provider):
    adapter = HttpJsonSmsBackend()
    sms_provider.status = 401
    with pytest.raises(PermanentFailure):
        adapter.send(to="+447700900123", text="Hello")
    sms_provider.status = 502
    with pytest.raises(TemporaryFailure):
        adapter.send(to="+447700900123", text="Hello")


def test_an_unconfigured_provider_is_a_permanent_failure(settings):
    settings.SMS_API_URL = ""
    with pytest.raises(PermanentFailure, match="not configured"):
        HttpJsonSmsBackend().send(to="+447700900123", text="Hello")


def test_the_development_backends_print_or_file_the_text(settings, tmp_path):
    printed = io.StringIO()
    assert ConsoleSmsBackend(printed).send(to="+447700900123", text="Hello").startswith("console-")
    assert "to +447700900123:\nHello" in printed.getvalue()
    settings.SMS_FILE_DIR = tmp_path
    FileSmsBackend().send(to="+447700900123", text="Hello")
    (written,) = tmp_path.iterdir()
    assert written.read_text() == "To: +447700900123\n\nHello\n"
