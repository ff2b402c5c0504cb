"""Whatever a user types into a form or a link, no page answers 500.

Every page of the clinic, patients and treatments apps is opened by the clinic manager
(who may do everything) with nonsense in every parameter the pages read, by GET and POST.
"""

from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from clinic.models import TimeOff, WorkingHours
from tests.factories import (
    ComplaintFactory,
    PractitionerFactory,
    RoomFactory,
    at,
    book,
    future_monday,
    works,
)
from treatments.courses.services import course_plan

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
    )
    for value in ["x' OR 1=1 --\x00<script>"]
}


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
def world(maria, fiona):
    practitioner = PractitionerFactory()
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
    return {
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
        elif argument == "patient_pk":
            kwargs[argument] = world["patient"].pk
        elif argument == "complaint_pk":
            kwargs[argument] = world["complaint"].pk
        elif argument == "practitioner_pk":
            kwargs[argument] = world["practitioner"].pk
        elif name in owner:
            kwargs[argument] = world[owner[name]].pk
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
def test_nonsense_in_any_parameter_never_causes_a_server_error(maria_client, world, name, pattern):
    url = reverse(name, kwargs=_kwargs(name, pattern, world))
    for response in (
        maria_client.get(url, NONSENSE),
        maria_client.get(url, NONSENSE, headers={"HX-Request": "true"}),
        maria_client.post(url, NONSENSE),
    ):
        assert response.status_code < 500, (name, response.status_code)
