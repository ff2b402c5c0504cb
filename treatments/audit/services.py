"""The one place that records reads of clinical records in the access log.

Every view that shows clinical data calls `record_read(request, …)` (one record: a note, a
course, a complaint, a patient's page or form, a sheet and its PDF) or
`record_listing(request, …)` (a list that names patients in a clinical context: search
results, the booking form's patient picker, the practitioner's day). The patients app and the
admin of `patients`, which may not import treatments, reach both through
`settings.CLINICAL_READ_RECORDER` and `settings.CLINICAL_LISTING_RECORDER` (see
`clinic.audit`).

Every row of the access log is written by `_append`, and nothing else in the code base creates
one: whatever makes the log tamper-evident (a keyed chain over its rows) lives there.
"""

from collections.abc import Iterable

from django.http import HttpRequest

from clinic.security import client_address
from patients.models import Patient
from treatments.audit import chains
from treatments.models import AccessLog, AppointmentStatusChange, SealedKind

# What is recorded; the access log's filter offers these (value, label). A value is at most
# 40 characters (AccessLog.what).
WHAT_CHOICES = [
    ("patient", "Patient page"),
    ("patient form", "Patient edit form"),
    ("patient search", "Patient search or picker (patients listed)"),
    ("complaint", "Complaint page"),
    ("complaint form", "Complaint edit form"),
    ("course", "Treatment course"),
    ("course plan", "Planning a course (the complaint)"),
    ("course plan form", "Course plan edit form"),
    ("course booking", "Course booking page"),
    ("session note", "Session note"),
    ("note form", "Session note edit form"),
    ("note history", "Note history"),
    ("appointment", "Appointment page"),
    ("booking form", "Booking form (the patient's courses)"),
    ("my day", "Practitioner's day (patients listed)"),
    ("home", "Home page: your patients (patients listed)"),
    ("sheet builder", "Home-care sheet builder"),
    ("waitlist", "Waitlist or a freed slot's matches (patients listed)"),
    ("waitlist entry form", "Waitlist entry form (the patient's courses)"),
    ("home-care sheet", "Home-care sheet print page"),
    ("home-care sheet pdf", "Home-care sheet PDF"),
    ("recall list", "Recall list (patients listed)"),
    ("recall", "A recall's contact or dismiss form"),
    ("admin patient", "Admin: patient"),
    ("admin patient list", "Admin: patient list (patients listed)"),
    ("admin complaint", "Admin: complaint"),
    ("admin complaint list", "Admin: complaint list (patients listed)"),
    ("admin course", "Admin: treatment course"),
    ("admin course list", "Admin: course list (patients listed)"),
    ("admin appointment", "Admin: appointment"),
    ("admin session note", "Admin: session note"),
    ("admin session note list", "Admin: session note list (patients listed)"),
    ("admin addendum", "Admin: note addendum"),
    ("admin addendum list", "Admin: addendum list (patients listed)"),
]
WHAT_VALUES = frozenset(value for value, _ in WHAT_CHOICES)


def _append(rows: list[AccessLog]) -> None:
    """Write `rows` to the access log in one insert, chained under the records key (see
    `treatments.audit.chains`): the only code that adds to it."""
    chains.append(SealedKind.ACCESS_LOG, rows)


def _row(request: HttpRequest, *, patient_id: int, what: str, object_id: int) -> AccessLog:
    if what not in WHAT_VALUES:
        raise ValueError(f"Unknown kind of read {what!r}: add it to WHAT_CHOICES.")
    return AccessLog(
        user=request.user,
        patient_id=patient_id,
        what=what,
        object_id=object_id,
        ip_address=client_address(request),  # the address axes and the sign-in trail see
    )


def record_read(request: HttpRequest, *, patient: Patient, what: str, object_id: int) -> None:
    """Append one read of `patient`'s clinical record by the signed-in user."""
    _append([_row(request, patient_id=patient.pk, what=what, object_id=object_id)])


def record_listing(request: HttpRequest, *, patients: Iterable[Patient], what: str) -> None:
    """Append one row per patient named on a list the signed-in user is shown (each patient
    once, the patient's id as the object), in one insert; nothing when the list is empty."""
    listed = dict.fromkeys(patient.pk for patient in patients)
    rows = [_row(request, patient_id=pk, what=what, object_id=pk) for pk in listed]
    if rows:
        _append(rows)


def status_change_append(change: AppointmentStatusChange) -> AppointmentStatusChange:
    """The only insert of an appointment's status change: the row, chained like the access
    log (called by the scheduling service inside its transaction)."""
    chains.append(SealedKind.STATUS_CHANGE, [change])
    return change
