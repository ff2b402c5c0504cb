"""Forms of the course screens: planning a course, changing its plan, closing it."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from clinic.models import Practitioner
from treatments.planning import CourseSuggestion

SESSIONS_HELP = "Between 1 and 12. The clinic's rule: acute 1 session, chronic 3–6."


class CoursePlanForm(forms.Form):
    """How many sessions, how often, with whom. When the course starts is chosen once, on the
    next step: its first session's day (so the plan and the sessions never disagree)."""

    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.active())
    planned_sessions = forms.IntegerField(
        min_value=1, max_value=12, label="Planned sessions", help_text=SESSIONS_HELP
    )
    interval_days = forms.IntegerField(
        min_value=1, max_value=60, initial=7, label="Days between sessions"
    )
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
            Row(Column("interval_days", css_class="col-md-4")),
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
