"""The front desk books an appointment with the keyboard alone: no mouse from logging in to
the booking on the calendar."""

from datetime import time

from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from clinic.models import local_datetime
from tests.e2e.conftest import journey
from tests.factories import PASSWORD, PatientFactory
from treatments.models import Appointment

MAX_TABS = 40


def tab_to(page: Page, target: Locator) -> None:
    """Press Tab until `target` has the focus; fail if it never gets it."""
    for _ in range(MAX_TABS):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} never got the focus in {MAX_TABS} presses of Tab")


@journey
def test_the_booking_form_works_with_the_keyboard_alone(page: Page, clinic, fiona, paul):
    olive = PatientFactory(given_name="Olive", family_name="Other")

    page.goto("/")
    tab_to(page, page.get_by_label("Username"))
    page.keyboard.type("fiona")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Book"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Book an appointment")).to_be_visible()

    tab_to(page, page.get_by_label("Find the patient"))
    page.keyboard.type("Olive")
    choose = page.get_by_role("button", name="Choose Olive Other")
    expect(choose).to_be_visible()
    tab_to(page, choose)
    page.keyboard.press("Enter")
    expect(page.locator("#chosen-patient-name")).to_have_text("Olive Other")

    # Choosing the patient leaves the keyboard on the next field: the practitioner.
    practitioner = page.get_by_role("combobox", name="Practitioner")
    expect(practitioner).to_be_focused()
    page.keyboard.type("Paul")
    expect(practitioner.locator("option:checked")).to_have_text("Paul Needham")

    room = page.get_by_role("combobox", name="Room")
    tab_to(page, room)
    page.keyboard.type("Room 2")
    expect(room.locator("option:checked")).to_have_text("Room 2")

    appointment_type = page.get_by_role("combobox", name="Type")
    tab_to(page, appointment_type)
    page.keyboard.type("Follow")
    expect(appointment_type.locator("option:checked")).to_contain_text("Follow-up")

    # The date is today's already; the time is typed (15:00 on a 12- or 24-hour clock).
    expect(page.get_by_label("Date")).to_have_value(timezone.localdate().isoformat())
    tab_to(page, page.get_by_label("Start time"))
    page.keyboard.type("1500")
    expect(page.get_by_text("Free: this time can be booked.")).to_be_visible()

    tab_to(page, page.get_by_role("button", name="Book", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Booked: Olive Other")).to_be_visible()

    booked = Appointment.objects.get(patient=olive)
    assert booked.practitioner == paul.practitioner
    assert booked.room.name == "Room 2"
    assert booked.appointment_type.name == "Follow-up"
    assert timezone.localtime(booked.start) == local_datetime(timezone.localdate(), time(15))
    assert booked.booked_by == fiona
