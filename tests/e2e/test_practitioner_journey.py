"""Journey 2: Paul writes the note of today's session, is stopped by an empty note and by a
needle count that does not add up, signs it, corrects it with an addendum, and finds it
locked; a note for a session that has not begun cannot be signed."""

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.conftest import journey
from tests.e2e.givens import course_starting_today, todays_first_session
from tests.e2e.steps import go_to, log_in
from tests.factories import PatientFactory
from treatments.audit import seals
from treatments.models import AcupuncturePoint, NoteAddendum, PointSide, SessionNote
from treatments.notes import services as notes
from treatments.scheduling import services as scheduling


@journey
def test_practitioner_signs_a_note_only_when_the_needles_add_up_and_then_only_adds_addenda(
    page: Page, clinic, paul, fiona
):
    appointment = todays_first_session(practitioner=paul.practitioner, room=clinic[0], by=fiona)
    point = AcupuncturePoint.objects.get
    notes.point_set_save(
        practitioner=paul.practitioner,
        name="Low back basics",
        points=[(point(code="BL23"), PointSide.BILATERAL), (point(code="GB30"), PointSide.RIGHT)],
    )

    # Paul opens his day and starts the note of Harriet's session.
    log_in(page, "paul")
    go_to(page, "My day")
    expect(page.get_by_role("heading", name=re.compile("My day"))).to_contain_text("Today")
    row = page.get_by_role("row").filter(has_text="Harriet Lowe")
    expect(row).to_contain_text("09:00")
    expect(row).to_contain_text("Arrived")
    expect(row).to_contain_text("session 1 of 6")
    row.get_by_role("button", name="Write note").click()
    expect(page.get_by_role("heading", name="Session note: Harriet Lowe")).to_be_visible()
    note = SessionNote.objects.get(appointment=appointment)

    # He presses Sign on the empty note by mistake: refused, saying what is missing.
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(
        page.get_by_text("Not signed: Write what the patient reports (Subjective).")
    ).to_be_visible()
    expect(
        page.get_by_text("Not signed: Record what was done: the points needled or the techniques")
    ).to_be_visible()
    note.refresh_from_db()
    assert note.signed_at is None

    # He adds his saved point set, before typing anything.
    expect(page.get_by_label("Add a point set")).to_have_text("Low back basics")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Added the points of “Low back basics”.")).to_be_visible()
    expect(page.get_by_label("Point 1", exact=True)).to_have_value("BL23 Shenshu (Kidney Shu)")
    expect(page.get_by_label("Point 2", exact=True)).to_have_value("GB30 Huantiao (Jumping Round)")
    expect(page.get_by_label("Side of point 2")).to_have_value("right")

    # He types three more points, by code, by pinyin and by English name, and one twice.
    page.get_by_label("Point 3", exact=True).fill("GB21")
    page.get_by_label("Side of point 3").select_option("left")
    page.get_by_label("Point 4", exact=True).fill("neiguan")
    page.get_by_label("Point 5", exact=True).fill("spirit gate")
    page.get_by_label("Point 6", exact=True).fill("gb30")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("GB30 is already in row 2.")).to_be_visible()
    expect(page.get_by_label("Point 4", exact=True)).to_have_value("neiguan")  # kept as typed
    page.get_by_label("Point 6", exact=True).fill("")

    # He writes the session down, miscounting the needles he took out.
    page.get_by_label("What the patient reports").fill(
        "Stiff every morning, worse after gardening."
    )
    page.get_by_label("Pain before (0–10)").fill("6")
    page.get_by_label("Findings").fill("Tender over L4–L5, flexion limited.")
    page.get_by_label("Working impression").fill("Chronic mechanical low back pain.")
    page.get_by_label("Manual acupuncture").check()
    page.get_by_label("Needles inserted").fill("10")
    page.get_by_label("Retention (minutes)").fill("20")
    page.get_by_label("Pain after (0–10)").fill("3")
    page.get_by_label("Next steps").fill("Same points next week.")
    page.get_by_label("Needles removed").fill("9")
    page.get_by_role("button", name="Sign", exact=True).click()

    # Signing is refused, and the page says why.
    expect(
        page.get_by_text("Not signed: Needle count mismatch: 10 inserted, 9 removed.")
    ).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Needle count mismatch:")).to_contain_text(
        "10 inserted, 9 removed"
    )
    note.refresh_from_db()
    assert note.signed_at is None
    assert (note.needles_inserted, note.needles_removed) == (10, 9)

    # He finds the tenth needle, corrects the count and signs.
    expect(page.get_by_label("What the patient reports")).to_have_value(
        "Stiff every morning, worse after gardening."
    )
    page.get_by_label("Needles removed").fill("10")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_text("Signed. The note is now locked")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Signed by")).to_contain_text(
        "Content verified"
    )
    expect(page.get_by_text("BL23")).to_be_visible()
    note.refresh_from_db()
    assert note.signed_at is not None
    assert note.signed_by == paul
    assert seals.note_verifies(note)
    assert note.subjective == "Stiff every morning, worse after gardening."
    assert (note.pain_before, note.pain_after) == (6, 3)
    assert (note.needles_inserted, note.needles_removed, note.retention_minutes) == (10, 10, 20)
    assert note.techniques == ["manual"]
    assert note.plan == "Same points next week."
    assert sorted(note.points.values_list("point__code", "side")) == [
        ("BL23", "bilateral"),
        ("GB21", "left"),
        ("GB30", "right"),
        ("HT7", "bilateral"),
        ("PC6", "bilateral"),
    ]

    # A correction after signing is an addendum.
    page.get_by_label("Reason").fill("Omitted finding")
    page.get_by_label("Text").fill("Also tender over the right sacroiliac joint.")
    page.get_by_role("button", name="Sign and add the addendum").click()
    expect(page.get_by_text("Addendum signed and added.")).to_be_visible()
    expect(page.locator("article.note-addendum")).to_contain_text(
        "Also tender over the right sacroiliac joint."
    )
    addendum = NoteAddendum.objects.get(note=note)
    assert addendum.author == paul
    assert addendum.reason == "Omitted finding"

    # The note itself can no longer be edited: no control for it, no link to its form.
    edit_url = reverse("treatments:note-edit", args=[note.pk])
    no_edit_control(page, edit_url)
    go_to(page, "My day")
    row = page.get_by_role("row").filter(has_text="Harriet Lowe")
    expect(row).to_contain_text("Signed")
    expect(row.get_by_role("button", name="Write note")).to_have_count(0)
    no_edit_control(page, edit_url)
    expect(page.get_by_text("All your notes are signed.")).to_be_visible()
    row.get_by_role("link", name="09:00").click()
    expect(page.get_by_role("region", name="Session note")).to_contain_text("Signed by")
    no_edit_control(page, edit_url)
    page.get_by_role("link", name="Open the note").click()
    expect(page.get_by_role("heading", name="Session note: Harriet Lowe")).to_be_visible()
    no_edit_control(page, edit_url)

    # Even typed, the form's address shows the signed note, not the form.
    page.goto(edit_url)
    expect(page.get_by_text("This note is signed: add an addendum to correct it.")).to_be_visible()
    expect(page.get_by_label("What the patient reports")).to_have_count(0)
    no_edit_control(page, edit_url)
    note.refresh_from_db()
    assert seals.note_verifies(note)


def no_edit_control(page: Page, edit_url: str) -> None:
    expect(page.locator(f'a[href$="{edit_url}"], form[action$="{edit_url}"]')).to_have_count(0)
    for name in ("Edit", "Continue", "Continue the note", "Save draft", "Sign"):
        expect(page.get_by_role("link", name=name, exact=True)).to_have_count(0)
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)


@journey
def test_practitioner_cannot_sign_a_note_before_the_session_has_begun(
    page: Page, clinic, paul, fiona
):
    """Ivy is early for her 10:00 session: Paul may start the note, not sign it; next week's
    session offers no note at all."""
    ivy = PatientFactory(given_name="Ivy", family_name="Early")
    first = course_starting_today(
        ivy, practitioner=paul.practitioner, room=clinic[0], hh_mm="10:00", by=fiona, booked=2
    )
    scheduling.mark_arrived(appointment=first, by=fiona)

    log_in(page, "paul")
    go_to(page, "My day")
    page.get_by_role("row").filter(has_text="Ivy Early").get_by_role(
        "button", name="Write note"
    ).click()
    page.get_by_label("What the patient reports").fill("Early, the hip is worse today.")
    page.get_by_label("Manual acupuncture").check()
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(
        page.get_by_text("Not signed: The session has not started yet: sign the note once it")
    ).to_be_visible()
    note = SessionNote.objects.get(appointment=first)
    assert note.signed_at is None
    assert note.subjective == "Early, the hip is worse today."

    # Next week's session: no note can be started before the day.
    next_week = timezone.localtime(first.start).date() + timedelta(days=7)
    page.goto(f"{reverse('treatments:my-day')}?day={next_week.isoformat()}")
    row = page.get_by_role("row").filter(has_text="Ivy Early")
    expect(row).to_contain_text("Note from 09:00 on the day")
    expect(row.get_by_role("button", name="Write note")).to_have_count(0)
