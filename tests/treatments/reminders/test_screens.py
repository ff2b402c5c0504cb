"""Where the desk sees the delivery log: the Messages screen with its filters, the appointment
and patient pages, and the day sheet's flag on a failed reminder; and the patient's consent
to reminders, recorded with who and when."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from patients import services as patients
from patients.models import ContactConsent
from tests.factories import PatientFactory
from tests.treatments.reminders.conftest import appointment_in
from treatments.models import Message, MessageState
from treatments.reminders import services

MESSAGES = reverse("treatments:messages")


@pytest.fixture
def visit(ann_agreed, dr_paul, willow):
    appointment = appointment_in(30, patient=ann_agreed, practitioner=dr_paul, room=willow)
    services.plan_messages()
    return appointment


def _fail(appointment, channel="email", reason="Mail server answered 550 (recipient refused)"):
    Message.objects.filter(appointment=appointment, channel=channel).update(
        state=MessageState.FAILED, reason=reason
    )


class TestTheMessagesScreen:
    def test_anonymous_visitors_are_sent_to_log_in(self, client):
        response = client.get(MESSAGES)
        assert response.status_code == 302 and "/login/" in response.url

    def test_a_practitioner_without_the_desks_permission_is_refused(self, paul_client):
        assert paul_client.get(MESSAGES).status_code == 403

    def test_it_only_answers_get(self, fiona_client):
        assert fiona_client.post(MESSAGES).status_code == 405

    def test_the_front_desk_sees_each_message_its_state_and_why(self, fiona_client, visit):
        _fail(visit)
        page = fiona_client.get(MESSAGES).text
        assert "Ann Lee" in page
        assert "Reminder by E-mail" in page and "Reminder by SMS" in page
        assert "Mail server answered 550 (recipient refused)" in page
        assert "Messages</a>" in page  # in the navigation

    def test_the_filters_narrow_by_state_channel_and_day(self, fiona_client, visit):
        _fail(visit)
        failed = fiona_client.get(MESSAGES, {"state": "failed"}).text
        assert "Reminder by E-mail" in failed and "Reminder by SMS" not in failed
        sms = fiona_client.get(MESSAGES, {"channel": "sms"}).text
        assert "Reminder by SMS" in sms and "Reminder by E-mail" not in sms
        later = (timezone.localdate() + timedelta(days=5)).isoformat()
        assert "Ann Lee" not in fiona_client.get(MESSAGES, {"first_day": later}).text

    def test_a_day_that_is_not_a_date_is_shown_next_to_the_field_and_kept(self, fiona_client):
        response = fiona_client.get(MESSAGES, {"first_day": "31/31/2026"})
        assert response.status_code == 200
        assert response.context["form"].errors["first_day"]
        assert 'value="31/31/2026"' in response.text

    def test_to_before_from_is_refused(self, fiona_client):
        response = fiona_client.get(MESSAGES, {"first_day": "2026-12-10", "last_day": "2026-12-01"})
        assert "“To” is before “From”." in response.text

    @pytest.mark.parametrize("count", [10, 200])
    def test_the_screen_runs_the_same_queries_for_ten_messages_or_two_hundred(
        self, fiona_client, dr_paul, willow, count, django_assert_max_num_queries
    ):
        patient = PatientFactory(email="x@example.test", email_contact="yes", sms_contact="yes")
        for k in range(count // 2):
            appointment_in(
                30 + k / 4, patient=patient, practitioner=dr_paul, room=willow, minutes=15
            )
        services.plan_messages()
        assert Message.objects.count() == count
        fiona_client.get(MESSAGES)  # warm the session
        # session, user, groups, permissions (2), the clinic's profile (navigation), the count
        # for the pages, one page of messages with their patients and appointments.
        with django_assert_max_num_queries(8):
            response = fiona_client.get(MESSAGES)
        assert response.status_code == 200


def test_the_appointment_page_shows_its_reminders(fiona_client, visit):
    _fail(visit, channel="sms", reason="SMS provider refused the message (400)")
    page = fiona_client.get(reverse("treatments:appointment-detail", args=[visit.pk])).text
    assert "Reminder by E-mail" in page and "Scheduled" in page
    assert "SMS provider refused the message (400)" in page


def test_the_patient_page_shows_the_reminders_and_the_consent(fiona_client, visit):
    page = fiona_client.get(reverse("patients:detail", args=[visit.patient_id])).text
    assert "Reminders and notices" in page and "Reminder by SMS" in page
    assert "E-mail: Yes · Text: Yes" in page


def test_a_failed_reminder_is_flagged_on_the_day_sheet(fiona_client, visit):
    _fail(visit)
    day = timezone.localtime(visit.start).date().isoformat()
    page = fiona_client.get(reverse("treatments:day-sheet"), {"day": day}).text
    assert "✉ reminder failed" in page


def test_a_day_sheet_without_failures_has_no_flag(fiona_client, visit):
    day = timezone.localtime(visit.start).date().isoformat()
    page = fiona_client.get(reverse("treatments:day-sheet"), {"day": day}).text
    assert "reminder failed" not in page


def test_consent_to_reminders_is_recorded_with_who_and_when_and_kept_in_history(ann, fiona):
    before = timezone.now()
    patients.patient_update(
        patient=ann, by=fiona, consent_given=False, sms_contact=ContactConsent.YES
    )
    ann.refresh_from_db()
    assert ann.contact_consent_recorded_by == fiona
    assert ann.contact_consent_recorded_at >= before
    patients.patient_update(
        patient=ann, by=fiona, consent_given=False, sms_contact=ContactConsent.OPTED_OUT
    )
    answers = list(ann.history.order_by("history_date").values_list("sms_contact", flat=True))
    assert answers[-2:] == ["yes", "opted_out"]


def test_saving_other_details_leaves_the_consent_record_alone(ann, fiona, maria):
    patients.patient_update(patient=ann, by=fiona, consent_given=False, email_contact="yes")
    patients.patient_update(patient=ann, by=maria, consent_given=False, address="1 Quay St")
    ann.refresh_from_db()
    assert ann.contact_consent_recorded_by == fiona
