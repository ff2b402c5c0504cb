"""Which advice suits a complaint follows its presentation, not the literal region list
(treatments.homecare.matching): pain felt only in the thigh or calf comes from the muscles of
the lower back and hip and gets their advice; a knee, a foot or "other" does not."""

from itertools import combinations

import pytest
from django.urls import reverse

from patients.models import BodyRegion, RedFlag
from tests.factories import ComplaintFactory
from tests.treatments.homecare.sheets import issue, pdf_text, squeeze
from treatments.homecare.matching import is_back_and_hip, presentation_label
from treatments.homecare.pdf import sheet_pdf
from treatments.homecare.services import item_save, suggest_items

pytestmark = pytest.mark.django_db

BACK_AND_HIP_ADVICE = {
    "Moist heat on the lower back and buttock",
    "A hot bath instead of the heating pad",
    "Knees to chest",
    "Knee towards the opposite shoulder",
}
FOR_EVERYONE = {
    "Keep moving between long sits",
    "Cautions with every stretch",
    "When to contact us",
}


def suggested(*regions, **complaint) -> set[str]:
    complaint = ComplaintFactory(regions=list(regions), **complaint)
    return {item.title for item in suggest_items(complaint).items}


@pytest.mark.parametrize(
    "regions",
    [
        ["lower_back"],
        ["hip"],
        ["buttock"],
        ["lower_back", "hip", "buttock", "thigh"],  # the typical presentation
        ["hip", "buttock", "lower_leg"],
        ["thigh"],  # felt only in the leg
        ["lower_leg"],
        ["thigh", "lower_leg"],
        ["lower_back", "knee"],  # the back with a knee as well
        ["buttock", "foot"],
        ["hip", "other"],
    ],
)
def test_the_lower_back_and_hip_pattern_gets_the_whole_relief_advice(regions):
    assert suggested(*regions) == BACK_AND_HIP_ADVICE | FOR_EVERYONE


@pytest.mark.parametrize(
    "regions",
    [
        ["knee"],
        ["foot"],
        ["other"],
        ["knee", "thigh"],  # a knee problem felt up the thigh is still a knee
        ["knee", "lower_leg"],
        ["foot", "lower_leg"],
        ["knee", "foot"],
        ["thigh", "other"],
    ],
)
def test_something_else_gets_no_advice_meant_for_the_back(regions):
    assert suggested(*regions) == FOR_EVERYONE


def test_every_combination_the_clinic_can_record_is_one_or_the_other():
    """All 255 region combinations: back advice exactly when a back, hip or buttock region is
    recorded, or when the pain is only in the thigh and calf."""
    back = {"lower_back", "hip", "buttock"}
    for size in range(1, len(BodyRegion.values) + 1):
        for regions in combinations(BodyRegion.values, size):
            expected = bool(back & set(regions)) or set(regions) <= {"thigh", "lower_leg"}
            assert is_back_and_hip(regions) is expected, regions


def test_a_leg_only_complaint_with_inflammation_gets_the_stretches_without_heat():
    stretches = {"Knees to chest", "Knee towards the opposite shoulder"}
    assert suggested("thigh", red_flags=[RedFlag.INFLAMMATION]) == stretches | FOR_EVERYONE


def test_advice_written_for_the_knee_goes_to_knee_complaints_only(paul):
    item_save(
        by=paul,
        title="Knee circles",
        kind="movement",
        instructions="Sit on a chair.\nStraighten and bend your knee slowly.",
        regions=["knee"],
        position=55,
        is_active=True,
    )
    assert "Knee circles" in suggested("knee")
    assert "Knee circles" in suggested("lower_back", "knee")
    assert "Knee circles" not in suggested("thigh")
    assert "Knee circles" not in suggested("lower_back")


def test_the_builder_tells_the_practitioner_what_the_advice_was_chosen_for(paul_client):
    calf = ComplaintFactory(title="Calf pain after a run", regions=["lower_leg"])
    knee = ComplaintFactory(title="Left knee", regions=["knee", "thigh"])
    page = paul_client.get(
        reverse("treatments:sheet-create"), {"complaint": calf.pk}
    ).content.decode()
    assert "Advice suggested for the lower back and hip pattern" in page
    assert presentation_label(knee) == "its own regions: knee, thigh"


def test_a_leg_only_sheet_prints_the_heat_and_both_stretches(paul, paul_client):
    calf = ComplaintFactory(title="Pain down the back of the leg", regions=["thigh", "lower_leg"])
    items = suggest_items(calf).items
    sheet = issue(paul.practitioner, calf.patient, items=items, complaint=calf)
    printed = paul_client.get(reverse("treatments:sheet-detail", args=[sheet.pk]))
    pdf = squeeze(pdf_text(sheet_pdf(sheet)))
    for text in (printed.content.decode(), pdf):
        assert "Lay a moist heating pad over the muscles of your lower back and buttock." in text
        assert "Slowly pull both knees towards your chest." in text
        assert "Take the knee of the painful leg in both hands." in text
        assert "Without heat:" not in text
