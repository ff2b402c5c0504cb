"""The note service: hashes, drafts, signing rules and addenda."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from patients.models import RedFlag
from tests.factories import SIGNABLE, AppointmentFactory, ComplaintFactory, CourseFactory
from treatments.audit import seals
from treatments.models import AcupuncturePoint, AppointmentStatus, SessionNote
from treatments.notes import services as notes

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(paul):
    appointment = AppointmentFactory(
        practitioner=paul.practitioner, start=timezone.now() - timedelta(hours=1)
    )
    note = notes.note_start(appointment=appointment, by=paul)
    return notes.note_save_draft(note=note, by=paul, **SIGNABLE)


@pytest.fixture
def gb30():
    return AcupuncturePoint.objects.get(code="GB30")


def fresh(note) -> SessionNote:
    return SessionNote.objects.get(pk=note.pk)


class TestContentHash:
    def test_is_the_same_for_the_same_content(self, note, paul, gb30):
        notes.note_save_draft(note=note, by=paul, points=[(gb30, "left")], subjective="Sore")
        assert notes.content_hash(fresh(note)) == notes.content_hash(fresh(note))

    @pytest.mark.parametrize(
        "field, value",
        [
            ("subjective", "Worse at night"),
            ("pain_before", 7),
            ("objective", "Tight piriformis"),
            ("assessment", "Muscle spasm"),
            ("red_flags_reviewed", True),
            ("techniques", ["electro"]),
            ("needles_inserted", 3),
            ("needles_removed", 3),
            ("retention_minutes", 20),
            ("pain_after", 2),
            ("adverse_event", "bruising"),
            ("adverse_event_detail", "Small bruise"),
            ("plan", "Review in a week"),
            ("home_care", "Walk daily"),
        ],
    )
    def test_changes_when_any_field_changes(self, note, paul, field, value):
        before = notes.content_hash(fresh(note))
        notes.note_save_draft(note=note, by=paul, **{field: value})
        assert notes.content_hash(fresh(note)) != before

    def test_changes_when_a_point_or_its_side_changes(self, note, paul, gb30):
        notes.note_save_draft(note=note, by=paul, points=[(gb30, "left")])
        left = notes.content_hash(fresh(note))
        notes.note_save_draft(note=note, by=paul, points=[(gb30, "right")])
        right = notes.content_hash(fresh(note))
        bl40 = AcupuncturePoint.objects.get(code="BL40")
        notes.note_save_draft(note=note, by=paul, points=[(gb30, "right"), (bl40, "left")])
        assert len({left, right, notes.content_hash(fresh(note))}) == 3


class TestDrafts:
    def test_saving_a_signed_note_is_refused(self, note, paul):
        notes.note_sign(note=note, by=paul)
        with pytest.raises(ValidationError):
            notes.note_save_draft(note=note, by=paul, subjective="Changed later")
        assert fresh(note).subjective == SIGNABLE["subjective"]

    def test_someone_other_than_the_author_cannot_save_the_draft(self, note, priya):
        with pytest.raises(PermissionDenied):
            notes.note_save_draft(note=note, by=priya, subjective="Not mine")
        assert fresh(note).subjective == SIGNABLE["subjective"]


class TestSigning:
    def test_a_needle_mismatch_is_refused(self, note, paul):
        notes.note_save_draft(note=note, by=paul, needles_inserted=8, needles_removed=7)
        with pytest.raises(ValidationError, match="Needle count mismatch"):
            notes.note_sign(note=note, by=paul)
        assert not fresh(note).is_signed

    def test_an_empty_note_is_refused_saying_what_is_missing(self, paul):
        appointment = AppointmentFactory(
            practitioner=paul.practitioner, start=timezone.now() - timedelta(hours=1)
        )
        note = notes.note_start(appointment=appointment, by=paul)

        with pytest.raises(ValidationError) as refused:
            notes.note_sign(note=note, by=paul)

        assert refused.value.messages == [
            "Write what the patient reports (Subjective).",
            "Record what was done: the points needled or the techniques used.",
        ]
        assert not fresh(note).is_signed

    def test_a_blank_subjective_is_as_empty_as_none(self, note, paul):
        notes.note_save_draft(note=note, by=paul, subjective="   ")
        with pytest.raises(ValidationError, match=r"Write what the patient reports"):
            notes.note_sign(note=note, by=paul)

    def test_points_alone_are_enough_for_what_was_done(self, note, paul, gb30):
        notes.note_save_draft(note=note, by=paul, techniques=[], points=[(gb30, "right")])
        assert notes.note_sign(note=note, by=paul).is_signed

    def test_a_technique_alone_is_enough_for_what_was_done(self, note, paul):
        notes.note_save_draft(note=note, by=paul, techniques=["cupping"], points=[])
        assert notes.note_sign(note=note, by=paul).is_signed

    def test_unreviewed_red_flags_are_refused_until_ticked(self, paul):
        complaint = ComplaintFactory(red_flags=[RedFlag.values[0]])
        course = CourseFactory(complaint=complaint, practitioner=paul.practitioner)
        appointment = AppointmentFactory(
            patient=complaint.patient,
            practitioner=paul.practitioner,
            course=course,
            start=timezone.now() - timedelta(minutes=30),
            status=AppointmentStatus.ARRIVED,
        )
        note = notes.note_start(appointment=appointment, by=paul)
        with pytest.raises(ValidationError, match="red flags"):
            notes.note_sign(note=note, by=paul)
        notes.note_save_draft(note=note, by=paul, red_flags_reviewed=True, **SIGNABLE)
        assert notes.note_sign(note=note, by=paul).is_signed

    def test_a_signed_note_verifies(self, note, paul):
        signed = notes.note_sign(note=note, by=paul)
        assert len(signed.content_hash) == 64
        assert seals.note_verifies(fresh(note))


class TestAddenda:
    def test_a_draft_takes_no_addendum(self, note, paul):
        with pytest.raises(ValidationError):
            notes.addendum_add(note=note, by=paul, reason="Typo", text="Left, not right")
        assert not note.addenda.exists()
