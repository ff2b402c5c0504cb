"""Forms for the home-care library and for building a sheet (issue 5)."""

from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError

from clinic.pictures import PICTURE_HELP, picture_data_uri
from patients.models import BodyRegion
from treatments.homecare.matching import suits
from treatments.homecare.services import INTROS, Suggestion
from treatments.models import HomeCareItem, HomeCareKind, SheetKind


class HomeCareItemForm(forms.Form):
    """A library item; the picture becomes a data: URI (see clinic.pictures)."""

    title = forms.CharField(max_length=120)
    # No kind is preselected: a new item defaulting to Heat went into the library as heat,
    # suggested for everyone, when the practitioner had not chosen.
    kind = forms.ChoiceField(
        choices=[("", "Choose…"), *HomeCareKind.choices],
        error_messages={"required": "Choose what kind of advice this is."},
    )
    instructions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One step per line, in plain words the patient understands.",
    )
    dose = forms.CharField(
        max_length=120,
        required=False,
        help_text="Duration, hold, repetitions or how often, e.g. “Hold 30 s, 3 times”.",
    )
    regions = forms.MultipleChoiceField(
        choices=BodyRegion.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Suits these body regions",
        help_text=(
            "Leave every box unticked for advice that suits every complaint, whatever the "
            "region. Advice for the lower back, hip or buttock also goes to complaints felt "
            "only in the thigh or calf (the same muscles cause them)."
        ),
    )
    not_with_inflammation = forms.BooleanField(
        label="Not advised with inflammation",
        required=False,
        help_text=(
            "Left out of the suggestion when inflammation is recorded. Required for heat: heat "
            "is not advised with inflammation."
        ),
    )
    without_heat = forms.CharField(
        label="Without heat",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=400,
        help_text=(
            "For steps that need warmth (“only once your back is warm”): what the patient does "
            "instead when the sheet has no heat, or that they ask their practitioner first."
        ),
    )
    position = forms.IntegerField(
        min_value=0, max_value=32767, initial=100, help_text="Order on a sheet (lowest first)."
    )
    is_active = forms.BooleanField(
        label="Active", required=False, initial=True, help_text="Inactive items are not offered."
    )
    illustration = forms.FileField(
        required=False,
        help_text=f"Optional: {PICTURE_HELP}.",
    )
    remove_illustration = forms.BooleanField(label="Remove the picture", required=False)

    def __init__(self, *args, item: HomeCareItem | None = None, **kwargs):
        if item is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                name: getattr(item, name)
                for name in self.base_fields
                if name not in ("illustration", "remove_illustration")
            }
        super().__init__(*args, **kwargs)
        self.item = item
        if item is None or not item.illustration:
            del self.fields["remove_illustration"]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_illustration(self) -> str:
        """The uploaded picture as a data: URI ("" when none was uploaded)."""
        upload = self.cleaned_data.get("illustration")
        return picture_data_uri(upload) if upload else ""


@dataclass
class BuilderRow:
    item: HomeCareItem
    include: forms.BoundField
    position: forms.BoundField
    note: forms.BoundField
    suggested: bool
    left_out: str  # why the suggestion left it out, "" if it did not
    other_region: bool  # it is for other body regions than the complaint's


class SheetBuilderForm(forms.Form):
    """The sheet's kind and intro, and one row per active library item: include, order, note."""

    kind = forms.ChoiceField(
        choices=SheetKind.choices, widget=forms.RadioSelect, initial=SheetKind.RELIEF
    )
    intro = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Printed at the top of the sheet; leave empty for the standard wording.",
    )

    def __init__(self, *args, items, suggestion: Suggestion, complaint, kind=None, **kwargs):
        kind = kind if kind in SheetKind.values else SheetKind.RELIEF
        initial = {"kind": kind, "intro": INTROS[kind]}
        suggested = {item.pk for item in suggestion.items}
        for number, item in enumerate(items, start=1):
            initial[f"include_{item.pk}"] = item.pk in suggested
            initial[f"position_{item.pk}"] = number * 10
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.items = list(items)
        self.suggested = suggested
        self.complaint = complaint
        self.reasons = {}
        for item in self.items:
            reason = suggestion.reasons.get(item.pk, "")
            self.reasons[item.pk] = reason
            self.fields[f"include_{item.pk}"] = forms.BooleanField(
                required=False, label=f"Include “{item.title}”"
            )
            self.fields[f"position_{item.pk}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=9999,
                label=f"Order of “{item.title}”",
                error_messages={"invalid": "Enter the order as a whole number, e.g. 10."},
            )
            self.fields[f"note_{item.pk}"] = forms.CharField(
                required=False, max_length=300, label=f"Personal note for “{item.title}”"
            )

    def rows(self) -> list[BuilderRow]:
        return [
            BuilderRow(
                item=item,
                include=self[f"include_{item.pk}"],
                position=self[f"position_{item.pk}"],
                note=self[f"note_{item.pk}"],
                suggested=item.pk in self.suggested,
                left_out=self.reasons[item.pk],
                other_region=not suits(item, self.complaint),
            )
            for item in self.items
        ]

    def clean(self):
        cleaned = super().clean()
        chosen = [item for item in self.items if cleaned.get(f"include_{item.pk}")]
        if not chosen:
            raise ValidationError("Tick at least one item for the sheet.")
        for item in chosen:
            if cleaned.get(f"position_{item.pk}") is None and not self.has_error(
                f"position_{item.pk}"
            ):
                self.add_error(f"position_{item.pk}", "Give the order as a whole number.")
        return cleaned

    def entries(self) -> list[tuple[HomeCareItem, str]]:
        """The ticked items with their notes, in ascending order number (ties: library order)."""
        chosen = [
            (self.cleaned_data[f"position_{item.pk}"], index, item)
            for index, item in enumerate(self.items)
            if self.cleaned_data.get(f"include_{item.pk}")
        ]
        return [(item, self.cleaned_data[f"note_{item.pk}"]) for _, _, item in sorted(chosen)]

    def deliberate_left_outs(self) -> list[str]:
        """The reasons of left-out items the practitioner ticked anyway."""
        return [
            self.reasons[item.pk]
            for item in self.items
            if self.cleaned_data.get(f"include_{item.pk}") and self.reasons[item.pk]
        ]

    def intro_text(self) -> str:
        """The typed intro; a standard intro (of either kind) becomes the chosen kind's one."""
        intro = self.cleaned_data["intro"].strip()
        return "" if intro in [text.strip() for text in INTROS.values()] else intro


def item_fields(form: HomeCareItemForm) -> dict:
    """The form's values for homecare.item_save; the picture only if uploaded or removed."""
    fields = {
        k: v
        for k, v in form.cleaned_data.items()
        if k not in ("illustration", "remove_illustration")
    }
    if form.cleaned_data.get("illustration"):
        fields["illustration"] = form.cleaned_data["illustration"]
    elif form.cleaned_data.get("remove_illustration"):
        fields["illustration"] = ""
    return fields
