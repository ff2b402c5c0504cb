"""Session notes for the demo clinic: what the practitioners wrote after each session that
has already happened, signed, through the notes service like real notes."""

import random

from treatments.models import (
    AcupuncturePoint,
    AdverseEvent,
    Appointment,
    AppointmentStatus,
    PointSide,
    Technique,
)
from treatments.notes import services as notes

# Named point combinations each demo practitioner keeps for the clinic's usual complaint.
POINT_SETS = {
    "Hip and buttock spasm": [("GB30", "painful"), ("GB29", "painful"), ("BL54", "painful"),
                              ("GB34", "painful"), ("ASHI", "painful")],
    "Low back": [("BL23", "bilateral"), ("BL25", "bilateral"), ("BL40", "bilateral"),
                 ("EX-B2", "bilateral")],
}  # fmt: skip

FINDINGS = (
    "Tight gluteal and piriformis muscles; tender at GB30; straight-leg raise unremarkable.",
    "Lumbar paraspinals in spasm; flexion limited to mid-thigh; no neurological signs.",
    "Less guarding than last time; hip rotation improving; tender point at BL54.",
)
PLANS = (
    "Continue the course; heat and stretches at home twice a day.",
    "Review next week; keep up the knees-to-chest stretch once warm.",
)


def _side(complaint_side: str) -> str:
    return {"left": PointSide.LEFT, "right": PointSide.RIGHT}.get(
        complaint_side, PointSide.BILATERAL
    )


def _points(template, side) -> list[tuple[AcupuncturePoint, str]]:
    catalogue = {p.code: p for p in AcupuncturePoint.objects.all()}
    return [
        (catalogue[code], side if which == "painful" else PointSide.BILATERAL)
        for code, which in template
    ]


def create_point_sets(practitioners) -> None:
    for practitioner in practitioners:
        for name, template in POINT_SETS.items():
            notes.point_set_save(
                practitioner=practitioner, name=name, points=_points(template, "bilateral")
            )


def write_notes(rng: random.Random) -> int:
    """A signed note for every completed session, pain easing along each course."""
    completed = (
        Appointment.objects.filter(status=AppointmentStatus.COMPLETED)
        .select_related("practitioner__user", "course__complaint", "patient")
        .order_by("start")
    )
    written = 0
    for appointment in completed:
        complaint = appointment.course.complaint if appointment.course_id else None
        author = appointment.practitioner.user
        note = notes.note_start(appointment=appointment, by=author)
        earlier = appointment.patient.appointments.filter(
            status=AppointmentStatus.COMPLETED, start__lt=appointment.start
        ).count()
        before = max((complaint.pain_at_intake if complaint else 6) - 2 * earlier, 1)
        needles = rng.randint(6, 12)
        template = POINT_SETS["Hip and buttock spasm" if rng.random() < 0.6 else "Low back"]
        notes.note_save_draft(
            note=note,
            by=author,
            points=_points(template, _side(complaint.side if complaint else "both")),
            subjective="Pain eased for two days after the last session."
            if earlier
            else "Pain began after a long day of unusual effort, then hours of sitting.",
            pain_before=before,
            objective=rng.choice(FINDINGS),
            assessment="Muscle spasm of the hip and lower back; not sciatica-like.",
            red_flags_reviewed=bool(complaint and complaint.has_red_flags),
            techniques=[Technique.MANUAL, *([Technique.HEAT] if rng.random() < 0.4 else [])],
            needles_inserted=needles,
            needles_removed=needles,
            retention_minutes=rng.choice((15, 20, 25)),
            pain_after=max(before - rng.randint(1, 3), 0),
            adverse_event=AdverseEvent.NONE,
            plan=rng.choice(PLANS),
            home_care="Moist heat 20 minutes, then knees to chest and knee to opposite shoulder.",
        )
        notes.note_sign(note=note, by=author)
        written += 1
    return written
