"""What the SMS provider tells us after it accepted a text: a delivery report, POSTed to
settings.SMS_API_STATUS_URL (the view is treatments.reminders.views.sms_status).

    POST /reminders/sms/status/
    X-SMS-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with SMS_API_STATUS_SECRET>
    {"id": "<the provider's message id>", "status": "delivered" | "failed" | "undeliverable",
     "reason": "<optional: why it failed>", "at": "<optional: ISO 8601 time with offset>"}

Only these four fields; anything else is refused, so that a provider sending something we do
not understand hears so instead of being half-read.
"""

import hashlib
import hmac
import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

SIGNATURE_HEADER = "X-SMS-Signature"
SIGNATURE_PREFIX = "sha256="
# A report is a few hundred bytes; anything much larger is not one.
MAX_BODY_BYTES = 4096
STATUSES = ("delivered", "failed", "undeliverable")
FIELDS = {"id", "status", "reason", "at"}
MAX_REASON = 120


class BadReport(ValueError):
    """The body is not a delivery report. The message is safe to answer and to log."""


@dataclass(frozen=True)
class DeliveryReport:
    provider_id: str
    status: str  # one of STATUSES
    reason: str = ""
    at: datetime | None = None

    @property
    def delivered(self) -> bool:
        return self.status == "delivered"


class ReportOutcome(StrEnum):
    """What recording a report did (services.record_delivery_report)."""

    RECORDED = "recorded"  # the message's state changed
    REPEATED = "repeated"  # the log already said so: nothing changed
    SUPERSEDED = "superseded"  # a failure reported for a delivered message: it stays delivered
    NOT_SENT = "not sent"  # the message has not gone out (or never will): refused
    UNKNOWN = "unknown"  # no text message has this provider id
    AMBIGUOUS = "ambiguous"  # several have it (a provider reusing ids): refused


def signature(body: bytes, secret: str) -> str:
    """The header value a provider sends with `body` (what the tests' fake provider does)."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def signature_is_valid(body: bytes, header: str | None, secret: str) -> bool:
    """Constant-time comparison; no secret configured means nothing is valid."""
    if not secret or not header:
        return False
    return hmac.compare_digest(header.strip().encode(), signature(body, secret).encode())


def _printable(text: str) -> str:
    """No control characters (PostgreSQL refuses NUL; a log or a page wants none either)."""
    kept = "".join(c if unicodedata.category(c)[0] != "C" else " " for c in text)
    return " ".join(kept.split())


def _time(value) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadReport("'at' must be a string (ISO 8601)")
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise BadReport("'at' is not an ISO 8601 time") from None
    if at.tzinfo is None:
        raise BadReport("'at' needs a UTC offset")
    try:
        return at.astimezone(UTC)
    except OverflowError:
        raise BadReport("'at' is out of range") from None


def parse_report(body: bytes) -> DeliveryReport:
    """The report in `body`, or BadReport saying what is wrong with it."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise BadReport("the body is not JSON") from None
    if not isinstance(data, dict):
        raise BadReport("the body must be a JSON object")
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise BadReport(f"unknown fields: {', '.join(_printable(k)[:40] for k in unknown[:5])}")
    provider_id, status = data.get("id"), data.get("status")
    if not isinstance(provider_id, str) or not 0 < len(provider_id) <= 200:
        raise BadReport("'id' must be a string of 1 to 200 characters")
    if any(unicodedata.category(c)[0] == "C" for c in provider_id):
        raise BadReport("'id' must not contain control characters")
    if status not in STATUSES:
        raise BadReport(f"'status' must be one of: {', '.join(STATUSES)}")
    reason = data.get("reason", "")
    if not isinstance(reason, str):
        raise BadReport("'reason' must be a string")
    return DeliveryReport(
        provider_id=provider_id,
        status=status,
        reason=_printable(reason)[:MAX_REASON],
        at=_time(data.get("at")),
    )
