"""The one place that records a read of a clinical record in the access log.

Every view that shows clinical data calls `record_read(request, …)`; the patients app, which
may not import treatments, reaches it through `settings.CLINICAL_READ_RECORDER` (see
`clinic.audit`).
"""

from django.http import HttpRequest

from clinic.security import client_address
from patients.models import Patient
from treatments.models import AccessLog

# What is recorded; the access log's filter offers these (value, label).
WHAT_CHOICES = [
    ("patient", "Patient page"),
    ("complaint", "Complaint page"),
    ("course", "Treatment course"),
    ("session note", "Session note"),
    ("note history", "Note history"),
]


def record_read(request: HttpRequest, *, patient: Patient, what: str, object_id: int) -> None:
    """Append one read of `patient`'s clinical record by the signed-in user."""
    AccessLog.objects.create(
        user=request.user,
        patient=patient,
        what=what,
        object_id=object_id,
        ip_address=client_address(request),  # the address axes and the sign-in trail see
    )
