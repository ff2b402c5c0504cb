"""The access log's filter."""

from datetime import time, timedelta

from django import forms

from clinic.formtools import DiaryDateField
from clinic.models import User, local_datetime
from patients.models import Patient
from treatments.audit.services import WHAT_CHOICES


class AccessLogFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        User.objects.order_by("username"), required=False, empty_label="Anyone"
    )
    patient = forms.CharField(required=False, max_length=100)
    what = forms.ChoiceField(choices=[("", "Anything"), *WHAT_CHOICES], required=False)
    date_from = DiaryDateField(required=False, label="From")
    date_to = DiaryDateField(required=False, label="To")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, bound in self.fields.items():
            css = "form-select" if isinstance(bound.widget, forms.Select) else "form-control"
            if self.is_bound and name in self.errors:
                css += " is-invalid"
            bound.widget.attrs["class"] = css
        self.fields["patient"].widget.attrs["placeholder"] = "Name or phone"

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end of the range is before its start.")
        return cleaned

    def filter(self, entries):
        """`entries` narrowed by whatever filters are valid (the invalid ones are ignored
        and shown with their errors)."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("user"):
            entries = entries.filter(user=data["user"])
        if data.get("patient"):
            entries = entries.filter(patient__in=Patient.objects.search(data["patient"]))
        if data.get("what"):
            entries = entries.filter(what=data["what"])
        if data.get("date_from"):
            entries = entries.filter(accessed_at__gte=local_datetime(data["date_from"], time()))
        if data.get("date_to"):
            next_day = data["date_to"] + timedelta(days=1)
            entries = entries.filter(accessed_at__lt=local_datetime(next_day, time()))
        return entries
