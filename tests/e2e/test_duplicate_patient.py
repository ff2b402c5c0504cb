"""Registering someone who may be registered already: one warning, and both ways on."""

from datetime import date

from playwright.sync_api import Page, expect

from patients.models import Patient
from tests.e2e.axe import assert_accessible
from tests.e2e.conftest import journey
from tests.e2e.steps import field, go_to, log_in
from tests.factories import PatientFactory


def fill_in_zoe(page: Page) -> None:
    field(page, "Given name").fill("zoe")
    field(page, "Family name").fill("Ødegård")
    field(page, "Date of birth").fill("1984-07-02")
    field(page, "Phone").fill("07911 123456")
    page.get_by_role("button", name="Register patient").click()


@journey
def test_a_near_duplicate_is_warned_about_once_and_can_be_registered_anyway(
    page: Page, fiona, axe_js
):
    zoe = PatientFactory(given_name="Zoe", family_name="Ødegård", date_of_birth=date(1984, 7, 2))
    log_in(page, "fiona")
    go_to(page, "Patients")
    page.get_by_role("link", name="Register a patient").click()

    fill_in_zoe(page)
    warning = page.get_by_role("alert")
    expect(warning).to_have_count(1)  # it was shown twice, yellow and red
    expect(warning).to_contain_text("already registered")
    expect(page.get_by_text("is already registered")).to_have_count(1)
    expect(warning.get_by_role("link", name="Open Zoe Ødegård")).to_have_attribute(
        "href", f"/patients/{zoe.pk}/"
    )
    assert_accessible(page, axe_js)

    warning.get_by_label("register them anyway").check()
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_role("heading", name="zoe Ødegård", level=1)).to_be_visible()
    assert Patient.objects.filter(family_name="Ødegård").count() == 2
