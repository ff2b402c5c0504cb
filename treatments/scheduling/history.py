"""An appointment's history in words: who booked it, who moved it from where to where, who
changed its status, and when ("Moved by Maria Manager on Tue 1 Dec 2026 13:20 from Tue 3 Mar
10:00, Room 1, with Paul Needham to Wed 4 Mar 11:00, Room 2, with Priya Shah")."""

from django.utils import timezone

from clinic.history import HISTORY_BEGAN, history_lines, label_of, versions_of
from clinic.models import Practitioner, Room
from treatments.models import Appointment

# The fields that say where and when an appointment is: a change of any of them is a move.
PLACE = ("start", "end", "practitioner", "room")
PLACE_COLUMNS = ("start", "end", "practitioner_id", "room_id")  # compared without a query


def _where(version, labels: dict) -> str:
    start = timezone.localtime(version.start)
    practitioner = labels["practitioner"].get(version.practitioner_id, "someone")
    room = labels["room"].get(version.room_id, "a room")
    return f"{start:%a} {start.day} {start:%b %H:%M}, {room}, with {practitioner}"


def appointment_history(appointment: Appointment) -> list:
    """The appointment's history, newest first: three queries whatever its length (versions
    with who made them, and the practitioners and rooms they name). The patient, type and
    booking clerk of an appointment never change, so they need no names here."""
    versions = versions_of(appointment)
    labels = {
        "practitioner": {
            p.pk: p.display_name
            for p in Practitioner.objects.filter(pk__in={v.practitioner_id for v in versions})
        },
        "room": {r.pk: r.name for r in Room.objects.filter(pk__in={v.room_id for v in versions})},
    }
    lines = history_lines(versions, Appointment, labels)
    for line, version, previous in zip(
        reversed(lines), versions, [None, *versions[:-1]], strict=True
    ):
        if previous is None:
            began = line.action == HISTORY_BEGAN
            line.action = line.action if began else "Booked"
            line.summary = f"{'—' if began else 'for'} {_where(version, labels)}"
            line.changes = []
        elif any(getattr(version, a) != getattr(previous, a) for a in PLACE_COLUMNS):
            line.action = "Moved"
            line.summary = f"from {_where(previous, labels)} to {_where(version, labels)}"
            moved = {label_of(Appointment, name) for name in PLACE}
            line.changes = [c for c in line.changes if c[0] not in moved]
    return lines
