"""Seal the signed notes, addenda and issued sheets already in the database, and chain the
access log and status changes, under the records key (issue 15).

Needs MERIDIAN_RECORDS_KEY when there is anything to seal; an empty database migrates
without it. Records signed from now on are sealed by the services.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

from treatments.audit.keys import current_key
from treatments.audit.verification import MODEL_OF, seal_everything
from treatments.models import CHAINED_KINDS


def seal_existing(apps, schema_editor):
    if not any(apps.get_model("treatments", name).objects.exists() for name in MODEL_OF.values()):
        # Nothing to seal: the chains' heads, not started (each takes the key of its first
        # append), so that every append finds its row to lock.
        for kind in CHAINED_KINDS:
            apps.get_model("treatments", "ChainHead").objects.create(kind=kind)
        return
    try:
        key = current_key()
    except ImproperlyConfigured as problem:
        raise ImproperlyConfigured(
            f"{problem} Set it before migrating: this migration seals the records already kept."
        ) from None
    seal_everything(key, apps)


class Migration(migrations.Migration):
    dependencies = [("treatments", "0020_record_seals")]

    # Backwards: nothing to undo here; unapplying 0020 drops the seals with their tables
    # (on PostgreSQL the seals' triggers refuse deleting their rows one by one).
    operations = [migrations.RunPython(seal_existing, migrations.RunPython.noop)]
