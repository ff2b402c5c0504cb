"""A treatment course's history in words: who planned it, who changed its plan or status."""

from clinic.history import history_lines, user_labels, versions_of
from clinic.models import Practitioner
from treatments.models import TreatmentCourse


def course_history(course: TreatmentCourse) -> list:
    """Newest first: two or three queries whatever its length (versions with who made them,
    the practitioners named, and the planner when one is named)."""
    versions = versions_of(course)
    ids = {v.practitioner_id for v in versions}
    labels = {
        "practitioner": {p.pk: str(p) for p in Practitioner.objects.filter(pk__in=ids)},
        **user_labels(versions, "created_by"),
    }
    return history_lines(versions, TreatmentCourse, labels)
