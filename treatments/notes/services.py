"""The only code that writes session notes, their points, addenda and point sets.

A note is a draft until its author signs it. Signing records who, when and a SHA-256 of the
content (a fingerprint), and seals it under the records key (treatments/audit/seals.py);
from then on every function here refuses to change it (and on PostgreSQL a trigger refuses
it too). Corrections are addenda, each signed and sealed as it is saved.
"""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from clinic.models import User
from treatments.audit import seals
from treatments.models import (
    AcupuncturePoint,
    AddendumKind,
    Appointment,
    NoteAddendum,
    NotePoint,
    PointSet,
    PointSetItem,
    SealedKind,
    SessionNote,
    Technique,
)

Point = tuple[AcupuncturePoint, str]  # a point and its side

# Where a clinic's own points go in the catalogue's order: after the standard's.
CLINIC_POINTS_FROM = 10_000


def once_each(points: list[Point]) -> list[Point]:
    """Each point once, with the side it was first given: a point is needled on one side,
    the other or both (bilateral), never recorded twice."""
    first = {}
    for point, side in points:
        first.setdefault(point.pk, (point, side))
    return list(first.values())


def content_hash(note: SessionNote) -> str:
    """SHA-256 of the note's content in a canonical form: the same content, the same hash."""
    content = {name: getattr(note, name) for name in SessionNote.CONTENT_FIELDS}
    content["appointment"] = note.appointment_id
    content["author"] = note.author_id
    content["points"] = sorted(note.points.values_list("point__code", "side"))
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def addendum_hash(addendum: NoteAddendum) -> str:
    content = {
        "note": addendum.note_id,
        "note_hash": addendum.note.content_hash,
        "author": addendum.author_id,
        "reason": addendum.reason,
        "text": addendum.text,
        "signed_at": addendum.signed_at.isoformat(),
    }
    # The kind joins the hash only when it is not a plain correction, so the addenda signed
    # before there were kinds keep the hash they were signed with.
    if addendum.kind != AddendumKind.CORRECTION:
        content["kind"] = addendum.kind
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def complaint_has_red_flags(appointment: Appointment) -> bool:
    """The complaint being treated has red flags (the course's, else any active one)."""
    if appointment.course_id is not None:
        return appointment.course.complaint.has_red_flags
    return any(c.has_red_flags for c in appointment.patient.complaints.active())


ADDENDA_BY_AUTHOR_OR_MANAGER = "Only the note's author or the clinic manager can add an addendum."


def _require_author(note: SessionNote, by: User) -> None:
    if note.author_id != by.pk:
        raise PermissionDenied("Only the author can change a draft note.")


def _require_draft(note: SessionNote) -> None:
    if note.is_signed:
        raise ValidationError("This note is signed and cannot be changed; add an addendum.")


@transaction.atomic
def note_start(*, appointment: Appointment, by: User) -> SessionNote:
    """The note for `appointment`, created on first use and pre-filled with the points,
    techniques and plan of the patient's latest earlier note (whoever wrote it: continuity
    when a colleague covers)."""
    if not hasattr(by, "practitioner") or by.practitioner.pk != appointment.practitioner_id:
        raise PermissionDenied("Only the treating practitioner writes the session note.")
    existing = SessionNote.objects.filter(appointment=appointment).first()
    if existing is not None:
        return existing
    if not appointment.note_can_start():
        raise ValidationError(note_start_refusal(appointment))
    note = SessionNote(appointment=appointment, author=by)
    previous = (
        SessionNote.objects.filter(appointment__patient_id=appointment.patient_id)
        .filter(appointment__start__lt=appointment.start)
        .order_by("-appointment__start")
        .first()
    )
    if previous is not None:
        note.plan = previous.plan
        note.techniques = list(previous.techniques)
    note.full_clean()
    note._history_user = by  # who made this version (outside a request too)
    note.save()
    if previous is not None:
        NotePoint.objects.bulk_create(
            NotePoint(note=note, point_id=p.point_id, side=p.side) for p in previous.points.all()
        )
    return note


@transaction.atomic
def note_save_draft(
    *, note: SessionNote, by: User, points: list[Point] | None = None, **fields
) -> SessionNote:
    """Save what the author has written so far (nothing is checked for completeness)."""
    note = SessionNote.objects.select_for_update().get(pk=note.pk)
    _require_author(note, by)
    _require_draft(note)
    unknown = set(fields) - set(SessionNote.CONTENT_FIELDS)
    if unknown:
        raise ValueError(f"Not note content: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(note, name, value)
    if "techniques" in fields:
        note.techniques = [t for t in Technique.values if t in note.techniques]
    note.full_clean()
    note._history_user = by  # who made this version (outside a request too)
    note.save()
    if points is not None:
        note.points.all().delete()
        NotePoint.objects.bulk_create(
            NotePoint(note=note, point=point, side=side) for point, side in once_each(points)
        )
    return note


def note_start_refusal(appointment: Appointment) -> str:
    """Why no note can be started for `appointment` yet, in words for the practitioner."""
    if appointment.did_not_happen:
        return f"No note for a {appointment.get_status_display().lower()}."
    opens = timezone.localtime(appointment.arrival_opens)
    if timezone.localtime(appointment.start).date() != timezone.localdate():
        return (
            "A note is written for a session that is under way or done: this one is on "
            f"{timezone.localtime(appointment.start):%a %d %b}."
        )
    return f"A note can be started from {opens:%H:%M}, when the patient can be checked in."


def signing_problems(note: SessionNote) -> list[str]:
    """What stops the note from being signed, in words for the practitioner.

    The minimum a reviewer would accept: what the patient reported (Subjective) and what was
    done (points needled or techniques used); every needle accounted for; red flags reviewed
    when the complaint has them; an adverse event described.
    """
    problems = []
    appointment = note.appointment
    if appointment.did_not_happen:
        problems.append(
            f"The appointment is {appointment.get_status_display().lower()}: a note cannot be "
            f"signed for a session that did not take place. The draft is kept."
        )
    elif not appointment.has_begun():
        problems.append("The session has not started yet: sign the note once it has begun.")
    if not note.subjective.strip():
        problems.append("Write what the patient reports (Subjective).")
    if not note.techniques and not note.points.exists():
        problems.append("Record what was done: the points needled or the techniques used.")
    if not note.needles_match:
        problems.append(
            f"Needle count mismatch: {note.needles_inserted} inserted, "
            f"{note.needles_removed} removed. Every needle must be accounted for."
        )
    if complaint_has_red_flags(note.appointment) and not note.red_flags_reviewed:
        problems.append("The complaint has red flags: tick that you reviewed them.")
    if note.adverse_event == "other" and not note.adverse_event_detail.strip():
        problems.append("Describe the adverse event.")
    return problems


@transaction.atomic
def note_sign(*, note: SessionNote, by: User) -> SessionNote:
    note = SessionNote.objects.select_for_update().select_related("appointment").get(pk=note.pk)
    _require_author(note, by)
    _require_draft(note)
    problems = signing_problems(note)
    if problems:
        raise ValidationError(problems)
    note.signed_at = timezone.now()
    note.signed_by = by
    note.content_hash = content_hash(note)
    note.full_clean()
    note._history_user = by  # who made this version (outside a request too)
    note.save()
    seals.seal(SealedKind.NOTE, note)
    return note


@transaction.atomic
def addendum_add(
    *, note: SessionNote, by: User, reason: str, text: str, kind: str = AddendumKind.CORRECTION
) -> NoteAddendum:
    if not note.amendable_by(by):
        raise PermissionDenied(ADDENDA_BY_AUTHOR_OR_MANAGER)
    if not note.is_signed:
        raise ValidationError("Edit the draft itself: addenda are for signed notes.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why the note needs an addendum."})
    addendum = NoteAddendum(
        note=note,
        author=by,
        kind=kind,
        reason=reason.strip(),
        text=text.strip(),
        signed_at=timezone.now(),
    )
    addendum.content_hash = addendum_hash(addendum)
    addendum.full_clean()
    addendum._history_user = by
    addendum.save()
    seals.seal(SealedKind.ADDENDUM, addendum)
    return addendum


@transaction.atomic
def point_set_save(
    *, practitioner, name: str, points: list[Point], point_set: PointSet | None = None
) -> PointSet:
    point_set = point_set or PointSet(practitioner=practitioner)
    point_set.name = " ".join(name.split())
    point_set.full_clean()
    point_set.save()
    point_set.items.all().delete()
    PointSetItem.objects.bulk_create(
        PointSetItem(point_set=point_set, point=point, side=side)
        for point, side in once_each(points)
    )
    return point_set


@transaction.atomic
def point_set_delete(*, point_set: PointSet) -> None:
    """A point set is the practitioner's own shortcut, not part of any record: notes copy
    its points, so deleting it changes no note."""
    point_set.delete()


def can_complete_without_note(appointment: Appointment) -> bool:
    if not settings.REQUIRE_SIGNED_NOTE_TO_COMPLETE:
        return True
    return SessionNote.objects.signed().filter(appointment=appointment).exists()


@transaction.atomic
def point_add(*, code: str, name: str, english: str = "", meridian: str = "") -> AcupuncturePoint:
    """A clinic-specific point, after the standard ones in the catalogue."""
    point = AcupuncturePoint(
        code=code,
        name=name,
        english=english,
        meridian=meridian,
        clinic_specific=True,
        position=CLINIC_POINTS_FROM,
    )
    point.full_clean()
    point.save()
    return point


@transaction.atomic
def point_set_in_use(*, point: AcupuncturePoint, in_use: bool) -> AcupuncturePoint:
    """Retire a point (no longer offered; every note that used it keeps it) or bring it back.
    Points are never deleted."""
    point.is_active = in_use
    point.save(update_fields=["is_active"])
    return point
