"""Migration 0021 seals the notes, addenda and sheets already signed and chains the reads and
status changes already logged, so that a clinic upgrading keeps every record verifiable."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.treatments.audit.sealed import clinic_records, verify_records
from treatments.models import ChainHead, RecordSeal

BEFORE_SEALS = [("treatments", "0019_history_of_appointments_and_courses")]


@pytest.fixture
def migrator():
    """A migration executor; the database is back at the newest migrations afterwards, with
    the triggers `migrate` installs (post_migrate) in place for the tests that follow."""
    yield MigrationExecutor(connection)
    call_command("migrate", verbosity=0)


# Serialized rollback: the rows the data migrations wrote are back for the tests after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_records_kept_before_seals_existed_are_sealed_by_the_migration(
    migrator, paul, fiona, maria
):
    records = clinic_records(paul, fiona, maria)
    migrator.migrate(BEFORE_SEALS)  # the seals and heads are gone with their tables

    call_command("migrate", verbosity=0)  # as a clinic upgrading runs it

    status, output = verify_records()
    assert status == 0, output
    assert "Session note: 3 checked, 3 ok" in output
    assert "Access log: 5 checked, 5 ok" in output
    assert "Status change: 4 checked, 4 ok" in output
    assert RecordSeal.objects.count() == 3 + 2 + 2 + 5 + 4
    assert ChainHead.objects.get(kind="access log").last_id == records.reads[-1]
