"""Notes only for sessions that happened: a note is started for a session under way or done,
signed once it has begun, never signed for a cancelled or no-show session; a signed note whose
session is cancelled afterwards is flagged until an "entered in error" addendum records it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import SIGNABLE, AppointmentFactory
from treatments.audit import seals
from treatments.models import AddendumKind, AppointmentStatus, SessionNote
from treatments.notes import services as notes
from treatments.scheduling import services as scheduling

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mid_morning")]


def visit(paul, minutes_from_now: int, status=AppointmentStatus.BOOKED):
    start = timezone.now() + timedelta(minutes=minutes_from_now)
    return AppointmentFactory(practitioner=paul.practitioner, start=start, status=status)


def signable_note(appointment, paul) -> SessionNote:
    note = notes.note_start(appointment=appointment, by=paul)
    return notes.note_save_draft(note=note, by=paul, **SIGNABLE)


# --- starting a note ---------------------------------------------------------------------------


def test_no_note_can_be_started_for_a_session_on_a_later_day(paul):
    next_week = visit(paul, 7 * 24 * 60)

    with pytest.raises(ValidationError, match="under way or done: this one is on"):
        notes.note_start(appointment=next_week, by=paul)

    assert not SessionNote.objects.exists()


def test_a_note_can_be_started_for_todays_session_from_when_the_patient_can_check_in(paul):
    soon = visit(paul, 30)
    later = visit(paul, 90)

    assert notes.note_start(appointment=soon, by=paul).pk
    opens = timezone.localtime(later.start - timedelta(minutes=60))
    with pytest.raises(ValidationError, match=f"A note can be started from {opens:%H:%M}"):
        notes.note_start(appointment=later, by=paul)


def test_a_note_can_be_started_for_an_arrived_or_completed_session_of_any_day(paul):
    arrived = visit(paul, -20, status=AppointmentStatus.ARRIVED)
    last_month = visit(paul, -30 * 24 * 60, status=AppointmentStatus.COMPLETED)

    assert notes.note_start(appointment=arrived, by=paul).pk
    assert notes.note_start(appointment=last_month, by=paul).pk


def test_a_past_session_never_checked_in_gets_no_new_note(paul):
    forgotten = visit(paul, -2 * 24 * 60)  # still "booked" two days later

    with pytest.raises(ValidationError):
        notes.note_start(appointment=forgotten, by=paul)


def test_the_note_button_refuses_a_session_on_a_later_day_with_the_reason(paul, paul_client):
    next_week = visit(paul, 7 * 24 * 60)

    response = paul_client.post(reverse("treatments:note-start", args=[next_week.pk]), follow=True)

    assert "A note is written for a session that is under way or done" in response.text
    assert not SessionNote.objects.exists()


def test_my_day_offers_no_note_before_the_session_is_due(paul, paul_client):
    next_week = visit(paul, 7 * 24 * 60)
    day = timezone.localtime(next_week.start).date().isoformat()

    page = paul_client.get(reverse("treatments:my-day"), {"day": day}).text

    assert reverse("treatments:note-start", args=[next_week.pk]) not in page
    assert "Note from" in page


# --- signing -----------------------------------------------------------------------------------


def test_a_note_for_a_session_not_yet_begun_cannot_be_signed(paul, fiona):
    early = scheduling.mark_arrived(appointment=visit(paul, 30), by=fiona)
    note = signable_note(early, paul)

    with pytest.raises(ValidationError) as refused:
        notes.note_sign(note=note, by=paul)

    assert refused.value.messages == [
        "The session has not started yet: sign the note once it has begun."
    ]


def test_a_note_can_be_signed_once_the_session_has_begun(paul):
    under_way = visit(paul, -5)
    note = signable_note(under_way, paul)

    assert notes.note_sign(note=note, by=paul).is_signed


@pytest.mark.parametrize("status", [AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW])
def test_a_draft_is_kept_but_never_signed_for_a_session_that_did_not_happen(paul, status):
    appointment = visit(paul, -5)
    note = signable_note(appointment, paul)
    appointment.status = status
    appointment.save(update_fields=["status"])

    with pytest.raises(ValidationError, match="a note cannot be signed for a session that did"):
        notes.note_sign(note=SessionNote.objects.get(pk=note.pk), by=paul)

    kept = SessionNote.objects.get(pk=note.pk)
    assert kept.subjective == SIGNABLE["subjective"] and not kept.is_signed


def test_a_cancelled_sessions_draft_is_marked_on_my_day_and_on_the_note(paul, paul_client, fiona):
    appointment = visit(paul, -5)
    note = signable_note(appointment, paul)
    scheduling.cancel(appointment=appointment, reason="Patient unwell", by=fiona)

    my_day = paul_client.get(reverse("treatments:my-day")).text
    page = paul_client.get(reverse("treatments:note-detail", args=[note.pk])).text

    assert "Cancelled: draft kept, cannot be signed" in my_day
    assert "Draft</strong> kept for a cancelled session" in page


# --- a signed note whose session is cancelled afterwards ---------------------------------------


@pytest.fixture
def signed_then_cancelled(paul, fiona):
    """Paul signed the note of a session still marked booked; the desk then cancels it."""
    appointment = visit(paul, -10)
    note = notes.note_sign(note=signable_note(appointment, paul), by=paul)
    scheduling.cancel(appointment=appointment, reason="Booked in error", by=fiona)
    return SessionNote.objects.select_related("appointment").get(pk=note.pk)


def test_a_signed_note_whose_session_is_cancelled_is_flagged_and_kept(signed_then_cancelled):
    note = signed_then_cancelled

    assert note.signed_for_a_session_that_did_not_happen
    assert note.needs_error_addendum
    assert list(SessionNote.objects.awaiting_error_addendum()) == [note]
    assert seals.note_verifies(note)  # nothing changed, nothing deleted


def test_the_flag_shows_on_the_note_the_appointment_and_my_day(
    signed_then_cancelled, paul_client, fiona_client
):
    note = signed_then_cancelled
    note_page = paul_client.get(reverse("treatments:note-detail", args=[note.pk])).text
    appointment_url = reverse("treatments:appointment-detail", args=[note.appointment_id])
    desk_page = fiona_client.get(appointment_url).text
    my_day = paul_client.get(reverse("treatments:my-day")).text

    assert "Note signed for a cancelled session." in note_page
    assert "Add an “Entered in error” addendum below." in note_page
    assert '<option value="entered_in_error" selected>' in note_page
    assert "Note signed for a cancelled session." in desk_page
    assert "Notes signed for sessions that did not take place" in my_day
    assert SIGNABLE["subjective"] not in desk_page  # the desk still never reads the content


def test_an_entered_in_error_addendum_clears_the_request_and_keeps_the_flag(
    signed_then_cancelled, paul, paul_client
):
    note = signed_then_cancelled
    paul_client.post(
        reverse("treatments:note-addendum", args=[note.pk]),
        {"kind": "entered_in_error", "reason": "Session cancelled", "text": "Did not happen."},
    )

    note = SessionNote.objects.get(pk=note.pk)
    assert note.addenda.get().kind == AddendumKind.ENTERED_IN_ERROR
    assert not note.needs_error_addendum
    assert note.signed_for_a_session_that_did_not_happen
    assert not SessionNote.objects.awaiting_error_addendum().exists()
    page = paul_client.get(reverse("treatments:note-detail", args=[note.pk])).text
    assert "Entered in error</span>" in page
    assert "An “Entered in error” addendum records it." in page


def test_the_kind_of_an_addendum_is_part_of_its_signature(signed_then_cancelled, paul):
    note = signed_then_cancelled
    first = notes.addendum_add(note=note, by=paul, reason="Same", text="Same words.")
    second = notes.addendum_add(
        note=note,
        by=paul,
        reason="Same",
        text="Same words.",
        kind=AddendumKind.ENTERED_IN_ERROR,
    )
    second.signed_at = first.signed_at

    assert notes.addendum_hash(second) != notes.addendum_hash(first)
