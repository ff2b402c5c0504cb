"""One of each clinical record the database protects, written through the services, and the
ways of tampering with them in SQL (shared by the protection and app-role tests)."""

from contextlib import nullcontext
from dataclasses import dataclass

from django.db import connection
from django.test import RequestFactory

from tests.factories import RoomFactory, course_under_way, session, write_note
from tests.treatments.homecare.sheets import issue
from treatments.audit.protection import PROTECTED
from treatments.audit.services import record_read
from treatments.models import (
    AccessLog,
    AcupuncturePoint,
    AppointmentStatus,
    AppointmentStatusChange,
    NoteAddendum,
    SessionNote,
)
from treatments.notes import services as notes
from treatments.scheduling import services as scheduling


@dataclass
class Records:
    signed: SessionNote
    draft: SessionNote
    addendum: NoteAddendum
    read: AccessLog
    sheet_id: int
    status_change: AppointmentStatusChange
    spare_point: AcupuncturePoint  # used by neither note


def clinical_records(practitioner) -> Records:
    """Paul's signed note (two points) with an addendum, a draft (one point), a read of the
    patient's record, a sheet issued to the patient, and a cancelled appointment."""
    by = practitioner.user
    course = course_under_way(practitioner)
    first, second, third, spare = AcupuncturePoint.objects.order_by("code")[:4]
    signed = write_note(
        session(course, days_ago=14), points=[(first, "left"), (second, "bilateral")]
    )
    draft = write_note(session(course, days_ago=7), sign=False, points=[(third, "left")])
    addendum = notes.addendum_add(note=signed, by=by, reason="Typo", text="Left, not right.")
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7")
    request.user = by
    patient = course.complaint.patient
    record_read(request, patient=patient, what="session note", object_id=signed.pk)
    sheet = issue(practitioner, patient=patient)
    upcoming = session(course, days_ago=-7, status=AppointmentStatus.BOOKED, room=RoomFactory())
    scheduling.cancel(appointment=upcoming, reason="Unwell", by=by)
    return Records(
        signed=signed,
        draft=draft,
        addendum=addendum,
        read=AccessLog.objects.latest("id"),
        sheet_id=sheet.pk,
        status_change=upcoming.status_changes.get(),
        spare_point=spare,
    )


# What an attacker with SQL would try: (SQL, its parameters from the records).
TAMPERING = {
    "change a signed note": lambda r: (
        "UPDATE treatments_sessionnote SET subjective = 'Rewritten' WHERE id = %s",
        [r.signed.pk],
    ),
    "delete a signed note": lambda r: (
        "DELETE FROM treatments_sessionnote WHERE id = %s",
        [r.signed.pk],
    ),
    "add a point to a signed note": lambda r: (
        "INSERT INTO treatments_notepoint (note_id, point_id, side) VALUES (%s, %s, 'right')",
        [r.signed.pk, r.spare_point.pk],
    ),
    "change a point of a signed note": lambda r: (
        "UPDATE treatments_notepoint SET side = 'right' WHERE note_id = %s",
        [r.signed.pk],
    ),
    "remove a point of a signed note": lambda r: (
        "DELETE FROM treatments_notepoint WHERE note_id = %s",
        [r.signed.pk],
    ),
    "move a draft's point onto a signed note": lambda r: (
        "UPDATE treatments_notepoint SET note_id = %s WHERE note_id = %s",
        [r.signed.pk, r.draft.pk],
    ),
    "change an addendum": lambda r: (
        "UPDATE treatments_noteaddendum SET text = 'Something else' WHERE id = %s",
        [r.addendum.pk],
    ),
    "delete an addendum": lambda r: (
        "DELETE FROM treatments_noteaddendum WHERE id = %s",
        [r.addendum.pk],
    ),
    "change a note's history": lambda r: (
        "UPDATE treatments_historicalsessionnote SET subjective = 'Rewritten' WHERE id = %s",
        [r.signed.pk],
    ),
    "delete a note's history": lambda r: (
        "DELETE FROM treatments_historicalsessionnote WHERE id = %s",
        [r.signed.pk],
    ),
    "change an addendum's history": lambda r: (
        "UPDATE treatments_historicalnoteaddendum SET text = 'Something else' WHERE id = %s",
        [r.addendum.pk],
    ),
    "delete an addendum's history": lambda r: (
        "DELETE FROM treatments_historicalnoteaddendum WHERE id = %s",
        [r.addendum.pk],
    ),
    "change an access-log row": lambda r: (
        "UPDATE treatments_accesslog SET ip_address = '1.1.1.1' WHERE id = %s",
        [r.read.pk],
    ),
    "delete an access-log row": lambda r: (
        "DELETE FROM treatments_accesslog WHERE id = %s",
        [r.read.pk],
    ),
    "empty the access log": lambda r: ("DELETE FROM treatments_accesslog", []),
    "change an issued sheet": lambda r: (
        "UPDATE treatments_homecaresheet SET version = 7 WHERE id = %s",
        [r.sheet_id],
    ),
    "delete an issued sheet": lambda r: (
        "DELETE FROM treatments_homecaresheet WHERE id = %s",
        [r.sheet_id],
    ),
    "change a status change": lambda r: (
        "UPDATE treatments_appointmentstatuschange SET to_status = 'completed' WHERE id = %s",
        [r.status_change.pk],
    ),
    "delete a status change": lambda r: (
        "DELETE FROM treatments_appointmentstatuschange WHERE id = %s",
        [r.status_change.pk],
    ),
    "change a note's seal": lambda r: (
        "UPDATE treatments_recordseal SET mac = 'forged' WHERE kind = 'note' AND record_id = %s",
        [r.signed.pk],
    ),
    "delete a note's seal": lambda r: (
        "DELETE FROM treatments_recordseal WHERE kind = 'note' AND record_id = %s",
        [r.signed.pk],
    ),
    "delete the access log's chain links": lambda r: (
        "DELETE FROM treatments_recordseal WHERE kind = 'access log'",
        [],
    ),
}


def protected_rows(cursor=None) -> dict[str, list[tuple]]:
    """Every row of every protected table, as the database holds it."""
    rows = {}
    with connection.cursor() if cursor is None else nullcontext(cursor) as reading:
        for table in PROTECTED:
            reading.execute(f"SELECT * FROM {table} ORDER BY 1")
            rows[table] = [tuple(map(str, row)) for row in reading.fetchall()]
    return rows
