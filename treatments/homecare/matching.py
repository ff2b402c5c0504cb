"""Which library advice suits a complaint: the one matching rule for home-care sheets.

The clinic's typical presentation (DOMAIN.md, "The typical complaint") is one thing: the
muscles of the lower back and hip tighten, and the pain is felt in the hip, buttock and leg.
So a complaint recorded in any of those places, or only in the leg (thigh, calf), gets the
advice written for the lower back, hip and buttock — heat, knees to chest, knee towards the
opposite shoulder. A complaint that is something else (a knee, a foot, "other") gets only
advice tagged for its own regions, never advice meant for the back.

| the complaint's regions                    | presentation                     |
|--------------------------------------------|----------------------------------|
| any of lower back, hip, buttock (+ others) | back and hip, plus its others    |
| only thigh and/or calf                     | back and hip (pain felt in leg)  |
| anything else (knee, foot, other, mixes of | its own regions only             |
| these with thigh or calf)                  |                                  |

A library item with no regions suits every complaint.
"""

from patients.models import BodyRegion, Complaint
from treatments.models import HomeCareItem

# Where the tight muscles are.
BACK_AND_HIP = frozenset({BodyRegion.LOWER_BACK, BodyRegion.HIP, BodyRegion.BUTTOCK})
# Where their pain is felt down the leg.
LEG = frozenset({BodyRegion.THIGH, BodyRegion.LOWER_LEG})


def is_back_and_hip(regions) -> bool:
    """The complaint is the lower back and hip presentation (see the table above)."""
    regions = frozenset(regions)
    return bool(regions & BACK_AND_HIP) or (bool(regions) and regions <= LEG)


def presentation(regions) -> frozenset[str]:
    """The regions whose advice suits a complaint recorded with `regions`."""
    regions = frozenset(regions)
    return regions | BACK_AND_HIP | LEG if is_back_and_hip(regions) else regions


def suits(item: HomeCareItem, complaint: Complaint | None) -> bool:
    """An item with no regions suits any complaint (and any item suits a sheet started
    without one); otherwise one of its regions must be in the complaint's presentation."""
    if complaint is None or not item.regions:
        return True
    return bool(presentation(complaint.regions) & set(item.regions))


def presentation_label(complaint: Complaint | None) -> str:
    """In words for the practitioner: what the suggestion was chosen for."""
    if complaint is None:
        return ""
    if is_back_and_hip(complaint.regions):
        return (
            "the lower back and hip pattern: pain in the hip, buttock or leg comes from the "
            "muscles of the lower back and hip"
        )
    labels = [BodyRegion(value).label.lower() for value in complaint.regions]
    return "its own regions: " + ", ".join(labels) if labels else "any region"
