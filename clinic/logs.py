"""The log: each line names its request and its user (by number), and carries no patient data.

`RequestIdMiddleware` gives every request an id: the `X-Request-ID` its proxy sent when that
is a short safe token, otherwise a new one; the response carries it back in `X-Request-ID`,
so a complaint ("the page failed at 10:42") finds its lines. The id and the user's number live
in a context variable that `RequestContextFilter` copies onto every log record, until Django
says the request is finished (after its own "Internal Server Error" and "Not Found" lines).

Two formats (LOG_FORMAT): `plain` (the default), one readable line, and `json`, one JSON
object per line with a fixed set of keys (time, level, logger, message, request_id, user_id,
and the exception's type and frames). Nothing else of a record is written: Django attaches the
request itself to its error records, and its query string can hold a searched name.

With DEBUG off an exception is written as its type and its frames (file, line, function and
the source line), never its message or local variables: a message can quote what a user typed
(a database error repeats the duplicate value; `int()` repeats the text it refused).
"""

import json
import logging
import re
import traceback
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

HEADER = "X-Request-ID"
# What a proxy's id may look like to be kept: nginx's $request_id, a UUID, a ULID …
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
NONE = "-"


@dataclass
class RequestLogContext:
    request_id: str
    user_id: int | None = None


_current: ContextVar[RequestLogContext | None] = ContextVar("meridian_request", default=None)


def request_id_from(incoming: str | None) -> str:
    if incoming and SAFE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current() -> RequestLogContext | None:
    return _current.get()


def forget_request(**kwargs) -> None:
    """`request_finished` receiver: lines logged after the request name no request."""
    _current.set(None)


class RequestIdMiddleware:
    """First in MIDDLEWARE, so that even the HTTPS redirect and a refused host carry the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = RequestLogContext(request_id_from(request.headers.get(HEADER)))
        _current.set(context)
        request.request_id = context.request_id
        response = self.get_response(request)
        response[HEADER] = context.request_id
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        # After the authentication middleware, before the login rule (which asks the same).
        context = _current.get()
        user = getattr(request, "user", None)
        if context is not None and user is not None and user.is_authenticated:
            context.user_id = user.pk


class RequestContextFilter(logging.Filter):
    """Puts `request_id` and `user_id` on every record (NONE outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        record.request_id = context.request_id if context else NONE
        user_id = context.user_id if context else None
        record.user_id = NONE if user_id is None else user_id
        return True


def _exception_chain(exc_info) -> list[traceback.TracebackException]:
    """The exception and those it was raised from or while handling, outermost last."""
    chain, seen = [], set()
    error = traceback.TracebackException(*exc_info, capture_locals=False)
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    return list(reversed(chain))


def _type_name(error: traceback.TracebackException) -> str:
    module = error.exc_type.__module__ if error.exc_type else ""
    name = error.exc_type.__qualname__ if error.exc_type else "?"
    return name if module in {"builtins", "__main__"} else f"{module}.{name}"


class SafeExceptionMixin:
    """Exceptions as type and frames; their messages only when `exception_messages` is on."""

    def __init__(self, *args, exception_messages: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.exception_messages = exception_messages

    def exception_as_dict(self, exc_info) -> dict:
        chain = _exception_chain(exc_info)
        outermost = chain[-1]
        described = {
            "type": _type_name(outermost),
            "frames": [
                {"file": frame.filename, "line": frame.lineno, "function": frame.name}
                for frame in outermost.stack
            ],
        }
        if len(chain) > 1:
            described["caused_by"] = [_type_name(error) for error in chain[:-1]]
        if self.exception_messages:
            described["message"] = "".join(outermost.format_exception_only()).strip()
        return described

    def formatException(self, ei) -> str:
        if self.exception_messages:
            return super().formatException(ei)
        lines = []
        for number, error in enumerate(_exception_chain(ei)):
            if number:
                lines.append("\nDuring handling of, or caused by, the exception above:\n")
            lines.append("Traceback (most recent call last):\n")
            lines.extend(error.stack.format())
            lines.append(f"{_type_name(error)} (message not logged: DEBUG is off)")
        return "".join(lines)


class PlainFormatter(SafeExceptionMixin, logging.Formatter):
    """One readable line: time, level, logger, [request id, user id], message."""

    FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s user=%(user_id)s] %(message)s"

    def __init__(self, *, exception_messages: bool = False):
        super().__init__(self.FORMAT, exception_messages=exception_messages)

    def format(self, record: logging.LogRecord) -> str:
        # A record logged through a handler without the filter still formats.
        record.__dict__.setdefault("request_id", NONE)
        record.__dict__.setdefault("user_id", NONE)
        return super().format(record)


class JsonFormatter(SafeExceptionMixin, logging.Formatter):
    """One JSON object per line, always the same keys; `exception` only when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _or_none(getattr(record, "request_id", NONE)),
            "user_id": _or_none(getattr(record, "user_id", NONE)),
        }
        status_code = getattr(record, "status_code", None)
        if isinstance(status_code, int):  # django.request's 4xx and 5xx lines
            entry["status_code"] = status_code
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = self.exception_as_dict(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _or_none(value):
    return None if value == NONE else value
