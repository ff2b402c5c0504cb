"""Records changed behind the application's back are caught by `verify_records`, on SQLite
and on PostgreSQL (where a superuser first turns the triggers off).

Each case changes the database with raw SQL, as someone holding its password could, and
`verify_records` must then exit with status 1 and name the kind of record and its id.
"""

import json
import re

import pytest
from django.db import connection

from tests.treatments.audit.sealed import behind_the_apps_back, clinic_records, verify_records
from treatments.audit.protection import install, triggers_for
from treatments.homecare import services as homecare
from treatments.models import AcupuncturePoint, NoteAddendum, SessionNote
from treatments.notes import services as notes

pytestmark = pytest.mark.django_db

NOTE, ADDENDUM, SHEET = "Session note", "Note addendum", "Home-care sheet"
LOG, CHANGE = "Access log", "Status change"
HEAD = "head"  # the chain's head disagrees with the table


@pytest.fixture
def records(paul, fiona, maria):
    return clinic_records(paul, fiona, maria)


def json_value() -> str:
    return "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"


def findings(output: str) -> dict[str, str]:
    """verify_records' lines for each kind of record, by its label."""
    blocks, label = {}, None
    for line in output.splitlines():
        match = re.match(r"^([A-Z][\w -]+): \d+ checked", line)
        if match:
            label = match.group(1)
            blocks[label] = ""
        if label:
            blocks[label] += line + "\n"
    return blocks


def ids(block: str, what: str) -> set[int]:
    match = re.search(rf"^  {what} ids: ([\d, ]+)", block, re.MULTILINE)
    return {int(pk) for pk in match.group(1).split(", ")} if match else set()


# --- the cases: each changes something and says what verify_records must report -------------


def note_text_changed(r, sql):
    sql.execute(
        "UPDATE treatments_sessionnote SET subjective = %s WHERE id = %s", ["Fine", r.notes[0].pk]
    )
    return NOTE, "mismatched", r.notes[0].pk


def note_text_changed_and_its_hash_recomputed(r, sql):
    note = SessionNote.objects.get(pk=r.notes[0].pk)
    note.subjective = "No pain at all."
    sql.execute(
        "UPDATE treatments_sessionnote SET subjective = %s, content_hash = %s WHERE id = %s",
        [note.subjective, notes.content_hash(note), note.pk],
    )
    return NOTE, "mismatched", note.pk


def point_added_to_a_signed_note(r, sql):
    point = AcupuncturePoint.objects.get(code="LI4")
    sql.execute(
        "INSERT INTO treatments_notepoint (note_id, point_id, side) VALUES (%s, %s, %s)",
        [r.notes[2].pk, point.pk, "left"],
    )
    return NOTE, "mismatched", r.notes[2].pk


def note_signer_changed(r, sql):
    sql.execute("SELECT id FROM clinic_user WHERE username = %s", ["fiona"])
    other = sql.fetchone()[0]
    sql.execute(
        "UPDATE treatments_sessionnote SET signed_by_id = %s WHERE id = %s", [other, r.notes[1].pk]
    )
    return NOTE, "mismatched", r.notes[1].pk


def note_unsigned(r, sql):
    sql.execute(
        "UPDATE treatments_sessionnote SET signed_at = NULL, signed_by_id = NULL, "
        "content_hash = '' WHERE id = %s",
        [r.notes[0].pk],
    )
    return NOTE, "orphaned", r.notes[0].pk


def addendum_text_changed(r, sql):
    sql.execute(
        "UPDATE treatments_noteaddendum SET text = %s WHERE id = %s", ["Right.", r.addenda[0].pk]
    )
    return ADDENDUM, "mismatched", r.addenda[0].pk


def addendum_text_changed_and_its_hash_recomputed(r, sql):
    addendum = NoteAddendum.objects.select_related("note").get(pk=r.addenda[1].pk)
    addendum.text = "Advised rest."
    sql.execute(
        "UPDATE treatments_noteaddendum SET text = %s, content_hash = %s WHERE id = %s",
        [addendum.text, notes.addendum_hash(addendum), addendum.pk],
    )
    return ADDENDUM, "mismatched", addendum.pk


def sheet_snapshot_changed(r, sql):
    snapshot = dict(r.sheets[0].snapshot, patient="Someone Else")
    sql.execute(
        f"UPDATE treatments_homecaresheet SET snapshot = {json_value()} WHERE id = %s",
        [json.dumps(snapshot), r.sheets[0].pk],
    )
    return SHEET, "mismatched", r.sheets[0].pk


def sheet_snapshot_changed_and_its_hash_recomputed(r, sql):
    snapshot = dict(r.sheets[1].snapshot, intro="Heat is fine, whatever the swelling.")
    sql.execute(
        f"UPDATE treatments_homecaresheet SET snapshot = {json_value()}, content_hash = %s "
        "WHERE id = %s",
        [json.dumps(snapshot), homecare.snapshot_hash(snapshot), r.sheets[1].pk],
    )
    return SHEET, "mismatched", r.sheets[1].pk


def access_log_row_changed(r, sql):
    sql.execute("UPDATE treatments_accesslog SET what = %s WHERE id = %s", ["course", r.reads[2]])
    return LOG, "mismatched", r.reads[2]


def access_log_row_deleted_in_the_middle(r, sql):
    sql.execute("DELETE FROM treatments_accesslog WHERE id = %s", [r.reads[2]])
    return LOG, "orphaned", r.reads[2]  # its link is left over; the next link breaks too


def access_log_row_and_its_link_deleted_in_the_middle(r, sql):
    sql.execute("DELETE FROM treatments_accesslog WHERE id = %s", [r.reads[2]])
    sql.execute(
        "DELETE FROM treatments_recordseal WHERE kind = 'access log' AND record_id = %s",
        [r.reads[2]],
    )
    return LOG, "mismatched", r.reads[3]  # the next row's link was made over the deleted one


def newest_access_log_rows_deleted_with_their_links(r, sql):
    for pk in r.reads[-2:]:
        sql.execute("DELETE FROM treatments_accesslog WHERE id = %s", [pk])
        sql.execute(
            "DELETE FROM treatments_recordseal WHERE kind = 'access log' AND record_id = %s", [pk]
        )
    return LOG, HEAD, None


def access_log_row_inserted(r, sql):
    sql.execute(
        "INSERT INTO treatments_accesslog (user_id, patient_id, what, object_id, accessed_at, "
        "ip_address) SELECT user_id, patient_id, what, object_id, accessed_at, ip_address "
        "FROM treatments_accesslog WHERE id = %s",
        [r.reads[0]],
    )
    sql.execute("SELECT MAX(id) FROM treatments_accesslog")
    return LOG, "missing", sql.fetchone()[0]


def status_change_changed(r, sql):
    sql.execute(
        "UPDATE treatments_appointmentstatuschange SET to_status = %s WHERE id = %s",
        ["no_show", r.changes[2]],
    )
    return CHANGE, "mismatched", r.changes[2]


def status_change_and_its_link_deleted_in_the_middle(r, sql):
    sql.execute("DELETE FROM treatments_appointmentstatuschange WHERE id = %s", [r.changes[2]])
    sql.execute(
        "DELETE FROM treatments_recordseal WHERE kind = 'status change' AND record_id = %s",
        [r.changes[2]],
    )
    return CHANGE, "mismatched", r.changes[3]


def newest_status_change_deleted_with_its_link(r, sql):
    sql.execute("DELETE FROM treatments_appointmentstatuschange WHERE id = %s", [r.changes[-1]])
    sql.execute(
        "DELETE FROM treatments_recordseal WHERE kind = 'status change' AND record_id = %s",
        [r.changes[-1]],
    )
    return CHANGE, HEAD, None


def note_seal_deleted(r, sql):
    sql.execute(
        "DELETE FROM treatments_recordseal WHERE kind = 'note' AND record_id = %s", [r.notes[1].pk]
    )
    return NOTE, "missing", r.notes[1].pk


def sheet_seal_copied_from_another_sheet(r, sql):
    sql.execute(
        "UPDATE treatments_recordseal SET mac = (SELECT s.mac FROM treatments_recordseal s "
        "WHERE s.kind = 'sheet' AND s.record_id = %s) WHERE kind = 'sheet' AND record_id = %s",
        [r.sheets[1].pk, r.sheets[0].pk],
    )
    return SHEET, "mismatched", r.sheets[0].pk


def chain_head_rewound(r, sql):
    sql.execute("UPDATE treatments_chainhead SET length = length - 1 WHERE kind = 'access log'")
    return LOG, HEAD, None


def chain_head_reset_to_not_started(r, sql):
    sql.execute(
        "UPDATE treatments_chainhead SET key_id = '', mac = '', length = 0, last_id = NULL, "
        "last_link = '' WHERE kind = 'status change'"
    )
    return CHANGE, HEAD, None


CASES = [
    note_text_changed,
    note_text_changed_and_its_hash_recomputed,
    point_added_to_a_signed_note,
    note_signer_changed,
    note_unsigned,
    addendum_text_changed,
    addendum_text_changed_and_its_hash_recomputed,
    sheet_snapshot_changed,
    sheet_snapshot_changed_and_its_hash_recomputed,
    access_log_row_changed,
    access_log_row_deleted_in_the_middle,
    access_log_row_and_its_link_deleted_in_the_middle,
    newest_access_log_rows_deleted_with_their_links,
    access_log_row_inserted,
    status_change_changed,
    status_change_and_its_link_deleted_in_the_middle,
    newest_status_change_deleted_with_its_link,
    note_seal_deleted,
    sheet_seal_copied_from_another_sheet,
    chain_head_rewound,
    chain_head_reset_to_not_started,
]


def test_untouched_records_all_verify_and_the_report_names_no_patient(records):
    status, output = verify_records()

    assert status == 0, output
    assert "Every record verifies." in output
    blocks = findings(output)
    assert blocks[NOTE].startswith("Session note: 3 checked, 3 ok, 0 mismatched, 0 missing")
    assert blocks[ADDENDUM].startswith("Note addendum: 2 checked, 2 ok")
    assert blocks[SHEET].startswith("Home-care sheet: 2 checked, 2 ok")
    assert blocks[LOG].startswith("Access log: 5 checked, 5 ok")
    assert blocks[CHANGE].startswith("Status change: 4 checked, 4 ok")
    patient = records.notes[0].appointment.patient
    assert patient.family_name not in output and patient.given_name not in output


@pytest.mark.parametrize("tamper", CASES, ids=lambda case: case.__name__)
def test_verify_records_detects_a_change_made_behind_the_apps_back(records, tamper):
    with behind_the_apps_back() as sql:
        label, what, pk = tamper(records, sql)

    status, output = verify_records()

    assert status == 1, output
    block = findings(output)[label]
    if what == HEAD:
        assert "head" in block, output
    else:
        assert pk in ids(block, what), output
    others = {name: text for name, text in findings(output).items() if name != label}
    assert all(" 0 mismatched, 0 missing, 0 orphaned\n" in text for text in others.values())


def test_a_dropped_trigger_fails_verify_records_though_every_record_still_verifies(records):
    dropped = triggers_for(connection)[0]
    with connection.cursor() as cursor:
        on = ""
        if connection.vendor == "postgresql":
            on = f" ON {dropped.table}"
            # The records' deferred foreign-key checks are pending in the test's transaction;
            # PostgreSQL alters no table with pending trigger events.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"DROP TRIGGER {dropped.name}{on}")

    status, output = verify_records()

    assert status == 1
    assert "Every record verifies." not in output
    assert f"Database protection: {dropped.table}: trigger {dropped.name} is missing" in output
    assert "protection is not whole (1)" in output
    install(connection)
    assert verify_records()[0] == 0
