"""The records key: the secret behind every seal and chain link, and its deploy check.

A key is any string of at least `MIN_LENGTH` characters from the environment
(`MERIDIAN_RECORDS_KEY`, and `MERIDIAN_RECORDS_OLD_KEY` while rotating). Its id, the first 8
hex digits of its SHA-256, is stored with every seal so that a record says which key sealed
it without the key itself ever being stored.
"""

import hashlib
import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 32
GENERATE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


@dataclass(frozen=True)
class RecordsKey:
    secret: bytes = field(repr=False)

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.secret).hexdigest()[:8]

    def mac(self, *parts: str) -> str:
        """HMAC-SHA256 of the parts, each on its own line (a part never holds a newline of
        its own that could shift the boundary: parts are labels, hex links or canonical
        JSON, which escapes newlines)."""
        return hmac.new(self.secret, "\n".join(parts).encode(), hashlib.sha256).hexdigest()


def records_key(text: str) -> RecordsKey:
    if len(text) < MIN_LENGTH:
        raise ImproperlyConfigured(f"A records key needs at least {MIN_LENGTH} characters.")
    return RecordsKey(text.encode())


def current_key() -> RecordsKey:
    """The key that seals new records (`MERIDIAN_RECORDS_KEY`)."""
    if not settings.MERIDIAN_RECORDS_KEY:
        raise ImproperlyConfigured(
            "MERIDIAN_RECORDS_KEY is not set: records cannot be sealed. "
            f"Generate one with {GENERATE}"
        )
    return records_key(settings.MERIDIAN_RECORDS_KEY)


def old_key() -> RecordsKey:
    """The key being rotated away from (`MERIDIAN_RECORDS_OLD_KEY`)."""
    if not settings.MERIDIAN_RECORDS_OLD_KEY:
        raise ImproperlyConfigured("Set MERIDIAN_RECORDS_OLD_KEY to the key in use until now.")
    return records_key(settings.MERIDIAN_RECORDS_OLD_KEY)


@checks.register(checks.Tags.security, deploy=True)
def check_records_key(app_configs=None, **kwargs):
    key = settings.MERIDIAN_RECORDS_KEY
    if not key:
        return [
            checks.Error(
                "MERIDIAN_RECORDS_KEY is not set: notes, addenda and sheets cannot be sealed "
                "and the access log cannot be chained.",
                hint=f"Generate one with {GENERATE} and keep it apart from SECRET_KEY.",
                id="meridian.E020",
            )
        ]
    if len(key) < MIN_LENGTH:
        return [
            checks.Error(
                f"MERIDIAN_RECORDS_KEY has {len(key)} characters; it needs at least {MIN_LENGTH}.",
                hint=f"Generate one with {GENERATE}, then run manage.py rotate_records_key.",
                id="meridian.E021",
            )
        ]
    if key in (settings.RECORDS_KEY_FOR_DEVELOPMENT, settings.SECRET_KEY):
        return [
            checks.Error(
                "MERIDIAN_RECORDS_KEY is the development key or the same as SECRET_KEY.",
                hint="Give the records their own secret, then run manage.py rotate_records_key.",
                id="meridian.E022",
            )
        ]
    return []
