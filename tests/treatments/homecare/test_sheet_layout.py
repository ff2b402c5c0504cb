"""The printed sheet: the standard relief sheet on one A4 page, the cautions kept with the
stretches they qualify, and every patient's script drawn with a real font."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from clinic import services
from clinic.pictures import picture_data_uri
from tests.factories import ComplaintFactory, PatientFactory
from tests.treatments.homecare.sheets import issue, pdf_fonts, pdf_pages, pdf_text, squeeze
from treatments.homecare import fonts
from treatments.homecare.pdf import layout, sheet_pdf
from treatments.homecare.services import suggest_items
from treatments.models import HomeCareItem

pytestmark = pytest.mark.django_db

LAST_STRETCH = "Knee towards the opposite shoulder"


def standard_relief_sheet(practitioner, patient=None, notes=None):
    """What the builder suggests for the typical complaint: the whole relief library."""
    complaint = ComplaintFactory(
        patient=patient or PatientFactory(), regions=["lower_back", "hip", "buttock", "thigh"]
    )
    items = suggest_items(complaint).items
    return issue(practitioner, complaint.patient, notes, items=items, complaint=complaint)


def test_the_standard_relief_sheet_is_one_page_with_everything_on_it(paul):
    sheet = standard_relief_sheet(paul.practitioner)
    assert len(sheet.snapshot["items"]) == 5
    pages = pdf_pages(sheet_pdf(sheet))
    assert len(pages) == 1
    text = squeeze(pages[0])
    for item in sheet.snapshot["items"] + sheet.snapshot["cautions"]:
        assert item["title"] in text
    assert "Never push or pull too hard." in text
    assert "If the pain persists or gets worse, contact the clinic" in text


def test_the_cautions_follow_the_last_stretch(paul):
    sheet = standard_relief_sheet(paul.practitioner)
    text = squeeze(pdf_text(sheet_pdf(sheet)))
    stretch, cautions = text.index(LAST_STRETCH), text.index("Take care")
    moving = text.index("Keep moving between long sits")
    assert stretch < cautions < moving


@pytest.mark.parametrize("repeats", [5, 8, 11, 14, 18])
def test_a_long_sheet_keeps_the_cautions_on_the_page_of_the_stretch(paul, repeats):
    """Notes of several lengths move the page break through the sheet; wherever it falls,
    the last stretch and the cautions are on one page."""
    long_note = "Gently, and stop if the pain spreads. " * repeats
    sheet = standard_relief_sheet(paul.practitioner, notes=dict.fromkeys(range(5), long_note))
    pages = [squeeze(page) for page in pdf_pages(sheet_pdf(sheet))]
    assert len(pages) > 1
    with_stretch = [n for n, page in enumerate(pages) if LAST_STRETCH in page]
    with_cautions = [n for n, page in enumerate(pages) if "Never push or pull too hard." in page]
    assert with_stretch == with_cautions


def test_the_layout_numbers_the_advice_and_places_the_cautions(paul):
    snapshot = standard_relief_sheet(paul.practitioner).snapshot
    runs = layout(snapshot)
    assert [(n, item["title"]) for n, item in runs.kept] == [(4, LAST_STRETCH)]
    assert [n for n, _ in runs.before] == [1, 2, 3]
    assert [n for n, _ in runs.after] == [5]
    no_stretches = {**snapshot, "items": [i for i in snapshot["items"] if i["kind"] != "stretch"]}
    runs = layout(no_stretches)
    assert (len(runs.before), runs.kept, runs.after) == (3, [], [])


# --- any script --------------------------------------------------------------------------------

NAMES = {
    "Arabic": ("ليلى", "الحسيني"),
    "Hebrew": ("שרה", "כהן"),
    "Greek": ("Ελένη", "Παπαδοπούλου"),
    "Cyrillic": ("Анна", "Иванова"),
    "Chinese": ("秀英", "王"),
    "Japanese": ("花子", "山田"),
    "Korean": ("민준", "김"),
}


@pytest.mark.parametrize("script", NAMES)
def test_a_name_and_a_note_in_any_script_print_in_the_pdf(paul, script):
    given, family = NAMES[script]
    note = f"{given}: {family} — 2×"
    patient = PatientFactory(given_name=given, family_name=family)
    sheet = issue(paul.practitioner, patient, notes={2: note})
    content = sheet_pdf(sheet)
    text = pdf_text(content)
    # In the header, the personal note and the footer (right-to-left text is extracted in
    # the order it is drawn, so the note is checked word by word).
    assert text.count(given) == 3 and text.count(family) == 3
    assert "For you:" in text


def test_nothing_on_a_sheet_is_drawn_with_a_slanted_font(paul):
    """Scripts without italics get a synthetic slant that printed Arabic as garbage."""
    patient = PatientFactory(given_name="ليلى", family_name="王 Иванова")
    sheet = issue(paul.practitioner, patient, notes={0: "خذ حماماً — 每天两次 — Ζεστό"})
    used = pdf_fonts(sheet_pdf(sheet))
    assert not [name for name in used if "Oblique" in name or "Italic" in name], used
    assert any("CJK" in name for name in used), used  # the CJK name has a CJK font


def test_the_deploy_check_finds_the_fonts_installed_here():
    assert fonts.installed_families() >= set(fonts.PDF_FONTS)
    assert fonts.check_pdf_fonts() == []


def test_the_deploy_check_names_a_missing_font_and_its_package(monkeypatch):
    monkeypatch.setitem(fonts.PDF_FONTS, "Meridian Missing Sans", "fonts-meridian-missing")
    (warning,) = fonts.check_pdf_fonts()
    assert warning.id == "meridian.W011"
    assert "Meridian Missing Sans" in warning.msg
    assert warning.hint == "apt-get install fonts-meridian-missing"


def test_the_sheet_css_names_the_fonts_the_check_looks_for():
    from django.template.loader import get_template

    css = get_template("treatments/_sheet_body.html").template.source
    for family in fonts.PDF_FONTS:
        assert f'"{family}"' in css
    assert "font-style: italic" not in css


def test_every_library_item_is_tagged_with_known_regions():
    assert HomeCareItem.objects.get(title=LAST_STRETCH).regions == ["lower_back", "hip", "buttock"]


FOOTER = (
    "Open Monday to Friday 8:00–20:00 and Saturday 9:00–14:00 · riverside-acupuncture.example "
    "· If you cannot come, please tell us a day before so that someone else can have the time. "
    "Thank you very much!"
)


def test_the_standard_relief_sheet_stays_one_page_with_the_clinics_full_details(paul, maria):
    """A logo, a footer as long as allowed, an e-mail and a three-line address still fit."""
    picture = io.BytesIO()
    Image.new("RGB", (400, 400), (31, 95, 91)).save(picture, format="PNG")
    services.clinic_profile_save(
        name="The Riverside Acupuncture and Musculoskeletal Clinic",
        phone="+44 (0)20 7946 0018",
        email="front-desk@riverside-acupuncture.example",
        address="Unit 4, The Old Mill, 12 Mill Lane\nKingston upon Thames\nSurrey KT1 1AA",
        sheet_footer=FOOTER,
        logo=picture_data_uri(SimpleUploadedFile("logo.png", picture.getvalue())),
        by=maria,
    )
    sheet = standard_relief_sheet(paul.practitioner)
    pages = pdf_pages(sheet_pdf(sheet))
    assert len(pages) == 1
    text = squeeze(pages[0])
    assert FOOTER in text
    assert "Never push or pull too hard." in text


def test_every_page_of_a_long_sheet_carries_the_footer_and_its_number(paul, maria):
    services.clinic_profile_save(
        name="Riverside Acupuncture",
        phone="020 7946 0018",
        email="",
        address="",
        sheet_footer=FOOTER,
        by=maria,
    )
    long_note = "Gently, and stop if the pain spreads. " * 14
    sheet = standard_relief_sheet(paul.practitioner, notes=dict.fromkeys(range(5), long_note))
    pages = [squeeze(page) for page in pdf_pages(sheet_pdf(sheet))]
    assert len(pages) == 2
    for number, page in enumerate(pages, start=1):
        assert FOOTER in page
        assert f"Sheet 1 for {sheet.snapshot['patient']}" in page
        assert f"Page {number} of 2" in page
