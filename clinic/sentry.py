"""Error tracking with Sentry, only when SENTRY_DSN is set (README "Logs and error tracking").

What leaves the clinic is what a developer needs to find the fault and nothing a user typed:
the exception's type and stack (file, line, function, the source lines; no local variables;
no exception message while DEBUG is off), the request's method and path (paths hold only
ids), the user's number, the log's request id. Stripped before sending (`before_send`,
`before_breadcrumb`): request bodies (not even read: max_request_body_size="never"), query
strings, cookies, headers, the user's name, e-mail and address, log records' extra values
(Django attaches the request itself to its error records) and breadcrumbs' data (SQL
parameters).

sentry-sdk is the optional extra `meridian[sentry]`: most clinics send nothing to a third party.
"""

from functools import partial
from importlib import metadata
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ImproperlyConfigured

from clinic import logs

HIDDEN = "[hidden]"


def release() -> str:
    try:
        return f"meridian@{metadata.version('meridian')}"
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "meridian@unknown"


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def before_send(event: dict, hint: dict, *, exception_messages: bool = False) -> dict:
    request = event.get("request") or {}
    event["request"] = {key: value for key, value in request.items() if key in {"method", "url"}}
    if "url" in event["request"]:
        event["request"]["url"] = _without_query(event["request"]["url"])
    # The user by number only: from the log's context (the SDK sends none without PII).
    context = logs.current()
    user_id = context.user_id if context is not None else None
    event["user"] = {"id": user_id} if user_id is not None else {}
    event.pop("extra", None)
    for exception in (event.get("exception") or {}).get("values") or []:
        if exception.get("value") and not exception_messages:
            exception["value"] = HIDDEN  # a message can quote what a user typed
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    for breadcrumb in (event.get("breadcrumbs") or {}).get("values") or []:
        before_breadcrumb(breadcrumb, {})
    if context is not None:
        event.setdefault("tags", {})["request_id"] = context.request_id
    return event


def before_breadcrumb(breadcrumb: dict, hint: dict) -> dict:
    breadcrumb.pop("data", None)  # a log record's extra values, a query's parameters
    return breadcrumb


def init_sentry(dsn: str, *, environment: str, exception_messages: bool = False) -> None:
    """Start Sentry; exception messages are sent only when `exception_messages` (DEBUG)."""
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
        from sentry_sdk.integrations.logging import ignore_logger
    except ImportError:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: "
            'pip install "meridian[sentry]" (or unset SENTRY_DSN).'
        ) from None
    # Requests for another host name (scanners) are refused with 400; not worth an event each.
    ignore_logger("django.security.DisallowedHost")
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release(),
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        before_send=partial(before_send, exception_messages=exception_messages),
        before_breadcrumb=before_breadcrumb,
    )
