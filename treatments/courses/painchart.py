"""Pain across a treatment course: the before/after scores of its signed session notes, the
change from the first to the latest score, and whether that change is clinically meaningful.

On the 0–10 numeric pain rating scale an improvement is clinically meaningful when the drop is
at least 2 points AND at least 30% of the first score, so a higher baseline needs a larger
drop (9 → 7 is 2 points but only 22%: not yet meaningful). A change of less than 2 points,
either way, is within the scale's measurement error. Sources:

- Farrar JT, Young JP, LaMoreaux L, Werth JL, Poole RM. Clinical importance of changes in
  chronic pain intensity measured on an 11-point numerical pain rating scale. Pain.
  2001;94(2):149–158 (about 2 points or 30% matches patients' "much improved").
- Childs JD, Piva SR, Fritz JM. Responsiveness of the numeric pain rating scale in patients
  with low back pain. Spine. 2005;30(11):1331–1334 (a change under 2 points is within
  measurement error).
- Ostelo RW, Deyo RA, Stratford P, et al. Interpreting change scores for pain and functional
  status in low back pain. Spine. 2008;33(1):90–94 (pain: 2 points or 30% from baseline).

Only signed notes count, whatever their appointment's status: an unsigned draft may still
change. The chart says which sessions that have begun have no signed note yet.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from treatments.models import Appointment, SessionNote, TreatmentCourse

MEANINGFUL_DROP_POINTS = 2
MEANINGFUL_DROP_SHARE = 0.30
MINUS = "\u2212"

# The SVG's drawing area, in its own units (it scales to the width of its container).
WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 16, 12, 36


@dataclass(frozen=True)
class PainPoint:
    """One session's scores, from its signed note."""

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
    unsigned: list[int] = field(default_factory=list)  # sessions begun without a signed note

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
    def within_measurement_error(self) -> bool:
        """A change of less than 2 points either way: it may be noise."""
        return self.enough and abs(self.change) < MEANINGFUL_DROP_POINTS

    @property
    def meaningful_improvement(self) -> bool:
        if not self.enough or self.first == 0:
            return False
        drop = self.first - self.latest
        return drop >= MEANINGFUL_DROP_POINTS and drop / self.first >= MEANINGFUL_DROP_SHARE

    @property
    def verdict(self) -> str:
        if self.within_measurement_error:
            return "within measurement error (a change of less than 2 points)."
        if self.meaningful_improvement:
            return "a clinically meaningful improvement."
        if self.change < 0:
            return (
                "an improvement, but less than 30% of the first score: "
                "not yet clinically meaningful."
            )
        return "worse than at the first score."

    @property
    def unsigned_text(self) -> str:
        """Which sessions that have begun have no signed note, so their scores are missing."""
        if not self.unsigned:
            return ""
        numbers = [str(n) for n in self.unsigned]
        if len(numbers) == 1:
            return f"Session {numbers[0]} has no signed note: its scores are not counted yet."
        listed = f"{', '.join(numbers[:-1])} and {numbers[-1]}"
        return f"Sessions {listed} have no signed note: their scores are not counted yet."

    @property
    def summary(self) -> str:
        if not self.enough:
            return "Not enough scores yet."
        verdict = self.verdict
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


def live_sessions(course: TreatmentCourse) -> list[Appointment]:
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
        sessions = live_sessions(course)
    points, unsigned = [], []
    now = timezone.now()
    for session in sessions:
        if session.session_number is None:
            continue  # cancelled or no-show: not one of the course's sessions
        note = _note_of(session)
        if note is None or not note.is_signed:
            if session.start <= now:
                unsigned.append(session.session_number)
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
    return PainChart(points=points, first=first, latest=latest, unsigned=unsigned)


def _first_and_later(points: list[PainPoint], at_intake: int | None):
    """The first score, and the before scores taken after it (to fall back on for the
    latest score when no session has an after score)."""
    befores = [p.before for p in points if p.before is not None]
    if points and points[0].before is not None:
        return points[0].before, befores[1:]
    return at_intake, befores
