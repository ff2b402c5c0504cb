"""A signed note cannot change through any path: the service, the admin, the ORM (refused by
the database's triggers, treatments/audit/protection.py), and its hash shows any change that
got past them."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from tests.factories import course_under_way, session, write_note
from treatments.audit import seals
from treatments.audit.protection import protection_lifted
from treatments.models import AcupuncturePoint, NoteAddendum, NotePoint, SessionNote
from treatments.notes import services as notes

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(paul):
    appointment = session(course_under_way(paul.practitioner), days_ago=7)
    return write_note(appointment, subjective="Sore hip", pain_before=6, pain_after=3)


@pytest.fixture
def draft(paul):
    appointment = session(course_under_way(paul.practitioner), days_ago=14)
    return write_note(appointment, sign=False, subjective="Sore hip")


def test_the_service_refuses_to_change_a_signed_note(signed, paul):
    with pytest.raises(ValidationError):
        notes.note_save_draft(note=signed, by=paul, subjective="Changed my mind")

    signed.refresh_from_db()
    assert signed.subjective == "Sore hip"


def test_the_service_refuses_to_sign_a_note_twice(signed, paul):
    with pytest.raises(ValidationError):
        notes.note_sign(note=signed, by=paul)


def test_the_admin_change_page_of_a_signed_note_has_no_save_button(admin_client, signed):
    response = admin_client.get(reverse("admin:treatments_sessionnote_change", args=[signed.pk]))

    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()


def test_posting_to_the_admin_does_not_change_a_signed_note(admin_client, signed):
    change = reverse("admin:treatments_sessionnote_change", args=[signed.pk])

    admin_client.post(change, {"subjective": "Rewritten", "pain_before": 1})
    delete = admin_client.post(
        reverse("admin:treatments_sessionnote_delete", args=[signed.pk]), {"post": "yes"}
    )

    assert delete.status_code == 403
    signed.refresh_from_db()
    assert (signed.subjective, signed.pain_before) == ("Sore hip", 6)
    assert seals.note_verifies(signed)


def test_the_admin_cannot_add_notes_or_addenda(admin_client):
    for model in ("sessionnote", "noteaddendum"):
        response = admin_client.get(reverse(f"admin:treatments_{model}_add"))
        assert response.status_code == 403


def test_a_signed_note_verifies_against_its_hash(signed):
    assert seals.note_verifies(signed)
    assert signed.content_hash == notes.content_hash(signed)


def test_the_hash_is_stable_when_the_note_is_read_again(signed):
    assert notes.content_hash(SessionNote.objects.get(pk=signed.pk)) == signed.content_hash


def test_a_draft_does_not_verify(draft):
    assert not seals.note_verifies(draft)


# An attacker who got past the triggers (a superuser on PostgreSQL, anyone holding the SQLite
# file) is played with `protection_lifted`.


def test_the_hash_detects_a_change_made_behind_the_services_back(signed):
    with protection_lifted(connection):
        SessionNote.objects.filter(pk=signed.pk).update(pain_after=0)

    signed.refresh_from_db()
    assert not seals.note_verifies(signed)


def test_the_hash_detects_a_point_added_behind_the_services_back(signed):
    with protection_lifted(connection):
        NotePoint.objects.create(note=signed, point=AcupuncturePoint.objects.first())

    assert not seals.note_verifies(signed)


# --- the database's triggers: the second line of defence, on SQLite and PostgreSQL ------------


def test_the_database_refuses_a_raw_update_of_a_signed_note(signed):
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionNote.objects.filter(pk=signed.pk).update(subjective="Rewritten")

    signed.refresh_from_db()
    assert seals.note_verifies(signed)


def test_the_database_refuses_to_delete_a_signed_note(signed):
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionNote.objects.filter(pk=signed.pk).delete()

    assert SessionNote.objects.filter(pk=signed.pk).exists()


def test_the_database_refuses_new_points_on_a_signed_note(signed):
    with pytest.raises(IntegrityError), transaction.atomic():
        NotePoint.objects.create(note=signed, point=AcupuncturePoint.objects.first())


def test_the_database_refuses_to_change_an_addendum(signed, paul):
    addendum = notes.addendum_add(note=signed, by=paul, reason="Typo", text="Left, not right.")

    with pytest.raises(IntegrityError), transaction.atomic():
        NoteAddendum.objects.filter(pk=addendum.pk).update(text="Something else")
    with pytest.raises(IntegrityError), transaction.atomic():
        NoteAddendum.objects.filter(pk=addendum.pk).delete()

    addendum.refresh_from_db()
    assert addendum.text == "Left, not right."


def test_the_database_lets_a_draft_change(draft):
    SessionNote.objects.filter(pk=draft.pk).update(subjective="Still writing")
    NotePoint.objects.create(note=draft, point=AcupuncturePoint.objects.first())

    draft.refresh_from_db()
    assert draft.subjective == "Still writing"
    assert draft.points.count() == 1
