"""The one way to write the staff sign-in trail (`SecurityEvent`), the one address a request
came from, and what the sign-in screens need around them."""

import ipaddress
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import signals as auth_signals
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from clinic.models import SecurityEvent, SecurityEventKind, User


def client_address(request: HttpRequest | None) -> str | None:
    """The address the request came from: axes, the sign-in trail and the access log all
    read it here.

    With `TRUSTED_PROXY_COUNT` = 0 it is REMOTE_ADDR: X-Forwarded-For is then anyone's to
    write and is ignored. Behind N proxies, each appends the address it was reached from to
    X-Forwarded-For, so the client is the N-th entry from the right; entries further left
    were sent by the client and are not trusted.
    """
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies == 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote  # not through the configured proxies: the connection's own address
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def record_event(
    kind: SecurityEventKind,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    username: str = "",
    by: User | None = None,
    detail: str = "",
) -> SecurityEvent:
    """Append one sign-in event; `username` defaults to the user's."""
    return SecurityEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        username=(username or (user.get_username() if user is not None else ""))[:150],
        by=by,
        ip_address=client_address(request),
        detail=detail[:200],
    )


def lockout_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME / timedelta(minutes=1))


def current_lockouts():
    """The username-and-address pairs locked out now, newest first."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT, attempt_time__gte=since
    ).order_by("-attempt_time")


# --- The trail's receivers: they only record ----------------------------------------------


def _logged_in(sender, request, user, **kwargs):
    record_event(SecurityEventKind.LOGIN, request=request, user=user)


def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(SecurityEventKind.LOGOUT, request=request, user=user)


def _login_failed(sender, credentials, request=None, **kwargs):
    # Refused by axes before any password was checked: axes counted nothing this time.
    locked = getattr(request, "axes_locked_out", False) and (
        getattr(request, "axes_failures_since_start", None) is None
    )
    record_event(
        SecurityEventKind.LOGIN_FAILED,
        request=request,
        username=credentials.get("username", "") or "",
        detail="while locked out" if locked else "",
    )


def _locked_out(sender, request, username, ip_address, **kwargs):
    # Axes signals on every refused attempt; the trail records the failure that locked it
    # (the only one for which axes counted the failures).
    if getattr(request, "axes_failures_since_start", None) is None:
        return
    record_event(
        SecurityEventKind.LOCKED_OUT,
        request=request,
        username=username or "",
        detail=f"after {request.axes_failures_since_start} failed logins",
    )


def connect_receivers() -> None:
    from axes.signals import user_locked_out

    auth_signals.user_logged_in.connect(_logged_in, dispatch_uid="clinic-trail-login")
    auth_signals.user_logged_out.connect(_logged_out, dispatch_uid="clinic-trail-logout")
    auth_signals.user_login_failed.connect(_login_failed, dispatch_uid="clinic-trail-failed")
    user_locked_out.connect(_locked_out, dispatch_uid="clinic-trail-locked-out")


# --- A one-time password must be changed before anything else -----------------------------


class PasswordChangeRequiredMiddleware:
    """Sends a member of staff whose password a manager set to the password-change page
    until they have chosen their own."""

    ALLOWED = ("password_change", "logout", "healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and request.path not in {reverse(name) for name in self.ALLOWED}
        ):
            return redirect("password_change")
        return self.get_response(request)
