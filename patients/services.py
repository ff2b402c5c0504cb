"""The only code that writes patients and complaints (views, admin, commands call these)."""

from django.db import transaction
from django.utils import timezone

from clinic.models import User
from patients.models import Complaint, Patient, PatientSearchTerm, search_terms_for


def _set_consent(patient: Patient, *, consent_given: bool, by: User) -> None:
    if consent_given and not patient.has_consent:
        patient.consent_given_on = timezone.localdate()
        patient.consent_recorded_by = by
    elif not consent_given:
        patient.consent_given_on = None
        patient.consent_recorded_by = None


def _note_contact_consent(patient: Patient, before: tuple[str, str], *, by: User) -> None:
    """When the answer about e-mail or text reminders changes, who recorded it and when
    (the earlier answers stay in the patient's history)."""
    if (patient.email_contact, patient.sms_contact) != before:
        patient.contact_consent_recorded_at = timezone.now()
        patient.contact_consent_recorded_by = by


@transaction.atomic
def patient_register(*, by: User, consent_given: bool = False, **fields) -> Patient:
    patient = Patient(created_by=by, **fields)
    _set_consent(patient, consent_given=consent_given, by=by)
    _note_contact_consent(patient, ("", ""), by=by)
    patient.full_clean()
    patient._history_user = by  # who made this version (outside a request too)
    patient.save()
    patient_index(patients=[patient])
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, by: User, consent_given: bool, **fields) -> Patient:
    before = (patient.email_contact, patient.sms_contact)
    for name, value in fields.items():
        setattr(patient, name, value)
    _set_consent(patient, consent_given=consent_given, by=by)
    _note_contact_consent(patient, before, by=by)
    patient.full_clean()
    patient._history_user = by  # who made this version (outside a request too)
    patient.save()
    patient_index(patients=[patient])
    return patient


@transaction.atomic
def patient_index(*, patients: list[Patient]) -> None:
    """Patients' search terms written afresh from their names and phone number: by the
    services above, and by whatever else creates patients in bulk (the demo and benchmark
    data, the migration that introduced the terms), in few queries for any number."""
    ids = [patient.pk for patient in patients]
    for start in range(0, len(ids), 1000):
        PatientSearchTerm.objects.filter(patient__in=ids[start : start + 1000]).delete()
    PatientSearchTerm.objects.bulk_create(
        (
            PatientSearchTerm(patient_id=patient.pk, kind=kind, term=term)
            for patient in patients
            for kind, term in search_terms_for(patient)
        ),
        batch_size=2000,
    )


@transaction.atomic
def patient_archive(*, patient: Patient, by: User) -> Patient:
    if not patient.is_archived:
        patient.is_archived = True
        patient.archived_at = timezone.now()
        patient.full_clean()
        patient._history_user = by
        patient.save(update_fields=["is_archived", "archived_at", "updated_at"])
    return patient


@transaction.atomic
def patient_restore(*, patient: Patient, by: User) -> Patient:
    if patient.is_archived:
        patient.is_archived = False
        patient.archived_at = None
        patient.full_clean()
        patient._history_user = by
        patient.save(update_fields=["is_archived", "archived_at", "updated_at"])
    return patient


@transaction.atomic
def complaint_record(*, patient: Patient, by: User, **fields) -> Complaint:
    complaint = Complaint(patient=patient, created_by=by, **fields)
    complaint.full_clean()
    complaint._history_user = by  # who made this version (outside a request too)
    complaint.save()
    return complaint


@transaction.atomic
def complaint_update(*, complaint: Complaint, by: User, **fields) -> Complaint:
    for name, value in fields.items():
        setattr(complaint, name, value)
    complaint.full_clean()
    complaint._history_user = by  # who made this version (outside a request too)
    complaint.save()
    return complaint
