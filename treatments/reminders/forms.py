from django import forms
from django.core.exceptions import ValidationError

from clinic.formtools import DiaryDateField
from clinic.params import FIRST_YEAR, LAST_YEAR
from treatments.models import Channel, MessageState


class MessageFilterForm(forms.Form):
    """The Messages screen's filters: state, channel, and the days messages were (to be) sent."""

    state = forms.ChoiceField(choices=[("", "Any state"), *MessageState.choices], required=False)
    channel = forms.ChoiceField(choices=[("", "Any channel"), *Channel.choices], required=False)
    first_day = DiaryDateField(label="From", required=False)
    last_day = DiaryDateField(label="To", required=False)

    def clean(self):
        cleaned = super().clean()
        for name in ("first_day", "last_day"):
            day = cleaned.get(name)
            if day and not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(name, f"Choose a day between {FIRST_YEAR} and {LAST_YEAR}.")
        first, last = cleaned.get("first_day"), cleaned.get("last_day")
        if first and last and last < first:
            raise ValidationError("“To” is before “From”.")
        return cleaned
