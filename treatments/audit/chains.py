"""Keyed hash chains over the access log and the appointments' status changes.

Each row's link is HMAC(key, kind, previous link, the row's canonical content), kept as a
`RecordSeal` of the row. A row changed, inserted or deleted anywhere breaks the next link;
the chain's head (`ChainHead`: length, newest row and link, sealed) catches the newest rows
deleted, which no later link covers. The links live beside the rows, not in them, so a new
key re-chains by adding seals, never by updating an append-only row.

Appends are serialised by the head row's lock (SELECT … FOR UPDATE on PostgreSQL; SQLite's
IMMEDIATE transactions already admit one writer at a time), so ids and links follow one
order. Every append of both chains goes through `append`.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from treatments.audit.keys import RecordsKey, current_key
from treatments.audit.seals import canonical, instant
from treatments.models import (
    AccessLog,
    AppointmentStatusChange,
    ChainHead,
    RecordSeal,
    SealedKind,
)


def access_log_content(row: AccessLog) -> dict:
    return {
        "id": row.pk,
        "user": row.user_id,
        "patient": row.patient_id,
        "what": row.what,
        "object_id": row.object_id,
        "accessed_at": instant(row.accessed_at),
        # As stored: the field normalises IPv6 addresses on the way in.
        "ip_address": AccessLog._meta.get_field("ip_address").get_prep_value(row.ip_address),
    }


def status_change_content(row: AppointmentStatusChange) -> dict:
    return {
        "id": row.pk,
        "appointment": row.appointment_id,
        "from_status": row.from_status,
        "to_status": row.to_status,
        "changed_by": row.changed_by_id,
        "changed_at": instant(row.changed_at),
        "undoes": row.undoes_id,
        "note": row.note,
    }


CONTENT = {
    SealedKind.ACCESS_LOG: access_log_content,
    SealedKind.STATUS_CHANGE: status_change_content,
}


def link(key: RecordsKey, kind: str, previous: str, content: dict) -> str:
    return key.mac("link", kind, previous, canonical(content))


def head_mac(key: RecordsKey, kind: str, *, length: int, last_id, last_link: str) -> str:
    return key.mac("head", kind, str(length), str(last_id), last_link)


def head_fields(key: RecordsKey, kind: str, *, length: int, last_id, last_link: str) -> dict:
    """A head's fields, sealed: what `ChainHead` stores for a chain in this state."""
    return {
        "key_id": key.key_id,
        "length": length,
        "last_id": last_id,
        "last_link": last_link,
        "mac": head_mac(key, kind, length=length, last_id=last_id, last_link=last_link),
    }


def _locked_head(kind: str, key: RecordsKey) -> ChainHead:
    # The row exists from migration 0021 on (one query); a flushed table gets it back here.
    head, _ = ChainHead.objects.select_for_update().get_or_create(kind=kind)
    if head.key_id and head.key_id != key.key_id:
        # Appending under another key would fork the chain: the key was changed without
        # `manage.py rotate_records_key`. Refuse rather than record reads unchained.
        raise ImproperlyConfigured(
            f"The {kind} chain is under records key {head.key_id}, not {key.key_id}: "
            "run manage.py rotate_records_key, or restore the previous MERIDIAN_RECORDS_KEY."
        )
    return head


def append(kind: str, rows: list) -> None:
    """Insert `rows` (new, unsaved rows of the chain's model) and chain them, in one
    transaction with the caller's (no savepoint: nothing is left half-chained)."""
    if not rows:
        return
    key = current_key()
    with transaction.atomic(savepoint=False):
        head = _locked_head(kind, key)
        type(rows[0]).objects.bulk_create(rows)
        previous, links = head.last_link, []
        for row in rows:
            previous = link(key, kind, previous, CONTENT[kind](row))
            links.append(RecordSeal(kind=kind, record_id=row.pk, key_id=key.key_id, mac=previous))
        RecordSeal.objects.bulk_create(links)
        fields = head_fields(
            key, kind, length=head.length + len(rows), last_id=rows[-1].pk, last_link=previous
        )
        for name, value in fields.items():
            setattr(head, name, value)
        head.save()
