"""Forms of the course screens: planning a course, changing its plan, booking its sessions."""

from datetime import date, datetime, time, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html

from clinic.models import OpeningHours, Practitioner, Room, local_datetime
from patients.forms import DateInput
from treatments.models import AppointmentType
from treatments.planning import CourseSuggestion

SESSIONS_HELP = "Between 1 and 12. The clinic's rule: acute 1 session, chronic 3–6."
GRID = timedelta(minutes=15)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: next to a field the form has, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class CoursePlanForm(forms.Form):
    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.active())
    planned_sessions = forms.IntegerField(
        min_value=1, max_value=12, label="Planned sessions", help_text=SESSIONS_HELP
    )
    interval_days = forms.IntegerField(
        min_value=1, max_value=60, initial=7, label="Days between sessions"
    )
    start_date = forms.DateField(widget=DateInput(), label="Start", initial=timezone.localdate)
    goal = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='What the course should achieve, e.g. "Walk the dog without leg pain."',
    )

    def __init__(self, *args, suggestion: CourseSuggestion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].label_from_instance = lambda p: p.display_name
        self.helper = FormHelper()
        self.helper.form_tag = False
        reason = (
            format_html(
                '<div class="alert alert-info small mb-3" id="suggestion">'
                "<strong>Suggested: {} session{}.</strong> {}</div>",
                suggestion.sessions,
                "" if suggestion.sessions == 1 else "s",
                suggestion.reason,
            )
            if suggestion
            else ""
        )
        self.helper.layout = Layout(
            "practitioner",
            Row(Column("planned_sessions", css_class="col-md-4"), Column(HTML(reason))),
            Row(Column("interval_days"), Column("start_date")),
            "goal",
        )


class CourseEditForm(forms.Form):
    planned_sessions = forms.IntegerField(
        min_value=1, max_value=12, label="Planned sessions", help_text=SESSIONS_HELP
    )
    interval_days = forms.IntegerField(min_value=1, max_value=60, label="Days between sessions")
    goal = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("planned_sessions"), Column("interval_days")), "goal"
        )


class DiscontinueForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        error_messages={"required": "Say why the course is discontinued."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("Say why the course is discontinued.")
        return reason


def quarter_hours() -> list[tuple[str, str]]:
    """Start times on the booking grid across the clinic's longest opening hours."""
    rows = list(OpeningHours.objects.all())
    opens = min((row.opens for row in rows), default=time(8))
    closes = max((row.closes for row in rows), default=time(20))
    day = date(2000, 1, 1)  # any day: only the times matter
    moment = datetime.combine(day, opens)
    choices = []
    while moment.time() < closes and moment.date() == day:
        choices.append((moment.strftime("%H:%M"), moment.strftime("%H:%M")))
        moment += GRID
    return choices


class CourseProposalForm(forms.Form):
    """Step 1 of booking a course: where the first session goes and how the rest follow."""

    first_date = forms.DateField(widget=DateInput(), label="First session on")
    first_time = forms.TypedChoiceField(
        label="Time", coerce=lambda value: datetime.strptime(value, "%H:%M").time()
    )
    interval_days = forms.IntegerField(min_value=1, max_value=60, label="Days between sessions")
    room = forms.ModelChoiceField(
        queryset=Room.objects.active(),
        label="Room",
        help_text="For every session; where it is taken, the alternatives offer another room.",
    )
    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.filter(is_active=True),
        label="Type",
        help_text=(
            "Sets every session's length. Follow-up by default: a course is planned once "
            "the complaint has been assessed. Choose Initial consultation only if the patient "
            "has not been seen yet (every session then takes its longer time)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_time"].choices = [("", "—"), *quarter_hours()]
        self.fields["appointment_type"].label_from_instance = lambda t: (
            f"{t.name} ({t.default_duration} min)"
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("first_date", css_class="col-sm-6 col-lg-3"),
                Column("first_time", css_class="col-sm-6 col-lg-2"),
                Column("interval_days", css_class="col-sm-6 col-lg-2"),
                Column("room", css_class="col-sm-6 col-lg-5"),
            ),
            "appointment_type",
        )

    def clean(self):
        cleaned = super().clean()
        day, at = cleaned.get("first_date"), cleaned.get("first_time")
        if day is not None and at is not None:
            cleaned["first_start"] = local_datetime(day, at)
            if cleaned["first_start"] < timezone.now():
                self.add_error("first_date", "That time has passed: choose a later one.")
        return cleaned


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", attrs={"step": 900}, **kwargs)


CHOICE_FORMAT = "%Y-%m-%dT%H:%M"


def choice_value(start: datetime, room: Room) -> str:
    """How an offered alternative travels in a radio button: local start and room id."""
    return f"{timezone.localtime(start):{CHOICE_FORMAT}}@{room.pk}"


class SessionSlotForm(forms.Form):
    """One row of the course report: a session's start and room, as the user left them.

    With the prefix `session-N` the inputs are `session-N-start` and `session-N-room`. An
    offered alternative picked with the radio button `session-N-choice` fills both inputs,
    as the page's small script does in the browser, so the report works without JavaScript.
    """

    start = forms.DateTimeField(
        widget=DateTimeLocalInput(),
        input_formats=[CHOICE_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={"invalid": "Enter a date and a time, e.g. 2026-04-14 10:00."},
    )
    room = forms.ChoiceField(error_messages={"invalid_choice": "Choose a room that is in use."})

    def __init__(self, data=None, *, number: int, rooms: list[Room], **kwargs):
        prefix = f"session-{number}"
        choice = data.get(f"{prefix}-choice", "") if data is not None else ""
        if "@" in choice:
            start_text, _, room_id = choice.partition("@")
            data = data.copy()
            data[f"{prefix}-start"], data[f"{prefix}-room"] = start_text, room_id
        super().__init__(data, prefix=prefix, **kwargs)
        self.number = number
        # One list of rooms shared by every row: no query per row.
        self.rooms = {str(room.pk): room for room in rooms}
        self.fields["room"].choices = [(pk, str(room)) for pk, room in self.rooms.items()]
        self.fields["start"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["room"].widget.attrs.update(
            {"class": "form-select form-select-sm", "style": "min-width: 11rem"}
        )

    def clean_room(self) -> Room:
        return self.rooms[self.cleaned_data["room"]]

    def clean_start(self) -> datetime:
        start = self.cleaned_data["start"]
        if start < timezone.now():
            raise ValidationError("That time has passed: choose a later one.")
        return start
