"""`manage.py rotate_records_key` re-seals everything under a new key, but only once
everything verifies under the old one; nothing already stored is changed."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import PatientFactory
from tests.treatments.audit.sealed import (
    behind_the_apps_back,
    clinic_records,
    read,
    verify_records,
)
from treatments.audit.keys import records_key
from treatments.models import ChainHead, RecordSeal

pytestmark = pytest.mark.django_db

NEW_KEY = "the-clinics-new-records-key-0123456789-abcdefghijkl"


@pytest.fixture
def records(paul, fiona, maria):
    return clinic_records(paul, fiona, maria)


@pytest.fixture
def rotating(settings):
    """The environment of a rotation: the key in use so far as the old one, a new one."""
    settings.MERIDIAN_RECORDS_OLD_KEY = settings.MERIDIAN_RECORDS_KEY
    settings.MERIDIAN_RECORDS_KEY = NEW_KEY
    return records_key(settings.MERIDIAN_RECORDS_OLD_KEY), records_key(NEW_KEY)


def rotate() -> str:
    out = io.StringIO()
    call_command("rotate_records_key", stdout=out, stderr=out)
    return out.getvalue()


def test_rotation_reseals_everything_under_the_new_key(records, rotating, maria_client):
    old, new = rotating
    stored_before = RecordSeal.objects.count()

    output = rotate()

    assert f"Rotated from key {old.key_id} to {new.key_id}" in output
    assert "Session note: 3 sealed" in output and "Access log: 5 sealed" in output
    assert verify_records()[0] == 0
    # Nothing was rewritten: the old key's seals are all still there, beside the new ones.
    assert RecordSeal.objects.filter(key_id=old.key_id).count() == stored_before
    assert RecordSeal.objects.filter(key_id=new.key_id).count() == stored_before
    assert set(ChainHead.objects.values_list("key_id", flat=True)) == {new.key_id}
    page = maria_client.get(reverse("treatments:note-detail", args=[records.notes[1].pk])).text
    assert "Content verified" in page


def test_after_rotation_new_reads_are_chained_under_the_new_key(records, rotating, paul):
    rotate()

    read(paul, PatientFactory())

    status, output = verify_records()
    assert status == 0, output
    assert "Access log: 6 checked, 6 ok" in output


def test_rotation_is_refused_when_anything_fails_under_the_old_key(records, rotating):
    old, new = rotating
    with behind_the_apps_back() as sql:
        sql.execute(
            "UPDATE treatments_accesslog SET what = 'course' WHERE id = %s", [records.reads[1]]
        )

    with pytest.raises(CommandError, match="Not everything verifies under the old key"):
        rotate()

    assert not RecordSeal.objects.filter(key_id=new.key_id).exists()
    assert set(ChainHead.objects.values_list("key_id", flat=True)) == {old.key_id}


def test_rotation_is_refused_with_the_wrong_old_key(records, settings):
    settings.MERIDIAN_RECORDS_OLD_KEY = "not-the-key-these-records-were-sealed-with-0123"
    settings.MERIDIAN_RECORDS_KEY = NEW_KEY

    with pytest.raises(CommandError, match="Not everything verifies under the old key"):
        rotate()

    assert not RecordSeal.objects.filter(key_id=records_key(NEW_KEY).key_id).exists()


def test_rotation_is_refused_without_the_old_key(records, settings):
    settings.MERIDIAN_RECORDS_OLD_KEY = None

    with pytest.raises(CommandError, match="MERIDIAN_RECORDS_OLD_KEY"):
        rotate()


def test_rotation_to_the_same_key_is_refused(records, settings):
    settings.MERIDIAN_RECORDS_OLD_KEY = settings.MERIDIAN_RECORDS_KEY

    with pytest.raises(CommandError, match="the same"):
        rotate()


def test_rotation_back_to_a_key_used_before_is_refused(records, rotating, settings):
    rotate()
    settings.MERIDIAN_RECORDS_OLD_KEY, settings.MERIDIAN_RECORDS_KEY = (
        settings.MERIDIAN_RECORDS_KEY,
        settings.MERIDIAN_RECORDS_OLD_KEY,
    )

    with pytest.raises(CommandError, match="already sealed under key"):
        rotate()
