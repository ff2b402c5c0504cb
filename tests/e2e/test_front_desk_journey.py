"""The front desk's morning, in the browser: a new patient with chronic hip and leg pain is
registered, their course planned and booked in one flow (a taken time moves to the nearest
free one, no red row), a session moved by dragging it on the calendar, the patient checked in
and the day sheet printed."""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from patients.models import Patient
from tests.e2e.conftest import journey
from tests.e2e.steps import field, go_to, log_in, wait_for_scripts
from tests.factories import PatientFactory, at, book
from treatments.models import Appointment, AppointmentStatus, TreatmentCourse


@journey
def test_the_front_desk_registers_books_a_course_and_checks_the_patient_in(
    page: Page, clinic, fiona, paul
):
    PatientFactory(given_name="Olive", family_name="Other")  # already a patient of the clinic
    today = timezone.localdate()
    onset = today - timedelta(days=61)  # two months ago: chronic, a 4-session course
    # In two weeks' time Paul already sees someone at 10:00.
    busy = book(
        patient=PatientFactory(given_name="Peter", family_name="Busy"),
        practitioner=paul.practitioner,
        room=clinic[1],
        start=at(today + timedelta(weeks=2), "10:00"),
        by=fiona,
    )

    log_in(page, "fiona")

    # The patient is not registered yet: the search says so and offers to register them.
    go_to(page, "Patients")
    page.get_by_role("searchbox").fill("Hartley")
    expect(page.get_by_text("No patient matches “Hartley”.")).to_be_visible()
    page.get_by_role("link", name="Register a new patient").click()

    field(page, "Given name").fill("Nora")
    field(page, "Family name").fill("Hartley")
    field(page, "Date of birth").fill("1961-03-14")
    field(page, "Phone").fill("07911 123456")
    field(page, "The patient has consented to treatment").check()
    page.get_by_role("button", name="Register patient").click()
    expect(page.get_by_role("heading", name="Nora Hartley", level=1)).to_be_visible()
    nora = Patient.objects.get(family_name="Hartley")

    # Her complaint: hip and leg pain on the right for two months.
    page.get_by_role("link", name="Add a complaint").click()
    field(page, "Title").fill("Right hip and leg pain")
    field(page, "Hip").check()
    field(page, "Calf / lower leg").check()
    field(page, "Side").select_option(label="Right")
    field(page, "Onset date").fill(onset.isoformat())
    field(page, "Pain at intake (0–10)").fill("6")
    page.get_by_role("button", name="Record complaint").click()
    expect(page.get_by_text("Chronic").first).to_be_visible()

    # The suggested course: four sessions for pain of two months, with Paul.
    page.get_by_role("link", name="Plan a treatment course").click()
    expect(page.locator("#suggestion")).to_contain_text("Suggested: 4 sessions.")
    expect(field(page, "Planned sessions")).to_have_value("4")
    field(page, "Practitioner").select_option(label="Paul Needham")
    page.get_by_role("button", name="Plan the course and book its sessions").click()

    # Straight on to booking all four: the first today at 10:00, then weekly.
    expect(page.get_by_role("heading", name="Book the course's sessions")).to_be_visible()
    field(page, "First session on").fill(today.isoformat())
    field(page, "Time").select_option("10:00")
    field(page, "Room").select_option(label="Room 1")
    page.get_by_role("button", name="Propose 4 sessions").click()
    # No red row: the third session, whose 10:00 Paul has taken, moves to the nearest free time.
    report = page.locator("#course-report")
    for number in range(1, 5):
        expect(report.get_by_role("row", name=f"Session {number} of 4")).to_contain_text("OK")
    expect(report.get_by_role("row", name="Session 3 of 4")).to_contain_text(
        f"Moved from {busy.start:%a} {busy.start.day} {busy.start:%b} 10:00: "
        "Paul Needham is seeing Peter Busy 10:00–10:45."
    )
    page.get_by_role("button", name="Book 4 sessions").click()
    expect(page.get_by_text("4 sessions booked.")).to_be_visible()

    course = TreatmentCourse.objects.get(complaint__patient=nora)
    sessions = list(course.appointments.order_by("start"))
    assert len(sessions) == 4
    assert [timezone.localtime(s.start).date() for s in sessions] == [
        today + timedelta(days=7 * week) for week in range(4)
    ]
    assert timezone.localtime(sessions[2].start).strftime("%H:%M") != "10:00"
    first = sessions[0]
    assert timezone.localtime(first.start).strftime("%H:%M") == "10:00"
    assert first.practitioner == paul.practitioner

    # Today's calendar shows her first session as 1 of 4 in Paul's column.
    go_to(page, "Calendar")
    chip = page.get_by_role("link", name="Nora Hartley")
    expect(chip).to_contain_text("10:00")
    expect(chip).to_contain_text("1/4")

    # Olive asks for the same slot with Paul: the clash is explained before and after "Book".
    go_to(page, "Book")
    wait_for_scripts(page)  # the picker searches once htmx is listening
    field(page, "Find the patient").fill("Olive")
    page.get_by_role("button", name="Choose Olive Other").click()
    expect(page.locator("#chosen-patient-name")).to_have_text("Olive Other")
    field(page, "Practitioner").select_option(label="Paul Needham")
    field(page, "Room").select_option(label="Room 2")
    field(page, "Date").fill(today.isoformat())
    field(page, "Start time").fill("10:00")
    field(page, "Start time").dispatch_event("change")
    check = page.locator("#booking-check")
    expect(check).to_contain_text("Paul Needham")
    expect(check).to_contain_text("Nora Hartley")
    page.get_by_role("button", name="Book", exact=True).click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("This cannot be booked")
    expect(problems).to_contain_text("Paul Needham")
    expect(problems.get_by_text("Nearest free times:")).to_be_visible()
    assert not Appointment.objects.filter(patient__given_name="Olive").exists()

    # Nora asks for her second session an hour later: Fiona drags it on next week's calendar.
    go_to(page, "Calendar")
    field(page, "Date").fill((today + timedelta(weeks=1)).isoformat())
    page.get_by_role("button", name="Go").click()
    target = page.get_by_role("link", name="book Paul Needham at 11:00")
    target.scroll_into_view_if_needed()
    page.get_by_role("link", name="Nora Hartley").drag_to(target)
    expect(page.get_by_text("11:00–11:45.")).to_be_visible()
    second = sessions[1]
    second.refresh_from_db()
    assert timezone.localtime(second.start).strftime("%H:%M") == "11:00"

    # Nora arrives: one click on today's list.
    go_to(page, "Today")
    row = page.get_by_role("row").filter(has_text="Nora Hartley")
    row.get_by_role("button", name="Arrived").click()
    expect(page.get_by_role("row").filter(has_text="Nora Hartley")).to_contain_text("Arrived")
    first.refresh_from_db()
    assert first.status == AppointmentStatus.ARRIVED

    # The day sheet for the desk: Nora with her phone and her session number.
    page.get_by_role("link", name="Print day sheet").click()
    row = page.get_by_role("article").get_by_role("row").filter(has_text="Nora Hartley")
    expect(row).to_contain_text("07911 123456")
    expect(row).to_contain_text("session 1 of 4")
