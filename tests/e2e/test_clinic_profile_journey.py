"""A manager fills in the clinic's details on a phone-sized screen, and the next sheet prints
them."""

import io

from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import journey
from tests.e2e.steps import field, go_to, log_in
from tests.factories import PatientFactory
from treatments.homecare import services as homecare
from treatments.models import HomeCareItem


def png() -> bytes:
    picture = io.BytesIO()
    Image.new("RGB", (60, 30), (31, 95, 91)).save(picture, format="PNG")
    return picture.getvalue()


def no_sideways_scroll(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


@journey
def test_a_manager_sets_the_clinics_phone_and_logo_and_the_next_sheet_prints_them(
    page: Page, maria, paul, axe_js
):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "maria")
    page.get_by_role("button", name="Toggle navigation").click()
    go_to(page, "Clinic")
    expect(page.get_by_role("heading", name="Clinic details", level=1)).to_be_visible()
    assert no_sideways_scroll(page)
    assert_accessible(page, axe_js)

    field(page, "Name").fill("Riverside Acupuncture")
    field(page, "Phone").fill("phone us")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Enter the phone number in digits")).to_be_visible()
    expect(field(page, "Name")).to_have_value("Riverside Acupuncture")
    assert_accessible(page, axe_js)

    field(page, "Phone").fill("020 7946 0018")
    field(page, "Sheet footer").fill("Open Monday to Saturday.")
    page.get_by_label("Logo").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": png()}]
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The clinic’s details are saved.")).to_be_visible()
    expect(page.get_by_role("link", name="Riverside Acupuncture")).to_be_visible()
    expect(
        page.get_by_role("img", name="The current logo of Riverside Acupuncture")
    ).to_be_visible()
    expect(page.get_by_text("Changed name, phone, sheet footer, logo")).to_be_visible()
    assert no_sideways_scroll(page)

    sheet = homecare.sheet_issue(
        patient=PatientFactory(given_name="Nora", family_name="Hartley"),
        kind="relief",
        entries=[(item, "") for item in HomeCareItem.objects.all()],
        by=paul,
    )
    page.get_by_role("button", name="Toggle navigation").click()
    go_to(page, "Patients")
    field(page, "Search patients").fill("Hartley")
    page.get_by_role("link", name="Hartley, Nora").click()
    page.get_by_role("link", name=f"Print sheet {sheet.version}").click()
    expect(page.get_by_text("Tel. 020 7946 0018")).to_be_visible()
    expect(page.get_by_text("Call Riverside Acupuncture on 020 7946 0018.")).to_be_visible()
    expect(page.get_by_text("Open Monday to Saturday.")).to_be_visible()
