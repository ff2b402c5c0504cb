"""When practitioners can be booked: opening hours, working hours and time off.

`Availability` loads everything for a range of days in three queries, so a calendar or a
free-slot search asks it about many practitioners and days without going back to the
database.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.utils import timezone

from clinic.models import OpeningHours, TimeOff, WorkingHours, local_datetime

Span = tuple[datetime, datetime]


def _fmt(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def subtract(spans: list[Span], holes) -> list[Span]:
    """What is left of `spans` once every (start, end) of `holes` is cut out of them."""
    left = list(spans)
    for hole_start, hole_end in holes:
        cut = []
        for start, end in left:
            if hole_end <= start or end <= hole_start:
                cut.append((start, end))
                continue
            if start < hole_start:
                cut.append((start, hole_start))
            if hole_end < end:
                cut.append((hole_end, end))
        left = cut
    return left


class Availability:
    def __init__(self, first_day: date, last_day: date, practitioner_ids=None):
        self.opening = {row.weekday: row for row in OpeningHours.objects.all()}
        hours = WorkingHours.objects.all()
        time_off = TimeOff.objects.overlapping(
            local_datetime(first_day, datetime.min.time()),
            local_datetime(last_day + timedelta(days=1), datetime.min.time()),
        )
        if practitioner_ids is not None:
            hours = hours.filter(practitioner_id__in=practitioner_ids)
            time_off = time_off.filter(practitioner_id__in=practitioner_ids)
        self._hours = defaultdict(list)
        for block in hours:
            self._hours[block.practitioner_id, block.weekday].append(block)
        self._time_off = defaultdict(list)
        for stretch in time_off:
            self._time_off[stretch.practitioner_id].append(stretch)

    def opening_span(self, day: date) -> Span | None:
        row = self.opening.get(day.weekday())
        if row is None:
            return None
        return local_datetime(day, row.opens), local_datetime(day, row.closes)

    def working_spans(self, practitioner_id: int, day: date) -> list[Span]:
        """The practitioner's blocks on `day`, cut to the clinic's opening hours."""
        opening = self.opening_span(day)
        if opening is None:
            return []
        spans = []
        blocks = sorted(self._hours[practitioner_id, day.weekday()], key=lambda b: b.start)
        for block in blocks:
            start = max(local_datetime(day, block.start), opening[0])
            end = min(local_datetime(day, block.end), opening[1])
            if start >= end:
                continue
            if spans and start <= spans[-1][1]:  # touching blocks make one span
                spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
            else:
                spans.append((start, end))
        return spans

    def works_on(self, practitioner_id: int, day: date) -> bool:
        return bool(self.working_spans(practitioner_id, day))

    def free_spans(
        self, practitioner_id: int, day: date, *, busy=(), after: datetime | None = None
    ) -> list[Span]:
        """The practitioner's working time on `day` that is neither time off nor `busy`
        (their appointments' (start, end)), from `after` on when given."""
        spans = self.working_spans(practitioner_id, day)
        if after is not None:
            spans = [(max(start, after), end) for start, end in spans if end > after]
        away = [(t.start, t.end) for t in self._time_off[practitioner_id]]
        return subtract(spans, [*away, *busy])

    def time_off_overlapping(self, practitioner_id: int, start: datetime, end: datetime):
        return [t for t in self._time_off[practitioner_id] if t.start < end and t.end > start]

    def problems(self, practitioner, start: datetime, end: datetime) -> list[str]:
        """Why `practitioner` cannot be booked from `start` to `end` (empty: they can)."""
        day = timezone.localtime(start).date()
        if (
            timezone.localtime(end).date() != day
            and timezone.localtime(end).time() != datetime.min.time()
        ):
            return ["An appointment must start and end on the same day."]
        opening = self.opening_span(day)
        if opening is None:
            return [f"The clinic is closed on {day:%A}s."]
        if start < opening[0] or end > opening[1]:
            return [f"The clinic is open {_fmt(opening[0])}–{_fmt(opening[1])} on {day:%A}s."]
        problems = []
        spans = self.working_spans(practitioner.pk, day)
        if not any(span_start <= start and end <= span_end for span_start, span_end in spans):
            if spans:
                hours = ", ".join(f"{_fmt(a)}–{_fmt(b)}" for a, b in spans)
                problems.append(f"{practitioner.display_name} works {hours} on {day:%A}s.")
            else:
                problems.append(f"{practitioner.display_name} does not work on {day:%A}s.")
        for stretch in self.time_off_overlapping(practitioner.pk, start, end):
            problems.append(
                f"{practitioner.display_name} is away ({stretch.reason}) "
                f"{timezone.localtime(stretch.start):%d %b %H:%M}–"
                f"{timezone.localtime(stretch.end):%d %b %H:%M}."
            )
        return problems
