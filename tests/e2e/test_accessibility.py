"""axe-core finds no serious or critical accessibility violation on the pages staff use most:
the login page, the day calendar, the booking form, a patient's page, the note form, a
home-care sheet's print view, the day sheet and the manager's home, each with real content
on it."""

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from patients.models import RedFlag
from tests.e2e.axe import assert_accessible, violations
from tests.e2e.conftest import journey
from tests.e2e.givens import course_starting_today
from tests.e2e.steps import field, go_to, log_in, log_out, wait_for_scripts
from tests.factories import PatientFactory
from treatments.homecare import services as homecare
from treatments.models import AcupuncturePoint, HomeCareItem, PointSide
from treatments.notes import services as notes
from treatments.scheduling import services as scheduling


@pytest.fixture
def busy_morning(clinic, paul, priya, fiona):
    """Two patients with courses under way: Nora's first session with Paul is at 10:00 today,
    with a draft note and a relief sheet; Olive sees Priya at 11:00 and has red flags."""
    nora = PatientFactory(given_name="Nora", family_name="Hartley")
    olive = PatientFactory(given_name="Olive", family_name="Other")
    nora_first = course_starting_today(
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
    nora_first = scheduling.mark_arrived(appointment=nora_first, by=fiona)
    note = notes.note_start(appointment=nora_first, by=paul)
    notes.note_save_draft(
        note=note,
        by=paul,
        points=[(AcupuncturePoint.objects.get(code="GB30"), PointSide.RIGHT)],
        subjective="Stiff in the mornings.",
    )
    sheet = homecare.sheet_issue(
        patient=nora,
        kind="relief",
        entries=[(item, "") for item in HomeCareItem.objects.all()[:3]],
        by=paul,
        course=nora_first.course,
    )
    return {"note": note, "sheet": sheet}


@journey
def test_the_check_finds_a_serious_violation_when_there_is_one(page: Page, axe_js):
    page.goto("/")
    page.evaluate(
        """() => document.querySelector("main").insertAdjacentHTML(
            "beforeend", '<input type="text" name="unlabelled">')"""
    )
    found = violations(page, axe_js)
    assert [v["id"] for v in found] == ["label"]
    with pytest.raises(AssertionError, match="label: Form elements must have labels"):
        assert_accessible(page, axe_js)


@journey
def test_the_login_page(page: Page, axe_js):
    page.goto("/")
    expect(field(page, "Username")).to_be_visible()
    assert_accessible(page, axe_js)


@journey
def test_the_source_page_reached_from_the_login_pages_footer(page: Page, axe_js):
    page.goto("/")
    page.get_by_role("link", name="source code").click()
    expect(page.get_by_role("heading", name="Source code")).to_be_visible()
    assert_accessible(page, axe_js)


@journey
def test_the_front_desk_pages(page: Page, busy_morning, axe_js):
    log_in(page, "fiona")

    go_to(page, "Calendar")
    expect(page.get_by_role("link", name="Nora Hartley")).to_contain_text("1/4")
    assert_accessible(page, axe_js)

    page.get_by_role("link", name="Everyone’s week").click()
    expect(page.get_by_role("heading", name="Everyone’s week")).to_be_visible()
    assert_accessible(page, axe_js)

    # The booking form, with the patient search's results and a clash on show.
    go_to(page, "Book")
    assert_accessible(page, axe_js)
    wait_for_scripts(page)  # the picker searches once htmx is listening
    field(page, "Find the patient").fill("Olive")
    page.get_by_role("button", name="Choose Olive Other").click()
    field(page, "Practitioner").select_option(label="Paul Needham")
    field(page, "Room").select_option(label="Room 2")
    field(page, "Date").fill(timezone.localdate().isoformat())
    field(page, "Start time").fill("10:00")
    field(page, "Start time").dispatch_event("change")
    expect(page.locator("#booking-check")).to_contain_text("Nora Hartley")
    assert_accessible(page, axe_js)
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("This cannot be booked")
    assert_accessible(page, axe_js)

    go_to(page, "Patients")
    field(page, "Search patients").fill("Hartley")
    page.get_by_role("link", name="Hartley, Nora").click()
    expect(page.get_by_role("heading", name="Nora Hartley", level=1)).to_be_visible()
    assert_accessible(page, axe_js)


@journey
def test_the_practitioner_pages(page: Page, busy_morning, axe_js):
    log_in(page, "paul")

    go_to(page, "Calendar")
    expect(page.get_by_role("button", name="Note for Nora Hartley")).to_be_visible()
    assert_accessible(page, axe_js)

    go_to(page, "My day")
    page.get_by_role("row").filter(has_text="Nora Hartley").get_by_role(
        "link", name="Continue"
    ).click()
    expect(page.get_by_role("heading", name="Session note: Nora Hartley")).to_be_visible()
    assert_accessible(page, axe_js)

    go_to(page, "Patients")
    field(page, "Search patients").fill("Hartley")
    page.get_by_role("link", name="Hartley, Nora").click()
    assert_accessible(page, axe_js)
    page.get_by_role("link", name="Print sheet 1").click()
    expect(page.get_by_text("For Nora Hartley", exact=True)).to_be_visible()
    assert_accessible(page, axe_js)


@journey
def test_the_day_sheet_and_the_managers_home(page: Page, busy_morning, maria, axe_js):
    log_in(page, "fiona")
    go_to(page, "Today")
    page.get_by_role("link", name="Print day sheet").click()
    expect(page.get_by_role("row").filter(has_text="Olive Other")).to_contain_text("red flags")
    assert_accessible(page, axe_js)
    page.set_viewport_size({"width": 390, "height": 800})  # one block per appointment
    assert_accessible(page, axe_js)
    page.set_viewport_size({"width": 1366, "height": 900})
    log_out(page)

    log_in(page, "maria")
    expect(page.get_by_role("region", name="Today in figures")).to_be_visible()
    assert_accessible(page, axe_js)
