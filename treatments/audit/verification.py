"""Checking every seal and both chains under one key, and re-sealing under a new one.

Used by `manage.py verify_records` and `manage.py rotate_records_key`. Reports name kinds
and record ids only, never content.
"""

import hmac
from dataclasses import dataclass, field

from django.apps import apps as django_apps
from django.db import transaction

from treatments.audit import chains
from treatments.audit.keys import RecordsKey
from treatments.audit.seals import seal_mac
from treatments.models import CHAINED_KINDS, ChainHead, RecordSeal, SealedKind

BATCH = 1000


MODEL_OF = {
    SealedKind.NOTE: "SessionNote",
    SealedKind.ADDENDUM: "NoteAddendum",
    SealedKind.SHEET: "HomeCareSheet",
    SealedKind.ACCESS_LOG: "AccessLog",
    SealedKind.STATUS_CHANGE: "AppointmentStatusChange",
}


def _model(kind_or_name: str, registry=django_apps):
    """The model, from the app registry or a migration's (whose models are as they were)."""
    return registry.get_model("treatments", MODEL_OF.get(kind_or_name, kind_or_name))


def sealed_records(kind: str, registry=django_apps):
    """The records of `kind` that must carry a seal, in id order."""
    records = _model(kind, registry).objects.order_by("pk")
    if kind == SealedKind.NOTE:
        records = records.filter(signed_at__isnull=False).prefetch_related("points")
    elif kind == SealedKind.ADDENDUM:
        records = records.select_related("note")
    return records.iterator(chunk_size=BATCH)


def chained_rows(kind: str, registry=django_apps):
    return _model(kind, registry).objects.order_by("pk").iterator(chunk_size=BATCH)


@dataclass
class KindReport:
    kind: str
    checked: int = 0
    ok: int = 0
    mismatched: list[int] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)  # records without a seal or link
    orphaned: list[int] = field(default_factory=list)  # seals or links without their record
    problems: list[str] = field(default_factory=list)  # the chain's head

    @property
    def failed(self) -> bool:
        return bool(self.mismatched or self.missing or self.orphaned or self.problems)

    def summary(self) -> str:
        label = SealedKind(self.kind).label
        line = (
            f"{label}: {self.checked} checked, {self.ok} ok, {len(self.mismatched)} mismatched, "
            f"{len(self.missing)} missing, {len(self.orphaned)} orphaned"
        )
        details = [
            f"  {name} ids: {', '.join(map(str, ids[:50]))}{' …' if len(ids) > 50 else ''}"
            for name, ids in (
                ("mismatched", self.mismatched),
                ("missing", self.missing),
                ("orphaned", self.orphaned),
            )
            if ids
        ]
        return "\n".join([line, *details, *(f"  {problem}" for problem in self.problems)])


def _stored(kind: str, key: RecordsKey):
    """(record id, mac) of `kind` under `key`, in record order."""
    seals = RecordSeal.objects.filter(kind=kind, key_id=key.key_id).order_by("record_id")
    return seals.values_list("record_id", "mac").iterator(chunk_size=BATCH)


def _walk(records, stored):
    """Pair records and stored MACs by id, both in id order: (id, record or None, mac or
    None), so a seal whose record is gone shows up too."""
    records, stored = iter(records), iter(stored)
    record, seal = next(records, None), next(stored, None)
    while record is not None or seal is not None:
        if seal is None or (record is not None and record.pk < seal[0]):
            yield record.pk, record, None
            record = next(records, None)
        elif record is None or seal[0] < record.pk:
            yield seal[0], None, seal[1]
            seal = next(stored, None)
        else:
            yield record.pk, record, seal[1]
            record, seal = next(records, None), next(stored, None)


def verify_seals(kind: str, key: RecordsKey) -> KindReport:
    report = KindReport(kind)
    for pk, record, mac in _walk(sealed_records(kind), _stored(kind, key)):
        if record is None:
            report.orphaned.append(pk)
            continue
        report.checked += 1
        if mac is None:
            report.missing.append(pk)
        elif hmac.compare_digest(mac, seal_mac(key, kind, record)):
            report.ok += 1
        else:
            report.mismatched.append(pk)
    return report


def verify_chain(kind: str, key: RecordsKey) -> KindReport:
    """Walk the chain from its first row. After a bad link the walk goes on from the stored
    link, so one changed row is reported once, not with every row after it."""
    content = chains.CONTENT[kind]
    report = KindReport(kind)
    previous, last_id = "", None
    for pk, row, mac in _walk(chained_rows(kind), _stored(kind, key)):
        if row is None:
            report.orphaned.append(pk)
            continue
        report.checked += 1
        expected = chains.link(key, kind, previous, content(row))
        if mac is None:
            report.missing.append(pk)
        elif hmac.compare_digest(mac, expected):
            report.ok += 1
        else:
            report.mismatched.append(pk)
        previous, last_id = mac or expected, pk
    _check_head(report, key, length=report.checked, last_id=last_id, last_link=previous)
    return report


def _check_head(report: KindReport, key: RecordsKey, *, length, last_id, last_link) -> None:
    head = ChainHead.objects.filter(kind=report.kind).first()
    if head is None:
        if length:
            report.problems.append("The chain's head is missing.")
        return
    if not head.key_id:
        if length:
            report.problems.append(f"The chain's head was never started; the table has {length}.")
        return
    if head.key_id != key.key_id:
        report.problems.append(f"The chain's head is under key {head.key_id}, not {key.key_id}.")
        return
    sealed = chains.head_mac(
        key, report.kind, length=head.length, last_id=head.last_id, last_link=head.last_link
    )
    if not hmac.compare_digest(head.mac, sealed):
        report.problems.append("The chain's head does not match its seal.")
    elif (head.length, head.last_id, head.last_link) != (length, last_id, last_link):
        report.problems.append(
            f"The chain's head records {head.length} rows up to id {head.last_id}; "
            f"the table has {length} up to id {last_id}: rows were added or removed."
        )


def verify_all(key: RecordsKey) -> list[KindReport]:
    sealed = [verify_seals(kind, key) for kind in SEALED_KINDS]
    return sealed + [verify_chain(kind, key) for kind in CHAINED_KINDS]


SEALED_KINDS = (SealedKind.NOTE, SealedKind.ADDENDUM, SealedKind.SHEET)


# --- sealing everything under a key (a new key, or the first one) ----------------------------


def seal_everything(key: RecordsKey, registry=django_apps) -> dict[str, int]:
    """Seal every record and chain every row under `key`, and point the heads at it. Run
    inside a transaction holding the chains' heads (`rotate`), or by the migration that
    introduced seals (with its own `registry`: the models as they were then)."""
    seal, head = _model("RecordSeal", registry), _model("ChainHead", registry)

    def create(seals: list) -> int:
        seal.objects.bulk_create(seals, batch_size=BATCH)
        return len(seals)

    counts = {}
    for kind in SEALED_KINDS:
        counts[kind] = create(
            [
                seal(kind=kind, record_id=r.pk, key_id=key.key_id, mac=seal_mac(key, kind, r))
                for r in sealed_records(kind, registry)
            ]
        )
    for kind in CHAINED_KINDS:
        previous, last_id, links = "", None, []
        for row in chained_rows(kind, registry):
            previous, last_id = chains.link(key, kind, previous, chains.CONTENT[kind](row)), row.pk
            links.append(seal(kind=kind, record_id=row.pk, key_id=key.key_id, mac=previous))
        counts[kind] = create(links)
        fields = chains.head_fields(
            key, kind, length=len(links), last_id=last_id, last_link=previous
        )
        head.objects.update_or_create(kind=kind, defaults=fields)
    return counts


class RotationRefused(Exception):
    def __init__(self, message: str, reports: list[KindReport] = ()):
        super().__init__(message)
        self.reports = list(reports)


@transaction.atomic
def rotate(*, old: RecordsKey, new: RecordsKey) -> dict[str, int]:
    """Re-seal everything under `new`, once everything verifies under `old`. The heads are
    locked first, so no read or status change is chained while the keys change hands."""
    if old.key_id == new.key_id:
        raise RotationRefused("The old and the new key are the same.")
    if RecordSeal.objects.filter(key_id=new.key_id).exists():
        raise RotationRefused(f"Records were already sealed under key {new.key_id}: use a new one.")
    list(ChainHead.objects.select_for_update().order_by("kind"))
    reports = verify_all(old)
    if any(report.failed for report in reports):
        raise RotationRefused("Not everything verifies under the old key.", reports)
    return seal_everything(new)
