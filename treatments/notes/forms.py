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
from treatments.notes.catalogue import PointCatalogue

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


class PointRowForm(forms.Form):
    """One point of a note or a point set, typed or picked from the catalogue, and its side."""

    point = forms.CharField(required=False, max_length=120)
    side = forms.ChoiceField(choices=PointSide.choices, initial=PointSide.BILATERAL)

    def __init__(self, *args, catalogue: PointCatalogue, keep=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue, self.keep = catalogue, keep

    def clean_point(self) -> AcupuncturePoint | None:
        text = self.cleaned_data["point"].strip()
        return self.catalogue.find(text, keep=self.keep) if text else None


class BasePointRowFormSet(forms.BaseFormSet):
    def clean(self):
        """A point appears once: a second row with it is an error next to that row."""
        if any(self.errors):
            return
        rows_of = {}
        for number, form in enumerate(self.forms, start=1):
            point = form.cleaned_data.get("point")
            if point is None:
                continue
            if point.pk in rows_of:
                form.add_error("point", f"{point.code} is already in row {rows_of[point.pk]}.")
            else:
                rows_of[point.pk] = number

    def points(self) -> list[tuple[AcupuncturePoint, str]]:
        """(point, side) of the filled rows, in order."""
        return [
            (form.cleaned_data["point"], form.cleaned_data["side"])
            for form in self.forms
            if form.cleaned_data.get("point")
        ]


PointRowFormSet = forms.formset_factory(
    PointRowForm, formset=BasePointRowFormSet, extra=EMPTY_POINT_ROWS, max_num=200
)


def point_rows(data=None, *, rows=()) -> BasePointRowFormSet:
    """The point rows: the given (point id, side) rows plus empty ones to fill in. The
    catalogue is read once for every row (and offered to the page's picker as `catalogue`).

    A bound formset gets no initial rows: a posted row equal to its initial counts as
    unchanged, and an unchanged extra row is dropped, which would lose a saved point."""
    catalogue = PointCatalogue()
    saved = [(catalogue.by_pk[pk], side) for pk, side in rows if pk in catalogue.by_pk]
    initial = [] if data is not None else [{"point": p.label, "side": s} for p, s in saved]
    formset = PointRowFormSet(
        data,
        initial=initial,
        prefix="points",
        form_kwargs={"catalogue": catalogue, "keep": frozenset(p.pk for p, _ in saved)},
    )
    formset.catalogue = catalogue
    return formset


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


class PointForm(forms.ModelForm):
    """A clinic-specific point for the catalogue."""

    class Meta:
        model = AcupuncturePoint
        fields = ["code", "name", "english", "meridian"]
        help_texts = {
            "code": "Short and unique, e.g. CLINIC-1 or EAR-SHENMEN.",
            "meridian": "Or where it is: ear, scalp, hand…",
        }

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).upper()
        if AcupuncturePoint.objects.filter(code__iexact=code).exists():
            raise forms.ValidationError(f"The catalogue already has a point {code}.")
        return code

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())
