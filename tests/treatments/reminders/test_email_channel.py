"""E-mail reminders through a real SMTP server on localhost (aiosmtpd): the message arrives
with its calendar file; the server's refusals are recorded as they were answered, and only
what the server accepted is marked sent."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from tests.treatments.reminders.conftest import appointment_in, free_port
from treatments.models import Appointment, Message, MessageState
from treatments.reminders import services
from treatments.reminders.content import when
from treatments.scheduling import services as scheduling


@pytest.fixture
def due_email(ann_agreed, dr_paul, willow):
    """Ann's e-mail reminder for tomorrow's appointment, due now."""
    visit = appointment_in(30, patient=ann_agreed, practitioner=dr_paul, room=willow)
    services.plan_messages()
    return Message.objects.get(appointment=visit, channel="email")


def test_the_mail_server_receives_the_reminder_with_the_appointment_as_a_calendar_file(
    due_email, mail_server
):
    message = services.deliver(message_id=due_email.pk)
    assert (message.state, message.attempts) == (MessageState.SENT, 1)
    (mail,) = mail_server.received
    assert mail["To"] == "ann.lee@example.test"
    assert mail["Subject"].startswith("Reminder: your appointment on ")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Hello Ann," in body and "Room Willow" in body
    (ics,) = [
        part for part in mail.iter_attachments() if part.get_content_type() == "text/calendar"
    ]
    assert ics.get_filename() == "appointment.ics"
    calendar = ics.get_content()
    start = due_email.appointment.start.astimezone(UTC)
    assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z\r\n" in calendar
    assert f"UID:appointment-{due_email.appointment_id}@meridian" in calendar
    assert "STATUS:CONFIRMED" in calendar


def test_a_temporary_refusal_keeps_the_reminder_scheduled_and_retries_after_a_minute(
    due_email, mail_server
):
    mail_server.refuse_with = "450 Mailbox busy, try later"
    now = timezone.now()
    message = services.deliver(message_id=due_email.pk, now=now)
    assert (message.state, message.attempts) == (MessageState.SCHEDULED, 1)
    assert message.reason == "Mail server answered 450 (recipient refused)"
    assert message.next_attempt_at == now + timedelta(minutes=1)
    assert mail_server.received == []


def test_the_retry_after_a_temporary_refusal_is_sent_when_the_server_takes_it(
    due_email, mail_server
):
    mail_server.refuse_with = "451 Try again"
    now = timezone.now()
    services.deliver(message_id=due_email.pk, now=now)
    mail_server.refuse_with = ""
    assert services.claim_due(now=now + timedelta(seconds=30)) == []  # backing off
    assert services.claim_due(now=now + timedelta(minutes=1)) == [due_email.pk]
    message = services.deliver(message_id=due_email.pk, now=now + timedelta(minutes=1))
    assert (message.state, message.attempts, message.reason) == (MessageState.SENT, 2, "")


def test_a_permanent_refusal_fails_the_reminder_with_the_reason(due_email, mail_server):
    mail_server.refuse_with = "550 No such user here"
    message = services.deliver(message_id=due_email.pk)
    assert (message.state, message.reason) == (
        MessageState.FAILED,
        "Mail server answered 550 (recipient refused)",
    )
    assert message.sent_at is None


def test_no_mail_server_listening_is_a_temporary_failure(due_email, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    message = services.deliver(message_id=due_email.pk)
    assert message.state == MessageState.SCHEDULED
    assert message.reason == "Mail server unreachable (ConnectionRefusedError)"


def test_temporary_failures_give_up_after_the_last_attempt(due_email, mail_server):
    mail_server.refuse_with = "421 Service not available"
    now = timezone.now()
    for _ in range(services.MAX_ATTEMPTS):
        message = services.deliver(message_id=due_email.pk, now=now)
        now += timedelta(hours=1)  # past each backoff, and never into quiet hours
        if message.state != MessageState.SCHEDULED:
            break
    assert message.state == MessageState.FAILED
    assert (
        message.reason == "Mail server answered 421 (recipient refused); gave up after 6 attempts"
    )


def test_a_corrected_reminder_names_the_old_time_and_the_new(due_email, mail_server):
    services.deliver(message_id=due_email.pk)
    visit = due_email.appointment
    old = visit.start
    Appointment.objects.filter(pk=visit.pk).update(
        start=visit.start + timedelta(hours=2), end=visit.end + timedelta(hours=2)
    )
    services.plan_messages()
    corrected = Message.objects.get(appointment=visit, channel="email", kind="corrected")
    message = services.deliver(message_id=corrected.pk)
    assert message.state == MessageState.SENT
    assert f"Your appointment has moved (it was {when(old)}). The new time:" in message.text
    assert mail_server.received[-1]["Subject"].startswith("Changed: your appointment is now ")


def test_a_cancellation_notice_carries_a_cancelled_calendar_event(due_email, mail_server, fiona):
    services.deliver(message_id=due_email.pk)
    scheduling.cancel(appointment=due_email.appointment, reason="Clinic closed", by=fiona)
    services.plan_messages()
    notice = Message.objects.get(appointment=due_email.appointment, kind="cancellation")
    assert services.deliver(message_id=notice.pk).state == MessageState.SENT
    mail = mail_server.received[-1]
    assert mail["Subject"].startswith("Cancelled: your appointment on ")
    (ics,) = list(mail.iter_attachments())
    calendar = ics.get_content()
    assert "METHOD:CANCEL" in calendar and "STATUS:CANCELLED" in calendar
    assert "SEQUENCE:1" in calendar  # one message about it went out before
