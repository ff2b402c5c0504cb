"""What every app's forms share: date and time inputs, the booking grid, service errors."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

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


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: next to a field the form has, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)
