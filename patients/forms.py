from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils import timezone

from clinic.formtools import DateInput
from patients.models import BodyRegion, Complaint, Patient, RedFlag


class PatientForm(forms.ModelForm):
    consent_given = forms.BooleanField(
        required=False,
        label="The patient has consented to treatment",
        help_text="Records today's date and your name.",
    )
    # Shown (in the warning, not in the layout) only when the patient may be registered already.
    confirm_not_duplicate = forms.BooleanField(
        required=False,
        label="This is a different person with the same name and date of birth: "
        "register them anyway",
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    class Meta:
        model = Patient
        fields = [
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "phone",
            "email",
            "address",
            "emergency_contact_name",
            "emergency_contact_phone",
            "front_desk_notes",
            "email_contact",
            "sms_contact",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "address": forms.Textarea(attrs={"rows": 3}),
            "front_desk_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicates = []
        if self.instance.pk:
            self.fields["consent_given"].initial = self.instance.has_consent
            if self.instance.has_consent:
                self.fields["consent_given"].help_text = (
                    f"Recorded on {self.instance.consent_given_on:%d %b %Y} by "
                    f"{self.instance.consent_recorded_by}. Untick only if consent is withdrawn."
                )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Patient",
                Row(Column("given_name"), Column("family_name"), Column("preferred_name")),
                Row(Column("date_of_birth"), Column("sex")),
            ),
            Fieldset(
                "Contact",
                Row(Column("phone"), Column("email")),
                "address",
                Row(Column("emergency_contact_name"), Column("emergency_contact_phone")),
            ),
            Fieldset("At the desk", "front_desk_notes", "consent_given"),
            Fieldset("Appointment reminders", Row(Column("email_contact"), Column("sms_contact"))),
        )
        recorded = self.instance.contact_consent_recorded_at
        if recorded:
            self.fields["sms_contact"].help_text = (
                f"Last changed {timezone.localtime(recorded):%d %b %Y %H:%M} by "
                f"{self.instance.contact_consent_recorded_by}."
            )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        cleaned = super().clean()
        given, family, born = (
            cleaned.get(f) for f in ("given_name", "family_name", "date_of_birth")
        )
        if self.instance.pk is None and given and family and born:
            self.duplicates = Patient.objects.possible_duplicates_of(
                given_name=given, family_name=family, date_of_birth=born
            )
            if self.duplicates and not cleaned.get("confirm_not_duplicate"):
                # Next to the confirmation box, which the page shows in its one warning
                # with links to the patients already registered (crispy shows no copy).
                self.add_error(
                    "confirm_not_duplicate",
                    forms.ValidationError(
                        "A patient with this name and date of birth is already registered.",
                        code="possible_duplicate",
                    ),
                )
        return cleaned

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ComplaintForm(forms.ModelForm):
    regions = forms.MultipleChoiceField(
        choices=BodyRegion.choices, widget=forms.CheckboxSelectMultiple, label="Body regions"
    )
    red_flags = forms.MultipleChoiceField(
        choices=RedFlag.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Any ticked flag shows a referral warning on the patient's record.",
    )

    class Meta:
        model = Complaint
        fields = [
            "title",
            "regions",
            "side",
            "onset_date",
            "onset_story",
            "pain_at_intake",
            "aggravating_factors",
            "easing_factors",
            "red_flags",
            "status",
        ]
        widgets = {
            "onset_date": DateInput(),
            "onset_story": forms.Textarea(attrs={"rows": 2}),
            "aggravating_factors": forms.Textarea(attrs={"rows": 2}),
            "easing_factors": forms.Textarea(attrs={"rows": 2}),
            "pain_at_intake": forms.NumberInput(attrs={"min": 0, "max": 10}),
        }

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        if self.instance.pk is None:
            # A new complaint is active; resolving or referring it is a later decision.
            del self.fields["status"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        status = ["status"] if "status" in self.fields else []
        self.helper.layout = Layout(
            "title",
            Row(Column("regions"), Column("side", "onset_date", "pain_at_intake")),
            "onset_story",
            Row(Column("aggravating_factors"), Column("easing_factors")),
            "red_flags",
            *status,
        )

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        label="Search patients",
        widget=forms.SearchInput(
            attrs={"placeholder": "Name, phone or date of birth (dd/mm/yyyy)", "autofocus": True}
        ),
    )
    archived = forms.BooleanField(required=False, label="Include archived patients")
