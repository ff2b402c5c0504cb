"""Who may read a session note and who may amend it.

A draft is the author's work in progress: only its author reads its content. Everyone else who
may read notes (another practitioner, the clinic manager) sees that a draft exists, by whom and
when, and reads it once it is signed. A signed note is amended by its author, or by the clinic
manager, always with a reason. The rules themselves are `SessionNote.readable_by` and
`amendable_by`; views fetch notes here, and the notes service enforces the same rules on
every write.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from treatments.models import SessionNote

DRAFT_IS_PRIVATE = "A draft note is readable only by its author until it is signed."


def get_note_for_user(request, pk: int, *, content: bool = True) -> SessionNote:
    """The note `pk` as the signed-in user may see it: 404 when there is none; with
    `content`, 403 when it is someone else's draft. Without `content` the caller shows
    only that it exists, and asks `note.readable_by(user)` before showing more."""
    note = get_object_or_404(
        SessionNote.objects.select_related(
            "author",
            "signed_by",
            "appointment__patient",
            "appointment__practitioner",
            "appointment__course__complaint",
        ),
        pk=pk,
    )
    if content and not note.readable_by(request.user):
        raise PermissionDenied(DRAFT_IS_PRIVATE)
    return note
