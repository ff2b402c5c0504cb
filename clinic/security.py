"""The one way to write the staff sign-in trail (`SecurityEvent`)."""

from django.http import HttpRequest

from clinic.models import SecurityEvent, SecurityEventKind, User


def client_address(request: HttpRequest | None) -> str | None:
    """The address the request came from (behind a proxy: see the README's proxy setting)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
