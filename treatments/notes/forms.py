"""Forms of the practitioner's session note screens: the SOAP note, its point rows,
addenda and point sets. They validate and normalise; `treatments.notes.services` writes."""

from django import forms

from treatments.models import (
    AcupuncturePoint,
    AddendumKind,
    PointSet,
    PointSide,
    SessionNote,
    Technique,
)

EMPTY_POINT_ROWS = 8


class NoteForm(forms.ModelForm):
    """The written part of a draft note; the points come in a `PointRowFormSet`."""

    pain_before = forms.IntegerField(
        label="Pain before (0–10)", min_value=0, max_value=10, required=False
    )
    techniques = forms.MultipleChoiceField(
        choices=Technique.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    needles_inserted = forms.IntegerField(min_value=0, max_value=500, required=False)
    needles_removed = forms.IntegerField(min_value=0, max_value=500, required=False)
    retention_minutes = forms.IntegerField(
        label="Retention (minutes)", min_value=0, max_value=240, required=False
    )
    pain_after = forms.IntegerField(
        label="Pain after (0–10)", min_value=0, max_value=10, required=False
    )

    class Meta:
        model = SessionNote
        fields = SessionNote.CONTENT_FIELDS
        labels = {"red_flags_reviewed": "Red flags reviewed"}
        widgets = {
            "subjective": forms.Textarea(attrs={"rows": 3}),
            "objective": forms.Textarea(attrs={"rows": 3}),
            "assessment": forms.Textarea(attrs={"rows": 2}),
            "plan": forms.Textarea(attrs={"rows": 2}),
            "home_care": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_needles_inserted(self):
        return self.cleaned_data["needles_inserted"] or 0

    def clean_needles_removed(self):
        return self.cleaned_data["needles_removed"] or 0


def point_choices() -> list[tuple[str, str]]:
    """The catalogue as select choices, read once for all rows of a formset."""
    return [("", "—")] + [(str(p.pk), str(p)) for p in AcupuncturePoint.objects.all()]


class PointRowForm(forms.Form):
    point = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    side = forms.ChoiceField(choices=PointSide.choices, initial=PointSide.BILATERAL)

    def __init__(self, *args, point_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["point"].choices = point_choices


class BasePointRowFormSet(forms.BaseFormSet):
    def chosen(self) -> list[tuple[int, str]]:
        """(point id, side) of the filled rows, in order, without repeats."""
        rows = [
            (form.cleaned_data["point"], form.cleaned_data["side"])
            for form in self.forms
            if form.cleaned_data.get("point")
        ]
        return list(dict.fromkeys(rows))

    def points(self) -> list[tuple[AcupuncturePoint, str]]:
        chosen = self.chosen()
        catalogue = AcupuncturePoint.objects.in_bulk({pk for pk, _ in chosen})
        return [(catalogue[pk], side) for pk, side in chosen if pk in catalogue]


PointRowFormSet = forms.formset_factory(
    PointRowForm, formset=BasePointRowFormSet, extra=EMPTY_POINT_ROWS, max_num=200
)


def point_rows(data=None, *, rows=()) -> BasePointRowFormSet:
    """The point rows: the given (point id, side) rows plus empty ones to fill in.

    A bound formset gets no initial rows: a posted row equal to its initial counts as
    unchanged, and an unchanged extra row is dropped, which would lose a saved point."""
    initial = [] if data is not None else [{"point": pk, "side": side} for pk, side in rows]
    return PointRowFormSet(
        data, initial=initial, prefix="points", form_kwargs={"point_choices": point_choices()}
    )


class AddendumForm(forms.Form):
    kind = forms.ChoiceField(
        choices=AddendumKind.choices,
        required=False,
        initial=AddendumKind.CORRECTION,
        label="Kind",
        help_text="“Entered in error” when the session did not take place: the note stays, marked.",
    )
    reason = forms.CharField(max_length=200, help_text="Why the note needs a correction.")
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))

    def clean_kind(self):
        return self.cleaned_data["kind"] or AddendumKind.CORRECTION

    def clean_reason(self):
        return self.cleaned_data["reason"].strip()


class PointSetForm(forms.Form):
    name = forms.CharField(max_length=80)

    def __init__(self, *args, practitioner, **kwargs):
        super().__init__(*args, **kwargs)
        self.practitioner = practitioner

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if PointSet.objects.filter(practitioner=self.practitioner, name__iexact=name).exists():
            raise forms.ValidationError("You already have a point set with this name.")
        return name
