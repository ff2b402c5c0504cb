"""Pain across a treatment course: the before/after scores of its completed sessions, the
change from the first to the latest score, and whether that change is clinically meaningful.

A drop of at least 2 points, or of at least 30% of the first score, on the 0–10 scale is the
commonly used threshold for a meaningful improvement in pain.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from treatments.models import Appointment, AppointmentStatus, SessionNote, TreatmentCourse

MEANINGFUL_DROP_POINTS = 2
MEANINGFUL_DROP_SHARE = 0.30
MINUS = "\u2212"

# The SVG's drawing area, in its own units (it scales to the width of its container).
WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 12, 36


@dataclass(frozen=True)
class PainPoint:
    """One completed session's scores."""

    number: int
    date: date
    before: int | None
    after: int | None


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    score: int
    number: int


@dataclass
class PainChart:
    points: list[PainPoint]
    first: int | None
    latest: int | None

    @property
    def has_scores(self) -> bool:
        return any(p.before is not None or p.after is not None for p in self.points)

    @property
    def enough(self) -> bool:
        return self.first is not None and self.latest is not None

    @property
    def change(self) -> int | None:
        return self.latest - self.first if self.enough else None

    @property
    def percent(self) -> int | None:
        """The change as a whole percentage of the first score (None when it was 0)."""
        if not self.enough or self.first == 0:
            return None
        return round(self.change * 100 / self.first)

    @property
    def meaningful_improvement(self) -> bool:
        if not self.enough:
            return False
        drop = self.first - self.latest
        if drop >= MEANINGFUL_DROP_POINTS:
            return True
        return self.first > 0 and drop > 0 and drop / self.first >= MEANINGFUL_DROP_SHARE

    @property
    def summary(self) -> str:
        if not self.enough:
            return "Not enough scores yet."
        verdict = (
            "a clinically meaningful improvement."
            if self.meaningful_improvement
            else "not yet a meaningful change."
        )
        if self.change == 0:
            return f"Pain is unchanged at {self.first}: {verdict}"
        moved = "dropped" if self.change < 0 else "risen"
        points = f"{_signed(self.change)} point{'' if abs(self.change) == 1 else 's'}"
        if self.percent is not None:
            points += f", {_signed(self.percent)}%"
        return f"Pain has {moved} from {self.first} to {self.latest} ({points}): {verdict}"

    # --- drawing ------------------------------------------------------------------------

    width, height = WIDTH, HEIGHT
    left, right, top, bottom = LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM

    def x(self, index: int) -> float:
        if len(self.points) == 1:
            return (self.left + self.right) / 2
        step = (self.right - self.left - 24) / (len(self.points) - 1)
        return round(self.left + 12 + index * step, 1)

    def y(self, score: int) -> float:
        return round(self.bottom - score * (self.bottom - self.top) / 10, 1)

    @property
    def gridlines(self) -> list[tuple[int, float]]:
        return [(score, self.y(score)) for score in range(0, 11, 2)]

    @property
    def ticks(self) -> list[tuple[int, float]]:
        return [(p.number, self.x(i)) for i, p in enumerate(self.points)]

    def _marks(self, attribute: str) -> list[Mark]:
        return [
            Mark(self.x(i), self.y(getattr(p, attribute)), getattr(p, attribute), p.number)
            for i, p in enumerate(self.points)
            if getattr(p, attribute) is not None
        ]

    @property
    def before_marks(self) -> list[Mark]:
        return self._marks("before")

    @property
    def after_marks(self) -> list[Mark]:
        return self._marks("after")

    @property
    def before_line(self) -> str:
        return " ".join(f"{m.x},{m.y}" for m in self.before_marks)

    @property
    def after_line(self) -> str:
        return " ".join(f"{m.x},{m.y}" for m in self.after_marks)

    @property
    def axis_label_y(self) -> float:
        return (self.top + self.bottom) / 2


def _signed(number: int) -> str:
    return f"{MINUS}{abs(number)}" if number < 0 else f"+{number}"


def completed_sessions(course: TreatmentCourse) -> list[Appointment]:
    """The course's live sessions in date order with their notes: one query."""
    return list(course.appointments.live().with_session_number().select_related("note"))


def _note_of(session: Appointment) -> SessionNote | None:
    try:
        return session.note
    except SessionNote.DoesNotExist:
        return None


def pain_chart(course: TreatmentCourse, sessions: Iterable[Appointment] | None = None) -> PainChart:
    """The chart of `course`. `sessions`: its sessions in date order, loaded with their
    notes (select_related("note")) and numbers (`with_session_number()`), when the caller has
    them already; else one query."""
    if sessions is None:
        sessions = completed_sessions(course)
    points = []
    for session in sessions:
        note = _note_of(session)
        if session.status != AppointmentStatus.COMPLETED or note is None:
            continue
        points.append(
            PainPoint(
                session.session_number,
                timezone.localtime(session.start).date(),
                note.pain_before,
                note.pain_after,
            )
        )
    first, readings = _first_and_later(points, course.complaint.pain_at_intake)
    afters = [p.after for p in points if p.after is not None]
    later = afters or readings
    latest = later[-1] if later else None
    return PainChart(points=points, first=first, latest=latest)


def _first_and_later(points: list[PainPoint], at_intake: int | None):
    """The first score, and the before scores taken after it (to fall back on for the
    latest score when no session has an after score)."""
    befores = [p.before for p in points if p.before is not None]
    if points and points[0].before is not None:
        return points[0].before, befores[1:]
    return at_intake, befores
