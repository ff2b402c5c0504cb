"""Idle logoff: a session ends after SESSION_IDLE_SECONDS without a request, and in any case
SESSION_MAX_SECONDS after login. The tests move the session's clocks back instead of waiting."""

import time

import pytest
from django.urls import reverse

from clinic import idle
from clinic.models import SecurityEvent, SecurityEventKind
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOME = reverse("clinic:home")


def _set_clocks(client, *, idle_for: float = 0, logged_in_for: float = 0) -> None:
    session = client.session
    now = time.time()
    session[idle.LAST_ACTIVE_AT] = now - idle_for
    session[idle.LOGGED_IN_AT] = now - max(idle_for, logged_in_for)
    session.save()


def _clocks(client) -> tuple[float, float]:
    session = client.session
    return session[idle.LOGGED_IN_AT], session[idle.LAST_ACTIVE_AT]


def test_logging_in_starts_both_clocks(client, fiona):
    before = time.time()
    client.post(reverse("login"), {"username": "fiona", "password": PASSWORD})
    logged_in_at, last_active_at = _clocks(client)
    assert before <= logged_in_at == last_active_at <= time.time()


def test_a_session_idle_for_less_than_the_idle_time_carries_on(fiona_client, settings):
    _set_clocks(fiona_client, idle_for=settings.SESSION_IDLE_SECONDS - 5)
    assert fiona_client.get(HOME).status_code == 200
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.IDLE_LOGOFF).exists()


def test_a_session_idle_for_the_idle_time_ends_and_the_login_page_says_why(fiona_client, fiona):
    _set_clocks(fiona_client, idle_for=15 * 60)
    response = fiona_client.get(HOME, follow=True)
    assert response.redirect_chain == [(f"{reverse('login')}?next={HOME}", 302)]
    assert "You were logged out after 15 minutes without activity." in response.text
    assert "_auth_user_id" not in fiona_client.session
    (event,) = SecurityEvent.objects.filter(kind=SecurityEventKind.IDLE_LOGOFF)
    assert (event.kind, event.user, event.detail) == (SecurityEventKind.IDLE_LOGOFF, fiona, "idle")


def test_the_idle_time_is_a_setting(fiona_client, settings):
    settings.SESSION_IDLE_SECONDS = 6
    _set_clocks(fiona_client, idle_for=7)
    response = fiona_client.get(HOME, follow=True)
    assert "You were logged out after 6 seconds without activity." in response.text


def test_an_active_session_ends_after_its_lifetime(fiona_client, fiona, settings):
    _set_clocks(fiona_client, idle_for=1, logged_in_for=12 * 60 * 60)
    response = fiona_client.get(HOME, follow=True)
    assert "a login lasts at most 12 hours" in response.text
    (event,) = SecurityEvent.objects.filter(kind=SecurityEventKind.IDLE_LOGOFF)
    assert (event.kind, event.detail) == (SecurityEventKind.IDLE_LOGOFF, "lifetime")


def test_a_request_restarts_the_idle_clock(fiona_client):
    _set_clocks(fiona_client, idle_for=10 * 60)
    before = time.time()
    fiona_client.get(HOME)
    assert _clocks(fiona_client)[1] >= before


def test_requests_close_together_do_not_save_the_session_each_time(fiona_client):
    _set_clocks(fiona_client, idle_for=1)  # under a sixtieth of the idle time
    last_active_at = _clocks(fiona_client)[1]
    fiona_client.get(HOME)
    assert _clocks(fiona_client)[1] == last_active_at


def test_the_page_timer_asking_how_long_is_left_is_not_activity(fiona_client, settings):
    _set_clocks(fiona_client, idle_for=10 * 60)
    before = _clocks(fiona_client)[1]
    response = fiona_client.get(reverse("session-status"))
    assert 4 * 60 <= response.json()["seconds_left"] <= 5 * 60
    assert _clocks(fiona_client)[1] == before
    assert response["Cache-Control"] == "no-store, private"


def test_the_page_timer_is_told_zero_once_the_session_has_ended(fiona_client, client):
    _set_clocks(fiona_client, idle_for=15 * 60)
    assert fiona_client.get(reverse("session-status")).json() == {"seconds_left": 0}
    assert client.get(reverse("session-status")).json() == {"seconds_left": 0}
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.IDLE_LOGOFF).count() == 1


def test_stay_logged_in_restarts_the_idle_clock(fiona_client, settings):
    _set_clocks(fiona_client, idle_for=14 * 60 + 30)
    response = fiona_client.post(reverse("session-keep-alive"))
    assert response.json()["seconds_left"] >= settings.SESSION_IDLE_SECONDS - 1


def test_stay_logged_in_needs_a_login_and_a_post(client, fiona_client):
    url = reverse("session-keep-alive")
    assert client.post(url).status_code == 302
    assert fiona_client.get(url).status_code == 405


def test_an_htmx_request_after_the_idle_time_sends_the_whole_page_to_the_login(fiona_client):
    _set_clocks(fiona_client, idle_for=15 * 60)
    response = fiona_client.get(HOME, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("login")


def test_each_page_carries_the_timer_with_its_settings(fiona_client, client):
    page = fiona_client.get(HOME).text
    assert 'id="idle-logoff"' in page
    assert 'data-seconds-left="900.0"' in page
    assert 'data-warning-seconds="60"' in page
    assert "clinic/idle-logoff.js" in page
    assert "idle-logoff" not in client.get(reverse("login")).text
