"""Home-care sheets: what suits a complaint, and issuing a sheet as an immutable snapshot.

The only code that writes sheets and library items. A sheet stores exactly what was printed
(text, items, notes, names, date), a SHA-256 of it (a fingerprint) and a seal under the
records key (treatments/audit/seals.py); printing or reprinting renders that snapshot, never
the library as it is now.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from clinic.models import ClinicProfile, Practitioner, User
from patients.models import BodyRegion, Complaint, Patient
from treatments.audit import seals
from treatments.homecare.matching import suits
from treatments.models import (
    HomeCareItem,
    HomeCareKind,
    HomeCareSheet,
    SealedKind,
    SheetKind,
    TreatmentCourse,
)

INTROS = {
    SheetKind.RELIEF: "What to do at home for relief, before or between your visits.",
    SheetKind.PREVENTION: (
        "Your pain has gone. Keep doing these regularly at home so that it does not come back."
    ),
}


# Printed on a sheet issued for a complaint with inflammation when it carries no heat: the
# patient is told why, in plain words (DOMAIN.md, "Home care").
NO_HEAT_REASON = (
    "No heat for now: there are signs of inflammation (swelling, redness or warmth), and heat "
    "can make inflammation worse. Do not use a heating pad, a hot-water bottle or a hot bath "
    "on the painful area until your practitioner says it is safe."
)


HEAT_WITH_INFLAMMATION = (
    "Heat is not advised with inflammation: tick “Not advised with inflammation” for a heat item."
)


@dataclass
class Suggestion:
    items: list[HomeCareItem] = field(default_factory=list)
    reasons: dict[int, str] = field(default_factory=dict)  # left-out item id -> why

    @property
    def left_out(self) -> list[str]:
        """Why items were left out, in words for the practitioner."""
        return list(self.reasons.values())


def suggest_items(complaint: Complaint | None) -> Suggestion:
    """The library's active items that suit the complaint's presentation (see
    `treatments.homecare.matching`), contraindicated ones left out with the reason in words
    ("Moist heat … left out: inflammation is recorded for this complaint")."""
    suggestion = Suggestion()
    for item in HomeCareItem.objects.filter(is_active=True):
        if not suits(item, complaint):
            continue
        if item.not_with_inflammation and complaint is not None and complaint.has_inflammation:
            suggestion.reasons[item.pk] = (
                f"“{item.title}” left out: inflammation is recorded for this complaint "
                f"(“{complaint.title}”), and heat is not advised with inflammation."
            )
            continue
        suggestion.items.append(item)
    return suggestion


def _snapshot(*, patient, practitioner, kind, entries, intro, issued_at, complaint) -> dict:
    # Without heat on the sheet, steps that assume warmth say what to do instead; with
    # inflammation recorded, the sheet also says why there is no heat.
    no_heat = not any(item.is_heat for item, _ in entries)

    def item_text(item: HomeCareItem, note: str) -> dict:
        text = {
            "title": item.title,
            "kind": item.kind,
            "kind_label": HomeCareKind(item.kind).label,
            "steps": item.steps,
            "dose": item.dose,
            "note": note.strip(),
            "illustration": item.illustration,
        }
        if no_heat and item.without_heat.strip():
            text["without_heat"] = item.without_heat.strip()
        return text

    advice = [item_text(i, n) for i, n in entries if i.kind not in ("caution", "seek_help")]
    return {
        "clinic": ClinicProfile.objects.current().as_printed(),
        "patient": patient.display_name,
        "practitioner": str(practitioner),
        "date": timezone.localtime(issued_at).date().isoformat(),
        "kind": kind,
        "kind_label": SheetKind(kind).label,
        "intro": intro.strip() or INTROS[kind],
        "no_heat": NO_HEAT_REASON if no_heat and complaint and complaint.has_inflammation else "",
        "items": advice,
        "cautions": [item_text(i, n) for i, n in entries if i.kind == "caution"],
        "contact": [item_text(i, n) for i, n in entries if i.kind == "seek_help"],
    }


def snapshot_hash(snapshot: dict) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def sheet_practitioner(*, by: User, course: TreatmentCourse | None = None) -> Practitioner:
    """Whose name a sheet issued by `by` carries: their own when they are a practitioner (one
    practitioner never issues a sheet in a colleague's name); else, for a role without a
    practitioner profile that may issue sheets, the treating practitioner of the course."""
    own = getattr(by, "practitioner", None)
    if own is not None:
        return own
    if course is not None:
        return course.practitioner
    raise ValidationError(
        "Only a practitioner can issue a sheet outside a course: start it from the course, "
        "so that it is issued in the treating practitioner's name."
    )


@transaction.atomic
def sheet_issue(
    *,
    patient: Patient,
    kind: str,
    entries: list[tuple[HomeCareItem, str]],
    by: User,
    complaint: Complaint | None = None,
    course: TreatmentCourse | None = None,
    intro: str = "",
) -> HomeCareSheet:
    """Issue a sheet in the issuer's name (see `sheet_practitioner`): `entries` are
    (item, personal note) in the order they are printed."""
    if not entries:
        raise ValidationError("Choose at least one item for the sheet.")
    if complaint is not None and complaint.patient_id != patient.pk:
        raise ValidationError("That complaint belongs to another patient.")
    if course is not None and course.complaint.patient_id != patient.pk:
        raise ValidationError("That course belongs to another patient.")
    complaint = complaint or (course.complaint if course else None)
    practitioner = sheet_practitioner(by=by, course=course)
    issued_at = timezone.now()
    snapshot = _snapshot(
        patient=patient,
        practitioner=practitioner,
        kind=kind,
        entries=entries,
        intro=intro,
        issued_at=issued_at,
        complaint=complaint,
    )
    version = (patient.home_care_sheets.aggregate(last=Max("version"))["last"] or 0) + 1
    sheet = HomeCareSheet(
        patient=patient,
        complaint=complaint,
        course=course,
        kind=kind,
        version=version,
        practitioner=practitioner,
        issued_by=by,
        issued_at=issued_at,
        snapshot=snapshot,
        content_hash=snapshot_hash(snapshot),
    )
    sheet.full_clean()
    try:
        with transaction.atomic():
            sheet.save()
    except IntegrityError:
        raise ValidationError("Another sheet was issued at the same moment; try again.") from None
    seals.seal(SealedKind.SHEET, sheet)
    return sheet


@transaction.atomic
def item_save(*, item: HomeCareItem | None = None, by: User, **fields) -> HomeCareItem:
    """Add or edit a library item; sheets already issued keep their own copy."""
    item = item or HomeCareItem()
    for name, value in fields.items():
        setattr(item, name, value)
    if not isinstance(item.regions, list) or set(item.regions) - set(BodyRegion.values):
        raise ValidationError({"regions": "Choose regions from the list."})
    if item.is_heat and not item.not_with_inflammation:
        # Said rather than ticked silently: the practitioner sees the rule and ticks it.
        raise ValidationError({"not_with_inflammation": HEAT_WITH_INFLAMMATION})
    if item.mentions_warmth() and not item.without_heat.strip():
        raise ValidationError(
            {
                "without_heat": "These steps need warmth: say what the patient does instead "
                "when the sheet has no heat (or that they ask their practitioner first)."
            }
        )
    item.full_clean()
    item.save()
    return item
