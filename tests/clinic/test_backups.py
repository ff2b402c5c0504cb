"""Encrypted backups: backup → wipe → restore brings back every row and every signature, on
SQLite and on PostgreSQL (run with DATABASE_URL); the file holds no clinical text in clear; a
wrong key, a damaged file or a missing confirmation leave the database untouched; retention
removes the oldest.

The tests commit their data (transactional), as pg_dump reads it from another connection.
"""

import stat
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from clinic.backups import BackupError, BackupKey, apply_retention, make_backup, restore_backup
from clinic.backups.databases import current_counts
from tests.factories import course_under_way, session, write_note
from tests.treatments.homecare.sheets import issue
from treatments.audit import seals
from treatments.models import (
    AccessLog,
    AppointmentStatus,
    HomeCareSheet,
    NoteAddendum,
    SessionNote,
)
from treatments.notes import services as notes

restorable = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# Words that appear nowhere but in the records made here, so a search of the bytes means it.
NOTE_TEXT = "Tingling past the knee since the charity run; quartzite-heron-8812"
ADDENDUM_TEXT = "Left leg, not right: marmalade-osprey-4409"


@pytest.fixture
def backup_key(monkeypatch, settings, tmp_path) -> BackupKey:
    text = BackupKey.new_text()
    monkeypatch.setenv("MERIDIAN_BACKUP_KEY", text)
    settings.BACKUP_DIR = tmp_path / "backups"
    return BackupKey.from_text(text)


@pytest.fixture
def clinic_records(paul, paul_client, fiona_client):
    """A patient with a complaint and a course of three: two sessions done (the first with a
    signed note and an addendum), one booked; a home-care sheet issued; and reads of the
    note and the patient in the access log."""
    course = course_under_way(paul.practitioner, planned=3, title="Right hip and buttock")
    first = session(course, days_ago=14)
    session(course, days_ago=7)
    session(course, days_ago=-7, status=AppointmentStatus.BOOKED)
    note = write_note(first, subjective=NOTE_TEXT)
    notes.addendum_add(note=note, by=paul, reason="Wrong side", text=ADDENDUM_TEXT)
    issue(paul.practitioner, patient=course.complaint.patient)
    patient = course.complaint.patient
    assert paul_client.get(reverse("treatments:note-detail", args=[note.pk])).status_code == 200
    assert paul_client.get(reverse("patients:detail", args=[patient.pk])).status_code == 200
    assert AccessLog.objects.count() >= 2
    return patient


def primary_keys() -> dict[str, set]:
    return {
        model._meta.db_table: set(model._base_manager.values_list("pk", flat=True))
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def wipe_database() -> None:
    """Drop every table (not delete rows: the append-only tables refuse that)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")
    connection.close()
    assert current_counts(connection) == {}


def every_signature_verifies() -> bool:
    signed = SessionNote.objects.exclude(signed_at=None)
    addenda = NoteAddendum.objects.select_related("note")
    return (
        signed.exists()
        and addenda.exists()
        and HomeCareSheet.objects.exists()
        and all(seals.note_verifies(note) for note in signed)  # with its addenda
        and all(notes.addendum_hash(addendum) == addendum.content_hash for addendum in addenda)
        and all(seals.sheet_verifies(sheet) for sheet in HomeCareSheet.objects.all())
    )


def run(command: str, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@restorable
def test_backup_wipe_restore_brings_back_every_row_and_every_signature(
    backup_key, clinic_records, settings
):
    keys, counts = primary_keys(), current_counts(connection)
    assert every_signature_verifies()

    said = run("backup")
    (backup,) = settings.BACKUP_DIR.glob("meridian-*.backup")
    assert f"Backup written: {backup}" in said
    assert f"{sum(counts.values()):,} rows" in said

    wipe_database()
    said = run("restore", str(backup), "--yes-wipe")

    assert current_counts(connection) == counts
    assert primary_keys() == keys
    assert f"{sum(counts.values()):,} rows of {sum(counts.values()):,} backed up" in said
    assert f"treatments_accesslog: {counts['treatments_accesslog']} of" in said
    assert every_signature_verifies()
    call_command("verify_records", stdout=StringIO())  # every seal and both chains


@restorable
def test_the_backup_file_holds_no_clinical_text_in_clear(backup_key, clinic_records):
    content = make_backup().path.read_bytes()

    patient = f"{clinic_records.given_name} {clinic_records.family_name}"
    for clear in (NOTE_TEXT, ADDENDUM_TEXT, patient, "Right hip and buttock"):
        assert clear.encode() not in content
    assert b"quartzite" not in content and b"SQLite format" not in content


@restorable
def test_backups_and_their_folder_are_private_and_no_clear_dump_is_left(
    backup_key, clinic_records, settings
):
    folder = settings.BACKUP_DIR
    folder.mkdir()
    folder.chmod(0o755)  # made by hand, readable by all
    # What a backup killed half-way would leave: a work folder with a clear copy, a partial.
    (folder / ".work-killed").mkdir(mode=0o700)
    (folder / ".work-killed" / "snapshot.sqlite3").write_bytes(NOTE_TEXT.encode())
    (folder / ".meridian-sqlite-20260101T000000Z.partial").write_bytes(b"half")

    backup = make_backup().path

    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert sorted(path.name for path in folder.iterdir()) == [".lock", backup.name]


@restorable
def test_a_wrong_key_is_refused_naming_both_keys_and_the_database_is_untouched(
    backup_key, clinic_records, monkeypatch
):
    backup = make_backup().path
    counts = current_counts(connection)
    other = BackupKey.new_text()
    monkeypatch.setenv("MERIDIAN_BACKUP_KEY", other)

    with pytest.raises(CommandError) as refused:
        run("restore", str(backup), "--yes-wipe")

    message = str(refused.value)
    assert "Wrong key" in message
    assert backup_key.key_id in message and BackupKey.from_text(other).key_id in message
    assert current_counts(connection) == counts
    assert every_signature_verifies()


@restorable
def test_a_damaged_or_cut_backup_is_refused_before_the_database_is_touched(
    backup_key, clinic_records, tmp_path
):
    backup = make_backup().path
    counts = current_counts(connection)
    content = backup.read_bytes()
    damaged, cut = tmp_path / "damaged.backup", tmp_path / "cut.backup"
    damaged.write_bytes(content[:-100] + bytes([content[-100] ^ 1]) + content[-99:])
    cut.write_bytes(content[: len(content) // 2])

    with pytest.raises(BackupError, match="damaged or was altered"):
        restore_backup(damaged)
    with pytest.raises(BackupError, match="cut short"):
        restore_backup(cut)
    assert current_counts(connection) == counts


def test_a_file_that_is_not_a_backup_is_refused(backup_key, tmp_path):
    (tmp_path / "notes.txt").write_text("Shopping: heat pad, bath salts.")

    with pytest.raises(BackupError, match="not a Meridian backup"):
        restore_backup(tmp_path / "notes.txt")


@restorable
def test_restore_without_yes_wipe_is_refused_and_check_reads_the_file_only(
    backup_key, clinic_records
):
    backup = make_backup().path
    counts = current_counts(connection)

    with pytest.raises(CommandError, match="--yes-wipe"):
        run("restore", str(backup))
    said = run("restore", str(backup), "--check")

    assert f"The backup is intact: {connection.vendor} database" in said
    assert f"key id {backup_key.key_id}" in said
    assert current_counts(connection) == counts


@pytest.mark.django_db
def test_a_backup_without_a_key_is_refused_and_writes_nothing(monkeypatch, settings, tmp_path):
    monkeypatch.delenv("MERIDIAN_BACKUP_KEY", raising=False)
    settings.BACKUP_DIR = tmp_path / "backups"

    with pytest.raises(CommandError, match="MERIDIAN_BACKUP_KEY is not set"):
        run("backup")
    monkeypatch.setenv("MERIDIAN_BACKUP_KEY", "correct horse battery staple")
    with pytest.raises(CommandError, match="not a backup key"):
        run("backup")
    assert not settings.BACKUP_DIR.exists()


def test_a_new_key_is_32_random_bytes_with_a_stable_id():
    first, second = run("backup", "--new-key").strip(), run("backup", "--new-key").strip()

    assert first != second
    assert len(BackupKey.from_text(first).secret) == 32
    assert BackupKey.from_text(first).key_id == BackupKey.from_text(first).key_id


@restorable
def test_each_backup_applies_retention_and_the_oldest_go(backup_key, clinic_records, settings):
    settings.BACKUP_KEEP, settings.BACKUP_KEEP_DAYS = 2, 0
    monday = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)

    made = [make_backup(now=monday + timedelta(days=day)) for day in range(4)]

    assert made[2].removed == [made[0].path]
    assert made[3].removed == [made[1].path]
    assert sorted(settings.BACKUP_DIR.glob("*.backup")) == [made[2].path, made[3].path]


def test_retention_keeps_the_newest_and_anything_younger_than_the_days(tmp_path):
    now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)
    for days_ago in (0, 1, 2, 5, 9, 30):
        stamp = (now - timedelta(days=days_ago)).strftime("%Y%m%dT%H%M%SZ")
        (tmp_path / f"meridian-sqlite-{stamp}.backup").write_bytes(b"")
    (tmp_path / "holiday-photos.backup").write_bytes(b"")  # not ours: never touched

    removed = apply_retention(tmp_path, keep=2, keep_days=7, now=now)

    assert sorted(path.name[16:24] for path in removed) == ["20261101", "20261122"]
    assert len(list(tmp_path.iterdir())) == 5


@restorable
def test_restoring_over_the_live_database_takes_it_back_to_the_backup(
    backup_key, clinic_records, paul, paul_client
):
    """Rows written after the backup, in append-only tables too, are gone after a restore:
    the database is replaced as a whole, no row is deleted (their triggers would refuse)."""
    backup = make_backup()
    note = SessionNote.objects.get()
    notes.addendum_add(note=note, by=paul, reason="Later", text="Written after the backup.")
    paul_client.get(reverse("patients:detail", args=[clinic_records.pk]))

    restored = restore_backup(backup.path)

    assert restored.missing == {}
    assert current_counts(connection) == backup.counts
    assert NoteAddendum.objects.count() == 1
    assert every_signature_verifies()


@pytest.mark.postgres
@restorable
def test_a_restore_that_fails_half_way_is_rolled_back_whole(
    backup_key, clinic_records, paul_client
):
    """The backup grants a role this server no longer has: the GRANT fails after every table
    was dropped and recreated, and the one transaction leaves the database as it was."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE meridian_backup_test_reader")
        cursor.execute("GRANT SELECT ON treatments_accesslog TO meridian_backup_test_reader")
    try:
        backup = make_backup()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("REVOKE ALL ON treatments_accesslog FROM meridian_backup_test_reader")
            cursor.execute("DROP ROLE meridian_backup_test_reader")
    paul_client.get(reverse("patients:detail", args=[clinic_records.pk]))  # after the backup
    counts = current_counts(connection)

    with pytest.raises(BackupError, match=r"rolled back \(the database is unchanged\).*role"):
        restore_backup(backup.path)

    assert current_counts(connection) == counts != backup.counts
    assert every_signature_verifies()
