"""Idle logoff: a staff session ends after `SESSION_IDLE_SECONDS` without a request, and in
any case `SESSION_MAX_SECONDS` after login (health-records rules: automatic logoff).

The session holds two timestamps: when its user logged in and when they last made a request.
The page's timer (static/clinic/idle-logoff.js) asks how long is left through a passive
request, which does not count as activity, and warns a minute before the end.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.urls import reverse

from clinic.models import SecurityEventKind
from clinic.security import record_event

LOGGED_IN_AT = "clinic.logged_in_at"
LAST_ACTIVE_AT = "clinic.last_active_at"


def stamp_login(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: a new login starts both clocks (the session was just
    rotated, so this is the new session's first word)."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGGED_IN_AT] = request.session[LAST_ACTIVE_AT] = time.time()


def passive(view):
    """Mark a view whose requests are not activity (the page's own timer asking)."""
    view.idle_passive = True
    return view


def seconds_left(session, now: float | None = None) -> float:
    """Seconds until this session ends, by idleness or by its absolute lifetime."""
    now = time.time() if now is None else now
    idle_end = session.get(LAST_ACTIVE_AT, now) + settings.SESSION_IDLE_SECONDS
    max_end = session.get(LOGGED_IN_AT, now) + settings.SESSION_MAX_SECONDS
    return max(0.0, min(idle_end, max_end) - now)


def touch(request) -> None:
    """Count this request as activity now (the "Stay logged in" button)."""
    request.session[LAST_ACTIVE_AT] = time.time()


def seconds_left_after(request) -> float:
    """Seconds left once this (active) request is done: a whole idle period, unless the
    login's lifetime ends first."""
    now = time.time()
    max_end = request.session.get(LOGGED_IN_AT, now) + settings.SESSION_MAX_SECONDS
    return max(0.0, min(float(settings.SESSION_IDLE_SECONDS), max_end - now))


def _why_ended(session, now: float) -> tuple[str, str] | None:
    """(the trail's detail, the message for the login page), or None while it lasts."""
    if now >= session[LOGGED_IN_AT] + settings.SESSION_MAX_SECONDS:
        hours = settings.SESSION_MAX_SECONDS / 3600
        return "lifetime", f"You were logged out: a login lasts at most {hours:g} hours."
    if now >= session[LAST_ACTIVE_AT] + settings.SESSION_IDLE_SECONDS:
        idle = settings.SESSION_IDLE_SECONDS
        length = f"{idle // 60} minutes" if idle % 60 == 0 else f"{idle} seconds"
        return "idle", f"You were logged out after {length} without activity."
    return None


class IdleLogoffMiddleware:
    """Ends a session that was idle too long or lived too long, before the view runs; then
    the login requirement sends the visitor to the login page, which says why.

    Goes after MessageMiddleware (the reason is a message) and AuthenticationMiddleware.
    Writes the last-activity time at most every `SESSION_IDLE_SECONDS / 60` seconds, so
    most requests do not save the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = time.time()
        session = request.session
        if request.user.is_authenticated:
            if LOGGED_IN_AT not in session or LAST_ACTIVE_AT not in session:
                # A login from before this rule, or one that did not go through login().
                session.setdefault(LOGGED_IN_AT, now)
                session.setdefault(LAST_ACTIVE_AT, now)
            ended = _why_ended(session, now)
            if ended:
                detail, message = ended
                record_event(
                    SecurityEventKind.IDLE_LOGOFF, request=request, user=request.user, detail=detail
                )
                logout(request)
                messages.info(request, message)
                if request.headers.get("HX-Request"):
                    # An htmx swap would put the login page inside the page: go there instead.
                    return HttpResponse(headers={"HX-Redirect": reverse(settings.LOGIN_URL)})
        response = self.get_response(request)
        if request.user.is_authenticated and not _is_passive(request):
            step = max(1, settings.SESSION_IDLE_SECONDS // 60)
            if now - session.get(LAST_ACTIVE_AT, 0) >= step:
                session[LAST_ACTIVE_AT] = now
        return response


def _is_passive(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and getattr(match.func, "idle_passive", False))
