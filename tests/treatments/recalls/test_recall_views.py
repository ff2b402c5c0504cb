"""The recall screens: the list (from the navigation), recording a contact, dismissing an
item; who may use them, what they refuse, and what the front desk is never shown."""

import pytest
from django.urls import reverse

from tests.factories import PractitionerFactory, write_note
from tests.treatments.recalls.givens import (
    ended_course,
    resolved,
    resolved_complaint,
    unbooked_course,
)
from treatments.models import (
    AccessLog,
    ContactChannel,
    CourseStatus,
    RecallContact,
    RecallDismissal,
    RecallKind,
    TreatmentCourse,
)

pytestmark = pytest.mark.django_db

LIST = reverse("treatments:recalls")


def contact_url(kind, pk):
    return reverse("treatments:recall-contact", args=[kind, pk])


def dismiss_url(kind, pk):
    return reverse("treatments:recall-dismiss", args=[kind, pk])


@pytest.fixture
def lees_course(dr_paul):
    """Ann Lee's course with Paul: two of four sessions held, nothing booked."""
    return unbooked_course(
        dr_paul, planned=4, done=2, patient__given_name="Ann", patient__family_name="Lee"
    )


class TestTheList:
    def test_the_front_desk_reaches_it_from_the_navigation(self, fiona_client, lees_course):
        home = fiona_client.get(reverse("clinic:home")).text
        assert f'href="{LIST}"' in home

        page = fiona_client.get(LIST).text

        assert "Ann Lee" in page and "2 of 4 sessions done, 2 to book" in page

    def test_book_links_to_the_booking_form_with_ids_only(self, fiona_client, lees_course):
        page = fiona_client.get(LIST).text

        patient, course = lees_course.complaint.patient, lees_course
        practitioner = lees_course.practitioner
        expected = (
            f"{reverse('treatments:appointment-create')}?patient={patient.pk}&amp;"
            f"course={course.pk}&amp;practitioner={practitioner.pk}"
        )
        assert expected in page

    def test_the_front_desk_is_shown_the_complaint_title_but_never_a_note(
        self, fiona_client, lees_course
    ):
        held = lees_course.appointments.first()
        write_note(held, subjective="Qznotetext sore after gardening")

        page = fiona_client.get(LIST).text

        assert lees_course.complaint.title in page
        assert "Qznotetext" not in page

    def test_the_patients_listed_go_to_the_access_log(self, fiona, fiona_client, lees_course):
        fiona_client.get(LIST)

        row = AccessLog.objects.get(what="recall list")
        assert (row.user, row.patient) == (fiona, lees_course.complaint.patient)

    def test_a_practitioner_sees_only_their_own_patients(self, dr_priya, priya_client, lees_course):
        unbooked_course(dr_priya, patient__family_name="Ng")

        page = priya_client.get(LIST).text

        assert "Ng" in page and "Ann Lee" not in page

    def test_the_desk_can_show_one_practitioners_recalls(self, fiona_client, dr_priya, lees_course):
        unbooked_course(dr_priya, patient__family_name="Ng")

        page = fiona_client.get(LIST, {"practitioner": dr_priya.pk}).text

        assert "Ng" in page and "Ann Lee" not in page

    def test_an_unknown_practitioner_is_an_error_next_to_the_field(self, fiona_client):
        response = fiona_client.get(LIST, {"practitioner": "nonsense"})

        assert response.status_code == 200
        assert "practitioner" in response.context["form"].errors
        assert "Select a valid choice" in response.text

    def test_anonymous_visitors_are_sent_to_log_in(self, client):
        response = client.get(LIST)

        assert response.status_code == 302 and reverse("login") in response.url

    def test_an_account_without_a_role_is_refused(self, nobody_client):
        assert nobody_client.get(LIST).status_code == 403

    def test_it_only_answers_get(self, fiona_client):
        assert fiona_client.post(LIST).status_code == 405

    @pytest.mark.parametrize("items", [10, 200])
    def test_the_number_of_queries_does_not_grow_with_the_list(
        self, fiona_client, paul, django_assert_max_num_queries, items
    ):
        # Each course with a practitioner of its own: one practitioner's sessions may not
        # overlap (PostgreSQL's exclusion constraint), and these all fall at 10:00.
        for _ in range(items // 2):
            unbooked_course(PractitionerFactory(), done=1)
        for _ in range(items // 4):
            ended_course(PractitionerFactory())
        for _ in range(items - items // 2 - items // 4):
            treated = ended_course(PractitionerFactory(), days_ago=400).complaint
            resolved(treated, months_ago=7, by=paul)
        RecallContact.objects.bulk_create(
            RecallContact(
                kind=RecallKind.UNBOOKED,
                complaint=course.complaint,
                course=course,
                channel=ContactChannel.PHONE,
                outcome="Left a message",
                contacted_by=paul,
            )
            for course in TreatmentCourse.objects.filter(status=CourseStatus.ACTIVE)
        )

        # 1 session, 2 the user, 3 the user's roles (groups), 4-5 the user's own and group
        # permissions (for the navigation), 6 the clinic's profile (the setting and the
        # navigation), 7 courses left unbooked, 8 courses ended without the sheet, 9 resolved
        # complaints, 10 their practitioners, 11 the contacts, 12-15 the access log's insert
        # and its chain (the head locked, the rows' links, the head moved on), 16 the
        # practitioners for the filter; 17-18 on SQLite, whose limit on an insert's variables
        # splits each of the two inserts of 200 rows in two (PostgreSQL: one each).
        with django_assert_max_num_queries(18):
            response = fiona_client.get(LIST)

        assert response.text.count('class="list-group-item recall-item"') == items
        assert response.text.count("Left a message") == items // 2


class TestRecordingAContact:
    def test_the_desk_records_a_phone_call_shown_on_the_item_and_the_patient_page(
        self, fiona, fiona_client, lees_course
    ):
        response = fiona_client.post(
            contact_url(RecallKind.UNBOOKED, lees_course.pk),
            {"channel": "phone", "outcome": "  Left a   message; will ring back "},
        )

        assert response.status_code == 302 and response.url == LIST
        contact = RecallContact.objects.get()
        assert (contact.contacted_by, contact.channel, contact.outcome, contact.course) == (
            fiona,
            ContactChannel.PHONE,
            "Left a message; will ring back",
            lees_course,
        )
        assert "Left a message; will ring back" in fiona_client.get(LIST).text
        patient = lees_course.complaint.patient
        patient_page = fiona_client.get(reverse("patients:detail", args=[patient.pk])).text
        assert "Recall contacts" in patient_page and "will ring back" in patient_page

    def test_a_contact_leaves_the_item_on_the_list(self, fiona_client, lees_course):
        fiona_client.post(
            contact_url(RecallKind.UNBOOKED, lees_course.pk),
            {"channel": "sms", "outcome": "Texted the link"},
        )

        assert "Ann Lee" in fiona_client.get(LIST).text

    def test_the_form_shows_the_item_and_logs_the_read(self, fiona_client, lees_course):
        response = fiona_client.get(contact_url(RecallKind.UNBOOKED, lees_course.pk))

        assert response.status_code == 200 and "Ann Lee" in response.text
        assert AccessLog.objects.filter(what="recall", object_id=lees_course.complaint_id)

    def test_bad_input_is_shown_next_to_the_fields_with_the_input_kept(
        self, fiona_client, lees_course
    ):
        response = fiona_client.post(
            contact_url(RecallKind.UNBOOKED, lees_course.pk),
            {"channel": "pigeon", "outcome": "   "},
        )

        assert response.status_code == 200
        errors = response.context["form"].errors
        assert set(errors) == {"channel", "outcome"}
        assert "Say what came of it." in response.text
        assert not RecallContact.objects.exists()

    def test_an_overlong_outcome_is_refused_with_the_text_kept(self, fiona_client, lees_course):
        text = "Rang twice " * 30
        response = fiona_client.post(
            contact_url(RecallKind.UNBOOKED, lees_course.pk),
            {"channel": "phone", "outcome": text},
        )

        assert "outcome" in response.context["form"].errors
        assert "Rang twice Rang twice" in response.text

    def test_an_item_not_on_the_list_is_not_found(self, fiona_client, dr_paul):
        course = ended_course(dr_paul)

        assert fiona_client.get(contact_url(RecallKind.UNBOOKED, course.pk)).status_code == 404
        assert fiona_client.get(contact_url("nonsense", course.pk)).status_code == 404

    def test_a_practitioner_may_not_record_one_for_anothers_patient(
        self, priya_client, lees_course
    ):
        url = contact_url(RecallKind.UNBOOKED, lees_course.pk)

        assert priya_client.get(url).status_code == 403
        assert priya_client.post(url, {"channel": "phone", "outcome": "x"}).status_code == 403

    def test_a_practitioner_may_for_their_own(self, paul_client, lees_course):
        response = paul_client.post(
            contact_url(RecallKind.UNBOOKED, lees_course.pk),
            {"channel": "letter", "outcome": "Sent the usual letter"},
        )

        assert response.status_code == 302 and RecallContact.objects.count() == 1

    def test_anonymous_visitors_are_sent_to_log_in(self, client, lees_course):
        response = client.get(contact_url(RecallKind.UNBOOKED, lees_course.pk))

        assert response.status_code == 302 and reverse("login") in response.url

    def test_an_account_without_a_role_is_refused(self, nobody_client, lees_course):
        url = contact_url(RecallKind.UNBOOKED, lees_course.pk)
        assert nobody_client.get(url).status_code == 403

    def test_other_methods_are_refused(self, fiona_client, lees_course):
        url = contact_url(RecallKind.UNBOOKED, lees_course.pk)
        assert fiona_client.put(url).status_code == 405
        assert fiona_client.delete(url).status_code == 405


class TestDismissing:
    def test_the_desk_dismisses_an_item_with_a_reason(self, fiona, fiona_client, paul):
        complaint = resolved_complaint(
            months_ago=8, by=paul, patient__given_name="Ben", patient__family_name="Ng"
        )

        response = fiona_client.post(
            dismiss_url(RecallKind.RESOLVED, complaint.pk), {"reason": "Moved to Leeds"}
        )

        assert response.status_code == 302
        dismissal = RecallDismissal.objects.get()
        assert (dismissal.reason, dismissal.dismissed_by, dismissal.complaint) == (
            "Moved to Leeds",
            fiona,
            complaint,
        )
        assert f'data-recall="resolved-{complaint.pk}"' not in fiona_client.get(LIST).text

    def test_a_reason_is_needed(self, fiona_client, lees_course):
        response = fiona_client.post(dismiss_url(RecallKind.UNBOOKED, lees_course.pk), {})

        assert response.status_code == 200
        assert "reason" in response.context["form"].errors
        assert not RecallDismissal.objects.exists()

    def test_a_dismissed_item_cannot_be_dismissed_again(self, fiona_client, lees_course):
        url = dismiss_url(RecallKind.UNBOOKED, lees_course.pk)
        fiona_client.post(url, {"reason": "Away"})

        assert fiona_client.post(url, {"reason": "Away"}).status_code == 404

    def test_a_practitioner_may_not_dismiss_anothers_patient(self, priya_client, paul):
        complaint = resolved_complaint(months_ago=8, by=paul)  # no course of Priya's
        url = dismiss_url(RecallKind.RESOLVED, complaint.pk)

        assert priya_client.post(url, {"reason": "x"}).status_code == 403

    def test_anonymous_wrong_role_and_wrong_method(
        self, client, nobody_client, fiona_client, lees_course
    ):
        url = dismiss_url(RecallKind.UNBOOKED, lees_course.pk)
        assert reverse("login") in client.post(url, {"reason": "x"}).url
        assert nobody_client.post(url, {"reason": "x"}).status_code == 403
        assert fiona_client.put(url).status_code == 405
