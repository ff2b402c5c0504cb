"""A clinic can require a signed note before an appointment is completed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import SIGNABLE, AppointmentFactory
from treatments.models import AppointmentStatus
from treatments.notes import services as notes
from treatments.scheduling import services as scheduling
from treatments.scheduling.checks import SchedulingError

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen_today(paul):
    return AppointmentFactory(
        practitioner=paul.practitioner, start=timezone.now() - timedelta(minutes=50)
    )


def test_by_default_an_appointment_completes_without_a_note(seen_today, paul):
    scheduling.complete(appointment=seen_today, by=paul)
    assert seen_today.status == AppointmentStatus.COMPLETED


def test_with_the_setting_completion_waits_for_the_signed_note(seen_today, paul, settings):
    settings.REQUIRE_SIGNED_NOTE_TO_COMPLETE = True
    with pytest.raises(SchedulingError, match="Sign the session note first"):
        scheduling.complete(appointment=seen_today, by=paul)
    note = notes.note_start(appointment=seen_today, by=paul)
    with pytest.raises(SchedulingError):
        scheduling.complete(appointment=seen_today, by=paul)  # a draft is not enough
    notes.note_save_draft(note=note, by=paul, **SIGNABLE)
    notes.note_sign(note=note, by=paul)
    scheduling.complete(appointment=seen_today, by=paul)
    seen_today.refresh_from_db()
    assert seen_today.status == AppointmentStatus.COMPLETED
