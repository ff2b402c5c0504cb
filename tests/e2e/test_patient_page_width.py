"""The patient's pages fit a phone (390 px) and a desk screen (1400 px) without scrolling
sideways, whatever the desk typed: long unbroken addresses and notes wrap."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import journey
from tests.e2e.steps import log_in
from tests.factories import PatientFactory, at, book

UNBROKEN = "x" * 10_000  # pasted by mistake, from before addresses had a limit

# Elements wider than the window, for the failure message: what to fix.
TOO_WIDE = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .slice(0, 5)
    .map(e => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`)"""


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    window = page.evaluate("() => window.innerWidth")
    assert width <= window, (width, window, page.evaluate(TOO_WIDE))


@pytest.fixture
def long_winded_patient(clinic, paul, fiona):
    patient = PatientFactory(
        given_name="Maximiliana" * 9,
        family_name="Ødegård-Núñez",
        email=f"{'z' * 60}@example.org",
        address=UNBROKEN,
        front_desk_notes=UNBROKEN,
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    book(
        patient=patient,
        practitioner=paul.practitioner,
        room=clinic[0],
        by=fiona,
        start=at(tomorrow, "11:00"),
    )
    return patient


@journey
@pytest.mark.parametrize("width", [390, 1400])
def test_the_patient_page_and_list_fit_the_screen_with_a_long_unbroken_address(
    page: Page, long_winded_patient, fiona, width
):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, "fiona")

    page.goto(reverse("patients:list"))  # at 390 px the menu is folded away
    page.get_by_role("searchbox").fill("odegard")
    expect(page.get_by_text("1 patient matching")).to_be_visible()
    assert_no_sideways_scroll(page)

    page.get_by_role("link", name="Ødegård-Núñez").click()
    expect(page.get_by_text("x" * 50).first).to_be_visible()
    assert_no_sideways_scroll(page)

    page.goto(reverse("patients:edit", args=[long_winded_patient.pk]))
    assert_no_sideways_scroll(page)
