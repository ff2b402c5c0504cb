"""Heat left out for inflammation is not left out silently: the sheet tells the patient why,
and every instruction that needs warmth says what to do instead. Both are in the snapshot."""

import pytest
from django.urls import reverse

from patients.models import RedFlag
from tests.factories import ComplaintFactory, PatientFactory
from tests.treatments.homecare.sheets import issue, pdf_text, squeeze
from treatments.audit import seals
from treatments.homecare import services as homecare
from treatments.homecare.pdf import sheet_pdf
from treatments.models import WARMTH, HomeCareItem, HomeCareSheet, SealedKind

pytestmark = pytest.mark.django_db

URL = reverse("treatments:sheet-create")
HEAT_TITLES = {"Moist heat on the lower back and buttock", "A hot bath instead of the heating pad"}
WALK_FIRST = "Warm up first with five minutes of gentle walking about the house"


@pytest.fixture
def margaret_hip(db):
    margaret = PatientFactory(given_name="Margaret", family_name="Okafor")
    return ComplaintFactory(
        patient=margaret,
        title="Right hip and leg pain",
        regions=["lower_back", "hip"],
        red_flags=[RedFlag.INFLAMMATION],
    )


def issue_suggested(client, complaint) -> HomeCareSheet:
    """Issue the sheet the builder suggests, as the practitioner would with one click."""
    form = client.get(URL, {"complaint": complaint.pk}).context["form"]
    data = {"kind": "relief", "intro": form["intro"].value()}
    for row in form.rows():
        data[row.position.html_name] = row.position.value()
        if row.include.value():
            data[row.include.html_name] = "on"
    response = client.post(f"{URL}?complaint={complaint.pk}", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return HomeCareSheet.objects.get(complaint=complaint)


def issue_suggested_by_service(paul, complaint) -> HomeCareSheet:
    items = homecare.suggest_items(complaint).items
    return issue(paul.practitioner, complaint.patient, items=items, complaint=complaint)


def test_the_suggested_sheet_says_why_there_is_no_heat(paul_client, margaret_hip):
    sheet = issue_suggested(paul_client, margaret_hip)
    assert sheet.snapshot["no_heat"] == homecare.NO_HEAT_REASON
    assert "signs of inflammation" in homecare.NO_HEAT_REASON
    assert not HEAT_TITLES & {item["title"] for item in sheet.snapshot["items"]}


def test_the_printed_sheet_and_the_pdf_carry_the_reason_and_the_alternative(
    paul_client, margaret_hip
):
    sheet = issue_suggested(paul_client, margaret_hip)
    printed = paul_client.get(reverse("treatments:sheet-detail", args=[sheet.pk]))
    page = printed.content.decode()
    assert 'id="hc-no-heat"' in page
    assert "No heat for now: there are signs of inflammation" in page
    assert page.count("<strong>Without heat:</strong>") == 3  # two stretches, the cautions
    pdf = squeeze(pdf_text(sheet_pdf(sheet)))
    assert squeeze(homecare.NO_HEAT_REASON) in pdf
    assert f"Without heat: {WALK_FIRST}" in pdf
    assert "Moist heat" not in pdf and "hot bath instead" not in pdf


def test_no_instruction_left_on_a_sheet_without_heat_depends_on_heat_unexplained(
    paul_client, margaret_hip
):
    sheet = issue_suggested(paul_client, margaret_hip)
    printed = sheet.snapshot["items"] + sheet.snapshot["cautions"] + sheet.snapshot["contact"]
    needing_warmth = [
        item for item in printed if any(WARMTH.search(step) for step in item["steps"])
    ]
    assert {item["title"] for item in needing_warmth} == {
        "Knees to chest",
        "Knee towards the opposite shoulder",
        "Cautions with every stretch",
    }
    assert all(item.get("without_heat") for item in needing_warmth)


def test_the_reason_is_part_of_the_snapshot_the_hash_protects(paul, margaret_hip):
    sheet = issue_suggested_by_service(paul, margaret_hip)
    assert seals.sheet_verifies(sheet)
    sheet.snapshot["no_heat"] = ""
    assert not seals.sheet_verifies(sheet)


def test_heat_ticked_deliberately_prints_no_reason_and_no_alternative(paul, margaret_hip):
    sheet = issue(paul.practitioner, margaret_hip.patient, complaint=margaret_hip)
    assert sheet.snapshot["no_heat"] == ""
    assert not any("without_heat" in item for item in sheet.snapshot["items"])


def test_heat_left_out_by_choice_gets_the_alternative_but_no_inflammation_reason(paul):
    complaint = ComplaintFactory(regions=["hip"])
    stretches = list(HomeCareItem.objects.filter(kind__in=["stretch", "caution"]))
    sheet = issue(paul.practitioner, complaint.patient, items=stretches, complaint=complaint)
    assert sheet.snapshot["no_heat"] == ""
    assert sheet.snapshot["items"][0]["without_heat"].startswith(WALK_FIRST)
    assert sheet.snapshot["cautions"][0]["without_heat"].startswith("Your back is warm enough")


def test_a_sheet_issued_before_this_change_still_prints(paul, paul_client):
    """Old snapshots have no "no_heat" and no "without_heat": they print as they were."""
    issued = issue(paul.practitioner)
    old = {k: v for k, v in issued.snapshot.items() if k != "no_heat"}
    sheet = HomeCareSheet.objects.create(
        patient=issued.patient,
        kind=issued.kind,
        version=2,
        practitioner=issued.practitioner,
        issued_by=paul,
        snapshot=old,
        content_hash=homecare.snapshot_hash(old),
    )
    seals.seal(SealedKind.SHEET, sheet)  # as migration 0021 sealed the sheets issued before
    response = paul_client.get(reverse("treatments:sheet-detail", args=[sheet.pk]))
    assert response.status_code == 200
    assert "Content verified" in response.content.decode()


# --- the library: advice that needs warmth says what to do without heat ----------------------


def test_a_stretch_that_needs_warmth_must_say_what_to_do_without_heat(paul_client):
    data = {
        "title": "Side bend",
        "kind": "stretch",
        "instructions": "Only once your back is warm.\nBend slowly to one side.",
        "position": "35",
        "is_active": "on",
    }
    response = paul_client.post(reverse("treatments:home-care-item-create"), data)
    assert response.status_code == 200
    assert "say what the patient does instead" in response.context["form"].errors["without_heat"][0]
    assert "Bend slowly to one side." in response.content.decode()  # the input is kept
    data["without_heat"] = "Ask your practitioner first."
    response = paul_client.post(reverse("treatments:home-care-item-create"), data)
    assert response.status_code == 302
    assert HomeCareItem.objects.get(title="Side bend").without_heat == data["without_heat"]


def test_heat_itself_and_advice_without_warmth_need_no_alternative(paul):
    heat = homecare.item_save(
        by=paul,
        title="Warm shower",
        kind="heat",
        instructions="A warm shower.",
        not_with_inflammation=True,
        is_active=True,
    )
    walk = homecare.item_save(
        by=paul, title="Walk", kind="movement", instructions="Walk gently.", is_active=True
    )
    assert not heat.without_heat and not walk.without_heat


def test_the_library_shows_the_alternative(paul_client):
    page = paul_client.get(reverse("treatments:home-care-library")).content.decode()
    assert f'<span class="fw-semibold">Without heat:</span> {WALK_FIRST}' in page


def test_the_builder_shows_what_the_sheet_will_tell_the_patient(paul_client, margaret_hip):
    page = paul_client.get(URL, {"complaint": margaret_hip.pk}).content.decode()
    assert 'id="no-heat-preview"' in page
    assert "No heat for now: there are signs of inflammation" in page
