from crispy_forms.helper import FormHelper
from django import forms

from clinic.models import Practitioner
from treatments.models import ContactChannel, RecallContact, RecallDismissal


class RecallFilterForm(forms.Form):
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.all(),
        required=False,
        empty_label="Everyone",
        label="Practitioner",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class RecallContactForm(forms.ModelForm):
    class Meta:
        model = RecallContact
        fields = ["channel", "outcome"]
        widgets = {"channel": forms.RadioSelect}
        labels = {"outcome": "What came of it"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].widget.attrs["placeholder"] = "e.g. Left a message; will ring back"
        self.fields["outcome"].error_messages["required"] = "Say what came of it."
        # Radio buttons: one per way of getting in touch, none chosen until the desk picks.
        self.fields["channel"].choices = ContactChannel.choices
        self.fields["channel"].error_messages["required"] = "Say how you got in touch."
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_outcome(self) -> str:
        return " ".join(self.cleaned_data["outcome"].split())


class RecallDismissForm(forms.ModelForm):
    class Meta:
        model = RecallDismissal
        fields = ["reason"]
        labels = {"reason": "Why take it off the list"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["placeholder"] = (
            "e.g. Moved away; asked not to be called"
        )
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_reason(self) -> str:
        return " ".join(self.cleaned_data["reason"].split())
