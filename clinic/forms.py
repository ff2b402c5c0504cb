from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.db.models.functions import Lower

from clinic.models import Practitioner, Room, User, colour_validator
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
