"""A patient and a complaint keep their history: who changed what and when, read by the
clinic manager on their pages and by nobody else (a complaint's versions hold clinical
content: the front desk never sees them).

Before, patient and complaint edits kept no history at all.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils.html import strip_tags

from clinic.history import HISTORY_BEGAN, start_history
from patients import services
from patients.models import Complaint, Patient
from tests.factories import ComplaintFactory, PatientFactory
from tests.patients.test_complaints import complaint_data

pytestmark = pytest.mark.django_db


def history_on(client, url) -> str:
    """The words of the page's History section ("" when it has none)."""
    text = client.get(url).content.decode()
    if 'id="history"' not in text:
        return ""
    return " ".join(strip_tags(text[text.index('id="history"') :]).split())


def patient_url(patient) -> str:
    return reverse("patients:detail", args=[patient.pk])


def complaint_url(complaint) -> str:
    return reverse("patients:complaint-detail", args=[complaint.patient_id, complaint.pk])


@pytest.fixture
def patient(fiona):
    return services.patient_register(
        by=fiona,
        given_name="Nora",
        family_name="Hartley",
        date_of_birth="1970-04-02",
        phone="+44 7911 123456",
    )


def test_the_manager_reads_who_changed_a_patient_and_what(patient, fiona, maria, maria_client):
    services.patient_update(patient=patient, by=maria, consent_given=True, phone="+44 7911 223344")
    history = history_on(maria_client, patient_url(patient))
    assert "Changed by Maria Manager on" in history
    assert "Phone: +44 7911 123456 → +44 7911 223344" in history
    assert "Consent recorded by: — → Maria Manager" in history
    assert "Created by Fiona Desk on" in history
    assert [v.history_user for v in patient.history.order_by("history_id")] == [fiona, maria]


def test_an_edit_through_the_page_names_the_signed_in_user(paul_client, paul, maria_client):
    complaint = ComplaintFactory(title="Left hip")
    url = reverse("patients:complaint-edit", args=[complaint.patient_id, complaint.pk])
    assert paul_client.post(url, complaint_data(status="referred", red_flags=[])).status_code == 302

    history = history_on(maria_client, complaint_url(complaint))
    assert "Changed by Paul Needham on" in history
    assert "Status: Active → Referred" in history
    assert "Title: Left hip → Right hip and leg pain" in history


@pytest.mark.parametrize("reader", ["fiona_client", "paul_client"])
def test_nobody_but_the_manager_sees_a_patients_or_complaints_history(request, reader, maria):
    complaint = ComplaintFactory(onset_story="Charity run, then a film")
    services.complaint_update(complaint=complaint, by=maria, onset_story="Golf, then lunch")
    client = request.getfixturevalue(reader)
    assert history_on(client, complaint_url(complaint)) == ""
    assert history_on(client, patient_url(complaint.patient)) == ""
    assert "Charity run" not in client.get(complaint_url(complaint)).content.decode()


def test_no_historical_table_is_browsable_in_the_admin():
    """The versions hold clinical content: they are read on the manager's pages only."""
    assert not [m for m in admin.site._registry if m._meta.model_name.startswith("historical")]


@pytest.mark.parametrize("edits", [1, 20])
def test_the_managers_pages_run_the_same_queries_after_one_edit_or_twenty(
    patient, maria, maria_client, django_assert_num_queries, edits
):
    complaint = services.complaint_record(
        patient=patient,
        by=maria,
        title="Hip",
        regions=["hip"],
        side="right",
        onset_date="2026-01-05",
        pain_at_intake=5,
    )
    for n in range(edits):
        services.patient_update(patient=patient, by=maria, consent_given=True, address=f"{n}")
        services.complaint_update(complaint=complaint, by=maria, pain_at_intake=n % 10)
    maria_client.get(patient_url(patient))  # warm the session

    # The page as every role gets it: 21 queries (session, user, groups, two for permissions,
    # the patient, the access log row with its chain (the head, locked; the link; the head
    # moved on), the clinic's profile, the next appointment, the complaints, who registered
    # the patient and who recorded consent, courses, sessions (2), sheets, recall contacts,
    # the reminders' delivery log); the manager's history adds 2: the versions with who made
    # them, and the staff a change names (consent recorded by).
    with django_assert_num_queries(23):
        response = maria_client.get(patient_url(patient))
    assert len(response.context["history"]) == edits + 1
    # The complaint page: 13 queries (session, user, groups, two for permissions, the
    # complaint with its patient, the access log row with its chain (3), the clinic's
    # profile, who recorded it, its courses); the manager's history adds 1: its versions
    # with who made them.
    with django_assert_num_queries(14):
        response = maria_client.get(complaint_url(complaint))
    assert len(response.context["history"]) == edits + 1


def test_rows_older_than_their_history_get_a_first_version(maria_client):
    patient = PatientFactory(phone="+44 7911 000111")
    patient.history.all().delete()  # as before the migration: no version at all
    start_history(apps, "patients", "Patient")
    version = patient.history.get()
    assert version.history_change_reason == HISTORY_BEGAN
    services.patient_update(patient=patient, by=None, consent_given=False, phone="+44 7911 123457")
    history = history_on(maria_client, patient_url(patient))
    assert HISTORY_BEGAN in history
    assert "Phone: +44 7911 000111 → +44 7911 123457" in history
    assert Patient.history.count() == 2 and Complaint.history.count() == 0
