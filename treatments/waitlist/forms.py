"""The waitlist's forms: an entry, removing one, the list's filters, a freed slot."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from clinic.formtools import DiaryDateField, validate_diary_date
from clinic.models import Practitioner, Room
from patients.models import Patient
from treatments.models import (
    WAITLIST_TIMES_OF_DAY,
    AppointmentType,
    TreatmentCourse,
    WaitlistEntry,
    WaitlistUrgency,
)
from treatments.scheduling.forms import parse_local_start

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]
# A new entry stays on the list this long unless the desk says otherwise.
DEFAULT_EXPIRY_DAYS = 28


class EntryForm(forms.Form):
    """One patient's entry: the service checks the rest (whose course, the expiry)."""

    course = forms.ModelChoiceField(
        queryset=TreatmentCourse.objects.none(),
        required=False,
        help_text="The course the appointment is for, if any.",
    )
    complaint = forms.ModelChoiceField(
        queryset=None, required=False, help_text="Or the complaint, when it has no course yet."
    )
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.active(), required=False, empty_label="Any practitioner"
    )
    appointment_type = forms.ModelChoiceField(
        queryset=AppointmentType.objects.active(), label="Type"
    )
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=5, max_value=480, initial=45
    )
    weekdays = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Days",
        help_text="None ticked: any day.",
    )
    times_of_day = forms.MultipleChoiceField(
        choices=WAITLIST_TIMES_OF_DAY,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Times of day",
        help_text="Morning before 12:00, afternoon 12:00–17:00, evening from 17:00. None "
        "ticked: any time.",
    )
    urgency = forms.TypedChoiceField(
        choices=WaitlistUrgency.choices, coerce=int, initial=WaitlistUrgency.ROUTINE
    )
    expires_on = DiaryDateField(label="Keep on the list until")
    desk_notes = forms.CharField(
        label="Notes for the desk",
        max_length=200,
        required=False,
        help_text="Practical notes only (how to reach them, short notice is fine): nothing "
        "clinical.",
    )

    def __init__(self, *args, patient: Patient, entry: WaitlistEntry | None = None, **kwargs):
        if entry is not None:
            kwargs.setdefault("initial", self.initial_for(entry))
        else:
            initial = kwargs.setdefault("initial", {})
            initial.setdefault("expires_on", timezone.localdate() + timedelta(DEFAULT_EXPIRY_DAYS))
            initial.setdefault("appointment_type", AppointmentType.objects.follow_up())
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = (
            TreatmentCourse.objects.open()
            .filter(complaint__patient=patient)
            .select_related("complaint")
        )
        self.fields["course"].label_from_instance = lambda c: (
            f"{c.complaint.title} ({c.planned_sessions} sessions)"
        )
        self.fields["complaint"].queryset = patient.complaints.active()
        self.fields["practitioner"].label_from_instance = lambda p: p.display_name

    @staticmethod
    def initial_for(entry: WaitlistEntry) -> dict:
        return {
            "course": entry.course_id,
            "complaint": entry.complaint_id,
            "practitioner": entry.practitioner_id,
            "appointment_type": entry.appointment_type_id,
            "duration_minutes": entry.duration_minutes,
            "weekdays": entry.weekdays,
            "times_of_day": entry.times_of_day,
            "urgency": entry.urgency,
            "expires_on": entry.expires_on,
            "desk_notes": entry.desk_notes,
        }

    def clean(self):
        cleaned = super().clean()
        course, complaint = cleaned.get("course"), cleaned.get("complaint")
        if course and complaint and course.complaint_id != complaint.pk:
            self.add_error("complaint", "The course is for another complaint: choose one.")
        elif course and not complaint:
            cleaned["complaint"] = course.complaint
        return cleaned


class RemoveForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Found a time that suits, called"}),
        help_text="Kept with the entry.",
    )


class ListFilterForm(forms.Form):
    """The list's filters, read from the address (ids and choices only)."""

    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.active(), required=False, empty_label="Any practitioner"
    )
    urgency = forms.TypedChoiceField(
        choices=[("", "Any urgency"), *WaitlistUrgency.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    show = forms.ChoiceField(
        choices=[("current", "On the list"), ("past", "Past entries")], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].label_from_instance = lambda p: p.display_name
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class SlotForm(forms.Form):
    """A freed slot from a link: practitioner, room and its start and end (local times)."""

    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.all())
    room = forms.ModelChoiceField(queryset=Room.objects.all())
    start = forms.CharField()
    end = forms.CharField()

    MAX_LENGTH = timedelta(hours=8)

    def clean(self):
        cleaned = super().clean()
        start = parse_local_start(cleaned.get("start"))
        end = parse_local_start(cleaned.get("end"))
        if start is None or end is None:
            raise forms.ValidationError("That slot's times cannot be read.")
        validate_diary_date(start)
        if not timedelta(0) < end - start <= self.MAX_LENGTH:
            raise forms.ValidationError("That slot's end must come after its start, the same day.")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned
