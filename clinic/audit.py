"""How apps below `treatments` record a read of a clinical record.

The access log lives in `treatments`, which `clinic` and `patients` may not import. The
settings `CLINICAL_READ_RECORDER` and `CLINICAL_LISTING_RECORDER` name the functions that
record reads (`treatments.audit.services.record_read` and `record_listing`); this module calls
them. A missing or wrong setting fails at the first read, loudly: a read is never silently left
out of the log.
"""

from django.conf import settings
from django.utils.module_loading import import_string


def record_read(request, *, patient, what: str, object_id: int) -> None:
    """Append one read of `patient`'s clinical record by the signed-in user to the access log."""
    recorder = import_string(settings.CLINICAL_READ_RECORDER)
    recorder(request, patient=patient, what=what, object_id=object_id)


def record_listing(request, *, patients, what: str) -> None:
    """Append one row per patient on a list the signed-in user is shown, in one insert."""
    recorder = import_string(settings.CLINICAL_LISTING_RECORDER)
    recorder(request, patients=patients, what=what)
