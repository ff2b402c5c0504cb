from datetime import UTC, date, datetime, time, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.http import urlencode

from clinic.formtools import (
    SLOT,
    DateTimeLocalInput,
    DiaryDateField,
    TimeInput,
    read_local,
    validate_diary_date,
)
from clinic.models import OpeningHours, Practitioner, Room, local_datetime
from clinic.params import FIRST_YEAR, LAST_YEAR
from patients.models import Patient
from treatments.models import LONGEST_APPOINTMENT_MINUTES, AppointmentType, TreatmentCourse
from treatments.scheduling.free_slots import TIMES_OF_DAY

LOCAL_START = "%Y-%m-%dT%H:%M"


def parse_local_start(value: str | None) -> datetime | None:
    """A `YYYY-MM-DDTHH:MM` from a calendar link, as an aware local datetime (or None)."""
    if not value:
        return None
    try:
        naive = datetime.strptime(value[:16], LOCAL_START)
    except ValueError:
        return None
    return local_datetime(naive.date(), naive.time())


def slot_query(*, start: datetime, end: datetime, practitioner_id: int, room_id: int) -> str:
    """A slot as an address's query (read back with `parse_local_start`): who, where, when,
    and no patient, e.g. for the waitlist's page filling a slot freed by a cancel or a move."""
    return urlencode(
        {
            "practitioner": practitioner_id,
            "room": room_id,
            "start": timezone.localtime(start).strftime(LOCAL_START),
            "end": timezone.localtime(end).strftime(LOCAL_START),
        }
    )


class WhenForm(forms.Form):
    """A date, a start time and a length in minutes, read in the clinic's time zone."""

    date = DiaryDateField()
    time = forms.TimeField(widget=TimeInput(on_grid=True), label="Start time")
    duration = forms.IntegerField(
        min_value=5,
        max_value=LONGEST_APPOINTMENT_MINUTES,
        label="Minutes",
        help_text="Set by the appointment type.",
        error_messages={
            "min_value": "An appointment lasts at least 5 minutes.",
            "max_value": f"An appointment lasts at most 8 hours ({LONGEST_APPOINTMENT_MINUTES} "
            "minutes).",
        },
    )

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(name) is not None for name in ("date", "time", "duration")):
            start = read_local(self, "time", cleaned["date"], cleaned["time"])
            if start is not None:
                # Real minutes, not wall-clock ones: 45 minutes stay 45 across a clock change.
                length = timedelta(minutes=cleaned["duration"])
                cleaned["start"] = start
                cleaned["end"] = timezone.localtime(start.astimezone(UTC) + length)
        return cleaned


class BookingForm(WhenForm):
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.current(),
        widget=forms.HiddenInput,
        error_messages={"required": "Choose a patient: search by name, phone or date of birth."},
    )
    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.active())
    room = forms.ModelChoiceField(queryset=Room.objects.active())
    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.active(), label="Type"
    )
    course = forms.ModelChoiceField(
        queryset=TreatmentCourse.objects.open().select_related("complaint"),
        required=False,
        help_text="Optional: the treatment course this session belongs to.",
    )
    override_reason = forms.CharField(
        required=False,
        max_length=200,
        label="Reason to book outside working hours",
        help_text="Clinic managers only: leave empty to keep to working hours.",
    )

    field_order = ["patient", "practitioner", "room", "appointment_type", "date", "time"]

    def __init__(self, *args, can_override: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_override:
            del self.fields["override_reason"]
        self.fields["practitioner"].label_from_instance = lambda p: p.display_name
        # Only the chosen patient's open courses (none until a patient is chosen).
        patient = self.chosen_patient
        courses = self.fields["course"].queryset
        self.fields["course"].queryset = (
            courses.filter(complaint__patient=patient) if patient else courses.none()
        )
        self.fields["course"].label_from_instance = lambda c: (
            f"{c.complaint.title} ({c.planned_sessions} sessions)"
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "patient",
            Row(Column("practitioner"), Column("room")),
            Row(Column("appointment_type"), Column(Div("course", css_id="course-field"))),
            Row(Column("date"), Column("time"), Column("duration")),
            *(["override_reason"] if can_override else []),
        )

    @property
    def chosen_patient(self) -> Patient | None:
        """The patient picked so far (also on a form shown again with errors)."""
        value = self["patient"].value() if "patient" in self.fields else None
        if isinstance(value, Patient):
            return value
        try:
            return Patient.objects.current().get(pk=int(value)) if value else None
        except (ValueError, TypeError, Patient.DoesNotExist):
            return None


class MoveForm(WhenForm):
    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.active())
    room = forms.ModelChoiceField(queryset=Room.objects.active())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].label_from_instance = lambda p: p.display_name
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("date"), Column("time"), Column("duration")),
            Row(Column("practitioner"), Column("room")),
        )

    @staticmethod
    def initial_for(appointment) -> dict:
        """Where the appointment is now: the form's starting values."""
        local = timezone.localtime(appointment.start)
        return {
            "date": local.date(),
            "time": local.time(),
            "duration": appointment.duration_minutes,
            "practitioner": appointment.practitioner_id,
            "room": appointment.room_id,
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Patient unwell, will call to rebook"}),
        help_text="Kept on the appointment. Less than 24 hours' notice is marked late.",
    )


class FreeSlotForm(forms.Form):
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.active(), required=False, empty_label="Any practitioner"
    )
    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.active(), label="Type"
    )
    first_day = DiaryDateField(label="From")
    last_day = DiaryDateField(label="To")
    time_of_day = forms.ChoiceField(
        choices=[(key, key.capitalize()) for key in TIMES_OF_DAY], initial="any"
    )
    patient = forms.ModelChoiceField(
        queryset=Patient.objects.current(), required=False, widget=forms.HiddenInput
    )

    MAX_DAYS = 31

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].label_from_instance = lambda p: p.display_name

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last:
            if last < first:
                self.add_error("last_day", "Choose a day on or after the first day.")
            elif (last - first).days > self.MAX_DAYS:
                self.add_error("last_day", f"Search at most {self.MAX_DAYS} days at a time.")
            if first < timezone.localdate():
                cleaned["first_day"] = timezone.localdate()
        return cleaned


class DaySheetForm(forms.Form):
    """Which day sheet to print: a day, and everyone or one practitioner."""

    day = DiaryDateField(label="Day")
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.active().order_by("display_name", "pk"),
        required=False,
        empty_label="Everyone",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].label_from_instance = lambda p: p.display_name

    def clean_day(self):
        day = self.cleaned_data["day"]
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValidationError(f"Choose a day between {FIRST_YEAR} and {LAST_YEAR}.")
        return day


# --- booking a whole course: the proposal and the report's rows ---------------------------


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
        moment += SLOT
    return choices


class CourseProposalForm(forms.Form):
    """Step 1 of booking a course: where the first session goes and how the rest follow."""

    first_date = DiaryDateField(label="First session on")
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
        queryset=AppointmentType.objects.active(),
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
            cleaned["first_start"] = read_local(self, "first_time", day, at)
            if cleaned["first_start"] is None:
                del cleaned["first_start"]
            elif cleaned["first_start"] < timezone.now():
                self.add_error("first_date", "That time has passed: choose a later one.")
        return cleaned


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
        validators=[validate_diary_date],
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
