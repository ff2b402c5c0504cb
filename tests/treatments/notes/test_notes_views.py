"""The practitioner's note screens: my day, writing, signing, addenda and point sets."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patients.models import RedFlag
from tests.factories import (
    SIGNABLE,
    AppointmentFactory,
    ComplaintFactory,
    CourseFactory,
    PatientFactory,
    at,
)
from treatments.audit import seals
from treatments.models import (
    AccessLog,
    AcupuncturePoint,
    AppointmentStatus,
    PointSet,
    SessionNote,
)
from treatments.notes import services as notes

pytestmark = pytest.mark.django_db


@pytest.fixture
def appointment(paul):
    return AppointmentFactory(
        practitioner=paul.practitioner, start=timezone.now() - timedelta(minutes=50)
    )


@pytest.fixture
def draft(appointment, paul):
    """A draft with enough in it to be signed."""
    note = notes.note_start(appointment=appointment, by=paul)
    return notes.note_save_draft(note=note, by=paul, **SIGNABLE)


@pytest.fixture
def signed(draft, paul):
    return notes.note_sign(note=draft, by=paul)


def point(code: str) -> AcupuncturePoint:
    return AcupuncturePoint.objects.get(code=code)


def note_data(action="save", rows=(), **fields) -> dict:
    """What the note form posts: every field, the point rows and the button pressed."""
    data = {
        "subjective": SIGNABLE["subjective"],
        "techniques": SIGNABLE["techniques"],
        "pain_before": "",
        "objective": "",
        "assessment": "",
        "needles_inserted": "0",
        "needles_removed": "0",
        "retention_minutes": "",
        "pain_after": "",
        "adverse_event": "none",
        "adverse_event_detail": "",
        "plan": "",
        "home_care": "",
        "action": action,
        "points-TOTAL_FORMS": str(len(rows) + 1),
        "points-INITIAL_FORMS": "0",
    }
    for i, (code, side) in enumerate(rows):
        data[f"points-{i}-point"] = code
        data[f"points-{i}-side"] = side
    data[f"points-{len(rows)}-side"] = "bilateral"
    data.update(fields)
    return data


def edit_url(note) -> str:
    return reverse("treatments:note-edit", args=[note.pk])


def fresh(note) -> SessionNote:
    return SessionNote.objects.get(pk=note.pk)


class TestAccess:
    @pytest.mark.parametrize(
        "name, needs_note",
        [
            ("my-day", False),
            ("note-detail", True),
            ("note-edit", True),
            ("point-sets", False),
            ("point-set-create", False),
        ],
    )
    def test_anonymous_visitors_are_sent_to_log_in(self, client, draft, name, needs_note):
        url = reverse(f"treatments:{name}", args=[draft.pk] if needs_note else [])
        assert client.get(url)["Location"].startswith(reverse("login"))

    @pytest.mark.parametrize(
        "name, method",
        [
            ("my-day", "get"),
            ("note-detail", "get"),
            ("note-edit", "get"),
            ("note-sign", "post"),
            ("note-addendum", "post"),
            ("note-start", "post"),
        ],
    )
    def test_staff_without_a_role_and_the_front_desk_are_refused(
        self, nobody_client, fiona_client, draft, name, method
    ):
        args = {"my-day": [], "note-start": [draft.appointment_id]}.get(name, [draft.pk])
        url = reverse(f"treatments:{name}", args=args)
        assert getattr(nobody_client, method)(url).status_code == 403
        assert getattr(fiona_client, method)(url).status_code == 403

    def test_another_practitioner_cannot_edit_or_sign_the_draft(self, priya_client, draft):
        assert priya_client.get(edit_url(draft)).status_code == 403
        assert priya_client.post(edit_url(draft), note_data(subjective="x")).status_code == 403
        sign = reverse("treatments:note-sign", args=[draft.pk])
        assert priya_client.post(sign).status_code == 403
        assert fresh(draft).subjective == SIGNABLE["subjective"]

    def test_another_practitioner_cannot_start_the_note(self, priya_client, appointment):
        url = reverse("treatments:note-start", args=[appointment.pk])
        assert priya_client.post(url).status_code == 403
        assert not SessionNote.objects.exists()

    def test_a_manager_reads_the_note_but_cannot_edit_it(self, maria_client, draft):
        assert (
            maria_client.get(reverse("treatments:note-detail", args=[draft.pk])).status_code == 200
        )
        assert maria_client.get(edit_url(draft)).status_code == 403

    @pytest.mark.parametrize(
        "name, method",
        [
            ("my-day", "post"),
            ("note-start", "get"),
            ("note-detail", "post"),
            ("note-edit", "put"),
            ("note-sign", "get"),
            ("note-addendum", "get"),
            ("point-sets", "post"),
            ("point-set-delete", "get"),
        ],
    )
    def test_wrong_methods_are_refused(self, paul_client, draft, paul, name, method):
        args = {
            "my-day": [],
            "point-sets": [],
            "note-start": [draft.appointment_id],
            "point-set-delete": [
                notes.point_set_save(practitioner=paul.practitioner, name="Hip", points=[]).pk
            ],
        }.get(name, [draft.pk])
        url = reverse(f"treatments:{name}", args=args)
        assert getattr(paul_client, method)(url).status_code == 405

    def test_unknown_notes_are_not_found(self, paul_client):
        assert paul_client.get(reverse("treatments:note-detail", args=[999])).status_code == 404
        assert paul_client.get(edit_url(SessionNote(pk=999))).status_code == 404


class TestStartingANote:
    def test_a_note_starts_with_the_points_and_plan_of_the_previous_note(
        self, paul_client, paul, appointment
    ):
        earlier = AppointmentFactory(
            patient=appointment.patient,
            practitioner=paul.practitioner,
            start=appointment.start - timedelta(days=7),
            status=AppointmentStatus.COMPLETED,
        )
        previous = notes.note_start(appointment=earlier, by=paul)
        notes.note_save_draft(
            note=previous, by=paul, points=[(point("GB30"), "right")], plan="Add BL40"
        )
        response = paul_client.post(reverse("treatments:note-start", args=[appointment.pk]))
        note = SessionNote.objects.get(appointment=appointment)
        assert response["Location"] == edit_url(note)
        assert note.plan == "Add BL40"
        assert [(p.point.code, p.side) for p in note.points.all()] == [("GB30", "right")]

    def test_starting_a_signed_note_opens_it(self, paul_client, signed):
        response = paul_client.post(reverse("treatments:note-start", args=[signed.appointment_id]))
        assert response["Location"] == reverse("treatments:note-detail", args=[signed.pk])


class TestWritingTheNote:
    def test_the_edit_page_shows_the_soap_sections(self, paul_client, draft):
        content = paul_client.get(edit_url(draft)).content.decode()
        for section in ("Subjective", "Objective", "Assessment", "Treatment", "Response", "Plan"):
            assert f">{section}</legend>" in content

    def test_saving_a_draft_keeps_everything(self, paul_client, draft):
        data = note_data(
            rows=[("GB30", "left"), ("BL40", "bilateral")],
            subjective="Pain down the right leg",
            pain_before="7",
            objective="Tight piriformis",
            assessment="Muscle spasm",
            red_flags_reviewed="on",
            techniques=["manual", "heat"],
            needles_inserted="6",
            needles_removed="6",
            retention_minutes="20",
            pain_after="4",
            adverse_event="bruising",
            adverse_event_detail="Small bruise at GB30",
            plan="Review in a week",
            home_care="Walk daily",
        )
        response = paul_client.post(edit_url(draft), data, follow=True)
        assert b"Saved." in response.content
        note = fresh(draft)
        assert (note.subjective, note.pain_before, note.objective) == (
            "Pain down the right leg",
            7,
            "Tight piriformis",
        )
        assert note.red_flags_reviewed and note.techniques == ["manual", "heat"]
        assert (note.needles_inserted, note.needles_removed, note.retention_minutes) == (6, 6, 20)
        assert (note.pain_after, note.adverse_event, note.plan) == (
            4,
            "bruising",
            "Review in a week",
        )
        assert note.home_care == "Walk daily"
        assert sorted((p.point.code, p.side) for p in note.points.all()) == [
            ("BL40", "bilateral"),
            ("GB30", "left"),
        ]
        assert not note.is_signed

    def test_saving_again_keeps_the_points_already_saved(self, paul_client, draft):
        data = note_data(rows=[("GB30", "left")])
        paul_client.post(edit_url(draft), data, headers={"HX-Request": "true"})
        paul_client.post(edit_url(draft), data)
        assert [str(p) for p in fresh(draft).points.all()] == ["GB30 (left)"]

    def test_bad_input_shows_the_form_again_with_what_was_typed(self, paul_client, draft):
        data = note_data(subjective="Do not lose me", pain_before="11")
        response = paul_client.post(edit_url(draft), data)
        assert response.status_code == 200
        assert response.context["form"].errors["pain_before"]
        assert b"Do not lose me" in response.content
        assert fresh(draft).subjective == SIGNABLE["subjective"]

    def test_a_needle_mismatch_is_shown_on_the_draft(self, paul_client, draft):
        paul_client.post(edit_url(draft), note_data(needles_inserted="8", needles_removed="7"))
        content = paul_client.get(edit_url(draft)).content.decode()
        assert "Needle count mismatch" in content and "8 inserted, 7 removed" in content

    def test_signing_with_a_needle_mismatch_is_refused_and_nothing_is_lost(
        self, paul_client, draft
    ):
        data = note_data("sign", subjective="Keep this", needles_inserted="8", needles_removed="7")
        response = paul_client.post(edit_url(draft), data, follow=True)
        assert response.redirect_chain[-1][0] == edit_url(draft)
        assert b"Not signed: Needle count mismatch" in response.content
        assert b"Keep this" in response.content
        note = fresh(draft)
        assert not note.is_signed and note.subjective == "Keep this"

    def test_unreviewed_red_flags_refuse_signing(self, paul_client, paul):
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
        page = paul_client.get(edit_url(note)).content.decode()
        assert "required for signing" in page and "Red flags: consider referral" in page
        response = paul_client.post(edit_url(note), note_data("sign"), follow=True)
        assert b"tick that you reviewed them" in response.content
        assert not fresh(note).is_signed
        response = paul_client.post(edit_url(note), note_data("sign", red_flags_reviewed="on"))
        assert response["Location"] == reverse("treatments:note-detail", args=[note.pk])
        assert fresh(note).is_signed

    def test_signing_once_fixed_records_a_hash_that_verifies(self, paul_client, paul, draft):
        paul_client.post(edit_url(draft), note_data("sign", needles_inserted="8"))
        data = note_data("sign", needles_inserted="8", needles_removed="8", subjective="Better")
        response = paul_client.post(edit_url(draft), data, follow=True)
        assert b"Signed." in response.content and b"Content verified" in response.content
        note = fresh(draft)
        assert note.signed_by == paul and len(note.content_hash) == 64
        assert seals.note_verifies(note)

    def test_signing_an_empty_note_is_refused_saying_what_is_missing(self, paul_client, draft):
        data = note_data("sign", subjective="", techniques=[])
        response = paul_client.post(edit_url(draft), data, follow=True)
        page = response.content.decode()
        assert "Write what the patient reports (Subjective)." in page
        assert "Record what was done: the points needled or the techniques used." in page
        assert not fresh(draft).is_signed

    def test_the_sign_view_signs_the_saved_draft(self, paul_client, draft):
        response = paul_client.post(reverse("treatments:note-sign", args=[draft.pk]))
        assert response["Location"] == reverse("treatments:note-detail", args=[draft.pk])
        assert fresh(draft).is_signed

    def test_a_signed_notes_edit_page_redirects_and_a_post_changes_nothing(
        self, paul_client, signed
    ):
        detail = reverse("treatments:note-detail", args=[signed.pk])
        assert paul_client.get(edit_url(signed))["Location"] == detail
        response = paul_client.post(edit_url(signed), note_data(subjective="Rewritten"))
        assert response["Location"] == detail
        note = fresh(signed)
        assert (
            note.subjective == SIGNABLE["subjective"] and note.content_hash == signed.content_hash
        )

    def test_autosave_returns_the_saved_fragment(self, paul_client, draft):
        response = paul_client.post(
            edit_url(draft), note_data(subjective="Typed so far"), headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert b"Draft saved" in response.content and b"<form" not in response.content
        assert fresh(draft).subjective == "Typed so far"

    def test_autosave_of_bad_input_says_so_and_saves_nothing(self, paul_client, draft):
        response = paul_client.post(
            edit_url(draft), note_data(pain_after="12"), headers={"HX-Request": "true"}
        )
        assert b"Not saved" in response.content
        assert fresh(draft).pain_after is None


class TestPointSets:
    def test_applying_a_point_set_adds_its_points_to_the_draft(self, paul_client, paul, draft):
        hip = notes.point_set_save(
            practitioner=paul.practitioner,
            name="Hip",
            points=[(point("GB30"), "right"), (point("GB34"), "right")],
        )
        data = note_data(
            "apply_set", rows=[("BL40", "left"), ("GB30", "right")], point_set=hip.pk, plan="x"
        )
        response = paul_client.post(edit_url(draft), data, follow=True)
        assert "Added the points of “Hip”" in response.content.decode()
        note = fresh(draft)
        assert note.plan == "x"
        assert sorted((p.point.code, p.side) for p in note.points.all()) == [
            ("BL40", "left"),
            ("GB30", "right"),
            ("GB34", "right"),
        ]

    def test_another_practitioners_set_cannot_be_applied(self, paul_client, priya, draft):
        theirs = notes.point_set_save(
            practitioner=priya.practitioner, name="Theirs", points=[(point("LI4"), "left")]
        )
        data = note_data("apply_set", point_set=theirs.pk)
        response = paul_client.post(edit_url(draft), data, follow=True)
        assert b"Choose one of your point sets" in response.content
        assert not fresh(draft).points.exists()

    def test_a_point_set_is_created_listed_and_deleted(self, paul_client, paul):
        data = note_data(rows=[("GB30", "left")], name="Sciatica")
        response = paul_client.post(reverse("treatments:point-set-create"), data, follow=True)
        assert b"Sciatica" in response.content and b"GB30 Huantiao" in response.content
        point_set = PointSet.objects.get(practitioner=paul.practitioner)
        assert [str(i) for i in point_set.items.all()] == ["GB30 (left)"]
        paul_client.post(reverse("treatments:point-set-delete", args=[point_set.pk]))
        assert not PointSet.objects.exists()

    def test_a_duplicate_name_is_a_field_error_and_keeps_the_rows(self, paul_client, paul):
        notes.point_set_save(practitioner=paul.practitioner, name="Hip", points=[])
        data = note_data(rows=[("GB34", "right")], name="hip")
        response = paul_client.post(reverse("treatments:point-set-create"), data)
        assert response.context["form"].errors["name"]
        assert response.context["rows"].points() == [(point("GB34"), "right")]

    def test_another_practitioners_set_cannot_be_deleted(self, paul_client, priya):
        theirs = notes.point_set_save(practitioner=priya.practitioner, name="T", points=[])
        url = reverse("treatments:point-set-delete", args=[theirs.pk])
        assert paul_client.post(url).status_code == 404


class TestReadingAndAmending:
    def test_reading_a_note_is_recorded_in_the_access_log(self, maria_client, maria, signed):
        maria_client.get(reverse("treatments:note-detail", args=[signed.pk]))
        entry = AccessLog.objects.get()
        assert (entry.user, entry.patient_id, entry.what, entry.object_id) == (
            maria,
            signed.appointment.patient_id,
            "session note",
            signed.pk,
        )
        assert entry.ip_address == "127.0.0.1"

    def test_addenda_are_shown_in_order_and_hashed(self, paul_client, signed):
        url = reverse("treatments:note-addendum", args=[signed.pk])
        paul_client.post(url, {"reason": "Wrong side", "text": "GB30 was left"})
        paul_client.post(url, {"reason": "Follow-up call", "text": "Pain eased next day"})
        addenda = list(signed.addenda.all())
        assert [a.reason for a in addenda] == ["Wrong side", "Follow-up call"]
        assert all(len(a.content_hash) == 64 for a in addenda)
        content = paul_client.get(reverse("treatments:note-detail", args=[signed.pk]))
        text = content.content.decode()
        assert text.index("Wrong side") < text.index("Follow-up call")
        assert addenda[0].content_hash in text

    def test_an_addendum_needs_a_reason_and_text(self, paul_client, signed):
        url = reverse("treatments:note-addendum", args=[signed.pk])
        response = paul_client.post(url, {"reason": " ", "text": "x"}, follow=True)
        assert b"Addendum not saved" in response.content
        assert not signed.addenda.exists()

    def test_a_draft_takes_no_addendum(self, paul_client, draft):
        url = reverse("treatments:note-addendum", args=[draft.pk])
        response = paul_client.post(url, {"reason": "r", "text": "t"}, follow=True)
        assert b"addenda are for signed notes" in response.content

    def test_the_front_desk_sees_that_a_note_is_signed_but_not_its_content(
        self, fiona_client, paul, appointment
    ):
        note = notes.note_start(appointment=appointment, by=paul)
        notes.note_save_draft(note=note, by=paul, **(SIGNABLE | {"subjective": "Private history"}))
        notes.note_sign(note=note, by=paul)
        url = reverse("treatments:appointment-detail", args=[appointment.pk])
        content = fiona_client.get(url).content.decode()
        assert "Signed" in content and "Private history" not in content
        assert reverse("treatments:note-detail", args=[note.pk]) not in content


class TestMyDay:
    def test_lists_the_day_with_course_progress_red_flags_and_note_states(
        self, paul_client, paul, signed
    ):
        complaint = ComplaintFactory(red_flags=[RedFlag.values[0]])
        course = CourseFactory(complaint=complaint, practitioner=paul.practitioner)
        start = signed.appointment.start
        for hours in (1, 2):
            AppointmentFactory(
                patient=complaint.patient,
                practitioner=paul.practitioner,
                course=course,
                start=start + timedelta(hours=hours),
            )
        content = paul_client.get(reverse("treatments:my-day")).content.decode()
        assert "session 2 of 4" in content and "Red flags" in content
        assert "Signed" in content and "Write note" in content

    def test_unsigned_notes_of_any_day_are_listed(self, paul_client, paul):
        old = AppointmentFactory(
            practitioner=paul.practitioner,
            start=timezone.now() - timedelta(days=30),
            status=AppointmentStatus.COMPLETED,
        )
        note = notes.note_start(appointment=old, by=paul)
        response = paul_client.get(reverse("treatments:my-day"))
        assert list(response.context["unsigned"]) == [note]

    def test_an_invalid_day_is_not_found(self, paul_client):
        assert (
            paul_client.get(reverse("treatments:my-day"), {"day": "2025-02-30"}).status_code == 404
        )

    def test_runs_the_same_queries_whatever_the_number_of_appointments(self, paul_client, paul):
        day = timezone.localdate() - timedelta(days=1)

        def fill(count, first):
            complaint = ComplaintFactory(red_flags=[RedFlag.values[0]])
            course = CourseFactory(complaint=complaint, practitioner=paul.practitioner)
            for i in range(first, first + count):
                start = at(day, "08:00") + timedelta(minutes=10 * i)
                appointment = AppointmentFactory(
                    patient=complaint.patient if i % 2 else PatientFactory(),
                    practitioner=paul.practitioner,
                    course=course if i % 2 else None,
                    start=start,
                    end=start + timedelta(minutes=10),
                    status=AppointmentStatus.COMPLETED,
                )
                if i % 3 == 0:
                    notes.note_start(appointment=appointment, by=paul)

        def count_queries():
            with CaptureQueriesContext(connection) as queries:
                response = paul_client.get(reverse("treatments:my-day"), {"day": day.isoformat()})
            return len(queries), len(response.context["appointments"])

        fill(2, 0)
        few, listed = count_queries()
        assert listed == 2
        fill(18, 2)
        many, listed = count_queries()
        assert listed == 20
        # session, user, roles, permissions (2), the practitioner profile, the day's
        # appointments with people, course, complaint, note and session number, the patients'
        # active complaints, the unsigned notes, completed sessions with no note, signed notes
        # of sessions that did not happen, the access log's one insert (a row for each patient
        # named) with its chain (the head, locked; the rows' links; the head moved on), the
        # clinic's profile (navigation).
        assert many == few == 16


class TestTheAppointmentPage:
    def test_the_treating_practitioner_gets_one_click_to_write_the_note(
        self, paul_client, appointment
    ):
        url = reverse("treatments:appointment-detail", args=[appointment.pk])
        content = paul_client.get(url).content.decode()
        assert "No note yet" in content and "Write the note" in content
        assert reverse("treatments:note-start", args=[appointment.pk]) in content

    def test_a_manager_gets_a_link_to_read_the_note(self, maria_client, signed):
        url = reverse("treatments:appointment-detail", args=[signed.appointment_id])
        content = maria_client.get(url).content.decode()
        assert reverse("treatments:note-detail", args=[signed.pk]) in content


def test_a_completed_session_without_a_note_is_on_the_practitioners_to_do_list(paul, paul_client):
    done = AppointmentFactory(
        practitioner=paul.practitioner,
        start=timezone.now() - timedelta(days=2),
        status=AppointmentStatus.COMPLETED,
    )
    page = paul_client.get(reverse("treatments:my-day")).content.decode()
    assert "Completed sessions with no note" in page
    assert reverse("treatments:note-start", args=[done.pk]) in page


def test_the_treating_practitioner_starts_a_note_from_the_calendar_in_one_click(
    paul, paul_client, fiona_client
):
    appointment = AppointmentFactory(
        practitioner=paul.practitioner, status=AppointmentStatus.ARRIVED, start=timezone.now()
    )
    day = timezone.localtime(appointment.start).date().isoformat()
    calendar = reverse("treatments:schedule-day", args=[day])
    start = reverse("treatments:note-start", args=[appointment.pk])
    assert f'action="{start}"' in paul_client.get(calendar).content.decode()
    assert f'action="{start}"' not in fiona_client.get(calendar).content.decode()
    response = paul_client.post(start)
    assert response.url == reverse("treatments:note-edit", args=[appointment.note.pk])
