"""Journey 3, home care: a practitioner issues a relief sheet for a complaint with inflammation
(no heat advice; the builder and the printed sheet say why, and the stretches say how to warm
up without heat), prints it and downloads the PDF; later the front desk finds the patient and
reprints the very same sheet."""

import io
import re

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from patients.models import RedFlag
from tests.e2e.conftest import journey
from tests.e2e.steps import go_to, log_in, log_out
from tests.factories import ComplaintFactory, PatientFactory, future_monday
from treatments.courses.services import course_plan
from treatments.models import HomeCareSheet

HEAT_ITEMS = ["Moist heat on the lower back and buttock", "A hot bath instead of the heating pad"]
SUGGESTED = [
    "Knees to chest",
    "Knee towards the opposite shoulder",
    "Keep moving between long sits",
    "Cautions with every stretch",
    "When to contact us",
]
# The heat advice itself (the sheet may name heat only to say why it is left out).
HEAT_ADVICE = re.compile(r"moist heating pad|Soak in a hot bath", re.IGNORECASE)
NO_HEAT = "No heat for now: there are signs of inflammation"
WITHOUT_HEAT = "Without heat: Warm up first with five minutes of gentle walking"


def find_patient(page: Page, search: str, listed_as: str) -> None:
    """Search the patient list and open the patient's page."""
    go_to(page, "Patients")
    page.get_by_label("Search patients").fill(search)
    expect(page.get_by_text(f"1 patient matching “{search}”")).to_be_visible()
    page.get_by_role("link", name=listed_as).click()


def download_pdf(page: Page) -> bytes:
    """Follow the print view's "Download PDF" link and return the file's bytes."""
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    path = download.value.path()
    assert download.value.suggested_filename.startswith("home-care-okafor-")
    with open(path, "rb") as pdf:
        return pdf.read()


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@journey
def test_a_relief_sheet_leaves_out_heat_for_inflammation_and_the_front_desk_reprints_it(
    page: Page, clinic, paul, fiona
):
    # Before Paul sits down: Margaret's hip complaint records inflammation, and she has a
    # course with him.
    margaret = PatientFactory(given_name="Margaret", family_name="Okafor")
    complaint = ComplaintFactory(
        patient=margaret,
        title="Right hip and leg pain",
        regions=["lower_back", "hip"],
        red_flags=[RedFlag.INFLAMMATION],
    )
    course = course_plan(
        complaint=complaint,
        practitioner=paul.practitioner,
        planned_sessions=4,
        interval_days=7,
        start_date=future_monday(),
        by=paul,
    )

    # Paul finds Margaret and opens her course's home-care sheet builder.
    log_in(page, "paul")
    find_patient(page, "Okafor", "Okafor, Margaret")
    expect(page.get_by_role("heading", name="Margaret Okafor", level=1)).to_be_visible()
    page.get_by_role("link", name="Right hip and leg pain", exact=True).click()
    expect(
        page.get_by_role("heading", name="Treatment course: Right hip and leg pain")
    ).to_be_visible()
    page.get_by_role("link", name="Home-care sheet").click()
    expect(page.get_by_role("heading", name="Home-care sheet for Margaret Okafor")).to_be_visible()

    # He chooses the relief sheet; heat is not suggested, and the page says why.
    page.get_by_label("Relief (before or between visits)").check()
    for title in HEAT_ITEMS:
        expect(page.get_by_role("checkbox", name=title, exact=True)).not_to_be_checked()
    for title in SUGGESTED:
        expect(page.get_by_role("checkbox", name=title, exact=True)).to_be_checked()
    left_out = page.get_by_role("alert").filter(has_text="Left out of the suggestion")
    for title in HEAT_ITEMS:
        expect(left_out).to_contain_text(
            f"“{title}” left out: inflammation is recorded for this complaint "
            "(“Right hip and leg pain”), and heat is not advised with inflammation."
        )

    page.get_by_role("button", name="Issue the sheet").click()

    # The print view shows Margaret's sheet, with the advice and without heat.
    expect(page).to_have_title(re.compile(r"^Home-care sheet 1 · Margaret Okafor"))
    sheet_page = page.get_by_role("article", name="Home-care sheet")
    expect(sheet_page).to_contain_text("For Margaret Okafor")
    expect(sheet_page).to_contain_text("Slowly pull both knees towards your chest.")
    expect(sheet_page).to_contain_text("Knees to chest")
    expect(sheet_page).not_to_contain_text(HEAT_ADVICE)
    expect(sheet_page).to_contain_text(NO_HEAT)
    expect(sheet_page).to_contain_text(WITHOUT_HEAT)
    expect(page.get_by_text("Content verified")).to_be_visible()

    sheet = HomeCareSheet.objects.get()
    assert sheet.patient == margaret
    assert sheet.course == course
    assert sheet.kind == "relief"
    assert sheet.snapshot["patient"] == "Margaret Okafor"
    assert [item["title"] for item in sheet.snapshot["items"]] == SUGGESTED[:3]

    pdf = download_pdf(page)
    issued = pdf_text(pdf)
    assert "Margaret Okafor" in issued
    assert "Knees to chest" in issued
    assert not HEAT_ADVICE.search(issued)
    assert NO_HEAT in " ".join(issued.split())
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1

    # Later, Fiona at the front desk reprints it from Margaret's page.
    log_out(page)
    log_in(page, "fiona")
    find_patient(page, "Okafor", "Okafor, Margaret")
    expect(page.get_by_role("heading", name="Home-care sheets")).to_be_visible()
    page.get_by_role("link", name="Print sheet 1").click()
    expect(page.get_by_role("article", name="Home-care sheet")).to_contain_text(
        "For Margaret Okafor"
    )

    reprinted = pdf_text(download_pdf(page))
    assert reprinted == issued
    assert HomeCareSheet.objects.count() == 1
