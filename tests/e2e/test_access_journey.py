"""Journey 4: the front desk runs the patient's day without ever seeing what the practitioner
wrote. Fiona sees that the session note is signed, never its content, and no link leads to it;
typing its address gets her the refusal page."""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.conftest import journey
from tests.e2e.givens import todays_first_session
from tests.e2e.steps import go_to, log_in
from treatments.models import AcupuncturePoint, PointSide
from treatments.notes import services as notes

# What Paul wrote: none of it may reach a page the front desk sees.
WRITTEN = (
    "Fell off a ladder in March",
    "Bruised left hip",
    "Post-traumatic hip pain",
    "Review the ladder injury",
    "Ice after long walks",
    "Also bruised right wrist",
)


def signed_note(appointment, paul):
    note = notes.note_start(appointment=appointment, by=paul)
    notes.note_save_draft(
        note=note,
        by=paul,
        points=[(AcupuncturePoint.objects.get(code="GB30"), PointSide.LEFT)],
        subjective=WRITTEN[0],
        pain_before=7,
        objective=WRITTEN[1],
        assessment=WRITTEN[2],
        techniques=["manual"],
        needles_inserted=8,
        needles_removed=8,
        pain_after=4,
        plan=WRITTEN[3],
        home_care=WRITTEN[4],
    )
    note = notes.note_sign(note=note, by=paul)
    notes.addendum_add(note=note, by=paul, reason="Omitted finding", text=WRITTEN[5])
    return note


def shows_nothing_of_the_note(page: Page, note) -> None:
    """Neither the page's text nor its HTML (titles, hidden parts) holds the note's content,
    and no link or form leads to the note, its form or its history."""
    expect(page.locator("main, #main").first).to_be_visible()
    html = page.content()
    for text in WRITTEN:
        assert text not in html, f"{text!r} is on {page.url}"
    for name in ("note-detail", "note-edit", "note-history", "note-sign", "note-addendum"):
        url = reverse(f"treatments:{name}", args=[note.pk])
        expect(page.locator(f'a[href$="{url}"], form[action$="{url}"]')).to_have_count(0)
    for name in ("Open the note", "Read the note", "Open", "Continue"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)


@journey
def test_front_desk_sees_that_the_note_is_signed_but_never_what_it_says(
    page: Page, clinic, paul, fiona
):
    appointment = todays_first_session(practitioner=paul.practitioner, room=clinic[0], by=fiona)
    note = signed_note(appointment, paul)

    log_in(page, "fiona")
    shows_nothing_of_the_note(page, note)

    # Patients → search → the patient's page.
    go_to(page, "Patients")
    page.get_by_label("Search patients").fill("Lowe")
    page.get_by_role("link", name="Lowe, Harriet").click()
    expect(page.get_by_role("heading", name="Harriet Lowe", exact=True)).to_be_visible()
    shows_nothing_of_the_note(page, note)

    # Her complaint, and the course that treats it.
    page.get_by_role("link", name=re.compile("Low back pain")).first.click()
    expect(page.get_by_role("heading", level=1, name="Low back pain")).to_be_visible()
    shows_nothing_of_the_note(page, note)
    page.get_by_role("link", name=re.compile("6-session course with")).click()
    expect(page.get_by_role("heading", name="Treatment course: Low back pain")).to_be_visible()
    shows_nothing_of_the_note(page, note)

    # Today's session: the note is signed, and that is all she learns.
    page.get_by_role("row").filter(has_text="Session 1 of 6").get_by_role("link").click()
    note_section = page.get_by_role("region", name="Session note")
    expect(note_section).to_contain_text("Signed by Paul Needham")
    shows_nothing_of_the_note(page, note)

    # The day's lists.
    go_to(page, "Today")
    expect(page.get_by_role("heading", level=1, name=re.compile("^Today, "))).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Harriet Lowe")).to_contain_text("Arrived")
    shows_nothing_of_the_note(page, note)
    go_to(page, "Calendar")
    expect(page.get_by_role("heading", level=1, name=re.compile("Today$"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Harriet Lowe"))).to_contain_text("Arrived")
    shows_nothing_of_the_note(page, note)

    # Typing the note's addresses gets her the refusal page, without the content.
    for name in ("note-detail", "note-history", "note-edit"):
        response = page.goto(reverse(f"treatments:{name}", args=[note.pk]))
        assert response.status == 403, (name, response.status)
        expect(
            page.get_by_role("heading", name="This page is not part of your role")
        ).to_be_visible()
        shows_nothing_of_the_note(page, note)
