"""Signed notes, addenda and issued sheets are sealed under the records key as they are saved,
and their pages say "Content verified" only while the seals hold."""

import json

import pytest
from django.urls import reverse

from tests.factories import course_under_way, session, write_note
from tests.treatments.audit.sealed import behind_the_apps_back
from tests.treatments.homecare.sheets import issue
from treatments.audit import seals
from treatments.audit.keys import current_key, records_key
from treatments.homecare import services as homecare
from treatments.models import RecordSeal, SealedKind, SessionNote
from treatments.notes import services as notes

pytestmark = pytest.mark.django_db

ANOTHER_KEY = "another-records-key-for-the-tests-0123456789abcdef"


@pytest.fixture
def signed(paul):
    return write_note(session(course_under_way(paul.practitioner), days_ago=7), pain_before=6)


def note_url(note):
    return reverse("treatments:note-detail", args=[note.pk])


def rewrite_subjective_and_its_hash(note, text):
    """What the unkeyed hash let through: new content with its SHA-256 recomputed."""
    changed = SessionNote.objects.get(pk=note.pk)
    changed.subjective = text
    with behind_the_apps_back() as sql:
        sql.execute(
            "UPDATE treatments_sessionnote SET subjective = %s, content_hash = %s WHERE id = %s",
            [text, notes.content_hash(changed), note.pk],
        )


# --- sealing ------------------------------------------------------------------------------------


def test_signing_a_note_seals_it_under_the_current_key(signed):
    seal = RecordSeal.objects.get(kind=SealedKind.NOTE, record_id=signed.pk)

    assert seal.key_id == current_key().key_id
    assert len(seal.mac) == 64 and seal.mac != signed.content_hash
    assert seals.note_verifies(signed)


def test_a_draft_has_no_seal_and_does_not_verify(paul):
    draft = write_note(session(course_under_way(paul.practitioner), days_ago=7), sign=False)

    assert not RecordSeal.objects.filter(kind=SealedKind.NOTE, record_id=draft.pk).exists()
    assert not seals.note_verifies(draft)


def test_an_addendum_is_sealed_with_the_notes_fingerprint(signed, paul):
    addendum = notes.addendum_add(note=signed, by=paul, reason="Typo", text="Left, not right.")

    assert RecordSeal.objects.filter(kind=SealedKind.ADDENDUM, record_id=addendum.pk).exists()
    assert seals.addendum_content(addendum)["note_hash"] == signed.content_hash


def test_an_issued_sheet_is_sealed(paul):
    sheet = issue(paul.practitioner)

    assert RecordSeal.objects.filter(kind=SealedKind.SHEET, record_id=sheet.pk).exists()
    assert seals.sheet_verifies(sheet)


def test_the_key_id_names_the_key_without_revealing_it():
    key = records_key(ANOTHER_KEY)

    assert len(key.key_id) == 8 and key.key_id != current_key().key_id
    assert ANOTHER_KEY not in repr(key)


def test_a_seal_made_with_another_key_does_not_verify(signed, settings):
    settings.MERIDIAN_RECORDS_KEY = ANOTHER_KEY

    assert not seals.note_verifies(signed)
    assert seals.check_note(signed, []).failures == [
        f"The note: no seal under the current key ({records_key(ANOTHER_KEY).key_id})."
    ]


# --- the note page ------------------------------------------------------------------------------


def test_the_note_page_says_content_verified_while_the_seals_hold(paul_client, signed, paul):
    notes.addendum_add(note=signed, by=paul, reason="Typo", text="Left, not right.")

    page = paul_client.get(note_url(signed)).text

    assert "Content verified: the note and its addenda are as signed." in page
    assert "cannot be verified" not in page


def test_a_note_rewritten_with_its_hash_recomputed_cannot_be_verified(paul_client, signed):
    rewrite_subjective_and_its_hash(signed, "No pain at all.")

    page = paul_client.get(note_url(signed)).text

    assert "Content verified" not in page
    assert "This record cannot be verified." in page
    assert 'id="verification-failures"' not in page  # which check failed: for managers


def test_the_manager_sees_which_check_failed(maria_client, signed):
    rewrite_subjective_and_its_hash(signed, "No pain at all.")

    page = maria_client.get(note_url(signed)).text

    assert "This record cannot be verified." in page
    assert "The note: the content does not match its seal." in page


def test_a_changed_addendum_makes_its_note_unverifiable(maria_client, signed, paul):
    addendum = notes.addendum_add(note=signed, by=paul, reason="Typo", text="Left, not right.")
    with behind_the_apps_back() as sql:
        sql.execute(
            "UPDATE treatments_noteaddendum SET text = %s WHERE id = %s", ["Right.", addendum.pk]
        )

    page = maria_client.get(note_url(signed)).text

    assert "This record cannot be verified." in page
    assert f"Addendum {addendum.pk}: the content does not match its seal." in page


def test_a_note_whose_seal_was_deleted_cannot_be_verified(maria_client, signed):
    with behind_the_apps_back() as sql:
        sql.execute(
            "DELETE FROM treatments_recordseal WHERE kind = 'note' AND record_id = %s", [signed.pk]
        )

    page = maria_client.get(note_url(signed)).text

    assert "This record cannot be verified." in page
    assert "The note: no seal under the current key" in page


def test_a_draft_page_makes_no_claim_about_verification(paul_client, paul):
    draft = write_note(session(course_under_way(paul.practitioner), days_ago=7), sign=False)

    page = paul_client.get(note_url(draft)).text

    assert "Content verified" not in page and "cannot be verified" not in page


# --- the sheet page -----------------------------------------------------------------------------


def test_a_sheet_changed_with_its_hash_recomputed_cannot_be_verified(maria_client, paul):
    sheet = issue(paul.practitioner)
    snapshot = dict(sheet.snapshot, intro="Heat is fine, whatever the swelling.")
    with behind_the_apps_back() as sql:
        value = "CAST(%s AS jsonb)" if sql.db.vendor == "postgresql" else "%s"
        sql.execute(
            f"UPDATE treatments_homecaresheet SET snapshot = {value}, content_hash = %s "
            "WHERE id = %s",
            [json.dumps(snapshot), homecare.snapshot_hash(snapshot), sheet.pk],
        )

    page = maria_client.get(reverse("treatments:sheet-detail", args=[sheet.pk])).text

    assert "Content verified" not in page
    assert "This sheet cannot be verified" in page
    assert "The sheet: the content does not match its seal." in page
