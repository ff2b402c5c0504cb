from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from patients.models import Complaint, ComplaintStatus, RedFlag
from tests.factories import ComplaintFactory, PatientFactory

pytestmark = pytest.mark.django_db


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


class TestAcuteOrChronic:
    @pytest.mark.parametrize(
        ("onset_days_ago", "phase"),
        [(0, "Acute"), (14, "Acute"), (15, "Chronic"), (200, "Chronic")],
    )
    def test_follows_from_the_onset_with_14_days_as_the_default_boundary(
        self, onset_days_ago, phase
    ):
        complaint = ComplaintFactory.build(onset_date=days_ago(onset_days_ago))
        assert complaint.phase == phase
        assert complaint.is_acute == (phase == "Acute")
        assert complaint.is_chronic == (phase == "Chronic")

    def test_the_boundary_is_a_setting(self, settings):
        settings.ACUTE_ONSET_MAX_DAYS = 30
        assert ComplaintFactory.build(onset_date=days_ago(30)).is_acute
        assert ComplaintFactory.build(onset_date=days_ago(31)).is_chronic

    def test_is_shown_on_the_complaint_and_patient_pages(self, paul_client):
        complaint = ComplaintFactory(onset_date=days_ago(60), title="Left buttock pain")
        patient_page = paul_client.get(reverse("patients:detail", args=[complaint.patient_id]))
        complaint_page = paul_client.get(
            reverse("patients:complaint-detail", args=[complaint.patient_id, complaint.pk])
        )
        assert "Chronic" in patient_page.text
        assert "Chronic" in complaint_page.text
        assert "60 days ago" in complaint_page.text


class TestRedFlags:
    def test_any_red_flag_warns_to_consider_referral(self, fiona_client):
        complaint = ComplaintFactory(red_flags=[RedFlag.FEVER_WEIGHT])
        for url in (
            reverse("patients:detail", args=[complaint.patient_id]),
            reverse("patients:complaint-detail", args=[complaint.patient_id, complaint.pk]),
        ):
            page = fiona_client.get(url).text
            assert "Red flags: consider referral." in page
            assert "Fever or unexplained weight loss" in page
            assert "Sciatica-like" not in page

    @pytest.mark.parametrize("flag", [RedFlag.BELOW_KNEE, RedFlag.NUMBNESS, RedFlag.WEAKNESS])
    def test_nerve_signs_add_the_sciatica_like_note(self, fiona_client, flag):
        complaint = ComplaintFactory(red_flags=[flag])
        page = fiona_client.get(reverse("patients:detail", args=[complaint.patient_id])).text
        assert "Sciatica-like: assess before treating." in page
        assert complaint.is_sciatica_like

    def test_inflammation_is_remembered_for_home_care(self, fiona_client):
        complaint = ComplaintFactory(red_flags=[RedFlag.INFLAMMATION])
        assert complaint.has_inflammation
        page = fiona_client.get(reverse("patients:detail", args=[complaint.patient_id])).text
        assert "no heat in home care" in page

    def test_no_red_flags_no_warning(self, fiona_client):
        complaint = ComplaintFactory(red_flags=[])
        page = fiona_client.get(reverse("patients:detail", args=[complaint.patient_id])).text
        assert "consider referral" not in page
        assert not complaint.has_red_flags

    def test_a_resolved_complaint_no_longer_warns_on_the_patient_page(self, fiona_client):
        complaint = ComplaintFactory(red_flags=[RedFlag.TRAUMA], status=ComplaintStatus.RESOLVED)
        page = fiona_client.get(reverse("patients:detail", args=[complaint.patient_id])).text
        assert "consider referral" not in page


def complaint_data(**changes):
    data = {
        "title": "Right hip and leg pain",
        "regions": ["lower_back", "hip", "thigh"],
        "side": "right",
        "onset_date": days_ago(60).isoformat(),
        "onset_story": "Hill walk, then a long bus ride home.",
        "pain_at_intake": "7",
        "aggravating_factors": "Sitting",
        "easing_factors": "Walking",
        "red_flags": ["inflammation", "below_knee"],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


class TestRecordingAComplaint:
    def test_front_desk_records_a_complaint_and_sees_the_warning(self, fiona_client, fiona):
        patient = PatientFactory()
        response = fiona_client.post(
            reverse("patients:complaint-create", args=[patient.pk]), complaint_data(), follow=True
        )
        complaint = Complaint.objects.get()
        assert complaint.patient == patient
        assert complaint.regions == ["lower_back", "hip", "thigh"]
        assert complaint.red_flags == ["inflammation", "below_knee"]
        assert complaint.status == ComplaintStatus.ACTIVE
        assert complaint.created_by == fiona
        assert complaint.is_chronic
        assert "Red flags: consider referral." in response.text
        assert "Sciatica-like: assess before treating." in response.text

    def test_practitioners_may_record_complaints(self, paul_client):
        patient = PatientFactory()
        response = paul_client.post(
            reverse("patients:complaint-create", args=[patient.pk]), complaint_data()
        )
        assert response.status_code == 302

    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("onset_date", (date.today() + timedelta(days=3)).isoformat(), "in the future"),
            ("onset_date", "1900-01-01", "before the patient"),
            ("pain_at_intake", "11", "10"),
            ("pain_at_intake", "-1", "0"),
            ("regions", None, "required"),
            ("regions", ["shoulder"], "not one of the available choices"),
            ("red_flags", ["tired"], "not one of the available choices"),
        ],
    )
    def test_bad_input_is_shown_next_to_the_field_and_kept(
        self, fiona_client, field, value, message
    ):
        patient = PatientFactory(date_of_birth=date(1970, 1, 1))
        response = fiona_client.post(
            reverse("patients:complaint-create", args=[patient.pk]),
            complaint_data(**{field: value}),
        )
        assert response.status_code == 200
        assert message in str(response.context["form"].errors[field])
        assert "Hill walk, then a long bus ride home." in response.text
        assert Complaint.objects.count() == 0

    def test_editing_changes_status_and_flags(self, paul_client):
        complaint = ComplaintFactory()
        url = reverse("patients:complaint-edit", args=[complaint.patient_id, complaint.pk])
        response = paul_client.post(url, complaint_data(status="referred", red_flags=[]))
        assert response.status_code == 302
        complaint.refresh_from_db()
        assert complaint.status == ComplaintStatus.REFERRED
        assert complaint.red_flags == []

    def test_a_complaint_is_only_found_under_its_own_patient(self, paul_client):
        complaint = ComplaintFactory()
        other = PatientFactory()
        url = reverse("patients:complaint-detail", args=[other.pk, complaint.pk])
        assert paul_client.get(url).status_code == 404

    def test_people_without_a_role_cannot_see_complaints(self, nobody_client):
        complaint = ComplaintFactory()
        url = reverse("patients:complaint-detail", args=[complaint.patient_id, complaint.pk])
        assert nobody_client.get(url).status_code == 403

    def test_wrong_method_is_refused(self, paul_client):
        complaint = ComplaintFactory()
        url = reverse("patients:complaint-detail", args=[complaint.patient_id, complaint.pk])
        assert paul_client.post(url).status_code == 405


class TestDatabaseConstraints:
    def test_pain_outside_0_to_10_is_refused_by_the_database(self):
        complaint = ComplaintFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Complaint.objects.filter(pk=complaint.pk).update(pain_at_intake=11)

    def test_consent_needs_both_a_date_and_who_recorded_it(self):
        patient = PatientFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            type(patient).objects.filter(pk=patient.pk).update(consent_given_on=date(2026, 1, 1))
