"""After a course's last session the patient can be e-mailed the home-care sheet they were
given: exactly its issued snapshot as a PDF, through a real SMTP server on localhost
(aiosmtpd), logged like the reminders (sent only when the server took it, refusals retried
or failed, a patient who may not be written to skipped with the reason)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from clinic.models import ClinicProfile
from patients.models import ContactConsent
from tests.factories import CourseFactory, chronic_complaint, session
from tests.treatments.homecare.sheets import issue, pdf_text, squeeze
from treatments.models import CourseStatus, HomeCareItem, Message, MessageKind, MessageState
from treatments.reminders import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_course(ann_agreed, dr_paul):
    """Ann's course of two sessions with Paul, both done, and her prevention sheet."""
    course = CourseFactory(
        complaint=chronic_complaint(patient=ann_agreed, title="Right hip pain"),
        practitioner=dr_paul,
        planned_sessions=2,
        start_date=timezone.localdate() - timedelta(days=14),
        created_by=dr_paul.user,
        status=CourseStatus.COMPLETED,
    )
    session(course, days_ago=14)
    session(course, days_ago=7)
    return course


@pytest.fixture
def sheet(finished_course, dr_paul):
    return issue(
        dr_paul,
        finished_course.complaint.patient,
        notes={0: "Ten minutes after work."},
        complaint=finished_course.complaint,
        course=finished_course,
    )


def email_url(sheet):
    return reverse("treatments:sheet-email", args=[sheet.pk])


def sheet_url(sheet):
    return reverse("treatments:sheet-detail", args=[sheet.pk])


def attached_pdf(mail) -> tuple[str, bytes]:
    (pdf,) = [p for p in mail.iter_attachments() if p.get_content_type() == "application/pdf"]
    return pdf.get_filename(), pdf.get_content()


def sheet_messages(sheet) -> list[tuple[str, str]]:
    return list(Message.objects.filter(sheet=sheet).values_list("state", "reason"))


# --- the e-mail ------------------------------------------------------------------------------


def test_the_mail_server_receives_the_sheet_as_the_pdf_the_pdf_view_gives(
    sheet, paul, fiona_client, mail_server
):
    asked = services.sheet_email(sheet=sheet, by=paul)
    message = services.deliver(message_id=asked.message.pk)

    assert (message.state, message.attempts, message.kind) == (
        MessageState.SENT,
        1,
        MessageKind.HOME_CARE_SHEET,
    )
    (mail,) = mail_server.received
    assert mail["To"] == "ann.lee@example.test"
    filename, attached = attached_pdf(mail)
    downloaded = fiona_client.get(reverse("treatments:sheet-pdf", args=[sheet.pk])).content
    assert filename == f"home-care-lee-{sheet.snapshot['date']}-v{sheet.version}.pdf"
    assert attached == downloaded  # the same renderer, the same snapshot: the same bytes
    text = squeeze(pdf_text(attached))
    assert "Ten minutes after work." in text
    for item in sheet.snapshot["items"]:
        assert squeeze(item["title"]) in text


def test_the_subject_and_text_name_the_clinic_and_nothing_clinical(sheet, paul, mail_server):
    clinic = ClinicProfile.objects.current()
    services.deliver(message_id=services.sheet_email(sheet=sheet, by=paul).message.pk)

    (mail,) = mail_server.received
    assert mail["Subject"] == f"Your home-care sheet from {clinic.name}"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Hello Ann,")
    assert clinic.name in body and clinic.phone in body
    for clinical in ("hip", "Hip", "Knees to chest", "Ten minutes after work"):
        assert clinical not in mail["Subject"] and clinical not in body


def test_the_sheet_is_the_snapshot_even_after_the_library_changed(sheet, paul, mail_server):
    title = sheet.snapshot["items"][0]["title"]
    HomeCareItem.objects.filter(title=title).update(title="Renamed since")
    services.deliver(message_id=services.sheet_email(sheet=sheet, by=paul).message.pk)

    _, attached = attached_pdf(mail_server.received[0])
    assert squeeze(title) in squeeze(pdf_text(attached))
    assert "Renamed since" not in pdf_text(attached)


# --- who may not be written to ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"email": ""}, "No e-mail address"),
        ({"email_contact": ContactConsent.NOT_ASKED}, "No consent to contact by e-mail"),
        ({"email_contact": ContactConsent.OPTED_OUT}, "Patient opted out of e-mail"),
        ({"is_archived": True, "archived_at": timezone.now()}, "Patient archived"),
    ],
)
def test_a_patient_who_may_not_be_written_to_gets_nothing_and_the_refusal_is_logged(
    sheet, paul_client, mail_server, change, reason
):
    type(sheet.patient).objects.filter(pk=sheet.patient.pk).update(**change)

    response = paul_client.post(email_url(sheet), follow=True)

    assert sheet_messages(sheet) == [(MessageState.SKIPPED, reason)]
    assert mail_server.received == []
    assert f"The sheet was not e-mailed: {reason[0].lower()}{reason[1:]}." in response.text


def test_consent_withdrawn_before_the_worker_sends_skips_the_message(sheet, paul, mail_server):
    asked = services.sheet_email(sheet=sheet, by=paul)
    type(sheet.patient).objects.filter(pk=sheet.patient.pk).update(
        email_contact=ContactConsent.OPTED_OUT
    )

    message = services.deliver(message_id=asked.message.pk)

    assert (message.state, message.reason) == (MessageState.SKIPPED, "Patient opted out of e-mail")
    assert mail_server.received == []


# --- the mail server's answers ---------------------------------------------------------------


def test_a_temporary_refusal_is_retried_with_the_backoff_and_then_sent(sheet, paul, mail_server):
    mail_server.refuse_with = "451 Try again"
    now = timezone.now()
    asked = services.sheet_email(sheet=sheet, by=paul, now=now)
    message = services.deliver(message_id=asked.message.pk, now=now)
    assert (message.state, message.reason) == (
        MessageState.SCHEDULED,
        "Mail server answered 451 (recipient refused)",
    )
    assert message.next_attempt_at == now + timedelta(minutes=1)

    mail_server.refuse_with = ""
    assert services.claim_due(now=now + timedelta(minutes=1)) == [message.pk]
    message = services.deliver(message_id=message.pk, now=now + timedelta(minutes=1))
    assert (message.state, message.attempts, message.reason) == (MessageState.SENT, 2, "")
    assert len(mail_server.received) == 1


def test_temporary_refusals_fail_the_message_after_the_last_attempt(sheet, paul, mail_server):
    mail_server.refuse_with = "421 Service not available"
    now = timezone.now()
    message = services.sheet_email(sheet=sheet, by=paul, now=now).message
    for _ in range(services.MAX_ATTEMPTS):
        message = services.deliver(message_id=message.pk, now=now)
        now += timedelta(hours=5)
    assert (message.state, message.reason) == (
        MessageState.FAILED,
        "Mail server answered 421 (recipient refused); gave up after 6 attempts",
    )
    assert message.sent_at is None


def test_a_permanent_refusal_fails_the_message_with_the_reason(sheet, paul, mail_server):
    mail_server.refuse_with = "550 No such user here"
    message = services.sheet_email(sheet=sheet, by=paul).message

    message = services.deliver(message_id=message.pk)

    assert (message.state, message.reason) == (
        MessageState.FAILED,
        "Mail server answered 550 (recipient refused)",
    )


def test_a_pdf_past_its_time_limit_fails_the_message_and_sends_nothing(
    sheet, paul, mail_server, settings
):
    settings.PDF_TIME_LIMIT_SECONDS = 0.001  # no PDF is drawn that fast
    message = services.sheet_email(sheet=sheet, by=paul).message

    message = services.deliver(message_id=message.pk)

    assert (message.state, message.reason) == (
        MessageState.FAILED,
        "The sheet's PDF took longer than 0.001 s and was stopped",
    )
    assert mail_server.received == []


def test_a_sheet_message_is_held_for_its_task_and_not_handed_out_twice(sheet, paul):
    now = timezone.now()
    message = services.sheet_email(sheet=sheet, by=paul, now=now).message

    assert services.claim_due(now=now + timedelta(minutes=1)) == []
    # The task never ran (the worker died): after the lease the reminder pass hands it out.
    assert services.claim_due(now=now + services.LEASE) == [message.pk]


# --- sending from the pages ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"email": ""}, "Cannot e-mail: no e-mail address"),
        (
            {"email_contact": ContactConsent.NOT_ASKED},
            "Cannot e-mail: no consent to contact by e-mail",
        ),
        ({"email_contact": ContactConsent.OPTED_OUT}, "Cannot e-mail: patient opted out of e-mail"),
    ],
)
def test_the_sheet_and_course_pages_say_why_a_patient_cannot_be_e_mailed_instead_of_offering_it(
    sheet, finished_course, paul_client, change, shown
):
    type(sheet.patient).objects.filter(pk=sheet.patient.pk).update(**change)

    for url in (sheet_url(sheet), reverse("treatments:course-detail", args=[finished_course.pk])):
        page = paul_client.get(url).text
        assert f'action="{email_url(sheet)}"' not in page, url
        assert shown in page, url
        assert "disabled" in page


def test_the_sheet_page_offers_e_mail_without_a_refusal_when_the_patient_agreed(sheet, paul_client):
    page = paul_client.get(sheet_url(sheet)).text

    assert f'action="{email_url(sheet)}"' in page
    assert "Cannot e-mail" not in page


def test_the_practitioner_e_mails_the_sheet_from_its_page_and_sees_it_sent(
    sheet, paul_client, mail_server
):
    response = paul_client.post(email_url(sheet))

    assert response.status_code == 302 and response.url == sheet_url(sheet)
    assert len(mail_server.received) == 1
    ((state, _),) = sheet_messages(sheet)
    assert state == MessageState.SENT
    page = paul_client.get(sheet_url(sheet)).text
    assert 'id="sheet-last-emailed"' in page and "Already e-mailed" in page


def test_the_front_desk_may_e_mail_a_sheet(sheet, fiona_client, mail_server):
    assert fiona_client.post(email_url(sheet)).status_code == 302
    assert len(mail_server.received) == 1


def test_a_double_click_sends_once_and_a_later_request_sends_again(
    sheet, paul, paul_client, mail_server
):
    paul_client.post(email_url(sheet))
    response = paul_client.post(email_url(sheet), follow=True)

    assert len(mail_server.received) == 1
    assert Message.objects.filter(sheet=sheet).count() == 1
    assert "This sheet was asked for moments ago: it is not sent twice." in response.text

    later = timezone.now() + services.SAME_REQUEST + timedelta(seconds=1)
    again = services.sheet_email(sheet=sheet, by=paul, now=later)
    assert again.new
    services.deliver(message_id=again.message.pk, now=later)
    assert len(mail_server.received) == 2


def test_the_course_page_offers_the_sheet_once_the_last_session_is_done(
    sheet, finished_course, paul_client, mail_server
):
    course_url = reverse("treatments:course-detail", args=[finished_course.pk])
    page = paul_client.get(course_url).text
    assert f'action="{email_url(sheet)}"' in page

    response = paul_client.post(email_url(sheet), {"back": "course"})

    assert response.url == course_url
    assert "E-mailed " in paul_client.get(course_url).text


def test_the_course_page_does_not_offer_it_before_the_last_session(
    ann_agreed, dr_paul, paul_client
):
    course = CourseFactory(
        complaint=chronic_complaint(patient=ann_agreed),
        practitioner=dr_paul,
        planned_sessions=3,
        created_by=dr_paul.user,
    )
    sheet = issue(dr_paul, ann_agreed, complaint=course.complaint, course=course)

    page = paul_client.get(reverse("treatments:course-detail", args=[course.pk])).text

    assert f'action="{email_url(sheet)}"' not in page
    assert f'action="{email_url(sheet)}"' in paul_client.get(sheet_url(sheet)).text


def test_the_delivery_log_shows_it_on_the_patient_page_and_the_messages_screen(
    sheet, paul_client, fiona_client, mail_server
):
    paul_client.post(email_url(sheet))

    for url in (
        reverse("patients:detail", args=[sheet.patient.pk]),
        reverse("treatments:messages"),
    ):
        page = fiona_client.get(url).text
        assert f'<a href="{sheet_url(sheet)}">Home-care sheet</a>' in page
        assert "Home-care sheet by E-mail" in page


# --- who may ---------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, sheet):
    response = client.post(email_url(sheet))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_staff_without_a_role_and_the_manager_may_not_e_mail_a_sheet(
    nobody_client, maria_client, sheet
):
    for client in (nobody_client, maria_client):
        assert client.post(email_url(sheet)).status_code == 403
    assert not Message.objects.filter(sheet=sheet).exists()


def test_e_mailing_only_answers_post(paul_client, sheet):
    assert paul_client.get(email_url(sheet)).status_code == 405


def test_an_unknown_sheet_is_not_found(paul_client):
    assert paul_client.post(reverse("treatments:sheet-email", args=[999999])).status_code == 404


def test_the_manager_sees_what_was_sent_but_has_no_button(sheet, paul, maria_client, mail_server):
    services.deliver(message_id=services.sheet_email(sheet=sheet, by=paul).message.pk)

    page = maria_client.get(sheet_url(sheet)).text

    assert 'id="sheet-email"' not in page
    assert "Already e-mailed" in page and "Home-care sheet by E-mail" in page


def test_the_sheet_page_reads_what_was_sent_in_one_query_however_often(
    sheet, paul, paul_client, django_assert_num_queries
):
    paul_client.get(sheet_url(sheet))  # warm the session
    # 1 session, 2 user, 3 the user's groups (roles), 4-5 user and group permissions,
    # 6 the sheet with its patient, 7-10 the read recorded in the access log (the chain's
    # head, locked; the row; its seal; the head moved on), 11 the messages that carried the
    # sheet, 12 the sheet's seal (its check), 13 the clinic's profile (navigation).
    for sent in (1, 20):
        while Message.objects.filter(sheet=sheet).count() < sent:
            later = timezone.now() + services.SAME_REQUEST * Message.objects.count() * 2
            services.sheet_email(sheet=sheet, by=paul, now=later)
        with django_assert_num_queries(13):
            assert paul_client.get(sheet_url(sheet)).status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_four_requests_at_the_same_instant_make_one_message(sheet, paul):
    """Each thread has its own connection; the sheet's row lock (PostgreSQL) or the IMMEDIATE
    transaction (SQLite) takes them one after the other, and the later ones see the first."""
    barrier = threading.Barrier(4)
    answers = []

    def ask():
        try:
            connection.ensure_connection()
            barrier.wait(timeout=10)
            answers.append(services.sheet_email(sheet=sheet, by=paul).new)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(answers) == [False, False, False, True]
    assert Message.objects.filter(sheet=sheet).count() == 1
