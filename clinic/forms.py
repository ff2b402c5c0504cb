from datetime import time, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.utils import timezone

from clinic.formtools import DiaryDateField, TimeInput, read_local
from clinic.models import (
    ClinicProfile,
    OpeningHours,
    Practitioner,
    Room,
    User,
    Weekday,
    colour_validator,
    local_datetime,
)
from clinic.pictures import PICTURE_HELP, picture_data_uri
from clinic.roles import Role


class ColourInput(forms.TextInput):
    input_type = "color"


class StaffFormMixin(forms.Form):
    """Roles and, for practitioners, the profile shown on calendars and sheets."""

    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="A clinic manager who also treats patients holds both roles.",
    )
    display_name = forms.CharField(
        max_length=100, required=False, help_text="For practitioners: e.g. Dr Ana Reyes."
    )
    credentials = forms.CharField(
        max_length=60, required=False, help_text="For practitioners: e.g. L.Ac., MBAcC."
    )
    colour = forms.CharField(
        max_length=7,
        required=False,
        initial="#2a9d8f",
        widget=ColourInput,
        label="Calendar colour",
        validators=[colour_validator],
    )

    def clean(self):
        cleaned = super().clean()
        if Role.PRACTITIONER in cleaned.get("roles", []):
            if not cleaned.get("display_name"):
                name = f"{cleaned.get('first_name', '')} {cleaned.get('last_name', '')}".strip()
                if not name:
                    self.add_error("display_name", "Practitioners need a display name.")
                cleaned["display_name"] = name
            if not cleaned.get("colour"):
                cleaned["colour"] = "#2a9d8f"
        return cleaned

    def practitioner_details(self) -> dict | None:
        if Role.PRACTITIONER not in self.cleaned_data["roles"]:
            return None
        return {f: self.cleaned_data[f] for f in ("display_name", "credentials", "colour")}

    def layout(self, *account_fields):
        helper = FormHelper()
        helper.form_tag = False
        helper.layout = Layout(
            Fieldset("Account", *account_fields),
            Fieldset("Role", "roles"),
            Fieldset(
                "Practitioner profile",
                Row(Column("display_name"), Column("credentials"), Column("colour")),
            ),
        )
        return helper


class StaffCreateForm(StaffFormMixin, UserCreationForm):
    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True
        self.helper = self.layout(
            Row(Column("first_name"), Column("last_name")),
            Row(Column("username"), Column("email")),
            Row(Column("password1"), Column("password2")),
        )


class StaffEditForm(StaffFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.instance
        self.fields["roles"].initial = sorted(user.roles) if not user.is_superuser else []
        profile = Practitioner.objects.filter(user=user).first()
        if profile:
            for name in ("display_name", "credentials", "colour"):
                self.fields[name].initial = getattr(profile, name)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True
        self.helper = self.layout(
            Row(Column("first_name"), Column("last_name")), Row(Column("email"))
        )


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = Room.objects.annotate(lower=Lower("name")).filter(lower=name.lower())
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A room with this name already exists.")
        return name


class ClinicProfileForm(forms.ModelForm):
    """The clinic's details as printed on sheets; the logo becomes a data: URI (see
    clinic.pictures). The form never saves: `profile_fields()` goes to the service."""

    logo = forms.FileField(
        required=False,
        label="Logo",
        help_text=f"Optional: {PICTURE_HELP}; printed small in the corner of every home-care "
        "sheet.",
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    class Meta:
        model = ClinicProfile
        fields = ["name", "phone", "email", "address", "sheet_footer", "recall_after_months"]
        reminder_fields = [
            "reminder_email_hours",
            "reminder_sms_hours",
            "quiet_hours_start",
            "quiet_hours_end",
            "reminder_grace_minutes",
        ]
        fields += reminder_fields
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "quiet_hours_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_hours_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.logo:
            del self.fields["remove_logo"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "name",
            Row(Column("phone"), Column("email")),
            "address",
            "sheet_footer",
            "logo",
            *(["remove_logo"] if "remove_logo" in self.fields else []),
            "recall_after_months",
            Fieldset(
                "Appointment reminders",
                Row(Column("reminder_email_hours"), Column("reminder_sms_hours")),
                Row(
                    Column("quiet_hours_start"),
                    Column("quiet_hours_end"),
                    Column("reminder_grace_minutes"),
                ),
            ),
        )

    def clean_logo(self) -> str:
        """The uploaded picture as a data: URI ("" when none was uploaded)."""
        upload = self.cleaned_data.get("logo")
        return picture_data_uri(upload) if upload else ""

    def profile_fields(self) -> dict:
        """The values for services.clinic_profile_save: the logo only if uploaded or removed."""
        reminders = self.Meta.reminder_fields
        fields = {
            name: self.cleaned_data[name] for name in self.Meta.fields if name not in reminders
        }
        fields["reminders"] = {name: self.cleaned_data[name] for name in reminders}
        if self.cleaned_data["logo"]:
            fields["logo"] = self.cleaned_data["logo"]
        elif self.cleaned_data.get("remove_logo"):
            fields["logo"] = ""
        return fields


# --- opening hours, working hours, time off ------------------------------------------------


class OpeningDayForm(forms.Form):
    """One weekday on the opening-hours screen: open or closed, and from when to when.

    Rendered by hand as a table row, so it marks its own invalid inputs for Bootstrap.
    """

    is_open = forms.BooleanField(
        required=False,
        label="Open",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    opens = forms.TimeField(required=False, widget=TimeInput(attrs={"class": "form-control"}))
    closes = forms.TimeField(required=False, widget=TimeInput(attrs={"class": "form-control"}))

    def __init__(self, *args, weekday: int, **kwargs):
        super().__init__(*args, prefix=f"day{weekday}", **kwargs)
        self.weekday = weekday
        self.label = Weekday(weekday).label
        for name, field in self.fields.items():
            field.widget.attrs["aria-label"] = f"{self.label}: {field.label or name}"

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields and "is-invalid" not in self.fields[name].widget.attrs["class"]:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("is_open"):
            return cleaned  # times typed for a closed day are kept on screen but not saved
        opens, closes = cleaned.get("opens"), cleaned.get("closes")
        if opens is None and "opens" not in self.errors:
            self.add_error("opens", "Say when the clinic opens.")
        if closes is None and "closes" not in self.errors:
            self.add_error("closes", "Say when the clinic closes.")
        if opens and closes and closes <= opens:
            self.add_error("closes", "The clinic must close after it opens.")
        return cleaned

    def hours(self) -> tuple[time, time] | None:
        """(opens, closes) for the service, or None for a closed day."""
        if not self.cleaned_data["is_open"]:
            return None
        return self.cleaned_data["opens"], self.cleaned_data["closes"]


def opening_week_forms(data, rows) -> list[OpeningDayForm]:
    """One form per weekday, Monday first, filled from the `rows` of OpeningHours."""
    by_day = {row.weekday: row for row in rows}
    forms_ = []
    for weekday in Weekday.values:
        row: OpeningHours | None = by_day.get(weekday)
        initial = {"is_open": row is not None}
        if row is not None:
            initial.update(opens=row.opens, closes=row.closes)
        forms_.append(OpeningDayForm(data, weekday=weekday, initial=initial))
    return forms_


class ServiceErrorsMixin:
    """Show a service's ValidationError on the form, whatever fields the model named."""

    service_error_field: str | None = None  # where refusals about the whole row go

    def add_service_error(self, error: ValidationError) -> None:
        by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        for field, messages in by_field.items():
            self.add_error(field if field in self.fields else self.service_error_field, messages)


class WorkingHoursForm(ServiceErrorsMixin, forms.Form):
    """A new block in a practitioner's week, e.g. Monday 09:00–12:30."""

    # The model's refusal of an overlapping block belongs next to the times, not above them.
    service_error_field = "start"

    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, label="Day")
    start = forms.TimeField(widget=TimeInput(), label="From")
    end = forms.TimeField(widget=TimeInput(), label="Until")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "weekday", Row(Column("start", css_class="col-6"), Column("end", css_class="col-6"))
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end <= start:
            self.add_error("end", "A block must end after it starts.")
        return cleaned


class TimeOffForm(ServiceErrorsMixin, forms.Form):
    """A stretch of time off; empty times mean whole days."""

    # The model's refusal of time off overlapping other time off belongs next to the dates.
    service_error_field = "start_date"

    start_date = DiaryDateField(label="From")
    start_time = forms.TimeField(
        required=False, widget=TimeInput(), label="Time", help_text="Empty: from the start."
    )
    end_date = DiaryDateField(label="Until")
    end_time = forms.TimeField(
        required=False, widget=TimeInput(), label="Time", help_text="Empty: to the end."
    )
    reason = forms.CharField(max_length=200, help_text="e.g. Holiday, CPD course, illness.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("start_date", css_class="col-7"), Column("start_time", css_class="col-5")),
            Row(Column("end_date", css_class="col-7"), Column("end_time", css_class="col-5")),
            "reason",
        )

    def clean(self):
        cleaned = super().clean()
        start_date, end_date = cleaned.get("start_date"), cleaned.get("end_date")
        if start_date is None or end_date is None or self.has_error("start_time"):
            return cleaned
        if self.has_error("end_time"):
            return cleaned
        start = read_local(self, "start_time", start_date, cleaned.get("start_time") or time(0))
        end_time = cleaned.get("end_time")
        end = (
            read_local(self, "end_time", end_date, end_time)
            if end_time is not None
            else local_datetime(end_date + timedelta(days=1), time(0))
        )
        if start is None or end is None:
            return cleaned
        if end <= start:
            field = "end_time" if end_date == start_date else "end_date"
            self.add_error(field, "Time off must end after it starts.")
        elif end <= timezone.now():
            self.add_error("end_date", "This time off is already over.")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


class SecondFactorCodeForm(forms.Form):
    """The code after the password: six digits from the authenticator app, or a backup code."""

    token = forms.CharField(
        label="Code",
        max_length=16,
        help_text="The six digits your authenticator app shows now, or one of your backup codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "autofocus": True}
        ),
    )


class AuthenticatorSetupForm(forms.Form):
    token = forms.CharField(
        label="Code from the app",
        max_length=8,
        help_text="After scanning, the app shows six digits: type them here.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )
