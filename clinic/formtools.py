"""What every app's forms share: date and time inputs, the booking grid, the diary's years,
service errors."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.models import local_datetime, wall_clock_problem

# The calendar's and the booking forms' grid: appointments start on these steps.
SLOT = timedelta(minutes=settings.SCHEDULE_SLOT_MINUTES)
SLOT_SECONDS = int(SLOT.total_seconds())


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    """A time; `on_grid` makes the browser offer only times on the booking grid."""

    input_type = "time"

    def __init__(self, *, on_grid: bool = False, attrs=None, **kwargs):
        attrs = {"step": SLOT_SECONDS, **(attrs or {})} if on_grid else attrs
        super().__init__(format="%H:%M", attrs=attrs, **kwargs)


class DateTimeLocalInput(forms.DateTimeInput):
    """A date and a time on the booking grid, in one input."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", attrs={"step": SLOT_SECONDS}, **kwargs)


# How far from today the diary reaches, either way. Beyond it a date is a typing slip (a year
# 9999 also overflows Python's dates as soon as an end time or the next day is computed).
DIARY_YEARS = 10


def diary_range(today: date | None = None) -> tuple[date, date]:
    """The first and last day anything can be booked or recorded for."""
    today = today or timezone.localdate()
    first, last = today.year - DIARY_YEARS, today.year + DIARY_YEARS
    day = min(today.day, 28) if (today.month, today.day) == (2, 29) else today.day
    return today.replace(year=first, day=day), today.replace(year=last, day=day)


def validate_diary_date(value: date | datetime) -> None:
    """Refuse a day (or a moment's day) outside `diary_range()`, saying where the diary ends."""
    day = value.date() if isinstance(value, datetime) else value  # as typed, local
    first, last = diary_range()
    if day > last:
        raise ValidationError(
            f"Choose a date up to {DIARY_YEARS} years ahead, until {last.day} {last:%b %Y}.",
            code="too_far_ahead",
        )
    if day < first:
        raise ValidationError(
            f"Choose a date in the last {DIARY_YEARS} years, from {first.day} {first:%b %Y}.",
            code="too_far_back",
        )


class DiaryDateField(forms.DateField):
    """A day in the diary (an appointment, a course's first session, time off): a date input
    that refuses days more than `DIARY_YEARS` away."""

    default_validators = [validate_diary_date]

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", DateInput())
        super().__init__(**kwargs)


def read_local(form: forms.Form, field: str, day: date, at: time) -> datetime | None:
    """`at` on `day` in the clinic's time zone; None, with the reason next to `field`, when the
    clocks skip or repeat that time that night (see `wall_clock_problem`)."""
    problem = wall_clock_problem(day, at)
    if problem:
        form.add_error(field, problem)
        return None
    return local_datetime(day, at)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: next to a field the form has, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)
