"""Every page that shows a patient's clinical record writes the access log.

The walk opens every URL pattern of the site, the clinic's pages and the admin's, as every
role: the front desk, the practitioner whose patient it is, the clinic manager (who here may
also use the admin) and a superuser. The address holds real ids of one patient who has a
complaint, a course, appointments, a signed note with an addendum, a draft note and an issued
home-care sheet, and each of those carries a marker word found nowhere else. A response that
shows one of them (in its HTML, or in the text of a PDF) must have written an access-log row
for that patient, of the kind its page is declared to write below; a clinical page that names
the patient must too (a search result is a read of who is a patient here).

Every URL pattern is declared, either as a clinical page (with the kind of row it writes) or
as not clinical (with the reason): a new page fails here until someone has decided.
"""

import pathlib
import re
from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pypdf import PdfReader

from clinic.admin_mixins import ClinicalReadAdminMixin
from clinic.models import TimeOff, WorkingHours
from patients.models import Patient
from tests.factories import (
    ComplaintFactory,
    PatientFactory,
    RoomFactory,
    at,
    authenticator,
    book,
    chronic_complaint,
    future_monday,
    on_waitlist,
    session,
    works,
    write_note,
)
from tests.test_no_server_errors import OWNED_BY, _kwargs
from treatments.audit.services import WHAT_VALUES
from treatments.courses.services import course_plan
from treatments.homecare.services import sheet_issue
from treatments.models import (
    AccessLog,
    AcupuncturePoint,
    AppointmentStatus,
    HomeCareItem,
    SheetKind,
)
from treatments.notes import services as notes
from treatments.notes.services import point_set_save

pytestmark = pytest.mark.django_db

# --- the markers --------------------------------------------------------------------------

NAME = "Quillfeather"  # the patient's family name: who is a patient here
RECORD_MARKERS = {
    "Qzcomplaint": "the complaint's title",
    "Qzonset": "the complaint's onset story",
    "Qzgoal": "the course's goal",
    "Qzsigned": "the signed note's text",
    "Qzdraft": "the draft note's text",
    "Qzaddendum": "the addendum's text",
    "Qzsheet": "the sheet's introduction",
    "Qzadvice": "the sheet's personal advice",
}

# --- the decisions --------------------------------------------------------------------------

# The clinical page kinds: URL name -> the kind of access-log row it writes (WHAT_CHOICES).
CLINICAL = {
    "patients:list": "patient search",  # the patients listed
    "patients:detail": "patient",
    "patients:edit": "patient form",
    "patients:complaint-detail": "complaint",
    "patients:complaint-edit": "complaint form",
    "treatments:appointment-create": "booking form",  # the chosen patient's courses
    "treatments:patient-picker": "patient search",  # the patients listed
    "treatments:patient-courses": "booking form",
    "treatments:appointment-detail": "appointment",  # the course's complaint, the note
    "treatments:course-create": "course plan",
    "treatments:course-detail": "course",
    "treatments:course-edit": "course plan form",
    "treatments:course-book": "course booking",
    "treatments:my-day": "my day",  # the patients listed, with red flags and notes to do
    "treatments:note-detail": "session note",
    "treatments:note-edit": "note form",
    "treatments:note-history": "note history",
    "treatments:sheet-create": "sheet builder",
    "treatments:sheet-detail": "home-care sheet",
    "treatments:sheet-pdf": "home-care sheet pdf",
    "treatments:waitlist": "waitlist",  # the patients listed, with what they wait for
    "treatments:waitlist-fill": "waitlist",  # those who fit the slot, the same
    "treatments:waitlist-create": "waitlist entry form",  # the patient's complaints, courses
    "treatments:waitlist-edit": "waitlist entry form",
    "treatments:recalls": "recall list",  # the patients listed, with complaint titles
    "treatments:recall-contact": "recall",  # the item: its complaint's title
    "treatments:recall-dismiss": "recall",
    "clinic:home": "home",  # the practitioner's part: open courses, complaints to plan
    "admin:patients_patient_changelist": "admin patient list",
    "admin:patients_patient_change": "admin patient",  # with the complaints
    "admin:patients_patient_history": "admin patient",
    "admin:patients_complaint_changelist": "admin complaint list",
    "admin:patients_complaint_change": "admin complaint",
    "admin:patients_complaint_history": "admin complaint",
    "admin:treatments_treatmentcourse_changelist": "admin course list",
    "admin:treatments_treatmentcourse_change": "admin course",
    "admin:treatments_treatmentcourse_history": "admin course",
    "admin:treatments_sessionnote_changelist": "admin session note list",
    "admin:treatments_sessionnote_change": "admin session note",  # with the addenda
    "admin:treatments_sessionnote_history": "admin session note",
    "admin:treatments_noteaddendum_changelist": "admin addendum list",
    "admin:treatments_noteaddendum_change": "admin addendum",
    "admin:treatments_noteaddendum_history": "admin addendum",
    "admin:treatments_appointment_change": "admin appointment",  # the course's complaint
    "admin:treatments_appointment_history": "admin appointment",
}
# Clinical only in part: the name alone is no clinical read there.
PARTLY_CLINICAL = {
    "clinic:home": "the front desk's and the manager's parts list the newest patients and "
    "today's appointments, as the calendar does; only the practitioner's part is clinical",
}

SCHEDULING = (
    "scheduling only: who, when, where, the status, 'session 2 of 4' and the red-flag marker, "
    "but no complaint, note, course or sheet content; like the calendar, not logged"
)
NOT_CLINICAL = {
    SCHEDULING: [
        "treatments:schedule-today",
        "treatments:schedule-day",
        "treatments:schedule-week",
        "treatments:schedule-team-this-week",
        "treatments:schedule-team-week",
        "treatments:day-sheet",
        "treatments:day-sheet-pdf",  # the day sheet page's own template, as a PDF
        "treatments:today",
        "treatments:appointment-move",
        "treatments:appointment-cancel",
        "treatments:appointment-check",
        "treatments:free-slots",
        "treatments:waitlist-remove",  # who, when added, urgency: not what for
        "treatments:waitlist-freed",  # a redirect to the fill page, by the slot's times
        "clinic:hours",
        "clinic:hours-opening",
        "clinic:hours-practitioner",
        "clinic:hours-block-remove",
        "clinic:hours-time-off",
        "clinic:hours-time-off-remove",
        "admin:treatments_appointment_changelist",
        "admin:treatments_appointmentstatuschange_changelist",
        "admin:treatments_appointmentstatuschange_change",
        "admin:treatments_appointmentstatuschange_history",
        # The delivery log: names, appointment times, channels, states and reasons (a sheet
        # e-mailed is a link to it, by number); never a message's text.
        "treatments:messages",
    ],
    "the background worker's queue (django-tasks-db): task names, message ids and states, "
    "no patient": [
        "admin:django_tasks_database_dbtaskresult_changelist",
        "admin:django_tasks_database_dbtaskresult_change",
        "admin:django_tasks_database_dbtaskresult_history",
    ],
    "a form for a new record: the patient's name and what the user types (a possible "
    "duplicate found on registering is logged as a patient search)": [
        "patients:create",
        "patients:complaint-create",
    ],
    "an action: POST only, answered with a redirect (a GET is refused)": [
        "patients:archive",
        "patients:restore",
        "treatments:appointment-status",
        "treatments:appointment-undo",
        "treatments:waitlist-book",
        "treatments:sheet-email",  # the sheet leaves by the worker; the message is the record
        "treatments:course-discontinue",
        "treatments:course-complete",
        "treatments:note-start",
        "treatments:note-sign",
        "treatments:note-addendum",
        "treatments:point-set-delete",
        "treatments:point-in-use",
        "clinic:staff-set-active",
        "clinic:room-set-active",
        "clinic:lockout-lift",
        "clinic:staff-two-factor-reset",
        "clinic:staff-password-link",
        "session-keep-alive",
    ],
    "the clinic's set-up, its staff, signing in, the library and the point catalogue: no patient": [
        "clinic:profile",
        "clinic:staff-list",
        "clinic:staff-create",
        "clinic:staff-edit",
        "clinic:staff-password",
        "clinic:sign-ins",
        "clinic:room-list",
        "clinic:room-create",
        "clinic:room-edit",
        "treatments:point-sets",
        "treatments:point-set-create",
        "treatments:point-catalogue",
        "treatments:home-care-library",
        "treatments:home-care-item-create",
        "treatments:home-care-item-edit",
        "login",
        "two-factor",
        "two-factor-verify",
        "two-factor-setup",
        "two-factor-backup-codes",
        "session-status",
        "source",  # the AGPL page and archive: code, no patient
        "source-download",
        "password_change",
        "password_change_done",
        "password_reset_confirm",
        "password_reset_complete",
        "admin:index",
        "admin:login",
        "admin:password_change",
        "admin:password_change_done",
        "admin:jsi18n",
        "admin:autocomplete",  # no admin has autocomplete fields
        "admin:view_on_site",  # a redirect
        "admin:app_list",
        "admin:auth_user_password_change",
        "admin:otp_totp_totpdevice_config",
        "admin:otp_totp_totpdevice_qrcode",
    ],
    "the access log: who read which record, none of its content (reading it is not itself "
    "a read of a patient's record)": [
        "treatments:access-log",
        "admin:treatments_accesslog_changelist",
        "admin:treatments_accesslog_change",
        "admin:treatments_accesslog_history",
    ],
    "ends the session: not walked": ["logout", "admin:logout"],
    "a machine endpoint: the SMS provider's signed delivery reports (no login); it answers "
    "a state in JSON, never a page, and refuses the walk's unsigned requests": [
        "treatments:sms-status",
    ],
}
# Admin models with no clinical content, and the refused add and delete pages of all models.
ADMIN_NOT_CLINICAL = {
    "auth.group",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "clinic.clinicprofile",
    "clinic.openinghours",
    "clinic.practitioner",
    "clinic.room",
    "clinic.timeoff",
    "clinic.user",
    "clinic.workinghours",
    "otp_static.staticdevice",
    "otp_totp.totpdevice",
    "treatments.acupuncturepoint",
    "treatments.appointmenttype",
    "treatments.pointset",
}
ADMIN_PAGES = ("changelist", "change", "history", "add", "delete")


def _admin_model(name: str):
    """The registered model an admin URL name is about, and which of its pages it is."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model, name.removeprefix(prefix)
    return None, None


def decision(name: str) -> str | None:
    """'clinical: <kind>', or why the page is not clinical; None when nobody has decided."""
    if name in CLINICAL:
        return f"clinical: {CLINICAL[name]}"
    for reason, names in NOT_CLINICAL.items():
        if name in names:
            return reason
    model, page = _admin_model(name)
    if model is not None and page in ("add", "delete"):
        return "refused: the admin only reads (403)"
    if model is not None and model._meta.label_lower in ADMIN_NOT_CLINICAL:
        return "the admin of a model with no patient's record"
    return None


def _walk(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


PATTERNS = sorted(_walk(get_resolver()), key=lambda item: item[0])


def test_every_url_pattern_is_declared_clinical_or_not():
    undecided = [name for name, _ in PATTERNS if decision(name) is None]
    assert not undecided, f"Declare these pages clinical or not (and why): {undecided}"
    assert set(CLINICAL) <= {name for name, _ in PATTERNS}
    assert set(CLINICAL.values()) <= WHAT_VALUES


def test_the_admins_of_clinical_models_record_reads():
    clinical = {name.split(":")[1].rsplit("_", 1)[0] for name in CLINICAL if "admin:" in name}
    for model, model_admin in admin.site._registry.items():
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        assert isinstance(model_admin, ClinicalReadAdminMixin) == (label in clinical), label


# --- the patient and the walk ---------------------------------------------------------------


@pytest.fixture
def world(fiona, paul, maria):
    practitioner = paul.practitioner
    works(practitioner)
    room = RoomFactory()
    patient = PatientFactory(given_name="Zephyrine", family_name=NAME)
    complaint = chronic_complaint(
        patient=patient, title="Qzcomplaint hip pain", onset_story="Qzonset after golf"
    )
    course = course_plan(
        complaint=complaint,
        practitioner=practitioner,
        planned_sessions=5,
        interval_days=7,
        start_date=future_monday(),
        goal="Qzgoal walking",
        by=paul,
    )
    booked = book(
        patient=patient,
        practitioner=practitioner,
        room=room,
        by=fiona,
        start=at(future_monday(), "10:00"),
        course=course,
    )
    signed = write_note(session(course, days_ago=2, room=room), subjective="Qzsigned hip")
    addendum = notes.addendum_add(
        note=signed, by=paul, reason="Pain score was misread", text="Qzaddendum sorted"
    )
    draft = write_note(session(course, days_ago=1, room=room), sign=False, subjective="Qzdraft")
    session(course, days_ago=0, status=AppointmentStatus.BOOKED, room=room)  # my day, home
    item = HomeCareItem.objects.first()
    sheet = sheet_issue(
        patient=patient,
        kind=SheetKind.RELIEF,
        entries=[(item, "Qzadvice daily")],
        by=paul,
        complaint=complaint,
        course=course,
        intro="Qzsheet for you",
    )
    ComplaintFactory()  # someone else, so that lists are lists
    # A second complaint's course, planned and not booked: the patient is on the recall list.
    recall_course = course_plan(
        complaint=ComplaintFactory(patient=patient, title="Qzcomplaint knee pain"),
        practitioner=practitioner,
        planned_sessions=2,
        interval_days=7,
        start_date=future_monday(),
        by=paul,
    )
    point = AcupuncturePoint.objects.active().first()
    waiting = on_waitlist(patient, by=fiona, complaint=complaint)
    return {
        "waitlist_entry": waiting,
        "recall_course": recall_course,
        "patient": patient,
        "complaint": complaint,
        "course": course,
        "appointment": booked,
        "note": signed,
        "draft": draft,
        "addendum": addendum,
        "sheet": sheet,
        "item": item,
        "point": point,
        "point_set": point_set_save(
            practitioner=practitioner, name="Hip", points=[(point, "left")]
        ),
        "practitioner": practitioner,
        "room": room,
        "staff": fiona,
        "block": WorkingHours.objects.filter(practitioner=practitioner).first(),
        "away": TimeOff.objects.create(
            practitioner=practitioner,
            start=at(future_monday(), "13:00"),
            end=at(future_monday(), "14:00"),
            reason="Course",
        ),
    }


def _admin_objects(world) -> dict:
    return {
        "patients.patient": world["patient"],
        "patients.complaint": world["complaint"],
        "treatments.treatmentcourse": world["course"],
        "treatments.appointment": world["appointment"],
        "treatments.sessionnote": world["note"],
        "treatments.noteaddendum": world["addendum"],
        "treatments.appointmentstatuschange": world["appointment"].status_changes.first(),
        "treatments.accesslog": AccessLog.objects.first(),
        "otp_totp.totpdevice": authenticator(world["staff"]),
    }


def _addresses(name, pattern, world):
    """The addresses of the page: every record of the patient's its arguments can hold."""
    model, _ = _admin_model(name)
    if name.startswith("admin:"):
        arguments = set(pattern.pattern.converters) | set(pattern.pattern.regex.groupindex)
        kwargs = {}
        for argument in {"object_id", "id", "pk"} & arguments if model is not None else ():
            obj = _admin_objects(world).get(model._meta.label_lower) or model.objects.first()
            kwargs[argument] = obj.pk if obj is not None else 1
        if "content_type_id" in arguments:
            kwargs["content_type_id"] = ContentType.objects.get_for_model(Patient).pk
            kwargs["object_id"] = world["patient"].pk
        if "app_label" in arguments:
            kwargs["app_label"] = "patients"
        if name == "admin:auth_user_password_change":  # UserAdmin's own name for it
            kwargs["id"] = world["staff"].pk
        yield reverse(name, kwargs=kwargs)
        if (
            model is not None
            and model._meta.label_lower == "treatments.sessionnote"
            and ("object_id" in kwargs)
        ):
            yield reverse(name, kwargs={"object_id": world["draft"].pk})
        return
    yield reverse(name, kwargs=_kwargs(name, pattern, world))
    if OWNED_BY.get(name) == "note":
        yield reverse(name, kwargs=_kwargs(name, pattern, {**world, "note": world["draft"]}))


def _queries(name, world) -> list[dict]:
    """What the page is asked for: as opened from the menu, and as it shows the patient."""
    patient, course, complaint = world["patient"], world["course"], world["complaint"]
    day = {"day": future_monday().isoformat()}
    return {
        "patients:list": [{}, {"q": NAME}],
        "treatments:patient-picker": [{"patient_search": NAME[:5]}],
        "treatments:appointment-create": [{}, {"patient": patient.pk}],
        "treatments:patient-courses": [{"patient": patient.pk}],
        "treatments:free-slots": [{}, {"patient": patient.pk}],
        "treatments:sheet-create": [{"complaint": complaint.pk}, {"course": course.pk}],
        "treatments:my-day": [{}, {"day": session_day(world["note"])}],
        "treatments:day-sheet": [{}, day],
        "treatments:day-sheet-pdf": [{}, day],
        "treatments:today": [{}],
        "treatments:access-log": [{}, {"patient": NAME}],
        # A day after the booked session: the waiting patient fits Paul's free Tuesday.
        "treatments:waitlist-fill": [
            {
                "practitioner": world["practitioner"].pk,
                "room": world["room"].pk,
                "start": f"{future_monday() + timedelta(days=1)}T10:00",
                "end": f"{future_monday() + timedelta(days=1)}T10:45",
            }
        ],
    }.get(name, [{}] if not name.endswith("_changelist") else [{}, {"q": NAME}])


def session_day(note) -> str:
    return note.appointment.start.date().isoformat()


def _text(response) -> str:
    """What the response shows: its HTML, or the text of its PDF."""
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


@pytest.fixture
def clients(fiona_client, paul_client, maria, maria_client, admin_client):
    maria.is_staff = True  # the manager may use the admin
    maria.save(update_fields=["is_staff"])
    return {
        "front desk": fiona_client,
        "practitioner": paul_client,
        "manager": maria_client,
        "superuser": admin_client,
    }


def _walk_every_page(clients, world):
    """Open every page as everyone: (problems, the clinical page kinds seen logged)."""
    problems, logged = [], set()
    for who, client in clients.items():
        for name, pattern in PATTERNS:
            if "ends the session" in decision(name):
                continue
            what = CLINICAL.get(name)
            for url in _addresses(name, pattern, world):
                for query in _queries(name, world):
                    last = AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first()
                    response = client.get(url, query)
                    text = _text(response)
                    rows = set(
                        AccessLog.objects.filter(pk__gt=last or 0, patient=world["patient"])
                        .values_list("what", flat=True)
                        .distinct()
                    )
                    shown = [label for marker, label in RECORD_MARKERS.items() if marker in text]
                    if what and name not in PARTLY_CLINICAL and NAME in text:
                        shown.append("the patient's name")
                    if what == "home-care sheet pdf" and response.status_code == 200:
                        shown.append("a sheet's PDF")
                    page = f"{who}: GET {url} {query or ''} ({name}, {response.status_code})"
                    if shown and not rows:
                        problems.append(f"{page} shows {', '.join(shown)} but writes no row")
                    elif rows and rows != {what}:
                        problems.append(f"{page} writes {sorted(rows)}, declared {what!r}")
                    elif rows:
                        logged.add(name)
    return problems, logged


def test_every_page_that_shows_a_clinical_record_writes_the_access_log(clients, world):
    problems, logged = _walk_every_page(clients, world)

    assert not problems, "\n".join(problems)
    # Each declared kind showed the patient to someone and wrote its row: N of N logged.
    assert sorted(set(CLINICAL) - logged) == []
    print(f"\n{len(logged)} of {len(CLINICAL)} clinical page kinds logged")


def test_a_read_is_logged_once_for_the_reader_with_the_record_and_its_address(
    paul, paul_client, world
):
    note = world["draft"]
    before = AccessLog.objects.count()

    paul_client.get(reverse("treatments:note-edit", args=[note.pk]), REMOTE_ADDR="10.1.2.3")

    [row] = AccessLog.objects.all()[: AccessLog.objects.count() - before]
    assert (row.user, row.patient, row.what, row.object_id, row.ip_address) == (
        paul,
        world["patient"],
        "note form",
        note.pk,
        "10.1.2.3",
    )


def test_a_listing_writes_one_row_per_patient_listed_in_one_insert(fiona_client):
    listed = [PatientFactory(family_name=f"Listed{n}") for n in range(5)]

    with CaptureQueriesContext(connection) as captured:
        fiona_client.get(reverse("patients:list"), {"q": "Listed"})

    inserts = [q["sql"] for q in captured if 'INSERT INTO "treatments_accesslog"' in q["sql"]]
    assert len(inserts) == 1
    rows = AccessLog.objects.filter(what="patient search")
    assert sorted(rows.values_list("patient_id", flat=True)) == sorted(p.pk for p in listed)


def test_an_edit_form_shown_again_with_errors_is_a_read_too(paul_client, world):
    complaint = world["complaint"]
    url = reverse("patients:complaint-edit", args=[complaint.patient_id, complaint.pk])

    response = paul_client.post(url, {"title": ""})

    assert response.status_code == 200 and response.context["form"].errors
    assert AccessLog.objects.filter(what="complaint form", object_id=complaint.pk).exists()


def test_a_draft_shown_again_with_errors_is_a_read_too(paul_client, world):
    note = world["draft"]

    response = paul_client.post(
        reverse("treatments:note-edit", args=[note.pk]), {"pain_before": "eleven"}
    )

    assert response.status_code == 200 and response.context["form"].errors
    assert AccessLog.objects.filter(what="note form", object_id=note.pk).exists()


def test_a_possible_duplicate_on_registering_is_logged_as_a_search(fiona_client, world):
    patient = world["patient"]

    response = fiona_client.post(
        reverse("patients:create"),
        {
            "given_name": patient.given_name,
            "family_name": patient.family_name,
            "date_of_birth": patient.date_of_birth.isoformat(),
            "phone": "+44 7700 900123",
        },
    )

    assert list(response.context["form"].duplicates) == [patient]
    assert AccessLog.objects.filter(what="patient search", patient=patient).exists()


def test_no_access_log_row_is_created_anywhere_but_by_the_one_function():
    """Every row goes through treatments.audit.services._append (where its chain is kept)."""
    root = pathlib.Path(__file__).resolve().parents[3]
    creates = re.compile(r"(?<!class )\bAccessLog\(|AccessLog\.objects\.(bulk_)?create\b")
    writers = [
        str(path.relative_to(root))
        for app in ("clinic", "patients", "treatments")
        for path in root.joinpath(app).rglob("*.py")
        if "migrations" not in path.parts and creates.search(path.read_text())
    ]
    assert writers == ["treatments/audit/services.py"]
