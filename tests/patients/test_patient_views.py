from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from patients import services
from patients.models import Patient
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

VALID = {
    "given_name": "Zoë",
    "family_name": "Ødegård-Núñez",
    "preferred_name": "",
    "date_of_birth": "1984-07-02",
    "sex": "female",
    "phone": "07911 123456",
    "email": "Zoe@Example.org",
    "address": "4 Mill Lane\nHebden Bridge",
    "emergency_contact_name": "Ivo Núñez",
    "emergency_contact_phone": "01234 567890",
    "front_desk_notes": "Prefers mornings.",
    "consent_given": "on",
}


def register(client, **changes):
    data = {**VALID, **changes}
    return client.post(reverse("patients:create"), {k: v for k, v in data.items() if v is not None})


class TestRegisteringAPatient:
    def test_front_desk_registers_a_patient_with_normalised_details(self, fiona_client, fiona):
        response = register(fiona_client)
        patient = Patient.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("patients:detail", args=[patient.pk])
        assert patient.family_name == "Ødegård-Núñez"
        assert patient.phone.as_e164 == "+447911123456"
        assert patient.email == "zoe@example.org"
        assert patient.consent_given_on == timezone.localdate()
        assert patient.consent_recorded_by == fiona
        assert patient.created_by == fiona

    def test_a_patient_may_have_no_email(self, fiona_client):
        register(fiona_client, email="")
        assert Patient.objects.get().email == ""

    def test_consent_is_not_recorded_unless_ticked(self, fiona_client):
        register(fiona_client, consent_given=None)
        patient = Patient.objects.get()
        assert patient.consent_given_on is None
        assert patient.consent_recorded_by is None

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("date_of_birth", (date.today() + timedelta(days=2)).isoformat(), "in the future"),
            ("date_of_birth", "1850-01-01", "more than 130 years"),
            ("date_of_birth", "31/02/1990", "Enter a valid date"),
            ("phone", "12345", "valid phone number"),
            ("email", "zoe@", "valid email"),
            ("given_name", "", "This field is required"),
        ],
    )
    def test_bad_input_is_shown_next_to_the_field_and_nothing_typed_is_lost(
        self, fiona_client, field, value, message
    ):
        response = register(fiona_client, **{field: value})
        assert response.status_code == 200
        assert message in str(response.context["form"].errors[field])
        assert Patient.objects.count() == 0
        html = response.text
        assert "Ødegård-Núñez" in html
        assert "Prefers mornings." in html
        assert "4 Mill Lane" in html

    @pytest.mark.parametrize(("field", "limit"), [("address", "500"), ("front_desk_notes", "2000")])
    def test_too_long_an_address_or_desk_note_is_refused_next_to_it_and_kept(
        self, fiona_client, field, limit
    ):
        pasted = "x" * 10_000
        response = register(fiona_client, **{field: pasted})
        assert response.status_code == 200
        assert f"at most {limit} characters (it has 10000)" in str(
            response.context["form"].errors[field]
        )
        assert pasted in response.text  # nothing typed is lost: the desk can shorten it
        assert Patient.objects.count() == 0

    @pytest.mark.parametrize(("field", "limit"), [("address", 500), ("front_desk_notes", 2000)])
    def test_the_service_refuses_too_long_an_address_or_desk_note_whoever_calls_it(
        self, fiona, field, limit
    ):
        fields = {k: v for k, v in VALID.items() if k != "consent_given"}
        with pytest.raises(ValidationError) as refused:
            services.patient_register(by=fiona, **{**fields, field: "x" * (limit + 1)})
        assert field in refused.value.message_dict
        patient = services.patient_register(by=fiona, **{**fields, field: "x" * limit})
        assert len(getattr(patient, field)) == limit

    def test_practitioners_cannot_register_patients(self, paul_client):
        assert paul_client.get(reverse("patients:create")).status_code == 403
        assert register(paul_client).status_code == 403
        assert Patient.objects.count() == 0

    def test_anonymous_visitors_are_sent_to_log_in(self, client):
        response = client.get(reverse("patients:create"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_wrong_method_is_refused(self, fiona_client):
        assert fiona_client.put(reverse("patients:create")).status_code == 405


class TestDuplicateGuard:
    @pytest.fixture
    def existing(self):
        return PatientFactory(
            given_name="Zoë", family_name="Ødegård-Núñez", date_of_birth=date(1984, 7, 2)
        )

    def test_same_name_and_birth_date_asks_for_confirmation(self, fiona_client, existing):
        response = register(fiona_client, given_name="zoë ", family_name="ØDEGÅRD-NÚÑEZ")
        assert response.status_code == 200
        assert "already registered" in response.text
        assert reverse("patients:detail", args=[existing.pk]) in response.text
        assert 'type="checkbox" name="confirm_not_duplicate"' in response.text
        assert Patient.objects.count() == 1

    def test_the_warning_is_shown_once_with_the_two_ways_on(self, fiona_client, existing):
        html = register(fiona_client).text
        # Once: not again by crispy's own list of form errors (it was shown twice, yellow
        # and red).
        assert html.count("already registered") == 1
        assert "alert-danger" not in html
        warning = html[html.index('id="possible-duplicate"') : html.index("</section>")]
        assert f'href="{reverse("patients:detail", args=[existing.pk])}"' in warning
        assert "Open Zoë Ødegård-Núñez" in warning
        assert 'name="confirm_not_duplicate"' in warning
        assert "register them anyway" in warning
        assert html.count('name="confirm_not_duplicate"') == 1

    def test_the_same_name_typed_without_accents_is_a_possible_duplicate(
        self, fiona_client, existing
    ):
        response = register(fiona_client, given_name="Zoe", family_name="Odegard-Nunez")
        assert "is already registered" in response.text
        assert Patient.objects.count() == 1

    def test_confirming_registers_a_different_person(self, fiona_client, existing):
        response = register(fiona_client, confirm_not_duplicate="on")
        assert response.status_code == 302
        assert Patient.objects.count() == 2

    def test_a_different_birth_date_is_not_a_duplicate(self, fiona_client, existing):
        assert register(fiona_client, date_of_birth="1984-07-03").status_code == 302

    def test_editing_a_patient_does_not_warn_about_itself(self, fiona_client, existing):
        data = {**VALID, "given_name": "Zoë", "front_desk_notes": "Moved house."}
        response = fiona_client.post(reverse("patients:edit", args=[existing.pk]), data)
        assert response.status_code == 302
        existing.refresh_from_db()
        assert existing.front_desk_notes == "Moved house."


class TestEditingAndArchiving:
    def test_edit_form_shows_the_current_details(self, fiona_client):
        patient = PatientFactory(given_name="Harriet", family_name="Vane")
        response = fiona_client.get(reverse("patients:edit", args=[patient.pk]))
        assert response.status_code == 200
        assert 'value="Harriet"' in response.text

    def test_withdrawing_consent_clears_it(self, fiona_client, fiona):
        register(fiona_client)
        patient = Patient.objects.get()
        fiona_client.post(
            reverse("patients:edit", args=[patient.pk]), {**VALID, "consent_given": ""}
        )
        patient.refresh_from_db()
        assert patient.consent_given_on is None

    def test_archiving_hides_but_keeps_the_patient(self, fiona_client):
        patient = PatientFactory()
        response = fiona_client.post(reverse("patients:archive", args=[patient.pk]))
        assert response.status_code == 302
        patient.refresh_from_db()
        assert patient.is_archived
        assert patient.archived_at is not None
        assert patient not in Patient.objects.current()
        page = fiona_client.get(reverse("patients:detail", args=[patient.pk]))
        assert "archived on" in page.text

    def test_restoring_brings_the_patient_back(self, fiona_client):
        patient = PatientFactory()
        fiona_client.post(reverse("patients:archive", args=[patient.pk]))
        fiona_client.post(reverse("patients:restore", args=[patient.pk]))
        patient.refresh_from_db()
        assert not patient.is_archived
        assert patient.archived_at is None

    def test_archiving_needs_a_post(self, fiona_client):
        patient = PatientFactory()
        assert fiona_client.get(reverse("patients:archive", args=[patient.pk])).status_code == 405
        patient.refresh_from_db()
        assert not patient.is_archived

    def test_practitioners_cannot_edit_or_archive(self, paul_client):
        patient = PatientFactory()
        assert paul_client.get(reverse("patients:edit", args=[patient.pk])).status_code == 403
        assert paul_client.post(reverse("patients:archive", args=[patient.pk])).status_code == 403

    def test_patients_cannot_be_deleted_in_the_admin(self, admin_client):
        patient = PatientFactory()
        response = admin_client.get(reverse("admin:patients_patient_delete", args=[patient.pk]))
        assert response.status_code == 403

    def test_unknown_patient_is_404(self, fiona_client):
        assert fiona_client.get(reverse("patients:detail", args=[999])).status_code == 404


class TestPatientPage:
    def test_shows_details_and_complaints(self, paul_client):
        patient = PatientFactory(given_name="Harriet", family_name="Vane", email="")
        response = paul_client.get(reverse("patients:detail", args=[patient.pk]))
        assert response.status_code == 200
        assert "Harriet Vane" in response.text
        assert "No complaints recorded." in response.text
        assert "Appointments and treatment courses" in response.text

    def test_front_desk_sees_edit_and_archive_buttons_practitioners_do_not(
        self, fiona_client, paul_client
    ):
        patient = PatientFactory()
        edit_url = reverse("patients:edit", args=[patient.pk])
        assert edit_url in fiona_client.get(reverse("patients:detail", args=[patient.pk])).text
        assert edit_url not in paul_client.get(reverse("patients:detail", args=[patient.pk])).text
