"""Shared by the seal, chain and rotation tests: a small clinic's sealed records, raw SQL as
someone past the triggers would run it, and `verify_records`. (`records.py` beside it holds
the triggers' own tampering cases.)"""

import io
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory

from tests.factories import PatientFactory, course_under_way, session, write_note
from tests.treatments.homecare.sheets import issue
from treatments.audit.protection import protection_lifted
from treatments.audit.services import record_read
from treatments.models import (
    AccessLog,
    AcupuncturePoint,
    AppointmentStatus,
    AppointmentStatusChange,
)
from treatments.notes import services as notes
from treatments.scheduling import services as scheduling


@dataclass
class Records:
    notes: list
    addenda: list
    sheets: list
    reads: list  # AccessLog ids, oldest first
    changes: list  # AppointmentStatusChange ids, oldest first


def read(user, patient, what="patient", object_id=None) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.7")
    request.user = user
    record_read(request, patient=patient, what=what, object_id=object_id or patient.pk)


def clinic_records(paul, fiona, maria) -> Records:
    """Three signed notes (with points), two addenda, two sheets, five reads and four status
    changes, each written by its service."""
    course = course_under_way(paul.practitioner, planned=6)
    points = list(AcupuncturePoint.objects.filter(code__in=["GB30", "BL25"]))
    signed = [
        write_note(session(course, days_ago=days), points=[(p, "left") for p in points])
        for days in (21, 14, 7)
    ]
    addenda = [
        notes.addendum_add(note=signed[1], by=paul, reason="Typo", text="Left, not right."),
        notes.addendum_add(note=signed[1], by=paul, reason="Addition", text="Advised walking."),
    ]
    patient = course.complaint.patient
    sheets = [issue(paul.practitioner, patient), issue(paul.practitioner, PatientFactory())]
    for who in (fiona, paul, maria, fiona, paul):
        read(who, patient)
    ahead = [session(course, days_ago=-d, status=AppointmentStatus.BOOKED) for d in (3, 10)]
    scheduling.cancel(appointment=ahead[0], reason="Away", by=fiona)
    scheduling.undo_status(appointment=ahead[0], by=fiona)
    scheduling.cancel(appointment=ahead[1], reason="Unwell", by=fiona)
    scheduling.cancel(appointment=ahead[0], reason="Away again", by=fiona)
    return Records(
        notes=signed,
        addenda=addenda,
        sheets=sheets,
        reads=list(AccessLog.objects.order_by("pk").values_list("pk", flat=True)),
        changes=list(AppointmentStatusChange.objects.order_by("pk").values_list("pk", flat=True)),
    )


@contextmanager
def behind_the_apps_back():
    """A cursor for raw SQL by someone who got past the triggers (a superuser on PostgreSQL,
    anyone holding the SQLite file): what the seals and chains must still catch."""
    with protection_lifted(connection), connection.cursor() as cursor:
        yield cursor


def verify_records() -> tuple[int, str]:
    """`manage.py verify_records`: its exit status and everything it printed."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_records", stdout=out, stderr=err)
    except CommandError as failure:
        return failure.returncode, out.getvalue() + err.getvalue() + str(failure)
    return 0, out.getvalue() + err.getvalue()
