"""What managers see of who read and who changed clinical records: the access log and the
history of a session note."""

from dataclasses import dataclass, field

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from clinic.access import staff_required
from clinic.pagination import COUNT_LIMIT, count_up_to, keyset_page, page_cursor
from clinic.roles import Role
from treatments.audit.forms import AccessLogFilterForm
from treatments.audit.services import record_read
from treatments.models import AccessLog, NoteAddendum, SessionNote

ACCESS_LOG_PAGE_SIZE = 50


@staff_required("treatments.view_accesslog", role=Role.MANAGER)
@require_GET
def access_log(request):
    """Newest first, by "Older" and "Newer" pages from a row's id: no page counts or skips
    the rows before it, and the total is counted only to "more than 1,000"."""
    form = AccessLogFilterForm(request.GET)
    entries = form.filter(AccessLog.objects.select_related("user", "patient"))
    page = keyset_page(
        entries,
        by="accessed_at",
        size=ACCESS_LOG_PAGE_SIZE,
        older=page_cursor(request.GET.get("older")),
        newer=page_cursor(request.GET.get("newer")),
    )
    query = request.GET.copy()
    for cursor in ("older", "newer", "page"):
        query.pop(cursor, None)
    return render(
        request,
        "treatments/audit_access_log.html",
        {
            "form": form,
            "page": page,
            "total": count_up_to(entries),
            "count_limit": COUNT_LIMIT,
            "query": query.urlencode(),
        },
    )


# --- note history ---------------------------------------------------------------------------


@dataclass
class HistoryRow:
    """One saved version: who, when, and what changed against the version before."""

    record: object
    action: str
    changes: list[tuple[str, object, object]] = field(default_factory=list)


ACTIONS = {"+": "Created", "~": "Changed", "-": "Deleted"}


def history_rows(
    records: list, model, users: dict, *, with_changes: bool = True
) -> list[HistoryRow]:
    """`records` (oldest first, of one or more objects) with each version's changes against
    the previous version of the same object (only who and when, without `with_changes`)."""
    previous_of = {}
    rows = []
    for record in records:
        previous = previous_of.get(record.id)
        row = HistoryRow(record, ACTIONS.get(record.history_type, record.history_type))
        if previous is not None and with_changes:
            delta = record.diff_against(previous)
            row.changes = [
                (
                    _label(model, c.field),
                    _shown(c.old, c.field, users),
                    _shown(c.new, c.field, users),
                )
                for c in delta.changes
            ]
        previous_of[record.id] = record
        rows.append(row)
    rows.reverse()  # newest first
    return rows


def _label(model, name: str) -> str:
    label = str(model._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _shown(value, name: str, users: dict):
    if name in ("author", "signed_by") and value is not None:
        return users.get(value, f"user #{value}")
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return value


@staff_required(
    "treatments.view_sessionnote",
    "treatments.view_historicalsessionnote",
    "treatments.view_historicalnoteaddendum",
    role=Role.MANAGER,
)
@require_GET
def note_history(request, pk):
    note = get_object_or_404(
        SessionNote.objects.select_related(
            "appointment__patient", "appointment__practitioner", "author", "signed_by"
        ),
        pk=pk,
    )
    users = {note.author_id: note.author, note.signed_by_id: note.signed_by}
    versions = note.history.select_related("history_user").order_by("history_date", "history_id")
    addenda = (
        NoteAddendum.history.filter(note_id=note.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    patient = note.appointment.patient
    record_read(request, patient=patient, what="note history", object_id=note.pk)
    # Someone else's draft: who saved it and when, not what it said (see SessionNote.readable_by).
    readable = note.readable_by(request.user)
    context = {
        "note": note,
        "patient": patient,
        "withheld": not readable,
        "versions": history_rows(list(versions), SessionNote, users, with_changes=readable),
        "addenda": history_rows(list(addenda), NoteAddendum, users),
    }
    return render(request, "treatments/audit_note_history.html", context)
