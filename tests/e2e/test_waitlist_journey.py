"""The front desk fills a cancelled slot from the waitlist, in the browser: Margaret is put on
the waitlist from her page (mornings with Paul, urgent); Peter cancels his 11:00 with Paul;
the cancellation leads to the freed slot, where Margaret fits (and Ben, who waits for Priya,
does not); one click books her, and the calendar shows her at 11:00."""

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import journey
from tests.e2e.steps import field, go_to, log_in
from tests.factories import PatientFactory, at, book, on_waitlist
from treatments.models import Appointment, AppointmentStatus, WaitlistEntry


@journey
def test_a_cancelled_slot_is_offered_to_the_waitlist_and_booked_in_one_click(
    page: Page, clinic, fiona, paul, priya
):
    today = timezone.localdate()
    margaret = PatientFactory(given_name="Margaret", family_name="Okafor")
    ben = PatientFactory(given_name="Ben", family_name="Ng")
    on_waitlist(ben, by=fiona, practitioner=priya.practitioner)
    peter = book(
        patient=PatientFactory(given_name="Peter", family_name="Busy"),
        practitioner=paul.practitioner,
        room=clinic[0],
        start=at(today, "11:00"),
        by=fiona,
    )

    log_in(page, "fiona")

    # Margaret would come sooner if she could: mornings with Paul, and it is urgent.
    go_to(page, "Patients")
    page.get_by_role("searchbox").fill("Okafor")
    page.get_by_role("link", name="Okafor, Margaret").click()
    page.get_by_role("link", name="Add to the waitlist").click()
    field(page, "Practitioner").select_option(label="Paul Needham")
    field(page, "Morning").check()
    field(page, "Urgency").select_option(label="Urgent")
    field(page, "Notes for the desk").fill("Mobile, any time")
    page.get_by_role("button", name="Add to the waitlist").click()
    expect(page.get_by_text("Margaret Okafor is on the waitlist.")).to_be_visible()
    waitlist = page.locator("#waitlist")
    expect(waitlist.get_by_role("row").filter(has_text="Margaret Okafor")).to_contain_text("Urgent")
    expect(waitlist.get_by_role("row").filter(has_text="Ben Ng")).to_be_visible()

    # Peter calls to cancel his 11:00.
    go_to(page, "Calendar")
    page.get_by_role("link", name="Peter Busy").click()
    page.get_by_role("link", name="Cancel appointment").click()
    field(page, "Reason").fill("Away for work")
    page.get_by_role("button", name="Cancel the appointment").click()
    expect(page.get_by_role("status").filter(has_text="Peter Busy")).to_be_visible()

    # The freed slot: Margaret fits, Ben (who waits for Priya) does not.
    page.get_by_role("status").get_by_role("link", name="Fill the freed slot").click()
    expect(page.get_by_role("heading", name="Fill the freed slot")).to_be_visible()
    expect(page.locator("#freed-slot")).to_contain_text("11:00–11:45 with Paul Needham")
    matches = page.locator("#waitlist-matches")
    expect(matches).to_contain_text("Margaret Okafor")
    expect(matches).not_to_contain_text("Ben Ng")

    # One click books her; the calendar shows her at 11:00 with Paul.
    matches.get_by_role("button", name="Book Margaret Okafor").click()
    expect(page.get_by_text("Booked from the waitlist: Margaret Okafor")).to_be_visible()
    chip = page.get_by_role("link", name="Margaret Okafor")
    expect(chip).to_contain_text("11:00")

    booked = Appointment.objects.get(patient=margaret)
    assert (booked.start, booked.practitioner, booked.status) == (
        peter.start,
        paul.practitioner,
        AppointmentStatus.BOOKED,
    )
    assert WaitlistEntry.objects.get(patient=margaret).appointment == booked

    # She has left the waitlist; Ben is still on it.
    go_to(page, "Waitlist")
    expect(page.locator("#waitlist")).not_to_contain_text("Margaret Okafor")
    expect(page.locator("#waitlist")).to_contain_text("Ben Ng")
