"""The sign-in trail: one function appends an event, with the address it came from."""

import pytest
from django.test import RequestFactory

from clinic.models import SecurityEvent, SecurityEventKind
from clinic.security import record_event

pytestmark = pytest.mark.django_db


def test_an_event_records_who_from_where_and_what(fiona, maria):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    record_event(SecurityEventKind.PASSWORD_RESET, request=request, user=fiona, by=maria)
    (event,) = SecurityEvent.objects.all()
    assert (event.kind, event.user, event.username, event.by) == (
        "password_reset",
        fiona,
        "fiona",
        maria,
    )
    assert event.ip_address == "192.0.2.7"


def test_a_failure_keeps_the_name_typed_without_a_user(db):
    record_event(SecurityEventKind.LOGIN_FAILED, username="nobody-such")
    (event,) = SecurityEvent.objects.all()
    assert (event.user, event.username, event.ip_address) == (None, "nobody-such", None)
