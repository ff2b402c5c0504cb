"""Strict reading of configuration from environment variables.

Every reader raises ImproperlyConfigured naming the variable and what was wrong, so a typo
in a deployment fails at start-up instead of silently falling back to a default.
"""

import os
import zoneinfo

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}
REQUIRED = object()  # as a default: the variable must be set


def _raw(name: str, default, environ):
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    if value is None or value.strip() == "":
        if default is REQUIRED:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return None
    return value.strip()


def env_str(name: str, default=REQUIRED, *, environ=None) -> str:
    value = _raw(name, default, environ)
    return default if value is None else value


def env_bool(name: str, default=REQUIRED, *, environ=None) -> bool:
    value = _raw(name, default, environ)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a boolean; use one of true/false, yes/no, on/off, 1/0."
    )


def env_int(name: str, default=REQUIRED, *, minimum: int | None = None, environ=None) -> int:
    value = _raw(name, default, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} must be at least {minimum}.")
    return number


def env_list(name: str, default=REQUIRED, *, environ=None) -> list[str]:
    """A comma-separated list; empty items are an error rather than silently dropped."""
    value = _raw(name, default, environ)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item; separate with commas.")
    return items


def env_choice(
    name: str, default=REQUIRED, *, choices, normalise=None, described=None, environ=None
) -> str:
    value = env_str(name, default, environ=environ)
    if normalise:
        value = normalise(value)
    if value not in choices:
        expected = described or "one of " + ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name}={value!r} is not {expected}.")
    return value


def env_time_zone(name: str, default=REQUIRED, *, environ=None) -> str:
    value = env_str(name, default, environ=environ)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a known time zone (e.g. Europe/London)."
        ) from None
    return value


def database_from_url(url: str, *, name: str = "DATABASE_URL") -> dict:
    """Parse a postgres:// URL into Django's DATABASES entry."""
    import dj_database_url

    if not url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured(
            f"{name} must be a postgres:// or postgresql:// URL; got scheme "
            f"{url.split(':', 1)[0]!r}."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} could not be parsed: {error}") from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database, e.g. postgres://host/meridian.")
    return config
