"""Whose a note is: a draft is read only by its author; addenda come from the author or the
clinic manager, with a reason.

The audit found practitioner2 (Priya) reading practitioner's (Paul's) unsigned draft and adding
a signed addendum to his note. Each test below does what she did and finds it refused or shown
without a word of the draft, while Paul, Maria (the clinic manager) and Fiona (the front desk)
keep what their roles give them. (The sheet issued in his name: tests/treatments/homecare/
test_sheet_in_the_issuers_name.py.)
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    SIGNABLE,
    AppointmentFactory,
    UserFactory,
    course_for,
)
from treatments.models import NoteAddendum
from treatments.notes import services as notes

pytestmark = pytest.mark.django_db

PRIVATE = "Worried about her job; pain 8 after the charity run"


@pytest.fixture
def appointment(paul):
    return AppointmentFactory(
        practitioner=paul.practitioner, start=timezone.now() - timedelta(minutes=50)
    )


@pytest.fixture
def draft(appointment, paul):
    note = notes.note_start(appointment=appointment, by=paul)
    return notes.note_save_draft(
        note=note, by=paul, **(SIGNABLE | {"subjective": PRIVATE, "pain_before": 8})
    )


@pytest.fixture
def signed(draft, paul):
    return notes.note_sign(note=draft, by=paul)


def page(client, name, *args) -> str:
    response = client.get(reverse(f"treatments:{name}", args=args))
    assert response.status_code == 200
    return response.content.decode()


# --- drafts are the author's ---------------------------------------------------------------


def test_the_author_reads_his_own_draft(paul_client, draft):
    assert PRIVATE in page(paul_client, "note-detail", draft.pk)


@pytest.mark.parametrize("reader", ["priya_client", "maria_client"])
def test_another_practitioner_or_the_manager_sees_the_draft_exists_but_not_its_content(
    request, reader, draft
):
    content = page(request.getfixturevalue(reader), "note-detail", draft.pk)
    assert PRIVATE not in content
    assert "Draft" in content and "Paul Needham" in content
    assert "readable only by its author" in content
    assert "Pain before" not in content and "8/10" not in content


def test_once_signed_the_note_is_read_by_colleagues_and_the_manager(
    priya_client, maria_client, signed
):
    assert PRIVATE in page(priya_client, "note-detail", signed.pk)
    assert PRIVATE in page(maria_client, "note-detail", signed.pk)


def test_the_front_desk_still_reads_no_note(fiona_client, draft, signed):
    response = fiona_client.get(reverse("treatments:note-detail", args=[signed.pk]))
    assert response.status_code == 403


@pytest.mark.parametrize("reader", ["priya_client", "maria_client", "fiona_client"])
def test_the_appointment_page_says_who_drafts_the_note_and_links_to_no_content(
    request, reader, draft
):
    content = page(request.getfixturevalue(reader), "appointment-detail", draft.appointment_id)
    assert "Draft" in content and "by Paul Needham" in content and "last saved" in content
    assert PRIVATE not in content
    assert reverse("treatments:note-detail", args=[draft.pk]) not in content


def test_editing_or_signing_another_practitioners_draft_is_refused(priya_client, draft):
    assert priya_client.get(reverse("treatments:note-edit", args=[draft.pk])).status_code == 403
    url = reverse("treatments:note-sign", args=[draft.pk])
    assert priya_client.post(url).status_code == 403
    draft.refresh_from_db()
    assert not draft.is_signed


def test_a_practitioner_given_a_moved_session_is_shown_the_colleagues_draft_not_its_editor(
    priya, priya_client, draft
):
    """The session moved to Priya after Paul began the note: 'Continue the note' takes her to
    the page that says whose draft it is, not to its content."""
    appointment = draft.appointment
    appointment.practitioner = priya.practitioner
    appointment.save()
    response = priya_client.post(reverse("treatments:note-start", args=[appointment.pk]))
    assert response["Location"] == reverse("treatments:note-detail", args=[draft.pk])
    assert PRIVATE not in page(priya_client, "note-detail", draft.pk)


def test_my_day_offers_a_colleagues_draft_as_that_not_as_something_to_continue(
    priya, priya_client, draft
):
    appointment = draft.appointment
    appointment.practitioner = priya.practitioner
    appointment.save()
    response = priya_client.get(reverse("treatments:my-day"))
    content = response.content.decode()
    assert reverse("treatments:note-edit", args=[draft.pk]) not in content
    assert "A colleague’s draft" in content


def test_the_managers_note_history_shows_who_saved_a_draft_but_not_what(
    maria_client, paul_client, draft, paul
):
    notes.note_save_draft(note=draft, by=paul, subjective="Second thoughts")
    content = page(maria_client, "note-history", draft.pk)
    assert PRIVATE not in content and "Second thoughts" not in content
    assert "Draft: content withheld" in content and "Paul Needham" in content


def test_the_note_history_shows_the_changes_once_signed(maria_client, signed):
    assert PRIVATE in page(maria_client, "note-history", signed.pk)


def test_the_admin_shows_a_superuser_that_a_draft_exists_but_not_its_content(client, draft):
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:treatments_sessionnote_change", args=[draft.pk])
    content = client.get(url).content.decode()
    assert "readable only by its author" in content and PRIVATE not in content
    # A signed note is shown whole.
    notes.note_sign(note=draft, by=draft.author)
    assert PRIVATE in client.get(url).content.decode()


def test_draft_pain_scores_stay_out_of_the_course_pain_chart(paul, maria_client):
    course = course_for(paul.practitioner, planned=2, start_date=timezone.localdate())
    first = AppointmentFactory(
        patient=course.complaint.patient,
        practitioner=paul.practitioner,
        course=course,
        start=timezone.now() - timedelta(minutes=50),
    )
    note = notes.note_start(appointment=first, by=paul)
    notes.note_save_draft(note=note, by=paul, pain_before=9, pain_after=3)
    response = maria_client.get(reverse("treatments:course-detail", args=[course.pk]))
    assert response.context["pain_chart"].points == []
    assert "Session 1 has no signed note" in response.content.decode()


# --- addenda: the author or the manager, with a reason ---------------------------------------


def addendum_url(note) -> str:
    return reverse("treatments:note-addendum", args=[note.pk])


def test_another_practitioner_cannot_add_an_addendum_to_the_note(priya, priya_client, signed):
    response = priya_client.post(addendum_url(signed), {"reason": "Mine now", "text": "x"})
    assert response.status_code == 403
    assert not NoteAddendum.objects.exists()
    assert "Add an addendum" not in page(priya_client, "note-detail", signed.pk)
    with pytest.raises(PermissionDenied):
        notes.addendum_add(note=signed, by=priya, reason="Mine now", text="x")
    assert not NoteAddendum.objects.exists()


def test_the_author_adds_an_addendum(paul_client, signed):
    paul_client.post(addendum_url(signed), {"reason": "Wrong side", "text": "GB30 was left"})
    assert NoteAddendum.objects.get().author == signed.author


def test_the_manager_adds_an_addendum_with_a_reason(maria, maria_client, signed):
    assert "Add an addendum" in page(maria_client, "note-detail", signed.pk)
    maria_client.post(
        addendum_url(signed),
        {"kind": "entered_in_error", "reason": "Paul has left", "text": "Session not held"},
    )
    addendum = NoteAddendum.objects.get()
    assert (addendum.author, addendum.reason) == (maria, "Paul has left")


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_addendum_without_a_reason_is_refused_for_the_manager_too(
    maria, maria_client, signed, reason
):
    response = maria_client.post(
        addendum_url(signed), {"reason": reason, "text": "Session not held"}, follow=True
    )
    assert "Addendum not saved" in response.content.decode()
    with pytest.raises(ValidationError, match="Say why the note needs an addendum"):
        notes.addendum_add(note=signed, by=maria, reason=reason, text="Session not held")
    assert not NoteAddendum.objects.exists()


def test_the_front_desk_adds_no_addendum(fiona_client, signed):
    assert fiona_client.post(addendum_url(signed), {"reason": "r", "text": "t"}).status_code == 403
    assert not NoteAddendum.objects.exists()
