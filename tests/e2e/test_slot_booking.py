"""Journey: the front desk books from a free slot on the day calendar in one go (the slot
brings the room, the patient brings their open course), and Back after booking still shows
the chosen patient."""

from playwright.sync_api import Page, expect

from tests.e2e.conftest import journey
from tests.e2e.steps import go_to, log_in, wait_for_scripts
from tests.factories import PatientFactory, chronic_complaint, course_for
from treatments.models import Appointment


@journey
def test_a_free_slot_books_at_the_first_click_with_room_and_course(page: Page, clinic, paul, fiona):
    margaret = PatientFactory(given_name="Margaret", family_name="Okafor")
    course = course_for(paul.practitioner, complaint=chronic_complaint(patient=margaret))

    log_in(page, "fiona")
    go_to(page, "Calendar")
    page.get_by_role("link", name="book Paul Needham at 11:00").click()

    expect(page.get_by_role("heading", name="Book an appointment")).to_be_visible()
    expect(page.get_by_label("Room")).to_have_value(str(clinic[0].pk))
    wait_for_scripts(page)  # the picker searches once htmx is listening
    page.get_by_label("Find the patient").fill("Okafor")
    page.get_by_role("button", name="Choose Margaret Okafor").click()
    expect(page.locator("#chosen-patient-name")).to_have_text("Margaret Okafor")
    # Her one open course is chosen for her.
    expect(page.get_by_label("Course")).to_have_value(str(course.pk))

    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_text("Booked: Margaret Okafor")).to_be_visible()
    booked = Appointment.objects.get()
    assert (booked.room, booked.course) == (clinic[0], course)

    # Back returns to the booking form with Margaret still chosen.
    page.go_back()
    expect(page.locator("#chosen-patient-name")).to_have_text("Margaret Okafor")
    expect(page.locator("#chosen-patient")).to_be_visible()
