"""The reminder pass derives the delivery log from the appointments as they are now: the
reminders they call for, the reasons some are skipped, corrections for moved appointments and
notices for cancelled ones. Running it again changes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from patients.models import ContactConsent
from tests.factories import course_for
from tests.treatments.reminders.conftest import appointment_in, log_of
from treatments.models import Appointment, AppointmentStatus, Message, MessageState
from treatments.reminders import services
from treatments.reminders.content import when
from treatments.reminders.tasks import reminder_pass
from treatments.scheduling import services as scheduling


@pytest.fixture
def visit(ann_agreed, dr_paul, willow):
    """Ann's appointment with Paul in Willow in three days, booked a week ago."""
    return appointment_in(72, patient=ann_agreed, practitioner=dr_paul, room=willow)


def test_a_booking_gets_an_email_and_a_text_scheduled_at_their_leads(visit):
    services.plan_messages()
    email, sms = Message.objects.filter(appointment=visit).order_by("channel")
    assert (email.channel, email.state, email.send_at) == (
        "email",
        "scheduled",
        visit.start - timedelta(hours=48),
    )
    assert (sms.channel, sms.state, sms.send_at) == (
        "sms",
        "scheduled",
        visit.start - timedelta(hours=24),
    )


def test_running_the_pass_again_changes_nothing(visit):
    services.plan_messages()
    before = list(Message.objects.values())
    figures = services.plan_messages()
    assert list(Message.objects.values()) == before
    assert (figures.scheduled, figures.skipped) == (0, 0)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"is_archived": True, "archived_at": timezone.now()}, "Patient archived"),
        ({"email_contact": ContactConsent.NOT_ASKED}, "No consent to contact by e-mail"),
        ({"email_contact": ContactConsent.OPTED_OUT}, "Patient opted out of e-mail"),
        ({"email": ""}, "No e-mail address"),
    ],
)
def test_a_patient_who_cannot_be_emailed_gets_a_skipped_reminder_with_the_reason(
    visit, change, reason
):
    for name, value in change.items():
        setattr(visit.patient, name, value)
    visit.patient.save()
    services.plan_messages()
    assert ("email", "reminder", "skipped", reason) in log_of(visit)


def test_consent_given_later_schedules_the_skipped_reminder(visit):
    visit.patient.sms_contact = ContactConsent.NOT_ASKED
    visit.patient.save()
    services.plan_messages()
    visit.patient.sms_contact = ContactConsent.YES
    visit.patient.save()
    services.plan_messages()
    assert ("sms", "reminder", "scheduled", "") in log_of(visit)


def test_a_booking_too_far_ahead_has_no_messages_yet(ann_agreed, dr_paul, willow):
    later = appointment_in(24 * 10, patient=ann_agreed, practitioner=dr_paul, room=willow)
    services.plan_messages()
    assert log_of(later) == []


def test_an_appointment_moved_before_its_reminder_went_out_gets_one_for_the_new_time(visit, fiona):
    services.plan_messages()
    _moved(visit, timedelta(hours=24))
    services.plan_messages()
    assert log_of(visit) == [
        ("email", "reminder", "skipped", services.MOVED),
        ("sms", "reminder", "skipped", services.MOVED),
        ("email", "reminder", "scheduled", ""),
        ("sms", "reminder", "scheduled", ""),
    ]


def _moved(appointment, by: timedelta):
    """The appointment moved (written directly: this is about reminders, not working hours)."""
    Appointment.objects.filter(pk=appointment.pk).update(
        start=appointment.start + by, end=appointment.end + by
    )


def _sent(appointment, channel="email"):
    """The reminder on `channel` as if the mail server had taken it an hour ago."""
    message = Message.objects.get(appointment=appointment, channel=channel, kind="reminder")
    message.state, message.sent_at = MessageState.SENT, timezone.now() - timedelta(hours=1)
    message.save()
    return message


def test_an_appointment_moved_after_its_reminder_went_out_gets_a_corrected_one(visit):
    services.plan_messages()
    _sent(visit)
    _moved(visit, timedelta(hours=2))
    services.plan_messages()
    assert log_of(visit)[2:] == [
        ("email", "corrected", "scheduled", ""),
        ("email", "reminder", "scheduled", ""),
        ("sms", "reminder", "scheduled", ""),
    ]


def test_a_cancelled_appointment_gets_a_notice_where_a_reminder_went_out_and_no_reminder(
    visit, fiona
):
    services.plan_messages()
    _sent(visit)
    scheduling.cancel(appointment=visit, reason="Patient unwell", by=fiona)
    services.plan_messages()
    assert log_of(visit) == [
        ("email", "reminder", "sent", ""),
        ("sms", "reminder", "skipped", services.CANCELLED),
        ("email", "cancellation", "scheduled", ""),
    ]


def test_a_cancelled_appointment_without_a_reminder_out_gets_no_notice(visit, fiona):
    services.plan_messages()
    scheduling.cancel(appointment=visit, reason="Patient unwell", by=fiona)
    services.plan_messages()
    assert {state for _, _, state, _ in log_of(visit)} == {"skipped"}


def test_a_due_reminder_goes_out_through_the_task_and_is_logged_sent(
    ann_agreed, dr_paul, willow, mail_server, settings
):
    settings.SMS_BACKEND = "treatments.reminders.sms.FileSmsBackend"
    settings.SMS_FILE_DIR = settings.VAR_DIR / "test-sms"
    soon = appointment_in(20, patient=ann_agreed, practitioner=dr_paul, room=willow)
    reminder_pass.enqueue()  # the immediate backend runs it, and the deliveries, here
    assert [state for _, _, state, _ in log_of(soon)] == ["sent", "sent"]
    assert len(mail_server.received) == 1


def test_a_course_session_reminder_names_the_session_and_the_course(
    ann_agreed, dr_paul, willow, mail_server
):
    course = course_for(dr_paul, planned=4, complaint=None)
    course.complaint.patient = ann_agreed
    course.complaint.save()
    first = appointment_in(
        -24 * 7, patient=ann_agreed, practitioner=dr_paul, room=willow, course=course
    )
    second = appointment_in(
        20, patient=ann_agreed, practitioner=dr_paul, room=willow, course=course
    )
    assert first.status == AppointmentStatus.BOOKED
    services.plan_messages()
    message = services.deliver(
        message_id=Message.objects.get(appointment=second, channel="email").pk
    )
    assert (
        f"Session 2 of 4 of your treatment for right hip and leg pain, {when(second.start)} "
        f"with {dr_paul.display_name}, Room Willow" in message.text
    )
    assert "last session" not in message.text


def test_the_last_session_reminder_says_so_and_asks_for_questions(
    ann_agreed, dr_paul, willow, mail_server
):
    course = course_for(dr_paul, planned=1, complaint=None)
    course.complaint.patient = ann_agreed
    course.complaint.save()
    only = appointment_in(20, patient=ann_agreed, practitioner=dr_paul, room=willow, course=course)
    services.plan_messages()
    message = services.deliver(message_id=Message.objects.get(appointment=only, channel="email").pk)
    assert "Session 1 of 1" in message.text
    assert "This is the last session of your course" in message.text
    assert "questions" in message.text


def test_a_booking_undone_within_the_grace_period_sends_nothing(
    ann_agreed, dr_paul, willow, fiona, mail_server
):
    visit = appointment_in(20, patient=ann_agreed, practitioner=dr_paul, room=willow)
    now = timezone.now()
    Appointment.objects.filter(pk=visit.pk).update(booked_at=now)  # booked just now
    services.plan_messages(now=now)
    assert services.claim_due(now=now + timedelta(minutes=2)) == []  # within the grace
    scheduling.cancel(appointment=visit, reason="Booked by mistake", by=fiona)
    services.plan_messages(now=now + timedelta(minutes=2))
    assert services.claim_due(now=now + timedelta(minutes=5)) == []
    assert {state for _, _, state, _ in log_of(visit)} == {"skipped"}
    assert mail_server.received == []
