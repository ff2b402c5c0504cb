"""Whatever a user types into a form or a link, no page answers 500.

Every page of the clinic, patients and treatments apps is opened by the clinic manager and
by a practitioner (between them they may do everything) with nonsense and hostile numbers in
every parameter the pages read, by GET and POST, and with ids beyond any record in the address;
and with dates at the ends of the calendar in every date parameter while the others are
sensible, so that the forms get as far as computing times from them.
"""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinic.models import TimeOff, WorkingHours
from tests.factories import (
    ComplaintFactory,
    RoomFactory,
    at,
    book,
    follow_up,
    future_monday,
    on_waitlist,
    session,
    works,
    write_note,
)
from treatments.courses.services import course_plan
from treatments.homecare.services import sheet_issue
from treatments.models import AcupuncturePoint, HomeCareItem, RecallKind, SheetKind
from treatments.notes.services import point_set_save

NAMESPACES = ("clinic", "patients", "treatments")
NONSENSE = {
    name: value
    for name in (
        "q",
        "page",
        "archived",
        "patient",
        "practitioner",
        "room",
        "course",
        "start",
        "day",
        "view",
        "after",
        "propose",
        "first_date",
        "first_time",
        "interval_days",
        "appointment_type",
        "date",
        "time",
        "duration",
        "reason",
        "action",
        "active",
        "next",
        "patient_search",
        "time_of_day",
        "last_day",
        "planned_sessions",
        "status",
        "regions",
        "red_flags",
        "onset_date",
        "pain_at_intake",
        "weekday",
        "end",
        "session-1-start",
        "session-1-room",
        "session-1-choice",
        "opens",
        "closes",
        "colour",
        "roles",
        "complaint",
        "kind",
        "session",
        "point_set",
        "point",
        "in_use",
        "start_date",
        "start_time",
        "end_date",
        "end_time",
        "first_day",
        "shown",
        "confirm",
        "date_from",
        "date_to",
        "date_of_birth",
        "urgency",
        "show",
        "duration_minutes",
        "weekdays",
        "times_of_day",
        "expires_on",
        "desk_notes",
        "channel",
        "outcome",
    )
    for value in ["x' OR 1=1 --\x00<script>"]
}
# Numbers that str.isdigit() or int() accept but no id can be: a superscript, Arabic-Indic
# digits, a value beyond 64 bits, a negative, zero, padding.
HOSTILE_NUMBERS = ["\u00b2", "\u0663\u0664", "9" * 30, str(2**63), "-1", "0", " 7", "1e3"]


def _patterns(resolver, namespace):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, namespace)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}", pattern


def _all_patterns():
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace in NAMESPACES:
            yield from _patterns(pattern, pattern.namespace)


PATTERNS = sorted(_all_patterns(), key=lambda item: item[0])


@pytest.fixture
def world(maria, fiona, paul):
    practitioner = paul.practitioner
    works(practitioner)
    room = RoomFactory()
    complaint = ComplaintFactory()
    course = course_plan(
        complaint=complaint,
        practitioner=practitioner,
        planned_sessions=3,
        interval_days=7,
        start_date=future_monday(),
        by=fiona,
    )
    appointment = book(
        patient=complaint.patient,
        practitioner=practitioner,
        room=room,
        by=fiona,
        start=at(future_monday(), "10:00"),
        course=course,
    )
    block = WorkingHours.objects.filter(practitioner=practitioner).first()
    away = TimeOff.objects.create(
        practitioner=practitioner,
        start=at(future_monday() + timedelta(days=14), "09:00"),
        end=at(future_monday() + timedelta(days=14), "12:00"),
        reason="Course",
    )
    note = write_note(session(course, days_ago=2, room=room), sign=False)
    point = AcupuncturePoint.objects.active().first()
    point_set = point_set_save(practitioner=practitioner, name="Hip", points=[(point, "left")])
    item = HomeCareItem.objects.first()
    sheet = sheet_issue(
        patient=complaint.patient,
        kind=SheetKind.RELIEF,
        entries=[(item, "")],
        by=paul,
        complaint=complaint,
    )
    waiting = on_waitlist(complaint.patient, by=fiona, complaint=complaint)
    recall_course = course_plan(
        complaint=ComplaintFactory(patient=complaint.patient, title="Left knee pain"),
        practitioner=practitioner,
        planned_sessions=2,
        interval_days=7,
        start_date=future_monday(),
        by=fiona,
    )
    return {
        "waitlist_entry": waiting,
        "recall_course": recall_course,
        "note": note,
        "point": point,
        "point_set": point_set,
        "item": item,
        "sheet": sheet,
        "patient": complaint.patient,
        "complaint": complaint,
        "course": course,
        "appointment": appointment,
        "practitioner": practitioner,
        "room": room,
        "staff": fiona,
        "block": block,
        "away": away,
    }


OWNED_BY = {
    "treatments:note-detail": "note",
    "treatments:note-edit": "note",
    "treatments:note-sign": "note",
    "treatments:note-addendum": "note",
    "treatments:note-history": "note",
    "treatments:point-set-delete": "point_set",
    "treatments:point-in-use": "point",
    "treatments:home-care-item-edit": "item",
    "treatments:sheet-detail": "sheet",
    "treatments:sheet-pdf": "sheet",
    "treatments:sheet-email": "sheet",
    "treatments:waitlist-edit": "waitlist_entry",
    "treatments:waitlist-remove": "waitlist_entry",
    "treatments:waitlist-book": "waitlist_entry",
    "treatments:waitlist-freed": "appointment",
    "treatments:recall-contact": "recall_course",
    "treatments:recall-dismiss": "recall_course",
}


# The ends of what Python's dates can hold: a day after them, or a time computed from them
# (an appointment's end, the next day), overflows unless the forms refuse such dates first.
FAR_DATES = ["9999-12-31", "9999-12-31T23:45", "0001-01-01"]
DATE_PARAMETERS = (
    "start",
    "end",
    "day",
    "date",
    "first_date",
    "first_day",
    "last_day",
    "expires_on",
    "start_date",
    "end_date",
    "onset_date",
    "date_of_birth",
    "date_from",
    "date_to",
    "session-1-start",
    "shown",
)


def _sensible(world) -> dict:
    """Every parameter with a value a form accepts, so that only the dates can stop it."""
    return {
        **dict.fromkeys(NONSENSE, ""),
        "patient": world["patient"].pk,
        "practitioner": world["practitioner"].pk,
        "room": world["room"].pk,
        "course": world["course"].pk,
        "appointment_type": follow_up().pk,
        "time": "23:45",
        "first_time": "10:00",
        "duration": "45",
        "interval_days": "7",
        "planned_sessions": "3",
        "reason": "Holiday",
        "override_reason": "Asked for by the patient",
        "session": "1",
        "session-1-room": world["room"].pk,
        "weekday": "0",
        "opens": "09:00",
        "closes": "18:00",
        "time_of_day": "any",
        "propose": "1",
        "duration_minutes": "45",
        "urgency": "0",
    }


def _kwargs(name, pattern, world):
    """Real ids for the URL's arguments, so that the views get past their 404s."""
    owner = {
        "patients:complaint-detail": "complaint",
        "patients:complaint-edit": "complaint",
        "clinic:staff-edit": "staff",
        "clinic:staff-set-active": "staff",
        "clinic:room-edit": "room",
        "clinic:room-set-active": "room",
    }
    kwargs = {}
    for argument in pattern.pattern.converters:
        if argument == "day":
            kwargs[argument] = future_monday().isoformat()
        elif argument == "kind":  # a recall's: its course is on the list, planned, unbooked
            kwargs[argument] = RecallKind.UNBOOKED
        elif argument == "patient_pk":
            kwargs[argument] = world["patient"].pk
        elif argument == "complaint_pk":
            kwargs[argument] = world["complaint"].pk
        elif argument == "practitioner_pk":
            kwargs[argument] = world["practitioner"].pk
        elif name in owner:
            kwargs[argument] = world[owner[name]].pk
        elif name in OWNED_BY:
            kwargs[argument] = world[OWNED_BY[name]].pk
        elif "appointment" in name:
            kwargs[argument] = world["appointment"].pk
        elif "course" in name:
            kwargs[argument] = world["course"].pk
        elif "block" in name:
            kwargs[argument] = world["block"].pk
        elif "time-off" in name:
            kwargs[argument] = world["away"].pk
        else:
            kwargs[argument] = world["patient"].pk
    return kwargs


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[name for name, _ in PATTERNS])
@pytest.mark.parametrize("who", ["maria", "paul"])
def test_nonsense_in_any_parameter_never_causes_a_server_error(request, world, who, name, pattern):
    client = request.getfixturevalue(f"{who}_client")
    url = reverse(name, kwargs=_kwargs(name, pattern, world))
    for response in (
        client.get(url, NONSENSE),
        client.get(url, NONSENSE, headers={"HX-Request": "true"}),
        client.post(url, NONSENSE),
    ):
        assert response.status_code < 500, (name, response.status_code)
    for number in HOSTILE_NUMBERS:
        numbers = dict.fromkeys(NONSENSE, number)
        for response in (client.get(url, numbers), client.post(url, numbers)):
            assert response.status_code < 500, (name, number, response.status_code)


@pytest.mark.parametrize(("name", "pattern"), PATTERNS, ids=[name for name, _ in PATTERNS])
@pytest.mark.parametrize("who", ["maria", "paul"])
def test_dates_at_the_ends_of_the_calendar_never_cause_a_server_error(
    request, world, who, name, pattern
):
    client = request.getfixturevalue(f"{who}_client")
    url = reverse(name, kwargs=_kwargs(name, pattern, world))
    for far in FAR_DATES:
        data = {**_sensible(world), **dict.fromkeys(DATE_PARAMETERS, far)}
        data["session-1-choice"] = f"{far}@{world['room'].pk}"
        for response in (
            client.get(url, data),
            client.get(url, data, headers={"HX-Request": "true"}),
            client.post(url, {**data, "action": "check"}),
            client.post(url, {**data, "action": "confirm"}),
        ):
            assert response.status_code < 500, (name, far, response.status_code)


@pytest.mark.parametrize(
    ("name", "pattern"),
    [(name, pattern) for name, pattern in PATTERNS if "int" in str(pattern.pattern.converters)],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_an_id_beyond_any_record_in_the_address_is_not_found(maria_client, world, name, pattern):
    kwargs = _kwargs(name, pattern, world)
    for argument, converter in pattern.pattern.converters.items():
        if type(converter).__name__ == "IntConverter":
            for too_big in (2**63, 10**30):
                url = reverse(name, kwargs={**kwargs, argument: too_big})
                for response in (maria_client.get(url), maria_client.post(url)):
                    assert response.status_code in (400, 404, 405), (
                        name,
                        too_big,
                        response.status_code,
                    )
