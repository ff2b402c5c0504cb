"""Keyed seals over signed notes, addenda and issued sheets.

A seal is HMAC-SHA256, under the records key, of the record's kind and its content in a
canonical form (sorted-key JSON). The unkeyed SHA-256 each record keeps (`content_hash`) is
a fingerprint anyone can recompute; a seal can only be made with the key, so content changed
behind the services' back, with or without its fingerprint recomputed, no longer matches.

The services seal in the transaction that signs or issues (`seal`); the pages check with
`check_note` and `check_sheet`; `verification.py` checks everything.
"""

import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Q

from treatments.audit.keys import RecordsKey, current_key
from treatments.models import (
    HomeCareSheet,
    NoteAddendum,
    RecordSeal,
    SealedKind,
    SessionNote,
)


def canonical(content: dict) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def instant(value: datetime | None) -> str | None:
    """A moment as the database gives it back: UTC, to the microsecond."""
    return value.astimezone(UTC).isoformat() if value is not None else None


def note_content(note: SessionNote) -> dict:
    """Everything a signature vouches for: the content, its points, who signed and when."""
    content = {name: getattr(note, name) for name in SessionNote.CONTENT_FIELDS}
    content.update(
        id=note.pk,
        appointment=note.appointment_id,
        author=note.author_id,
        # Point ids, not codes: the catalogue may rename a point, the note's record stays.
        points=sorted([p.point_id, p.side] for p in note.points.all()),
        signed_by=note.signed_by_id,
        signed_at=instant(note.signed_at),
        content_hash=note.content_hash,
    )
    return content


def addendum_content(addendum: NoteAddendum) -> dict:
    """The addendum and the note it amends, by that note's fingerprint."""
    return {
        "id": addendum.pk,
        "note": addendum.note_id,
        "note_hash": addendum.note.content_hash,
        "author": addendum.author_id,
        "kind": addendum.kind,
        "reason": addendum.reason,
        "text": addendum.text,
        "signed_at": instant(addendum.signed_at),
        "content_hash": addendum.content_hash,
    }


def sheet_content(sheet: HomeCareSheet) -> dict:
    return {
        "id": sheet.pk,
        "patient": sheet.patient_id,
        "complaint": sheet.complaint_id,
        "course": sheet.course_id,
        "kind": sheet.kind,
        "version": sheet.version,
        "practitioner": sheet.practitioner_id,
        "issued_by": sheet.issued_by_id,
        "issued_at": instant(sheet.issued_at),
        "snapshot": sheet.snapshot,
        "content_hash": sheet.content_hash,
    }


CONTENT = {
    SealedKind.NOTE: note_content,
    SealedKind.ADDENDUM: addendum_content,
    SealedKind.SHEET: sheet_content,
}


def seal_mac(key: RecordsKey, kind: str, record) -> str:
    return key.mac("seal", kind, canonical(CONTENT[kind](record)))


def seal(kind: str, record) -> RecordSeal:
    """Seal a record just signed or issued under the current key (in the caller's
    transaction: a record is never signed without its seal)."""
    key = current_key()
    return RecordSeal.objects.create(
        kind=kind, record_id=record.pk, key_id=key.key_id, mac=seal_mac(key, kind, record)
    )


# --- checking one record on its page ----------------------------------------------------------


@dataclass
class Verification:
    """Whether a record's seals hold, and if not, which check failed (for managers)."""

    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def _check(verification, key, kind, record, seals, label) -> None:
    stored = seals.get((kind, record.pk))
    if stored is None:
        verification.failures.append(f"{label}: no seal under the current key ({key.key_id}).")
    elif not hmac.compare_digest(stored, seal_mac(key, kind, record)):
        verification.failures.append(f"{label}: the content does not match its seal.")


def _seals(key, wanted) -> dict:
    """The stored MACs of `wanted` [(kind, id)…] under `key`, in one query."""
    which = Q()
    for kind in {kind for kind, _ in wanted}:
        which |= Q(kind=kind, record_id__in=[pk for k, pk in wanted if k == kind])
    found = RecordSeal.objects.filter(which, key_id=key.key_id).values_list(
        "kind", "record_id", "mac"
    )
    return {(kind, record_id): mac for kind, record_id, mac in found}


def check_note(note: SessionNote, addenda: list[NoteAddendum]) -> Verification:
    """A signed note and its addenda against their seals (one query for the seals, one for
    the note's points)."""
    key = current_key()
    verification = Verification()
    wanted = [(SealedKind.NOTE, note.pk)] + [(SealedKind.ADDENDUM, a.pk) for a in addenda]
    seals = _seals(key, wanted)
    _check(verification, key, SealedKind.NOTE, note, seals, "The note")
    for addendum in addenda:
        label = f"Addendum {addendum.pk}"
        _check(verification, key, SealedKind.ADDENDUM, addendum, seals, label)
    return verification


def check_sheet(sheet: HomeCareSheet) -> Verification:
    key = current_key()
    verification = Verification()
    seals = _seals(key, [(SealedKind.SHEET, sheet.pk)])
    _check(verification, key, SealedKind.SHEET, sheet, seals, "The sheet")
    return verification


def note_verifies(note: SessionNote) -> bool:
    """Signed, and the note and every addendum match their seals."""
    return note.is_signed and check_note(note, list(note.addenda.all())).ok


def sheet_verifies(sheet: HomeCareSheet) -> bool:
    return check_sheet(sheet).ok
