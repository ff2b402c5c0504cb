"""What inline handlers used to do still happens under the Content-Security-Policy, from
clinic/static/clinic/meridian.js: the archive question, the practitioner switcher of the Today
page, and the Print buttons. (Every journey also fails on any CSP refusal: see conftest.py.)"""

from playwright.sync_api import Page, expect

from tests.e2e.conftest import journey
from tests.e2e.steps import log_in
from tests.factories import PatientFactory
from tests.treatments.homecare.sheets import issue


@journey
def test_archiving_a_patient_asks_first_and_a_no_keeps_the_record(page: Page, clinic, fiona):
    margaret = PatientFactory(given_name="Margaret", family_name="O'Kafor")
    log_in(page, "fiona")
    page.goto(f"/patients/{margaret.pk}/")
    questions = []

    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("button", name="Archive")).to_be_visible()
    margaret.refresh_from_db()
    assert not margaret.is_archived
    assert questions == ["Archive Margaret O'Kafor? The record is kept and can be restored."]

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Archive").click()
    expect(page.get_by_role("button", name="Archive")).to_have_count(0)
    margaret.refresh_from_db()
    assert margaret.is_archived


@journey
def test_choosing_a_practitioner_on_the_today_page_shows_their_day(page: Page, clinic, fiona, paul):
    log_in(page, "fiona")
    page.goto("/today/")

    page.get_by_label("Practitioner").select_option(label=paul.practitioner.display_name)

    expect(page).to_have_url(f"{page.url.split('?')[0]}?practitioner={paul.practitioner.pk}")
    expect(page.get_by_label("Practitioner")).to_have_value(str(paul.practitioner.pk))


@journey
def test_the_print_button_of_a_home_care_sheet_prints(page: Page, clinic, paul):
    sheet = issue(paul.practitioner)
    log_in(page, "paul")
    page.goto(f"/sheets/{sheet.pk}/")
    # The browser's print dialog cannot open headless: note the call instead.
    page.evaluate("() => { window.print = () => { window.printed = true; }; }")

    page.get_by_role("button", name="Print").click()

    assert page.evaluate("() => window.printed === true")
