"""Strict reading of configuration from environment variables.

Every reader raises ImproperlyConfigured naming the variable and what was wrong, so a typo
in a deployment fails at start-up instead of silently falling back to a default.

Each reader also takes `help=`, one line on what the variable means, and
`required_in_production=` for a variable the app cannot run safely without when DEBUG is off
(a default of REQUIRED says so by itself). They do nothing at run time: `manage.py
env_example` (clinic/env_example.py) runs the settings with a recorder attached and writes
.env.example from what each reader was asked.
"""

import os
import sys
import zoneinfo
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


class _Required:
    def __repr__(self):
        return "REQUIRED"


REQUIRED = _Required()  # as a default: the variable must be set


@dataclass(frozen=True)
class Read:
    """One reader's call, as the recorder saw it: what .env.example says about a variable."""

    name: str
    kind: str  # str, bool, int, list, choice, time zone
    default: object
    help: str
    required_in_production: bool = False
    minimum: int | None = None
    choices: tuple[str, ...] = ()
    described: str | None = None
    filename: str = ""
    lineno: int = 0
    extra: dict = field(default_factory=dict)


# While `recording` runs: the environment the readers read instead of os.environ, and the
# list each call is appended to. Outside it, reading costs nothing more than before.
_recording: list[Read] | None = None
_recording_environ: dict | None = None


@contextmanager
def recording(environ: dict):
    """Run settings code against `environ` and collect every reader's call."""
    global _recording, _recording_environ
    saved = _recording, _recording_environ
    _recording, _recording_environ = [], environ
    try:
        yield _recording
    finally:
        _recording, _recording_environ = saved


def _record(name, kind, default, help, required_in_production, **details):
    if _recording is None:
        return
    frame = sys._getframe(2)  # the settings line that called the reader
    while frame.f_code.co_filename == __file__:
        frame = frame.f_back
    _recording.append(
        Read(
            name=name,
            kind=kind,
            default=default,
            help=help,
            required_in_production=required_in_production,
            filename=frame.f_code.co_filename,
            lineno=frame.f_lineno,
            **details,
        )
    )


def _raw(name: str, default, environ):
    if environ is None:
        environ = os.environ if _recording_environ is None else _recording_environ
    value = environ.get(name)
    if value is None or value.strip() == "":
        if default is REQUIRED:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return None
    return value.strip()


def _str(name: str, default, environ) -> str:
    value = _raw(name, default, environ)
    return default if value is None else value


def env_str(
    name: str, default=REQUIRED, *, environ=None, help="", required_in_production=False
) -> str:
    _record(name, "str", default, help, required_in_production)
    return _str(name, default, environ)


def env_bool(
    name: str, default=REQUIRED, *, environ=None, help="", required_in_production=False
) -> bool:
    _record(name, "bool", default, help, required_in_production)
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


def env_int(
    name: str,
    default=REQUIRED,
    *,
    minimum: int | None = None,
    environ=None,
    help="",
    required_in_production=False,
) -> int:
    _record(name, "int", default, help, required_in_production, minimum=minimum)
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


def env_list(
    name: str, default=REQUIRED, *, environ=None, help="", required_in_production=False
) -> list[str]:
    """A comma-separated list; empty items are an error rather than silently dropped."""
    _record(name, "list", default, help, required_in_production)
    value = _raw(name, default, environ)
    if value is None:
        return list(default)
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} has an empty item; separate with commas.")
    return items


def env_choice(
    name: str,
    default=REQUIRED,
    *,
    choices,
    normalise=None,
    described=None,
    environ=None,
    help="",
    required_in_production=False,
) -> str:
    _record(
        name,
        "choice",
        default,
        help,
        required_in_production,
        choices=tuple(sorted(choices)),
        described=described,
    )
    value = _str(name, default, environ)
    if normalise:
        value = normalise(value)
    if value not in choices:
        expected = described or "one of " + ", ".join(sorted(choices))
        raise ImproperlyConfigured(f"{name}={value!r} is not {expected}.")
    return value


def env_time_zone(
    name: str, default=REQUIRED, *, environ=None, help="", required_in_production=False
) -> str:
    _record(name, "time zone", default, help, required_in_production)
    value = _str(name, default, environ)
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
