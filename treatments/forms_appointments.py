from datetime import datetime, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils import timezone

from clinic.models import Practitioner, Room, local_datetime
from patients.forms import DateInput
from patients.models import Patient
from treatments.models import AppointmentType, CourseStatus, TreatmentCourse
from treatments.scheduling import TIMES_OF_DAY


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", attrs={"step": 900, **kwargs.pop("attrs", {})}, **kwargs)


def parse_local_start(value: str | None) -> datetime | None:
    """A `YYYY-MM-DDTHH:MM` from a calendar link, as an aware local datetime (or None)."""
    if not value:
        return None
    try:
        naive = datetime.strptime(value[:16], "%Y-%m-%dT%H:%M")
    except ValueError:
        return None
    return local_datetime(naive.date(), naive.time())


class WhenForm(forms.Form):
    """A date, a start time and a length in minutes, read in the clinic's time zone."""

    date = forms.DateField(widget=DateInput())
    time = forms.TimeField(widget=TimeInput(), label="Start time")
    duration = forms.IntegerField(
        min_value=5, max_value=480, label="Minutes", help_text="Set by the appointment type."
    )

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(name) is not None for name in ("date", "time", "duration")):
            cleaned["start"] = local_datetime(cleaned["date"], cleaned["time"])
            cleaned["end"] = cleaned["start"] + timedelta(minutes=cleaned["duration"])
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
        queryset=AppointmentType.objects.filter(is_active=True), label="Type"
    )
    course = forms.ModelChoiceField(
        queryset=TreatmentCourse.objects.filter(
            status__in=[CourseStatus.PLANNED, CourseStatus.ACTIVE]
        ).select_related("complaint"),
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
            Row(Column("appointment_type"), Column("course")),
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
        queryset=AppointmentType.objects.filter(is_active=True), label="Type"
    )
    first_day = forms.DateField(widget=DateInput(), label="From")
    last_day = forms.DateField(widget=DateInput(), label="To")
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
