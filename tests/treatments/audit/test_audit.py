"""The access log (every read of a clinical record, for managers) and a note's history."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.factories import PatientFactory, course_under_way, session, write_note
from treatments.audit.services import record_read
from treatments.models import AccessLog
from treatments.notes import services as notes

pytestmark = pytest.mark.django_db

LOG = reverse("treatments:access-log")


def read(user, patient, what="session note", object_id=1, days_ago=0, ip="10.0.0.7"):
    if not days_ago:
        request = RequestFactory().get("/", REMOTE_ADDR=ip)
        request.user = user
        record_read(request, patient=patient, what=what, object_id=object_id)
        return AccessLog.objects.latest("id")
    # An older read, for the filters: written directly (rows are never updated).
    return AccessLog.objects.create(
        user=user,
        patient=patient,
        what=what,
        object_id=object_id,
        ip_address=ip,
        accessed_at=timezone.now() - timedelta(days=days_ago),
    )


# --- who may see it -------------------------------------------------------------------------


def test_the_access_log_sends_anonymous_visitors_to_log_in(client):
    response = client.get(LOG)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["fiona_client", "paul_client", "nobody_client"])
def test_only_the_clinic_manager_reads_the_access_log(request, who):
    assert request.getfixturevalue(who).get(LOG).status_code == 403


def test_the_access_log_refuses_posts(maria_client):
    assert maria_client.post(LOG).status_code == 405


# --- what it shows --------------------------------------------------------------------------


def test_the_access_log_lists_reads_newest_first_with_links(maria_client, paul):
    patient = PatientFactory(given_name="Ada", family_name="Lovelace")
    read(paul, patient, what="course", object_id=41, days_ago=2)
    read(paul, patient, what="session note", object_id=42)

    response = maria_client.get(LOG)

    entries = list(response.context["page"].object_list)
    assert [e.object_id for e in entries] == [42, 41]
    html = response.content.decode()
    assert reverse("treatments:note-detail", args=[42]) in html
    assert reverse("treatments:note-history", args=[42]) in html
    assert reverse("treatments:course-detail", args=[41]) in html
    assert reverse("patients:detail", args=[patient.pk]) in html
    assert "10.0.0.7" in html


def test_the_access_log_links_the_new_kinds_of_read_and_filters_by_them(maria_client, paul):
    patient = PatientFactory(given_name="Ada", family_name="Lovelace")
    read(paul, patient, what="home-care sheet pdf", object_id=7, days_ago=1)
    read(paul, patient, what="my day", object_id=patient.pk)

    response = maria_client.get(LOG)
    filtered = maria_client.get(LOG, {"what": "my day"})

    assert reverse("treatments:sheet-detail", args=[7]) in response.content.decode()
    assert ("my day", "Practitioner's day (patients listed)") in (
        response.context["form"].fields["what"].choices
    )
    assert [e.what for e in filtered.context["page"].object_list] == ["my day"]


def test_the_access_log_filters_by_user_patient_what_and_dates(maria_client, paul, priya):
    ada = PatientFactory(given_name="Ada", family_name="Lovelace")
    bob = PatientFactory(given_name="Bob", family_name="Builder")
    wanted = read(paul, ada, what="session note", days_ago=3)
    read(priya, ada, what="session note", days_ago=3)
    read(paul, bob, what="session note", days_ago=3)
    read(paul, ada, what="course", days_ago=3)
    read(paul, ada, what="session note", days_ago=10)
    day = (timezone.localdate() - timedelta(days=4)).isoformat()
    today = timezone.localdate().isoformat()

    response = maria_client.get(
        LOG,
        {
            "user": paul.pk,
            "patient": "lovelace",
            "what": "session note",
            "date_from": day,
            "date_to": today,
        },
    )

    assert [e.pk for e in response.context["page"].object_list] == [wanted.pk]


def test_a_backwards_date_range_is_shown_as_an_error_with_the_input_kept(maria_client):
    response = maria_client.get(LOG, {"date_from": "2025-03-10", "date_to": "2025-03-01"})

    assert response.status_code == 200
    assert "The end of the range is before its start." in response.content.decode()
    assert 'value="2025-03-10"' in response.content.decode()


def test_nonsense_filters_do_not_break_the_log(maria_client, paul):
    read(paul, PatientFactory())

    response = maria_client.get(LOG, {"user": "x", "date_from": "31/02", "page": "zz"})

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 1


def older_and_newer(response) -> tuple[int | None, int | None]:
    page = response.context["page"]
    return page.older, page.newer


def test_the_access_log_pages_back_by_older_and_newer_links_fifty_at_a_time(maria_client, paul):
    patient = PatientFactory()
    # 120 reads in the same instant: the row's id orders them, and no page skips or repeats one.
    moment = timezone.now()
    AccessLog.objects.bulk_create(
        AccessLog(user=paul, patient=patient, what="patient", object_id=i, accessed_at=moment)
        for i in range(120)
    )
    newest_first = list(
        AccessLog.objects.order_by("-accessed_at", "-id").values_list("pk", flat=True)
    )

    first = maria_client.get(LOG, {"what": "patient"})
    second = maria_client.get(LOG, {"what": "patient", "older": first.context["page"].older})
    third = maria_client.get(LOG, {"what": "patient", "older": second.context["page"].older})
    back = maria_client.get(LOG, {"what": "patient", "newer": third.context["page"].newer})

    pages = [[e.pk for e in r.context["page"].object_list] for r in (first, second, third)]
    assert pages == [newest_first[:50], newest_first[50:100], newest_first[100:]]
    assert [e.pk for e in back.context["page"].object_list] == newest_first[50:100]
    assert older_and_newer(first) == (newest_first[49], None)
    assert older_and_newer(third) == (None, newest_first[100])
    assert older_and_newer(back) == (newest_first[99], newest_first[50])
    html = second.content.decode()
    assert f"what=patient&amp;older={newest_first[99]}" in html
    assert f"what=patient&amp;newer={newest_first[50]}" in html
    assert "120 reads" in html


def test_the_access_log_counts_only_to_a_thousand(maria_client, paul):
    patient = PatientFactory()
    AccessLog.objects.bulk_create(
        AccessLog(user=paul, patient=patient, what="patient", object_id=i) for i in range(1001)
    )

    response = maria_client.get(LOG)

    assert "More than 1,000 reads" in response.content.decode()


@pytest.mark.parametrize("cursor", ["x", "-3", "0", "99999999999999999999", "12345"])
def test_a_made_up_page_link_shows_a_page_not_an_error(maria_client, paul, cursor):
    read(paul, PatientFactory())

    older = maria_client.get(LOG, {"older": cursor})
    newer = maria_client.get(LOG, {"newer": cursor})

    assert older.status_code == newer.status_code == 200


@pytest.mark.parametrize("rows", [10, 200])
def test_the_access_log_runs_the_same_queries_for_ten_or_two_hundred_rows(
    maria_client, paul, priya, django_assert_num_queries, rows
):
    patients = PatientFactory.create_batch(5)
    AccessLog.objects.bulk_create(
        AccessLog(user=(paul, priya)[i % 2], patient=patients[i % 5], what="patient", object_id=i)
        for i in range(rows)
    )
    maria_client.get(LOG)  # warm the session

    # 1 session, 2 user, 3 groups, 4-5 permissions, 6 the page's rows with their users and
    # patients, 7 the count (to 1,001 at most), 8 the users for the "user" filter, 9 the
    # clinic's profile (navigation). An older page is the same: its cursor is a subquery.
    with django_assert_num_queries(9):
        response = maria_client.get(LOG)
    with django_assert_num_queries(9):
        older = maria_client.get(LOG, {"older": response.context["page"].older or 1})

    assert response.status_code == older.status_code == 200


# --- reads are recorded ---------------------------------------------------------------------


def test_reading_a_course_page_is_recorded(paul, paul_client):
    course = course_under_way(paul.practitioner)

    paul_client.get(reverse("treatments:course-detail", args=[course.pk]), REMOTE_ADDR="10.1.2.3")

    entry = AccessLog.objects.get()
    assert (entry.user, entry.patient, entry.what, entry.object_id, entry.ip_address) == (
        paul,
        course.complaint.patient,
        "course",
        course.pk,
        "10.1.2.3",
    )


def test_reading_a_patient_page_is_recorded(fiona, fiona_client):
    patient = PatientFactory()

    fiona_client.get(reverse("patients:detail", args=[patient.pk]))

    entry = AccessLog.objects.get()
    assert (entry.user, entry.patient, entry.what, entry.object_id) == (
        fiona,
        patient,
        "patient",
        patient.pk,
    )
    assert entry.ip_address == "127.0.0.1"


def test_the_database_refuses_to_change_or_delete_access_log_rows(paul):
    read(paul, PatientFactory())

    with pytest.raises(IntegrityError), transaction.atomic():
        AccessLog.objects.filter(user=paul).update(ip_address="1.1.1.1")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessLog.objects.filter(user=paul).delete()

    assert AccessLog.objects.get().ip_address == "10.0.0.7"


def test_the_admin_cannot_change_or_delete_access_log_rows(admin_client, paul):
    entry = read(paul, PatientFactory())
    change = reverse("admin:treatments_accesslog_change", args=[entry.pk])

    admin_client.post(change, {"what": "nothing", "ip_address": "1.1.1.1"})
    response = admin_client.post(
        reverse("admin:treatments_accesslog_delete", args=[entry.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.what, entry.ip_address) == ("session note", "10.0.0.7")
    assert 'name="_save"' not in admin_client.get(change).content.decode()


# --- note history ---------------------------------------------------------------------------


@pytest.fixture
def note(paul):
    course = course_under_way(paul.practitioner)
    appointment = session(course, days_ago=7)
    note = write_note(appointment, sign=False, subjective="Sore hip", pain_before=6)
    notes.note_save_draft(note=note, by=paul, subjective="Sore right hip", pain_after=4)
    return notes.note_sign(note=note, by=paul)


def test_note_history_sends_anonymous_visitors_to_log_in(client, note):
    response = client.get(reverse("treatments:note-history", args=[note.pk]))

    assert response.status_code == 302


@pytest.mark.parametrize("who", ["fiona_client", "paul_client", "nobody_client"])
def test_only_the_clinic_manager_reads_a_notes_history(request, who, note):
    response = request.getfixturevalue(who).get(reverse("treatments:note-history", args=[note.pk]))

    assert response.status_code == 403


def test_note_history_refuses_posts(maria_client, note):
    response = maria_client.post(reverse("treatments:note-history", args=[note.pk]))

    assert response.status_code == 405


def test_note_history_of_an_unknown_note_is_not_found(maria_client):
    assert maria_client.get(reverse("treatments:note-history", args=[999])).status_code == 404


def test_note_history_shows_who_changed_what_and_when(maria, maria_client, note, paul):
    notes.addendum_add(note=note, by=paul, reason="Wrong side", text="Left hip, not right.")

    response = maria_client.get(reverse("treatments:note-history", args=[note.pk]))

    versions = response.context["versions"]
    assert [v.action for v in versions] == ["Changed", "Changed", "Changed", "Created"]
    changed = {label: (old, new) for label, old, new in versions[1].changes}
    assert changed["What the patient reports"] == ("Sore hip", "Sore right hip")
    assert changed["Pain after (0–10)"] == ("—", 4)
    signing = {label for label, _, _ in versions[0].changes}
    assert {"Signed at", "Signed by", "Content hash"} <= signing
    [addendum] = response.context["addenda"]
    assert (addendum.action, addendum.record.reason) == ("Created", "Wrong side")
    assert "Left hip, not right." in response.content.decode()
    assert AccessLog.objects.filter(user=maria, what="note history", object_id=note.pk).exists()


def test_note_history_names_who_saved_each_version(maria_client, note, paul):
    # The services name the user of each version themselves, outside a request too.
    assert {version.history_user for version in note.history.all()} == {paul}

    response = maria_client.get(reverse("treatments:note-history", args=[note.pk]))

    assert response.content.decode().count("Paul Needham") >= 4
