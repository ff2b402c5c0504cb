"""Journey: the front desk moves appointments by dragging them on the day calendar — to a
later time, to another practitioner's column — and a drag onto a time that cannot be booked
is refused with the Move page's message, the dragged-to time kept."""

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import journey
from tests.e2e.steps import go_to, log_in
from tests.factories import PatientFactory, at, book


@journey
def test_the_front_desk_drags_appointments_to_move_them(page: Page, clinic, paul, priya, fiona):
    today = timezone.localdate()
    room_1, _ = clinic
    margaret = PatientFactory(given_name="Margaret", family_name="Okafor")
    moved = book(
        patient=margaret,
        practitioner=paul.practitioner,
        room=room_1,
        start=at(today, "11:00"),
        by=fiona,
    )
    # Room 1 is Priya's at 15:00.
    book(
        patient=PatientFactory(given_name="Ben", family_name="Ng"),
        practitioner=priya.practitioner,
        room=room_1,
        start=at(today, "15:00"),
        by=fiona,
    )

    log_in(page, "fiona")
    go_to(page, "Calendar")
    chip = page.get_by_role("link", name="Margaret Okafor")

    # To 12:30 in Paul's column.
    target = page.get_by_role("link", name="book Paul Needham at 12:30")
    target.scroll_into_view_if_needed()
    chip.drag_to(target)
    expect(page.get_by_text("12:30–13:15.")).to_be_visible()
    moved.refresh_from_db()
    assert timezone.localtime(moved.start).strftime("%H:%M") == "12:30"
    assert moved.practitioner == paul.practitioner and moved.room == room_1

    # To Priya at 14:00: the same room, now with her.
    target = page.get_by_role("link", name="book Priya Shah at 14:00")
    target.scroll_into_view_if_needed()
    page.get_by_role("link", name="Margaret Okafor").drag_to(target)
    expect(page.get_by_text("14:00–14:45.")).to_be_visible()
    moved.refresh_from_db()
    assert moved.practitioner == priya.practitioner
    assert timezone.localtime(moved.start).strftime("%H:%M") == "14:00"

    # To Paul at 15:00, in the room Priya has then: refused, nothing lost.
    target = page.get_by_role("link", name="book Paul Needham at 15:00")
    target.scroll_into_view_if_needed()
    page.get_by_role("link", name="Margaret Okafor").drag_to(target)
    expect(page.get_by_text("This cannot be moved there:")).to_be_visible()
    expect(
        page.get_by_text("Room 1 is taken 15:00–15:45 by Priya Shah with Ben Ng.")
    ).to_be_visible()
    expect(page.get_by_label("Time")).to_have_value("15:00")
    moved.refresh_from_db()
    assert timezone.localtime(moved.start).strftime("%H:%M") == "14:00"
    page.get_by_role("link", name="Keep it where it is").click()
    expect(page.get_by_role("link", name="Margaret Okafor")).to_be_visible()
