"""The encrypted backup file, written and read a chunk at a time.

    b"MERIDIAN-BACKUP\\n"    16 bytes: what the file is
    header length            2 bytes, big-endian
    header                   JSON: format, cipher, key id, database engine, time, salt, nonce
    records                  4-byte big-endian length (top bit: last record) + ciphertext

Each record is AES-256-GCM under a key derived (HKDF-SHA256) from the backup key and the
file's random salt, with the whole header as associated data and a nonce made of the file's
random prefix, the record's number and whether it is the last. So a changed header, a record
moved, dropped or altered, or a file cut short, fails to decrypt instead of restoring something
else. Record 0 is the manifest (rows per table, migrations); the rest are the database dump in
chunks of a megabyte, so neither writing nor reading holds the dump in memory.

The header is in clear and names no patient: it says which key (its id, a hash prefix) made
the file, so that restoring with another key is refused with both ids before anything else.
"""

import base64
import hashlib
import json
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from clinic.env import env_str

MAGIC = b"MERIDIAN-BACKUP\n"
FORMAT = 1
CIPHER = "AES-256-GCM"
CHUNK = 1 << 20
KEY_VARIABLE = "MERIDIAN_BACKUP_KEY"


def key_text(environ=None) -> str:
    """The backup key as set in the environment ("" when unset); read by the backup and restore
    commands only, never by the web app (so it is not a setting; .env.example still lists it)."""
    return env_str(
        KEY_VARIABLE,
        "",
        environ=environ,
        help=(
            "Required by the backup and restore jobs: the key from manage.py backup --new-key. "
            "Set it for those jobs only, never the web app; keep a copy away from the backups."
        ),
    )


_LAST = 0x8000_0000
_MAX_RECORD = CHUNK + 16 + (1 << 16)  # a chunk and its tag; the manifest is smaller


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is safe to print (no clinical data)."""


@dataclass(frozen=True)
class BackupKey:
    """The 32-byte key from MERIDIAN_BACKUP_KEY (URL-safe base64, as `backup --new-key` prints).

    A random key rather than a passphrase: a passphrase would need a slow key derivation, and
    the key id in each file's header would let anyone holding a backup test guesses offline.
    """

    secret: bytes

    @classmethod
    def from_text(cls, text: str) -> "BackupKey":
        text = text.strip()
        try:
            secret = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except ValueError:
            secret = b""
        if len(secret) != 32:
            raise BackupError(
                f"{KEY_VARIABLE} is not a backup key: it must be 32 bytes in URL-safe base64 "
                "(44 characters), as printed by `manage.py backup --new-key`."
            )
        return cls(secret)

    @classmethod
    def from_environment(cls, environ=None) -> "BackupKey":
        text = key_text(environ)
        if not text:
            raise BackupError(
                f"{KEY_VARIABLE} is not set. Make a key with `manage.py backup --new-key`, keep "
                "a copy away from the backups, and set it in the environment of the backup job."
            )
        return cls.from_text(text)

    @staticmethod
    def new_text() -> str:
        return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()

    @property
    def key_id(self) -> str:
        return hashlib.sha256(b"meridian backup key id\0" + self.secret).hexdigest()[:16]

    def file_cipher(self, salt: bytes) -> AESGCM:
        hkdf = HKDF(hashes.SHA256(), length=32, salt=salt, info=b"meridian backup 1 file key")
        return AESGCM(hkdf.derive(self.secret))


@dataclass(frozen=True)
class Header:
    key_id: str
    engine: str
    created: str  # ISO 8601, UTC
    salt: bytes
    nonce_prefix: bytes
    raw: bytes = b""  # the bytes as in the file: every record's associated data

    @classmethod
    def new(cls, *, key: BackupKey, engine: str, created: str) -> "Header":
        fields = {
            "format": FORMAT,
            "cipher": CIPHER,
            "key_id": key.key_id,
            "engine": engine,
            "created": created,
            "salt": base64.b64encode(salt := secrets.token_bytes(16)).decode(),
            "nonce_prefix": base64.b64encode(prefix := secrets.token_bytes(7)).decode(),
            "chunk": CHUNK,
        }
        body = json.dumps(fields, sort_keys=True).encode()
        raw = MAGIC + struct.pack(">H", len(body)) + body
        return cls(key.key_id, engine, created, salt, prefix, raw)

    @classmethod
    def read(cls, stream: BinaryIO) -> "Header":
        magic = stream.read(len(MAGIC))
        if magic != MAGIC:
            raise BackupError("This is not a Meridian backup file.")
        (length,) = struct.unpack(">H", _exactly(stream, 2))
        body = _exactly(stream, length)
        try:
            fields = json.loads(body)
            if fields["format"] != FORMAT:
                raise BackupError(
                    f"This backup is in format {fields['format']}; this version of Meridian "
                    f"reads format {FORMAT}. Restore it with the version that made it."
                )
            if fields["cipher"] != CIPHER:
                raise BackupError(f"This backup uses an unknown cipher ({fields['cipher']}).")
            return cls(
                key_id=fields["key_id"],
                engine=fields["engine"],
                created=fields["created"],
                salt=base64.b64decode(fields["salt"]),
                nonce_prefix=base64.b64decode(fields["nonce_prefix"]),
                raw=magic + struct.pack(">H", length) + body,
            )
        except (ValueError, KeyError, TypeError):
            raise BackupError("This backup file's header is damaged.") from None

    def check_key(self, key: BackupKey) -> None:
        if key.key_id != self.key_id:
            raise BackupError(
                f"Wrong key: this backup was made with key id {self.key_id}, and "
                f"{KEY_VARIABLE} has key id {key.key_id}. Set the key that made it (the database "
                "was not touched)."
            )


def _exactly(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise BackupError("This backup file is cut short (incomplete copy?).")
    return data


def _nonce(header: Header, number: int, last: bool) -> bytes:
    if number >= 1 << 32:
        raise BackupError("A backup of more than 4 PiB is not supported.")
    return header.nonce_prefix + struct.pack(">IB", number, int(last))


class EncryptingWriter:
    """Writes the header and manifest at once, then the dump given to `write` in chunks."""

    def __init__(self, out: BinaryIO, *, key: BackupKey, engine: str, created: str, manifest):
        self._out = out
        self._header = Header.new(key=key, engine=engine, created=created)
        self._cipher = key.file_cipher(self._header.salt)
        self._number = 0
        self._pending = bytearray()
        out.write(self._header.raw)
        self._record(json.dumps(manifest, sort_keys=True).encode(), last=False)

    def _record(self, plaintext: bytes, *, last: bool) -> None:
        sealed = self._cipher.encrypt(
            _nonce(self._header, self._number, last), plaintext, self._header.raw
        )
        self._out.write(struct.pack(">I", len(sealed) | (_LAST if last else 0)) + sealed)
        self._number += 1

    def write(self, data: bytes) -> None:
        # A chunk goes out only once more data follows it: the last record is marked as such.
        self._pending += data
        while len(self._pending) > CHUNK:
            self._record(bytes(self._pending[:CHUNK]), last=False)
            del self._pending[:CHUNK]

    def close(self) -> None:
        self._record(bytes(self._pending), last=True)
        self._pending = bytearray()


@dataclass
class OpenedBackup:
    header: Header
    manifest: dict
    chunks: Iterator[bytes]


def open_backup(stream: BinaryIO, key: BackupKey) -> OpenedBackup:
    """The header checked against the key, the manifest, and the dump's chunks to iterate
    (each authenticated as it is read; a damaged or cut file raises BackupError)."""
    header = Header.read(stream)
    header.check_key(key)
    cipher = key.file_cipher(header.salt)
    records = _records(stream, header, cipher)
    manifest_bytes, last = next(records)
    if last:
        raise BackupError("This backup file holds no database dump.")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError:
        raise BackupError("This backup's manifest is damaged.") from None
    return OpenedBackup(header, manifest, (data for data, _ in records))


def _records(stream: BinaryIO, header: Header, cipher: AESGCM) -> Iterator[tuple[bytes, bool]]:
    number = 0
    while True:
        prefix = stream.read(4)
        if not prefix:
            raise BackupError("This backup file is cut short (incomplete copy?).")
        (word,) = struct.unpack(">I", prefix + _exactly(stream, 4 - len(prefix)))
        last, length = bool(word & _LAST), word & ~_LAST
        if length > _MAX_RECORD:
            raise BackupError(f"This backup file is damaged (record {number}).")
        sealed = _exactly(stream, length)
        try:
            plaintext = cipher.decrypt(_nonce(header, number, last), sealed, header.raw)
        except InvalidTag:
            raise BackupError(
                f"This backup file is damaged or was altered (record {number} fails its check)."
            ) from None
        yield plaintext, last
        if last:
            if stream.read(1):
                raise BackupError("This backup file has data after its last record.")
            return
        number += 1
