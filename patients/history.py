"""A patient's and a complaint's history in words: who changed what, and when."""

from clinic.history import history_lines, user_labels, versions_of
from patients.models import BodyRegion, Complaint, Patient, RedFlag


def patient_history(patient: Patient) -> list:
    """Newest first: one query, two when a version names staff (consent recorded by)."""
    versions = versions_of(patient)
    labels = user_labels(versions, "consent_recorded_by", "created_by")
    return history_lines(versions, Patient, labels)


def complaint_history(complaint: Complaint) -> list:
    """Newest first: one query, two when a version names staff."""
    versions = versions_of(complaint)
    labels = {
        "regions": dict(BodyRegion.choices),
        "red_flags": dict(RedFlag.choices),
        **user_labels(versions, "created_by"),
    }
    return history_lines(versions, Complaint, labels)
