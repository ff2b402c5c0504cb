"""The front desk prints the day sheet from Today, and the clinic manager's home page shows the
day; both fit a phone's screen."""

import io

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from patients.models import RedFlag
from tests.e2e.conftest import journey
from tests.e2e.givens import course_starting_today
from tests.e2e.steps import go_to, log_in
from tests.factories import PatientFactory

PHONE = 390


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (page.url, width)


def todays_patients(clinic, paul, priya, fiona):
    """Nora sees Paul at 10:00 (session 1 of 4); Olive, with red flags, sees Priya at 11:00."""
    nora = PatientFactory(given_name="Nora", family_name="Hartley", phone="07911 123456")
    olive = PatientFactory(given_name="Olive", family_name="Other", phone="07700 900321")
    course_starting_today(
        nora, practitioner=paul.practitioner, room=clinic[0], hh_mm="10:00", by=fiona
    )
    course_starting_today(
        olive,
        practitioner=priya.practitioner,
        room=clinic[1],
        hh_mm="11:00",
        by=fiona,
        red_flags=[RedFlag.NUMBNESS],
    )


@journey
def test_the_front_desk_prints_the_day_sheet_from_today(page: Page, clinic, paul, priya, fiona):
    todays_patients(clinic, paul, priya, fiona)
    log_in(page, "fiona")

    go_to(page, "Today")
    page.get_by_role("link", name="Print day sheet").click()

    sheet = page.get_by_role("article")
    expect(page.get_by_role("heading", name="Day sheet", level=1)).to_be_visible()
    nora = sheet.get_by_role("row").filter(has_text="Nora Hartley")
    expect(nora).to_contain_text("10:00")
    expect(nora).to_contain_text("07911 123456")
    expect(nora).to_contain_text("Paul Needham")
    expect(nora).to_contain_text("Room 1")
    expect(nora).to_contain_text("session 1 of 4")
    expect(nora).not_to_contain_text("red flags")
    olive = sheet.get_by_role("row").filter(has_text="Olive Other")
    expect(olive).to_contain_text("⚑ red flags")
    expect(olive).to_contain_text("07700 900321")

    # Printed: the sheet and its heading, without the navigation, the form or the buttons.
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Day sheet", level=1)).to_be_visible()
    expect(nora).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_role("button", name="Show")).to_be_hidden()
    page.emulate_media(media="screen")

    # Only Priya's patients.
    page.get_by_label("Practitioner").select_option(label="Priya Shah")
    page.get_by_role("button", name="Show").click()
    expect(sheet.get_by_role("row").filter(has_text="Olive Other")).to_be_visible()
    expect(sheet).not_to_contain_text("Nora Hartley")

    # The PDF of Priya's sheet.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename.startswith("day-sheet-")
    assert "other" not in download.value.suggested_filename.lower()
    with open(download.value.path(), "rb") as pdf:
        content = pdf.read()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert "Olive Other" in text
    assert "07700 900321" in text
    assert "Nora Hartley" not in text

    # On a phone: every appointment, nothing off the side of the screen.
    page.set_viewport_size({"width": PHONE, "height": 800})
    page.get_by_label("Practitioner").select_option(label="Everyone")
    page.get_by_role("button", name="Show").click()
    expect(sheet).to_contain_text("Nora Hartley")
    no_sideways_scroll(page)


@journey
def test_the_manager_sees_the_days_schedule_and_figures_on_a_phone(
    page: Page, clinic, paul, priya, fiona, maria
):
    todays_patients(clinic, paul, priya, fiona)
    page.set_viewport_size({"width": PHONE, "height": 800})
    log_in(page, "maria")

    schedule = page.get_by_role("region", name="Today’s schedule")
    expect(schedule).to_contain_text("Nora Hartley")
    expect(schedule).to_contain_text("Olive Other")
    figures = page.get_by_role("region", name="Today in figures")
    expect(figures).to_contain_text("2 appointments today")
    expect(figures).to_contain_text("Free practitioner time left")
    no_sideways_scroll(page)
